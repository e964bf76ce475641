#!/bin/sh
# The system benchmark ("make bench-system"; "make bench" runs it last
# when root): the same two hosts joined by each switch in turn, measured
# in the same run so that the ratios mean something.
#
#   swb-h1-PID            swb-sw-PID (the switch, CPU 1)       swb-h2-PID
#   198.18.0.1                                                 198.18.0.2
#   eth0 ====veth==== p1 --[ switch under test ]-- p2 ====veth==== eth0
#   sw-pktgen xdp-send                                   XDP drop sink
#   (CPU 0)                                              (rx_packets)
#
# Switches: softswitch with AF_XDP ports and with AF_PACKET ports, the
# Linux bridge, Open vSwitch's userspace datapath with afxdp and with
# system ports, and a bare XDP redirect p1 <-> p2 (the ceiling: nothing
# that moves frames between two veths in software can do better).
#
# Per switch: ping latency (200 pings, p50/p99), TCP (iperf3, one
# stream), 64-byte UDP frames per second reaching h2, and the switch
# daemon's CPU time during that.  Hosts run on CPU 0, the switch on CPU
# 1.  The systems take turns, BENCH_ROUNDS rounds; medians are printed.
# Timings are never checked against anything: this only reports.
#
# The 64-byte load must exceed what every switch can take, or the
# generator is what gets measured.  An AF_PACKET sender (sw-pktgen send)
# manages ~1.3 Mpps on one of these cores, about what one switch core
# forwards, so by default the kernel generates the frames itself
# (sw-pktgen xdp-send: XDP frames, no socket buffers), an order of
# magnitude more.
#
# Options (environment): BENCH_ROUNDS (3), BENCH_SECONDS (5),
# BENCH_GENERATOR (xdp, or afpacket for the AF_PACKET sender),
# BENCH_HOST_GRO (off; "on" turns GRO on at the hosts' veths, for every
# switch alike: a veth whose peer polls can take frames that an XDP
# program redirects, so softswitch's XDP fast path then carries ping
# and any traffic with full checksums in native mode too),
# BENCH_BUSY_POLL (true, as OVS's PMD threads poll; false: softswitch's
# default, its datapath thread sleeps when idle), BENCH_SYSTEMS (a
# subset of "ss-afxdp ss-afpacket bridge ovs-afxdp ovs-system xdp", all
# by default), builddir (the current directory).  Addresses are from
# 198.18.0.0/15 and no namespace has a route out; everything is removed
# on exit or ^C.

ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_=${BENCH_SECONDS:-5}
GENERATOR=${BENCH_GENERATOR:-xdp}
HOST_GRO=${BENCH_HOST_GRO:-off}
BUSY_POLL=${BENCH_BUSY_POLL:-true}
B=$(cd "${builddir:-.}" && pwd)
PKTGEN=$B/tests/sw-pktgen
OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema

echo "== System benchmark: ns1 <-> veth <-> switch <-> veth <-> ns2" \
     "($ROUNDS rounds of ${SECONDS_} s)"
if test "$(id -u)" != 0; then
    echo "skipped: needs root (namespaces, XDP)"
    exit 0
fi
for tool in ip nsenter iperf3 ping taskset awk ethtool; do
    if ! command -v $tool > /dev/null 2>&1; then
        echo "skipped: $tool is not installed"
        exit 0
    fi
done
for f in "$PKTGEN" "$B/vswitchd/sw-vswitchd" "$B/utilities/swctl"; do
    if ! test -x "$f"; then
        echo "skipped: $f is not built (run make first)"
        exit 0
    fi
done

d=$(mktemp -d /tmp/swb.XXXXXX) || exit 1
NS_SW=swb-sw-$$
NS_H1=swb-h1-$$
NS_H2=swb-h2-$$

topology_down () {
    for ns in $NS_H1 $NS_H2 $NS_SW; do
        ip netns del $ns 2>/dev/null
    done
}
. "$(dirname "$0")/bench-lib.sh"

in_sw () { in_ns $NS_SW "$@"; }
in_h1 () { in_ns $NS_H1 "$@"; }
in_h2 () { in_ns $NS_H2 "$@"; }

