#!/bin/sh
# The tunnel benchmark ("make bench-tunnel"; "make bench" runs it after
# the system benchmark when root): two hosts, each with its own switch,
# joined by a veth underlay; a VM namespace behind each host's bridge.
# Every system is measured in the same run, so that the ratios mean
# something.
#
#   swt-vm1-PID      swt-h1-PID (CPU 0)      swt-h2-PID (CPU 1)   swt-vm2-PID
#   198.18.1.1                                                  198.18.1.2
#   eth0 ===veth=== vm1-[switch]-tunnel  tunnel-[switch]-vm2 ===veth=== eth0
#                              ul ====veth==== ul
#                     198.18.0.1/24          198.18.0.2/24
#   sw-pktgen xdp-send                                      XDP drop sink
#
# Systems: softswitch vxlan with AF_XDP and with AF_PACKET VM ports,
# softswitch gre and geneve (VM ports of BENCH_SS_PORTS), the Linux
# kernel's vxlan (a bridge and a vxlan device per host), and Open
# vSwitch 3.1's userspace datapath with native vxlan tunnelling (br-phy
# holding the underlay veth and the underlay address, br-int holding the
# VM's veth and the vxlan port), with afxdp and with system ports.  Two
# daemons of each switch, one per host, each with private directories.
#
# Per system: ping latency VM1 -> VM2 (200 pings, p50/p99), TCP (iperf3,
# one stream), 64-byte UDP frames per second reaching VM2, how many of
# them crossed the underlay, and each host daemon's CPU time during that.
# The systems take turns, BENCH_ROUNDS rounds; medians are printed.
# Timings are never checked against anything: this only reports.
#
# CPUs: the machine is taken as two one-core hosts.  Host 1's switch
# and VM 1 (the generator, the iperf3 client, ping) run on CPU 0; host
# 2's switch and VM 2 (the iperf3 server) on CPU 1.  What the kernel
# does in softirq runs where it is raised: a veth delivers on the
# sender's CPU, so host 2's receive work (UDP, GRE, the kernel's vxlan
# decapsulation) runs on CPU 0 and the kernel's vxlan does all its work
# there, as in the system benchmark.  BENCH_RPS=1 moves it to CPU 1 by
# RPS on the underlay veths, as a real NIC's interrupt would; it is off
# by default because on this machine (a paravirtualised guest, where an
# IPI is a costly exit) it cost the kernel half its TCP and doubled its
# latency, and cost host 1's switch ~30% of its CPU in IPIs.
#
# The generator shares CPU 0 with host 1's switch at nice 10, so that
# the switch, not the generator, gets the core; it still offers far
# more than any tunnel path takes ("offered" in the table).  What the
# kernel does for the generator's frames (veth NAPI, and for AF_PACKET
# ports skb allocation and queueing to the socket, where the excess is
# dropped) is softirq work on CPU 0 that nice does not restrain: an
# overloaded AF_PACKET port costs its host more than an AF_XDP one.
#
# Softswitch's datapath threads sleep when idle (its default;
# BENCH_BUSY_POLL=true polls without pause): they share their core with the
# VM's processes, which a thread that never yields would halve.  OVS's
# PMD threads always poll, OVS's default.
#
# VMs get an MTU of 1450 (the underlay's 1500 less vxlan's and geneve's
# 50 bytes, more than gre needs), as clouds do, and keep their veths'
# default offloads, except under Open vSwitch, which neither completes
# partial checksums nor carries TSO over tunnels: there the VMs' veths
# run with "tx off", or OVS would move no TCP at all (said in the notes).
#
# Options (environment): BENCH_ROUNDS (3), BENCH_SECONDS (5),
# BENCH_GENERATOR (xdp, or afpacket for the AF_PACKET sender),
# BENCH_RPS (0; 1: RPS on the underlay, see above), BENCH_BUSY_POLL
# (false; true: softswitch's datapath threads never sleep),
# BENCH_SS_PORTS (the VM port type of softswitch's gre and geneve rows:
# afpacket, the default, or afxdp), BENCH_SYSTEMS (a subset of
# "ss-vxlan ss-vxlan-afxdp ss-gre ss-geneve kernel-vxlan ovs-vxlan
# ovs-vxlan-system", all by default), builddir (the current directory).
# Addresses are from 198.18.0.0/15 and no namespace has a route out;
# everything is removed on exit or ^C.

ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_=${BENCH_SECONDS:-5}
GENERATOR=${BENCH_GENERATOR:-xdp}
SS_PORTS=${BENCH_SS_PORTS:-afpacket}
RPS=${BENCH_RPS:-0}
BUSY_POLL=${BENCH_BUSY_POLL:-false}
B=$(cd "${builddir:-.}" && pwd)
PKTGEN=$B/tests/sw-pktgen
OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
VM_MTU=1450
KEY=100

