#!/bin/sh
# The README's Quick start:
#   ./quickstart.sh sandbox   install what is missing, build, run a sandbox
#   ./quickstart.sh test      install what is missing, build, run the tests
# The build lives in _build/ and leaves the source tree clean.
set -e
cd "$(dirname "$0")"
top=$(pwd)

usage() {
    echo "usage: $0 sandbox|test" >&2
    exit 1
}

build() {
    utilities/install-deps.sh
    if [ ! -x configure ]; then
        ./autogen.sh > /dev/null 2>&1 || ./autogen.sh
    fi
    mkdir -p _build
    cd _build
    if [ ! -f Makefile ]; then
        ../configure --enable-werror --quiet
    fi
    make -s -j"$(nproc)" > /dev/null
    cd "$top"
}

case "${1:-}" in
sandbox)
    build
    exec utilities/sw-sandbox "$top/_build"
    ;;
test)
    build
    cd _build
    # The whole suite; "make check" also builds the test programs.  The
    # system tests (real ports in network namespaces) need root.
    status=0
    make -s check TESTSUITEFLAGS="-j$(nproc) ${TESTSUITEFLAGS:-}" || status=1
    if [ "$(id -u)" = 0 ]; then
        make -s check-system TESTSUITEFLAGS="-j$(nproc) ${TESTSUITEFLAGS:-}" ||
            status=1
    else
        echo "quickstart: not root, so the system tests (make check-system)" \
             "did not run" >&2
    fi
    exit $status
    ;;
*)
    usage
    ;;
esac