# Fresh namespaces for every measurement, so that nothing a previous
# switch left behind (XDP programs, a br0, learned MACs) is inherited.
topology_up () {
    topology_down
    ip netns add $NS_SW && ip netns add $NS_H1 && ip netns add $NS_H2 ||
        return 1
    in_sw ip link set lo up
    for i in 1 2; do
        eval ns=\$NS_H$i
        ip link add p$i netns $NS_SW type veth peer name eth0 netns $ns &&
        in_ns $ns ip link set lo up &&
        in_ns $ns ip addr add 198.18.0.$i/24 dev eth0 &&
        in_ns $ns ip link set eth0 up &&
        in_sw ip link set p$i up || return 1
        if test "$HOST_GRO" = on; then
            in_ns $ns ethtool -K eth0 gro on > /dev/null || return 1
        fi
    done
}


# The systems.  start_X sets sw_pid (the daemon whose CPU is measured,
# empty for the kernel) or fails; stop_X undoes it.

swctl_ () {
    SW_RUNDIR=$d/sw timeout 30 "$B/utilities/swctl" -t 20 "$@"
}
start_softswitch () {
    rm -rf "$d/sw" && mkdir "$d/sw" || return 1
    env SW_RUNDIR=$d/sw SW_DBDIR=$d/sw SW_LOGDIR=$d/sw \
        nsenter --net=/run/netns/$NS_SW taskset -c 1 \
        "$B/vswitchd/sw-vswitchd" --detach --no-chdir --pidfile --log-file \
        -vconsole:off ||
        fail "sw-vswitchd did not start" || return 1
    sw_pid=$(cat "$d/sw/sw-vswitchd.pid") && track $sw_pid sw-vswitchd
    swctl_ add-br br0 || fail "swctl add-br failed" || return 1
    # OVS's PMD threads poll without pause; softswitch's datapath thread
    # sleeps when idle unless told otherwise.  Compare like with like.
    swctl_ set Open_vSwitch . other_config:dp-busy-poll=$BUSY_POLL ||
        fail "swctl set failed" || return 1
    if test "$1" = afxdp; then
        swctl_ add-port br0 p1 -- add-port br0 p2
    else
        swctl_ add-port br0 p1 -- set Interface p1 type=afpacket \
            -- add-port br0 p2 -- set Interface p2 type=afpacket
    fi || fail "swctl add-port failed" || return 1
    # A port that cannot do AF_XDP falls back to a packet socket; that
    # would be measuring the other row again.
    for p in p1 p2; do
        io=$(swctl_ get Interface $p status:io | tr -d '"')
        test "$io" = "$1" ||
            fail "$p runs $io, not $1 ($(swctl_ get Interface $p \
                  status:afxdp_error 2>&1))" || return 1
    done
}
stop_softswitch () {
    stop_pid "$sw_pid"
}

start_bridge () {
    in_sw ip link add br0 type bridge &&
    in_sw ip link set p1 master br0 &&
    in_sw ip link set p2 master br0 &&
    in_sw ip link set br0 up || fail "could not make the bridge"
}
stop_bridge () { :; }