echo "== Tunnel benchmark: vm1 <-> host1 switch <-> veth underlay <->" \
     "host2 switch <-> vm2 ($ROUNDS rounds of ${SECONDS_} s)"
if test "$(id -u)" != 0; then
    echo "skipped: needs root (namespaces, XDP)"
    exit 0
fi
for tool in ip nsenter unshare iperf3 ping taskset awk ethtool nice; do
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
case $SS_PORTS in
    afpacket|afxdp) ;;
    *) echo "BENCH_SS_PORTS must be afpacket or afxdp"; exit 1 ;;
esac

d=$(mktemp -d /tmp/swt.XXXXXX) || exit 1
NS_H1=swt-h1-$$
NS_H2=swt-h2-$$
NS_VM1=swt-vm1-$$
NS_VM2=swt-vm2-$$

topology_down () {
    for ns in $NS_VM1 $NS_VM2 $NS_H1 $NS_H2; do
        ip netns del $ns 2>/dev/null
    done
}
. "$(dirname "$0")/bench-lib.sh"

in_h1 () { in_ns $NS_H1 "$@"; }
in_h2 () { in_ns $NS_H2 "$@"; }
in_vm1 () { in_ns $NS_VM1 "$@"; }
in_vm2 () { in_ns $NS_VM2 "$@"; }
# host_ns I / vm_ns I: the namespace of host I / of VM I.
host_ns () { eval echo "\$NS_H$1"; }
vm_ns () { eval echo "\$NS_VM$1"; }
# in_h I CMD...: CMD in host I's namespace.
in_h () {
    in_h_i=$1; shift
    in_ns "$(host_ns $in_h_i)" "$@"
}

# set_rps HOST IFACE CPUMASK: receive processing of IFACE on CPUMASK.
set_rps () {
    in_h $1 unshare -m sh -c "mount -t sysfs none /sys &&
        echo $3 > /sys/class/net/$2/queues/rx-0/rps_cpus" 2>> "$d/log"
}

# Fresh namespaces for every measurement, so that nothing a previous
# system left behind (XDP programs, bridges, learned MACs, ARP) is
# inherited.
topology_up () {
    topology_down
    for ns in $NS_H1 $NS_H2 $NS_VM1 $NS_VM2; do
        ip netns add $ns && in_ns $ns ip link set lo up || return 1
    done
    ip link add ul netns $NS_H1 type veth peer name ul netns $NS_H2 ||
        return 1
    for i in 1 2; do
        h=$(host_ns $i) vm=$(vm_ns $i)
        in_ns $h ip addr add 198.18.0.$i/24 dev ul &&
        in_ns $h ip link set ul up &&
        ip link add vm$i netns $h mtu $VM_MTU type veth \
            peer name eth0 netns $vm mtu $VM_MTU &&
        in_ns $h ip link set vm$i up &&
        in_ns $vm ip addr add 198.18.1.$i/24 dev eth0 &&
        in_ns $vm ip link set eth0 up || return 1
        test "$RPS" = 0 || set_rps $i ul $i ||
            echo "RPS could not be set: receive work stays on the" \
                 "sender's CPU" >> "$d/notes"
    done
}


# The systems.  start_X sets pid1 and pid2 (the daemons of host 1 and 2,
# whose CPU is measured; empty for the kernel) or fails; stop_X undoes
# it.  Host I runs on CPU I-1.

