#!/bin/sh
# The config plane at scale ("make bench-scale"; "make bench" runs it):
# adds BENCH_SCALE_PORTS ports (10,000 by default) to a bridge, one
# "add-port" per call and then, on a second bridge, 100 per call, with
# softswitch (sw-vswitchd, swctl) and with Open vSwitch (ovsdb-server and
# ovs-vswitchd with the netdev datapath, ovs-vsctl), each client waiting
# for its datapath to have the ports.  Ports are dummy ports (both
# daemons run with --enable-dummy), so what is measured is the DB, the
# client and the daemon's reconfiguration, not a kernel.
#
# Prints, for each system and way: ports per second over the whole run,
# the time per call over the first and the last 1,000 ports (their ratio
# is how the per-call time grows), the daemons' memory at the end, and
# the ratios against the targets (softswitch >= 5x ovs-vsctl's rate;
# last 1,000 within 1.5x of the first).
#
# Environment: BENCH_SCALE_PORTS, BENCH_SCALE_BUDGET (seconds one way of
# one system may take, 1800 by default: a system over it is stopped and
# its partial result marked), BENCH_SYSTEMS (a subset of "softswitch
# ovs"), builddir (the current directory).  Nothing touches the network
# or the system's Open vSwitch: private run directories, no namespaces.

PORTS=${BENCH_SCALE_PORTS:-10000}
BUDGET=${BENCH_SCALE_BUDGET:-1800}
BLOCK=$((PORTS < 10000 ? PORTS / 10 : 1000))
BATCH=100
B=$(cd "${builddir:-.}" && pwd)
OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema

echo "== Scale benchmark: $PORTS ports, one per call and $BATCH per call"
for f in "$B/vswitchd/sw-vswitchd" "$B/utilities/swctl"; do
    if ! test -x "$f"; then
        echo "skipped: $f is not built (run make first)"
        exit 0
    fi
done

d=$(mktemp -d /tmp/sws.XXXXXX) || exit 1
topology_down () { :; }
. "$(dirname "$0")/bench-lib.sh"

systems="softswitch ovs"
select_systems
case " $systems " in
*" ovs "*)
    ovs_check
    if test "$ovs_available" != yes; then
        echo "ovs: $ovs_available" >> "$d/notes"
        systems=$(echo "$systems" | sed 's/ovs//')
    fi
    ;;
esac

# The client of the system being measured, and its daemons' PIDs.
sw_env () {
    env SW_RUNDIR=$d/sw SW_DBDIR=$d/sw SW_LOGDIR=$d/sw "$@"
}
ovs_env () {
    env OVS_RUNDIR=$d/ovs OVS_DBDIR=$d/ovs OVS_LOGDIR=$d/ovs \
        OVS_SYSCONFDIR=$d/ovs "$@"
}
client () {
    if test $sys = softswitch; then
        sw_env "$B/utilities/swctl" --timeout=60 "$@"
    else
        ovs_env ovs-vsctl --timeout=60 --db=unix:$d/ovs/db.sock "$@"
    fi
}
start_softswitch () {
    mkdir "$d/sw" &&
    sw_env "$B/vswitchd/sw-vswitchd" --enable-dummy --detach --no-chdir \
        --pidfile --log-file -vconsole:off 2>> "$d/log" ||
        fail "sw-vswitchd did not start" || return 1
    daemons=$(cat "$d/sw/sw-vswitchd.pid")
    track $daemons sw-vswitchd
    client add-br br0 -- add-br br1
}
start_ovs () {
    o=$d/ovs
    mkdir "$o" && ovs_env ovsdb-tool create "$o/conf.db" $OVS_SCHEMA &&
    ovs_env ovsdb-server "$o/conf.db" --remote=punix:"$o/db.sock" \
        --pidfile="$o/ovsdb-server.pid" --unixctl="$o/ovsdb-server.ctl" \
        --detach --no-chdir --log-file="$o/ovsdb-server.log" \
        -vconsole:off -vsyslog:off 2>> "$d/log" ||
        fail "ovsdb-server did not start" || return 1
    track "$(cat "$o/ovsdb-server.pid")" ovsdb-server
    client --no-wait init || fail "ovs-vsctl init failed" || return 1
    ovs_env ovs-vswitchd unix:"$o/db.sock" --enable-dummy \
        --pidfile="$o/ovs-vswitchd.pid" --unixctl="$o/ovs-vswitchd.ctl" \
        --detach --no-chdir --log-file="$o/ovs-vswitchd.log" \
        -vconsole:off -vsyslog:off 2>> "$d/log" ||
        fail "ovs-vswitchd did not start" || return 1
    track "$(cat "$o/ovs-vswitchd.pid")" ovs-vswitchd
    daemons="$(cat "$o/ovsdb-server.pid") $(cat "$o/ovs-vswitchd.pid")"
    client add-br br0 -- set Bridge br0 datapath_type=netdev \
        -- add-br br1 -- set Bridge br1 datapath_type=netdev
}

