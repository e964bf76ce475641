#!/bin/sh
# Installs the Debian 12 packages that softswitch needs to build and to
# run its tests, if any is missing.  Run as root.  Does nothing (and needs
# no network) when everything is there.
set -e

# Build: compilers (clang for the XDP program), autotools, and the
# libraries configure looks for.
BUILD="build-essential clang autoconf automake pkg-config m4
  libuv1-dev libjansson-dev liburcu-dev libssl-dev libxdp-dev libbpf-dev"
# Tests: tools the test suites run (the system tests use namespaces,
# veth pairs, ping, iperf3, ethtool and tcpdump; the tunnel interop tests
# talk to Open vSwitch and have tshark decode what crossed the underlay;
# the OVSDB tests run OVS's own clients, its Python IDL among them, and
# make TLS certificates with openssl; the libvirt test runs libvirtd and
# QEMU).
TEST="iproute2 iputils-ping iperf3 ethtool tcpdump openssl openvswitch-switch
  python3-openvswitch tshark libvirt-daemon libvirt-daemon-driver-qemu
  libvirt-clients qemu-system-x86"

missing=
for pkg in $BUILD $TEST; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
            | grep -q 'install ok installed'; then
        missing="$missing $pkg"
    fi
done
if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: missing packages:$missing" >&2
    echo "install-deps.sh: run me as root to install them" >&2
    exit 1
fi
echo "install-deps.sh: installing$missing"
# Noninteractive: tshark's package asks whether non-root users may
# capture (the default, no, is what we want).
export DEBIAN_FRONTEND=noninteractive
# openvswitch-switch would start the system's Open vSwitch service; the
# tests run their own.  A policy-rc.d that says 101 forbids starting
# services during the install; it is removed afterwards (one that was
# already there is left alone).
made_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
    made_policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' > "$made_policy"
    chmod 755 "$made_policy"
    trap 'rm -f "$made_policy"' EXIT
    trap 'exit 1' INT TERM HUP
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