# swctl_ I ARGS...: swctl talking to host I's sw-vswitchd.
swctl_ () {
    swctl_i=$1; shift
    SW_RUNDIR=$d/sw$swctl_i timeout 30 "$B/utilities/swctl" -t 20 "$@"
}
# start_sw_host I TUNNEL-TYPE PORT-TYPE
start_sw_host () {
    i=$1 other=$((3 - $1)) dir=$d/sw$1
    rm -rf "$dir" && mkdir "$dir" || return 1
    env SW_RUNDIR=$dir SW_DBDIR=$dir SW_LOGDIR=$dir \
        nsenter --net=/run/netns/"$(host_ns $i)" taskset -c $((i - 1)) \
        "$B/vswitchd/sw-vswitchd" --detach --no-chdir --pidfile --log-file \
        -vconsole:off ||
        fail "host $i: sw-vswitchd did not start" || return 1
    pid=$(cat "$dir/sw-vswitchd.pid") && track $pid sw-vswitchd &&
        eval pid$i=$pid
    swctl_ $i add-br br0 || fail "host $i: swctl add-br failed" ||
        return 1
    swctl_ $i set Open_vSwitch . other_config:dp-busy-poll=$BUSY_POLL ||
        fail "host $i: swctl set failed" || return 1
    if test "$3" = afxdp; then
        swctl_ $i add-port br0 vm$i
    else
        swctl_ $i add-port br0 vm$i -- set Interface vm$i type=afpacket
    fi || fail "host $i: swctl add-port vm$i failed" || return 1
    swctl_ $i add-port br0 tun0 -- set Interface tun0 type=$2 \
        options:local_ip=198.18.0.$i options:remote_ip=198.18.0.$other \
        options:key=$KEY || fail "host $i: swctl add-port tun0 failed" ||
        return 1
    # A port that cannot do AF_XDP falls back to a packet socket; that
    # would be measuring the other row again.
    io=$(swctl_ $i get Interface vm$i status:io | tr -d '"')
    test "$io" = "$3" ||
        fail "vm$i runs $io, not $3 ($(swctl_ $i get Interface vm$i \
              status:afxdp_error 2>&1))" || return 1
    err=$(swctl_ $i get Interface tun0 error)
    test "$err" = "[]" || fail "host $i: tun0: $err" || return 1
}
start_softswitch () {
    start_sw_host 1 "$@" && start_sw_host 2 "$@"
}
stop_softswitch () {
    stop_pid "$pid1" "$pid2"
}

# The Linux kernel: per host a bridge with the VM's veth and a vxlan
# device (its MTU comes out at 1450 by itself).
start_kernel () {
    for i in 1 2; do
        in_h $i ip link add vx0 type vxlan id $KEY local 198.18.0.$i \
            remote 198.18.0.$((3 - i)) dstport 4789 dev ul &&
        in_h $i ip link add br0 type bridge &&
        in_h $i ip link set vx0 master br0 &&
        in_h $i ip link set vm$i master br0 &&
        in_h $i ip link set vx0 up &&
        in_h $i ip link set br0 up ||
            fail "host $i: could not make the bridge and vxlan device" ||
            return 1
    done
}
stop_kernel () { :; }

