#!/bin/sh
# "make bench": the pipeline benchmark (tests/sw-bench), then, if
# valgrind is installed, the same scenarios counted in instructions per
# packet, which compare across runs and machines better than times on a
# shared, noisy host; then, as root, the system benchmark against other
# switches (tests/bench-system.sh) and the tunnel benchmark, host to host
# (tests/bench-tunnel.sh).  Options are passed to sw-bench
# (--quick).
set -e
bench=./tests/sw-bench

echo "== Time per packet (best of 3 runs; batches of 32; no kernel I/O)"
$bench "$@"

instruction_counts () {
    if ! command -v valgrind > /dev/null 2>&1; then
        echo "== Instruction counts: skipped (install valgrind for them)"
        return
    fi
    if ! grep -q 'HAVE_VALGRIND_CALLGRIND_H 1' config.h 2>/dev/null; then
        echo "== Instruction counts: skipped (valgrind/callgrind.h was" \
             "missing at configure time)"
        return
    fi

    echo "== Instructions per packet (callgrind; measured loops only)"
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' 0
    valgrind --tool=callgrind --instr-atstart=no \
             --callgrind-out-file="$dir/cg.out" $bench --quick > /dev/null 2>&1
    for f in "$dir"/cg.out.*; do
        label=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
        ir=$(sed -n 's/^summary: //p' "$f")
        test -n "$label" && test -n "$ir" || continue
        name=${label% *}
        n=${label##* }
        awk -v name="$name" -v ir="$ir" -v n="$n" 'BEGIN {
            printf "%-44s %8.0f instructions/packet\n", name, ir / n }'
    done | sort -k1,1 -s
}
instruction_counts

# Real ports between namespaces, against other switches: root only.
if test "$(id -u)" = 0; then
    sh "$(dirname "$0")/bench-system.sh"
    sh "$(dirname "$0")/bench-tunnel.sh"
else
    echo "== System benchmark: skipped (needs root)"
    echo "== Tunnel benchmark: skipped (needs root)"
fi

# The config plane with thousands of ports, against Open vSwitch's.
sh "$(dirname "$0")/bench-scale.sh"
