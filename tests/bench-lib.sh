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