# Open vSwitch from the distribution, run privately: its own database,
# sockets and logs under $d/ovsI, never the system's service.
# ovs_env I CMD...: CMD with host I's OVS directories.
ovs_env () {
    ovs_env_o=$d/ovs$1; shift
    env OVS_RUNDIR=$ovs_env_o OVS_DBDIR=$ovs_env_o OVS_LOGDIR=$ovs_env_o \
        OVS_SYSCONFDIR=$ovs_env_o "$@"
}
vsctl () {
    vsctl_i=$1; shift
    ovs_env $vsctl_i timeout 30 ovs-vsctl --timeout=20 \
        --db=unix:$d/ovs$vsctl_i/db.sock "$@"
}
# start_ovs_host I PORT-TYPE (afxdp or system)
start_ovs_host () {
    i=$1 other=$((3 - $1)) o=$d/ovs$1 cpu=$(($1 - 1))
    ns=$(host_ns $i)
    rm -rf "$o" && mkdir "$o" || return 1
    ovs_env $i ovsdb-tool create "$o/conf.db" $OVS_SCHEMA ||
        fail "host $i: ovsdb-tool create failed" || return 1
    ovs_env $i nsenter --net=/run/netns/$ns taskset -c $cpu ovsdb-server \
        "$o/conf.db" \
        --remote=punix:"$o/db.sock" --pidfile="$o/ovsdb-server.pid" \
        --unixctl="$o/ovsdb-server.ctl" --detach --no-chdir \
        --log-file="$o/ovsdb-server.log" -vconsole:off -vsyslog:off \
        2>> "$d/log" ||
        fail "host $i: ovsdb-server did not start" || return 1
    track "$(cat "$o/ovsdb-server.pid")" ovsdb-server
    # One PMD thread, on the host's core.
    vsctl $i --no-wait init -- set Open_vSwitch . \
        other_config:pmd-cpu-mask=$((1 << cpu)) ||
        fail "host $i: ovs-vsctl init failed" || return 1
    ovs_env $i nsenter --net=/run/netns/$ns taskset -c $cpu ovs-vswitchd \
        unix:"$o/db.sock" \
        --pidfile="$o/ovs-vswitchd.pid" --unixctl="$o/ovs-vswitchd.ctl" \
        --detach --no-chdir --log-file="$o/ovs-vswitchd.log" \
        -vconsole:off -vsyslog:off 2>> "$d/log" ||
        fail "host $i: ovs-vswitchd did not start" || return 1
    pid=$(cat "$o/ovs-vswitchd.pid") && track $pid ovs-vswitchd &&
        eval pid$i=$pid
    # Native tunnelling: the underlay address moves from the veth to
    # br-phy (OVS's own routing and ARP), which takes the veth's MAC as
    # OVS's guide says; the VM and the vxlan port go on br-int.
    mac=$(in_h $i ip -br link show ul | awk '{ print $3 }')
    if test "$2" = afxdp; then
        set -- -- set Interface ul type=afxdp \
               -- set Interface vm$i type=afxdp
    else
        set --
    fi
    vsctl $i add-br br-phy -- set Bridge br-phy datapath_type=netdev \
           other_config:hwaddr=\"$mac\" \
        -- add-port br-phy ul \
        -- add-br br-int -- set Bridge br-int datapath_type=netdev \
        -- add-port br-int vm$i \
        -- add-port br-int vx0 -- set Interface vx0 type=vxlan \
           options:local_ip=198.18.0.$i options:remote_ip=198.18.0.$other \
           options:key=$KEY "$@" ||
        fail "host $i: ovs-vsctl add-br/add-port failed" || return 1
    in_h $i ip addr add 198.18.0.$i/24 dev br-phy &&
    in_h $i ip link set br-phy up ||
        fail "host $i: could not move the underlay address to br-phy" ||
        return 1
    for p in ul vm$i vx0; do
        err=$(vsctl $i get Interface $p error 2>&1)
        ofport=$(vsctl $i get Interface $p ofport 2>&1)
        test "$err" = "[]" && test "$ofport" -gt 0 2>/dev/null ||
            fail "host $i: OVS port $p: ofport $ofport, error $err" ||
            return 1
    done
}
start_ovs () {
    # No address on the veths: neither kernel may answer ARP for what
    # br-phy will own (OVS would learn the wrong MAC for the remote).
    in_h1 ip addr flush dev ul && in_h2 ip addr flush dev ul &&
    start_ovs_host 1 "$1" && start_ovs_host 2 "$1" || return 1
    # Neither completes the VMs' partial checksums.
    for i in 1 2; do
        in_ns "$(vm_ns $i)" ethtool -K eth0 tx off \
            > /dev/null 2>&1 ||
            fail "could not turn off the VMs' checksum offload" || return 1
    done
    echo "$sys: VM veths with checksum offload off (tx off), or OVS" \
         "moves no TCP" >> "$d/notes"
    if test "$1" = afxdp; then
        # Which XDP mode OVS settled on: "ul: native XDP mode will be in
        # use."
        cat "$d/ovs1/ovs-vswitchd.log" "$d/ovs2/ovs-vswitchd.log" |
        sed -n 's/.*|\([a-z0-9]*: .* mode will be in use\).*/OVS \1/p' |
        sort -u | sed "s/^/$sys: /" >> "$d/notes"
    fi
}
stop_ovs () {
    stop_pid "$pid1" "$pid2" \
        "$(cat "$d/ovs1/ovsdb-server.pid" 2>/dev/null)" \
        "$(cat "$d/ovs2/ovsdb-server.pid" 2>/dev/null)"
}