# Open vSwitch from the distribution, run privately: its own database,
# sockets and logs under $d/ovs, never the system's service.
ovs_env () {
    env OVS_RUNDIR=$d/ovs OVS_DBDIR=$d/ovs OVS_LOGDIR=$d/ovs \
        OVS_SYSCONFDIR=$d/ovs "$@"
}
vsctl () {
    ovs_env timeout 30 ovs-vsctl --timeout=20 --db=unix:$d/ovs/db.sock "$@"
}
start_ovs () {
    o=$d/ovs
    rm -rf "$o" && mkdir "$o" || return 1
    ovs_env ovsdb-tool create "$o/conf.db" $OVS_SCHEMA ||
        fail "ovsdb-tool create failed" || return 1
    ovs_env nsenter --net=/run/netns/$NS_SW taskset -c 0 ovsdb-server \
        "$o/conf.db" \
        --remote=punix:"$o/db.sock" --pidfile="$o/ovsdb-server.pid" \
        --unixctl="$o/ovsdb-server.ctl" --detach --no-chdir \
        --log-file="$o/ovsdb-server.log" -vconsole:off -vsyslog:off \
        2>> "$d/log" ||
        fail "ovsdb-server did not start" || return 1
    track "$(cat "$o/ovsdb-server.pid")" ovsdb-server
    # One PMD thread, on the switch's core.
    vsctl --no-wait init -- set Open_vSwitch . \
        other_config:pmd-cpu-mask=0x2 || fail "ovs-vsctl init failed" ||
        return 1
    ovs_env nsenter --net=/run/netns/$NS_SW taskset -c 1 ovs-vswitchd \
        unix:"$o/db.sock" \
        --pidfile="$o/ovs-vswitchd.pid" --unixctl="$o/ovs-vswitchd.ctl" \
        --detach --no-chdir --log-file="$o/ovs-vswitchd.log" \
        -vconsole:off -vsyslog:off 2>> "$d/log" ||
        fail "ovs-vswitchd did not start" || return 1
    sw_pid=$(cat "$o/ovs-vswitchd.pid") && track $sw_pid ovs-vswitchd
    vsctl add-br br0 -- set Bridge br0 datapath_type=netdev ||
        fail "ovs-vsctl add-br failed" || return 1
    if test "$1" = afxdp; then
        vsctl add-port br0 p1 -- set Interface p1 type=afxdp \
              -- add-port br0 p2 -- set Interface p2 type=afxdp
    else
        vsctl add-port br0 p1 -- add-port br0 p2
    fi || fail "ovs-vsctl add-port failed" || return 1
    for p in p1 p2; do
        err=$(vsctl get Interface $p error 2>&1)
        ofport=$(vsctl get Interface $p ofport 2>&1)
        test "$err" = "[]" && test "$ofport" -gt 0 2>/dev/null ||
            fail "OVS port $p: ofport $ofport, error $err" || return 1
    done
    if test "$1" = afxdp; then
        # Which XDP mode OVS settled on: "p1: native XDP mode will be in
        # use."
        sed -n 's/.*|\(p[12]: .* mode will be in use\).*/OVS \1/p' \
            "$o/ovs-vswitchd.log" | sed "s/^/$sys: /" >> "$d/notes"
    fi
}
stop_ovs () {
    stop_pid "$sw_pid" "$(cat "$d/ovs/ovsdb-server.pid" 2>/dev/null)"
}

# The ceiling: each veth's XDP program sends what arrives straight out of
# the other.  Redirecting into a veth needs an XDP program on its peer,
# hence the pass programs on the hosts' ends (replaced by the drop sink
# on h2 while frames are counted).
start_xdp () {
    in_sw "$PKTGEN" xdp-redirect p1 p2 &&
    in_sw "$PKTGEN" xdp-redirect p2 p1 &&
    in_h1 "$PKTGEN" xdp-pass eth0 &&
    in_h2 "$PKTGEN" xdp-pass eth0 2>> "$d/log" ||
        fail "could not attach the XDP programs"
}
stop_xdp () { :; }

# The measurements other than ping and TCP (bench-lib.sh).