# add_ports WAY BRIDGE PREFIX: adds $PORTS dummy ports PREFIX1.. to
# BRIDGE, WAY "single" (one per call) or "batch" ($BATCH per call).
# Appends "SYS WAY PORTS SECONDS FIRST_BLOCK_S LAST_BLOCK_S" to results.
add_ports () {
    per_call=1
    test "$1" = batch && per_call=$BATCH
    start=$(now)
    block_start=$start
    first_block=- last_block=- done_ports=0
    i=1
    while test $i -le $PORTS; do
        args=
        j=0
        while test $j -lt $per_call && test $i -le $PORTS; do
            args="$args -- add-port $2 $3$i -- set Interface $3$i type=dummy"
            i=$((i + 1))
            j=$((j + 1))
        done
        # shellcheck disable=SC2086
        client $args > /dev/null 2>> "$d/log" ||
            { fail "$1: add-port failed at port $((i - 1))"; break; }
        done_ports=$((i - 1))
        if test $((done_ports % BLOCK)) = 0; then
            t=$(now)
            block=$(echo "$t - $block_start" | bc)
            test "$first_block" = - && first_block=$block
            last_block=$block
            block_start=$t
            if test "$(echo "$t - $start > $BUDGET" | bc)" = 1; then
                fail "$1: stopped after $done_ports ports ($BUDGET s budget)"
                break
            fi
        fi
    done
    total=$(echo "$(now) - $start" | bc)
    echo "$sys $1 $done_ports $total $first_block $last_block" \
        >> "$d/results"
}

rss_mb () {
    rss=0
    for pid in "$@"; do
        kb=$(awk '/^VmRSS:/ { print $2 }' /proc/$pid/status 2>/dev/null)
        rss=$((rss + ${kb:-0}))
    done
    echo "$rss" | awk '{ printf "%.1f", $1 / 1024 }'
}

: > "$d/results"
for sys in $systems; do
    if start_$sys; then
        add_ports single br0 p
        echo "$sys memory-single $(rss_mb $daemons)" >> "$d/memory"
        add_ports batch br1 q
        echo "$sys memory $(rss_mb $daemons)" >> "$d/memory"
    fi
    # shellcheck disable=SC2046
    stop_pid $(awk '{ print $1 }' "$d/pids")
    : > "$d/pids"
done

awk -v block=$BLOCK -v batch=$BATCH -v ratio_width=34 "$BENCH_AWK_LIB"'
FILENAME ~ /memory$/ {
    if ($2 == "memory-single") mem1[$1] = $3; else mem[$1] = $3
    next
}
{
    key = $1 SUBSEP $2
    n[key] = $3
    rate[key] = "-"
    if ($3 > 0) rate[key] = $3 / $4
    calls = block
    if ($2 == "batch") calls = block / batch
    first[key] = "-"; last[key] = "-"
    if ($5 != "-") first[key] = $5 * 1000 / calls
    if ($6 != "-") last[key] = $6 * 1000 / calls
    seen[$1] = 1
}
END {
    printf "%-11s %-10s %6s %9s %16s %16s %7s\n", "system", "per call",
           "ports", "ports/s", "first ms/call", "last ms/call", "growth"
    for (s in seen)
        for (w = 0; w < 2; w++) {
            way = w ? "batch" : "single"
            k = s SUBSEP way
            if (!(k in n)) continue
            g = "-"; f = "-"; l = "-"
            if (first[k] != "-") f = sprintf("%.2f", first[k])
            if (last[k] != "-") l = sprintf("%.2f", last[k])
            if (f != "-" && l != "-") g = sprintf("%.2fx", last[k] / first[k])
            printf "%-11s %-10s %6d %9.1f %16s %16s %7s\n", s,
                   (w ? batch : 1), n[k], rate[k], f, l, g
        }
    for (s in mem1)
        printf "daemon memory after the one-per-call run (%s): %s MB\n", s,
               mem1[s]
    for (s in mem)
        printf "daemon memory at the end, both bridges (%s): %s MB\n", s,
               mem[s]
    print ""
    ratio("one per call, softswitch/ovs", rate["softswitch", "single"],
          rate["ovs", "single"], ">=", 5)
    ratio("batched, softswitch/ovs", rate["softswitch", "batch"],
          rate["ovs", "batch"], ">=", 5)
    ratio("softswitch per-call growth", last["softswitch", "single"],
          first["softswitch", "single"], "<=", 1.5)
    ratio("softswitch batched growth", last["softswitch", "batch"],
          first["softswitch", "batch"], "<=", 1.5)
}' "$d/memory" "$d/results"
test -s "$d/notes" && sed 's/^/note: /' "$d/notes"
exit 0