# The measurements other than ping and TCP (bench-lib.sh).

# rx_of NS IFACE / tx_of NS IFACE: packets IFACE received (XDP drops
# included) / sent or tried to send (tx + tx dropped).
rx_of () { in_ns $1 ip -s link show $2 | awk '/RX:/ { getline; print $2 }'; }
tx_of () {
    in_ns $1 ip -s link show $2 | awk '/TX:/ { getline; print $2 + $4 }'
}

# Prints "PPS SENT UNDERLAY CPU1 CPU2": frames/s that reached VM2's sink,
# what the generator offered, how many crossed the underlay (received by
# host 2's veth), and each host daemon's CPU as a percentage of one core,
# over SECONDS_ after a 1 s warm-up.
measure_pps () {
    in_vm2 "$PKTGEN" xdp-drop eth0 2>> "$d/log" ||
        { echo "- - - - -"; return; }
    mac=$(in_vm2 ip -br link show eth0 | awk '{ print $3 }')
    if test $GENERATOR = xdp; then
        # XDP frames can only enter a veth whose peer polls (NAPI): a
        # switch's XDP program makes vm1 poll; GRO does when there is
        # none.
        in_h1 ethtool -K vm1 gro on > /dev/null 2>&1
        send=xdp-send
    else
        send=send
    fi
    # Not through in_vm1: $! must be the generator itself, to be killed.
    nsenter --net=/run/netns/$NS_VM1 taskset -c 0 nice -n 10 \
        "$PKTGEN" $send eth0 "$mac" $((SECONDS_ + 1)).5 > "$d/gen.out" 2>&1 &
    gen=$!
    track $gen sw-pktgen
    sleep 1
    # Received: VM2's veth counts what its XDP program dropped.  Offered:
    # what entered VM1's veth, whether its peer took it or not.
    c0=$(rx_of $NS_VM2 eth0); o0=$(tx_of $NS_VM1 eth0)
    l0=$(rx_of $NS_H2 ul); t0=$(now)
    u0=${pid1:+$(cpu_ticks $pid1)} v0=${pid2:+$(cpu_ticks $pid2)}
    sleep $SECONDS_
    c1=$(rx_of $NS_VM2 eth0); o1=$(tx_of $NS_VM1 eth0)
    l1=$(rx_of $NS_H2 ul); t1=$(now)
    u1=${pid1:+$(cpu_ticks $pid1)} v1=${pid2:+$(cpu_ticks $pid2)}
    wait $gen
    awk -v c0="$c0" -v c1="$c1" -v o0="$o0" -v o1="$o1" -v l0="$l0" \
        -v l1="$l1" -v t0=$t0 -v t1=$t1 -v u0="$u0" -v u1="$u1" \
        -v v0="$v0" -v v1="$v1" -v hz="$(getconf CLK_TCK)" '
    function cpu(a, b) {
        return a == "" ? "kernel" : sprintf("%.0f", (b - a) / hz / t * 100)
    }
    BEGIN {
        t = t1 - t0
        printf "%.3f %.3f %.3f %s %s\n", (c1 - c0) / t / 1e6,
               (o1 - o0) / t / 1e6, (l1 - l0) / t / 1e6, cpu(u0, u1),
               cpu(v0, v1)
    }'
}