# Prints "PPS SENT_PPS CPU%": frames/s that reached h2's sink, what the
# generator offered, and the switch's CPU as a percentage of one core,
# over SECONDS_ after a 1 s warm-up.
measure_pps () {
    in_h2 "$PKTGEN" xdp-drop eth0 2>> "$d/log" || { echo "- - -"; return; }
    mac=$(in_h2 ip -br link show eth0 | awk '{ print $3 }')
    if test $GENERATOR = xdp; then
        # XDP frames can only enter a veth whose peer polls (NAPI): the
        # switch's XDP program makes p1 poll; GRO does when there is none.
        in_sw ethtool -K p1 gro on
        send=xdp-send
    else
        send=send
    fi
    # Not through in_h1: $! must be the generator itself, to be killed.
    nsenter --net=/run/netns/$NS_H1 taskset -c 0 \
        "$PKTGEN" $send eth0 "$mac" $((SECONDS_ + 1)).5 > "$d/gen.out" 2>&1 &
    gen=$!
    track $gen sw-pktgen
    sleep 1
    # Received: h2's veth counts what its XDP program dropped.  Offered:
    # what entered h1's veth, whether its peer p1 took it or not.
    rx () { in_h2 ip -s link show eth0 | awk '/RX:/ { getline; print $2 }'; }
    tx () { in_h1 ip -s link show eth0 |
            awk '/TX:/ { getline; print $2 + $4 }'; }
    c0=$(rx); o0=$(tx); t0=$(now); u0=${sw_pid:+$(cpu_ticks $sw_pid)}
    sleep $SECONDS_
    c1=$(rx); o1=$(tx); t1=$(now); u1=${sw_pid:+$(cpu_ticks $sw_pid)}
    wait $gen
    awk -v c0="$c0" -v c1="$c1" -v o0="$o0" -v o1="$o1" -v t0=$t0 \
        -v t1=$t1 -v u0="$u0" -v u1="$u1" -v hz="$(getconf CLK_TCK)" 'BEGIN {
        t = t1 - t0
        cpu = u0 == "" ? "kernel" : sprintf("%.0f", (u1 - u0) / hz / t * 100)
        printf "%.3f %.3f %s\n", (c1 - c0) / t / 1e6, (o1 - o0) / t / 1e6, cpu
    }'
}

# run_one SYSTEM: one round's measurement of SYSTEM, appended to
# $d/results as "SYSTEM PPS SENT TCP P50 P99 CPU".
run_one () {
    sys=$1
    sw_pid=
    case $sys in
        ss-afxdp)    kind=softswitch; arg=afxdp ;;
        ss-afpacket) kind=softswitch; arg=afpacket ;;
        bridge)      kind=bridge; arg= ;;
        ovs-afxdp)   kind=ovs; arg=afxdp ;;
        ovs-system)  kind=ovs; arg=system ;;
        xdp)         kind=xdp; arg= ;;
    esac
    result="- - - - - -"
    if topology_up && start_$kind $arg; then
        if wait_forwarding 10 $NS_H1 198.18.0.2; then
            lat=$(measure_ping $NS_H1 198.18.0.2)
            tcp=$(measure_tcp $NS_H1 $NS_H2 198.18.0.2 0)
            pps=$(measure_pps)
            result="$pps $tcp $lat"
        else
            fail "h1 cannot ping h2 through it"
        fi
    fi
    stop_$kind
    topology_down
    # shellcheck disable=SC2086
    set -- $result
    echo "$sys $1 $2 $4 $5 $6 $3" >> "$d/results"
    printf '  round %s %-12s %s Mpps (offered %s), %s Gbit/s,' "$r" "$sys" \
        "$1" "$2" "$4"
    printf ' ping %s/%s us, CPU %s\n' "$5" "$6" "$3"
}

systems="ss-afxdp ss-afpacket bridge"
ovs_check
if test "$ovs_available" = yes; then
    systems="$systems ovs-afxdp ovs-system"
else
    echo "Open vSwitch rows skipped: $ovs_available"
fi
# 77: built without libbpf (looks no interface up).
"$PKTGEN" xdp-detach swb-none > /dev/null 2>&1
if test $? = 77; then
    echo "skipped: sw-pktgen was built without libbpf (no XDP sink)"
    exit 0
fi
systems="$systems xdp"
select_systems

# Whether the kernel generator works here (BPF_PROG_RUN live frames,
# Linux 5.18): 0.2 s from h1 into a bare XDP redirect.
if test $GENERATOR = xdp; then
    if ! { topology_up && start_xdp &&
           in_h1 "$PKTGEN" xdp-send eth0 02:00:00:00:00:02 0.2; } \
           > /dev/null 2>> "$d/log"; then
        echo "XDP generator unavailable ($(tail -1 "$d/log")):" \
             "using the AF_PACKET sender"
        GENERATOR=afpacket
    fi
    topology_down
    rm -f "$d/notes"
fi
echo "64-byte frames from: $GENERATOR generator"
echo "hosts' veths: GRO $HOST_GRO"

r=1
while test $r -le "$ROUNDS"; do
    for s in $systems; do
        run_one $s
    done
    r=$((r + 1))
