# Shell functions that the system benchmarks share (bench-system.sh,
# bench-tunnel.sh), sourced by them.  They expect $d (the run's
# directory), $sys (the system being measured), $OVS_SCHEMA, and a
# topology_down of their own.

# Every process started here is written to $d/pids as "PID COMM", and
# only those are ever killed, after checking the PID still names them.
track () {
    echo "$1 $2" >> "$d/pids"
}
# ours PID: whether PID is still a process this script started.
ours () {
    ours_comm=$(cat /proc/$1/comm 2>/dev/null) &&
    grep -q "^$1 $ours_comm\$" "$d/pids" 2>/dev/null
}
# stop_pid PID...: SIGTERM, then SIGKILL for any still there after 5 s.
stop_pid () {
    stop_pids=
    for pid in "$@"; do
        ours "$pid" && kill "$pid" 2>/dev/null && stop_pids="$stop_pids $pid"
    done
    stop_i=0
    while any_alive $stop_pids && test $stop_i -lt 50; do
        sleep 0.1
        stop_i=$((stop_i + 1))
    done
    for pid in $stop_pids; do
        ours "$pid" && kill -9 "$pid" 2>/dev/null
    done
    return 0
}
# any_alive PID...: whether one still runs (a zombie does not: here
# PID 1 can take a second or more to reap the daemons).
any_alive () {
    for pid in "$@"; do
        state=$(sed 's/.*) //' /proc/$pid/stat 2>/dev/null | cut -c1)
        test -n "$state" && test "$state" != Z && return 0
    done
    return 1
}
cleanup () {
    trap - EXIT INT TERM HUP
    # shellcheck disable=SC2046
    test -f "$d/pids" && stop_pid $(awk '{ print $1 }' "$d/pids")
    topology_down
    test -z "$made_policy" || rm -f "$made_policy"
    rm -rf "$d"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Namespaces are entered with nsenter, as the system tests do: "ip netns
# exec" and "ip -n" also want a mount namespace of their own, which a
# chroot refuses.  So devices are read through ip, never /sys (which
# would still show the host's).
in_ns () {
    in_ns_name=$1; shift
    nsenter --net=/run/netns/$in_ns_name "$@"
}
# fail REASON: says why the current system's measurement was given up.
fail () {
    echo "$sys: $*" >> "$d/notes"
    return 1
}

now () { date +%s.%N; }

# cpu_ticks PID: user + system time of the whole process, in clock ticks
# (fields 14 and 15 of /proc/PID/stat, counted after the command name).
cpu_ticks () {
    sed 's/.*) //' /proc/$1/stat | awk '{ print $12 + $13 }'
}

# ovs_check: installs Open vSwitch if it is missing (as the test suite's
# install-deps.sh does, without starting the system's service) and sets
# ovs_available to "yes" or to why not.
ovs_available=
ovs_check () {
    if ! command -v ovs-vswitchd > /dev/null 2>&1 &&
       command -v apt-get > /dev/null 2>&1; then
        echo "Open vSwitch is missing: installing the test dependencies"
        sh "$(dirname "$0")/../utilities/install-deps.sh" \
            > "$d/apt.log" 2>&1 || tail -3 "$d/apt.log"
    fi
    for f in ovs-vswitchd ovsdb-server ovsdb-tool ovs-vsctl; do
        if ! command -v $f > /dev/null 2>&1; then
            ovs_available="$f not found (package openvswitch-switch)"
            return
        fi
    done
    if ! test -f $OVS_SCHEMA; then
        ovs_available="$OVS_SCHEMA not found"
        return
    fi
    ovs_available=yes
}

# select_systems: keeps of $systems those that BENCH_SYSTEMS names, if
# it is set.
select_systems () {
    if test -n "$BENCH_SYSTEMS"; then
        wanted=
        for s in $systems; do
            case " $BENCH_SYSTEMS " in *" $s "*) wanted="$wanted $s" ;; esac
        done
        systems=$wanted
    fi
}

# The measurements.  Each prints its result, or "-" when it failed.

# wait_forwarding TRIES NS ADDR: whether NS reaches ADDR within TRIES
# one-second pings (ports coming up, MACs being learned, ...).
wait_forwarding () {
    wait_i=0
    while test $wait_i -lt "$1"; do
        in_ns "$2" ping -n -c 1 -W 1 "$3" > /dev/null 2>&1 && return 0
        wait_i=$((wait_i + 1))
    done
    return 1
}

# measure_ping NS ADDR: "P50 P99", in microseconds, of 200 pings from NS
# on CPU 0.
measure_ping () {
    in_ns "$1" taskset -c 0 ping -n -c 200 -i 0.01 -W 1 "$2" 2>&1 |
    sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' | sort -n |
    awk '{ t[NR] = $1 * 1000 }
         END {
             if (NR < 100) { print "- -"; exit }
             # Nearest rank.
             i50 = int((NR * 50 + 99) / 100); i99 = int((NR * 99 + 99) / 100)
             printf "%.0f %.0f\n", t[i50], t[i99]
         }'
}

# measure_tcp CLIENT_NS SERVER_NS ADDR SERVER_CPU: Gbit/s of one iperf3
# stream for SECONDS_ from CLIENT_NS (on CPU 0) to a server at ADDR in
# SERVER_NS.
measure_tcp () {
    rm -f "$d/iperf3.pid"
    in_ns "$2" taskset -c "$4" iperf3 -s -1 -D -B "$3" \
        --pidfile "$d/iperf3.pid" 2>> "$d/log" || { echo -; return; }
    for i in 1 2 3 4 5 6 7 8 9 10; do
        test -s "$d/iperf3.pid" && break
        sleep 0.1
    done
    srv=$(cat "$d/iperf3.pid" 2>/dev/null) && track "$srv" iperf3
    in_ns "$1" timeout $((SECONDS_ + 15)) taskset -c 0 iperf3 -c "$3" \
        -t $SECONDS_ -f g --connect-timeout 2000 > "$d/iperf3.out" 2>&1
    stop_pid "$srv"
    awk '/receiver/ { for (i = 2; i <= NF; i++)
                          if ($i == "Gbits/sec") { print $(i - 1); ok = 1 } }
         END { if (!ok) print "-" }' "$d/iperf3.out"
}

# The awk functions both results tables use, put before their programs:
# median(LIST) of a space-separated list ("-" if empty); better(A, B,
# COLUMN, SIGN), whichever system of A and B has the larger (SIGN 1) or
# smaller (SIGN -1) median m[SYSTEM, COLUMN], ignoring a missing one; and
# ratio(WHAT, A, B, OP, TARGET), a line saying whether A / B meets the
# target, WHAT padded to ratio_width (an awk variable).
BENCH_AWK_LIB='
function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    if (n == 0) return "-"
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
            t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
        }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function better(a, b, col, sign) {
    if (m[b, col] == "-") return a
    if (m[a, col] == "-") return b
    return (m[b, col] - m[a, col]) * sign > 0 ? b : a
}
function ratio(what, a, b, op, target,    x, ok, label) {
    label = sprintf("%-" ratio_width "s", what)
    if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) {
        printf "%s    n/a  (target %s %gx): not measured\n", label, op,
               target
        return
    }
    x = a / b
    ok = op == ">=" ? x >= target : x <= target
    printf "%s %6.2fx (target %s %gx): %s\n", label, x, op, target,
           ok ? "met" : "not met"
}
'