# run_one SYSTEM: one round's measurement of SYSTEM, appended to
# $d/results as "SYSTEM PPS SENT UNDERLAY TCP P50 P99 CPU1 CPU2".
run_one () {
    sys=$1
    pid1=
    pid2=
    case $sys in
        ss-vxlan)         kind=softswitch; args="vxlan afpacket" ;;
        ss-vxlan-afxdp)   kind=softswitch; args="vxlan afxdp" ;;
        ss-gre)           kind=softswitch; args="gre $SS_PORTS" ;;
        ss-geneve)        kind=softswitch; args="geneve $SS_PORTS" ;;
        kernel-vxlan)     kind=kernel; args= ;;
        ovs-vxlan)        kind=ovs; args=afxdp ;;
        ovs-vxlan-system) kind=ovs; args=system ;;
    esac
    result="- - - - - - - - -"
    # shellcheck disable=SC2086
    if topology_up && start_$kind $args; then
        if wait_forwarding 20 $NS_VM1 198.18.1.2; then
            lat=$(measure_ping $NS_VM1 198.18.1.2)
            tcp=$(measure_tcp $NS_VM1 $NS_VM2 198.18.1.2 1)
            pps=$(measure_pps)
            result="$pps $tcp $lat"
        else
            fail "VM1 cannot ping VM2 through it"
        fi
    fi
    stop_$kind
    topology_down
    # shellcheck disable=SC2086
    set -- $result
    echo "$sys $1 $2 $3 $6 $7 $8 $4 $5" >> "$d/results"
    printf '  round %s %-16s %s Mpps (offered %s, underlay %s), %s Gbit/s,' \
        "$r" "$sys" "$1" "$2" "$3" "$6"
    printf ' ping %s/%s us, CPU %s/%s\n' "$7" "$8" "$4" "$5"
}

systems="ss-vxlan ss-vxlan-afxdp ss-gre ss-geneve kernel-vxlan"
ovs_check
if test "$ovs_available" = yes; then
    systems="$systems ovs-vxlan ovs-vxlan-system"
else
    echo "Open vSwitch rows skipped: $ovs_available"
fi
# 77: built without libbpf (looks no interface up).
"$PKTGEN" xdp-detach swt-none > /dev/null 2>&1
if test $? = 77; then
    echo "skipped: sw-pktgen was built without libbpf (no XDP sink)"
    exit 0
fi
select_systems

# Whether the kernel generator works here (BPF_PROG_RUN live frames,
# Linux 5.18): 0.2 s from VM1 into host 1's veth, GRO making it poll.
if test $GENERATOR = xdp; then
    if ! { topology_up && in_h1 ethtool -K vm1 gro on &&
           in_vm1 "$PKTGEN" xdp-send eth0 02:00:00:00:00:02 0.2; } \
           > /dev/null 2>> "$d/log"; then
        echo "XDP generator unavailable ($(tail -1 "$d/log")):" \
             "using the AF_PACKET sender"
        GENERATOR=afpacket
    fi
    topology_down
fi
echo "64-byte frames from: $GENERATOR generator"

r=1
while test $r -le "$ROUNDS"; do
    for s in $systems; do
        run_one $s
    done
    r=$((r + 1))
done

# The table: medians over the rounds that produced a number.
echo
awk -v systems="$systems" -v ovs="$ovs_available" -v ssports="$SS_PORTS" \
    -v ratio_width=56 "$BENCH_AWK_LIB"'