done

# The table: medians over the rounds that produced a number.
echo
awk -v systems="$systems" -v ovs="$ovs_available" -v ratio_width=52 \
    "$BENCH_AWK_LIB"'
{
    for (i = 2; i <= 7; i++)
        if ($i != "-") v[$1, i] = v[$1, i] " " $i
}
END {
    name["ss-afxdp"] = "softswitch, AF_XDP ports"
    name["ss-afpacket"] = "softswitch, AF_PACKET ports"
    name["bridge"] = "Linux bridge"
    name["ovs-afxdp"] = "OVS 3.1 netdev, afxdp ports"
    name["ovs-system"] = "OVS 3.1 netdev, system ports"
    name["xdp"] = "XDP redirect (ceiling)"
    printf "%-30s %6s %7s %11s %16s %11s\n", "system", "Mpps", "offered",
           "TCP Gbit/s", "ping p50/p99 us", "switch CPU"
    # Every known system gets a median, "-" when it was not run.
    for (sys in name)
        for (i = 2; i <= 7; i++) m[sys, i] = median(v[sys, i])
    n = split(systems, s, " ")
    for (k = 1; k <= n; k++) {
        cpu = m[s[k], 7]
        printf "%-30s %6s %7s %11s %16s %11s\n", name[s[k]],
               m[s[k], 2] == "-" ? "-" : sprintf("%.3f", m[s[k], 2]),
               m[s[k], 3] == "-" ? "-" : sprintf("%.2f", m[s[k], 3]),
               m[s[k], 4] == "-" ? "-" : sprintf("%.2f", m[s[k], 4]),
               m[s[k], 5] "/" m[s[k], 6],
               cpu == "-" || cpu == "kernel" ? cpu : sprintf("%.0f%%", cpu)
    }
    if (ovs != "yes") {
        printf "%-30s skipped: %s\n", name["ovs-afxdp"], ovs
        printf "%-30s skipped: %s\n", name["ovs-system"], ovs
    }

    # The targets.  TCP and latency take the better softswitch variant
    # (AF_PACKET ports carry whole TSO segments, AF_XDP ones cannot).
    print ""
    best_tcp = better("ss-afxdp", "ss-afpacket", 4, 1)
    best_lat = better("ss-afxdp", "ss-afpacket", 5, -1)
    ratio("64-byte pps, softswitch (AF_XDP) / OVS afxdp",
          m["ss-afxdp", 2], m["ovs-afxdp", 2], ">=", 3)
    ratio("64-byte pps, softswitch (AF_XDP) / XDP ceiling",
          m["ss-afxdp", 2], m["xdp", 2], ">=", 0.6)
    if (m["xdp", 2] != "-" && m["xdp", 3] != "-" &&
        m["xdp", 2] >= 0.95 * m["xdp", 3])
        print "  (the ceiling took all that was offered: a lower bound)"
    ratio("TCP, softswitch (" label(best_tcp) ") / Linux bridge",
          m[best_tcp, 4], m["bridge", 4], ">=", 0.9)
    ratio("ping p50, softswitch (" label(best_lat) ") / Linux bridge",
          m[best_lat, 5], m["bridge", 5], "<=", 1)
}
function label(sys) { return sys == "ss-afxdp" ? "AF_XDP" : "AF_PACKET" }
' "$d/results"

if test -s "$d/notes"; then
    echo
    echo "Notes:"
    sort -u "$d/notes" | sed 's/^/  /'
fi
cat <<EOF

Mpps: 64-byte UDP frames/s counted by h2's veth (an XDP program drops
them); offered: what the generator on CPU 0 pushed into h1's veth.  The
Linux bridge and the XDP redirect forward in softirq on the sender's
core, so they share CPU 0 with the generator; the daemons have CPU 1.
switch CPU: the daemon's user + system time during the Mpps run, in % of
one core ("kernel": no daemon; the work is charged to no process).  The
hosts keep their veths' default offloads, so TCP arrives with partial
checksums; a switch that does not complete them (or a bare XDP redirect)
moves no TCP ("-").
EOF