function pct(x) {
    return x == "-" || x == "kernel" ? x : sprintf("%.0f%%", x)
}
function fmt(x, f) { return x == "-" ? "-" : sprintf(f, x) }
{
    for (i = 2; i <= 9; i++)
        if ($i != "-") v[$1, i] = v[$1, i] " " $i
}
END {
    name["ss-vxlan"] = "softswitch vxlan, AF_PACKET"
    name["ss-vxlan-afxdp"] = "softswitch vxlan, AF_XDP"
    name["ss-gre"] = "softswitch gre, " (ssports == "afxdp" ? "AF_XDP" \
                                                           : "AF_PACKET")
    name["ss-geneve"] = "softswitch geneve, " (ssports == "afxdp" ? \
                                               "AF_XDP" : "AF_PACKET")
    name["kernel-vxlan"] = "Linux bridge + kernel vxlan"
    name["ovs-vxlan"] = "OVS 3.1 netdev vxlan, afxdp"
    name["ovs-vxlan-system"] = "OVS 3.1 netdev vxlan, system"
    printf "%-30s %6s %7s %8s %10s %14s %11s\n", "system", "Mpps",
           "offered", "underlay", "TCP Gbit/s", "ping p50/p99", "CPU h1/h2"
    # Every known system gets a median, "-" when it was not run.
    for (sys in name)
        for (i = 2; i <= 9; i++) m[sys, i] = median(v[sys, i])
    n = split(systems, s, " ")
    for (k = 1; k <= n; k++) {
        x = s[k]
        printf "%-30s %6s %7s %8s %10s %14s %11s\n", name[x],
               fmt(m[x, 2], "%.3f"), fmt(m[x, 3], "%.2f"),
               fmt(m[x, 4], "%.3f"), fmt(m[x, 5], "%.2f"),
               m[x, 6] "/" m[x, 7] " us", pct(m[x, 8]) "/" pct(m[x, 9])
    }
    if (ovs != "yes") {
        printf "%-30s skipped: %s\n", name["ovs-vxlan"], ovs
        printf "%-30s skipped: %s\n", name["ovs-vxlan-system"], ovs
    }

    # The targets.  Each takes the better softswitch vxlan variant; OVS
    # is compared in both its port types.
    print ""
    pps = better("ss-vxlan", "ss-vxlan-afxdp", 2, 1)
    tcp = better("ss-vxlan", "ss-vxlan-afxdp", 5, 1)
    lat = better("ss-vxlan", "ss-vxlan-afxdp", 6, -1)
    ratio("vxlan pps, softswitch (" label(pps) ") / OVS (AF_XDP)",
          m[pps, 2], m["ovs-vxlan", 2], ">=", 4)
    ratio("vxlan pps, softswitch (" label(pps) ") / OVS (system)",
          m[pps, 2], m["ovs-vxlan-system", 2], ">=", 4)
    ratio("vxlan pps, softswitch (" label(pps) ") / kernel",
          m[pps, 2], m["kernel-vxlan", 2], ">=", 1)
    ratio("vxlan TCP, softswitch (" label(tcp) ") / kernel",
          m[tcp, 5], m["kernel-vxlan", 5], ">=", 0.8)
    ratio("vxlan ping p50, softswitch (" label(lat) ") / kernel",
          m[lat, 6], m["kernel-vxlan", 6], "<=", 1)
    same = ssports == "afxdp" ? "ss-vxlan-afxdp" : "ss-vxlan"
    ratio("gre pps / vxlan pps, softswitch (" label(same) ")",
          m["ss-gre", 2], m[same, 2], ">=", 0.9)
    ratio("geneve pps / vxlan pps, softswitch (" label(same) ")",
          m["ss-geneve", 2], m[same, 2], ">=", 0.9)
}
function label(sys) {
    return sys ~ /afxdp$/ || sys == "ovs-vxlan" ? "AF_XDP" \
           : sys == "ovs-vxlan-system" ? "system" : "AF_PACKET"
}
' "$d/results"

if test -s "$d/notes"; then
    echo
    echo "Notes:"
    sort -u "$d/notes" | sed 's/^/  /'
fi
cat <<EOF

Mpps: 64-byte UDP frames/s counted by VM2's veth (an XDP program drops
them); offered: what the generator (CPU 0, nice 10) pushed into VM1's
veth; underlay: what of it crossed the underlay veth (received by host
2), so frames lost on host 1 are offered - underlay, on host 2 underlay
- Mpps.  CPU h1/h2: each host daemon's user + system time during the
Mpps run, in % of one core ("kernel": no daemon; the work is charged to
no process).  Host 1 and VM 1 run on CPU 0, host 2 and VM 2 on CPU 1.
EOF
