#!/bin/sh
# libvirt-ns.sh DIR: the first process of the namespaces in which the
# libvirt system test runs libvirtd, QEMU and sw-vswitchd.  Started as
#   unshare --mount --net --pid --fork --mount-proc libvirt-ns.sh DIR
# it gives them a private /run and copy-on-write /etc and /var (the host's
# stay untouched), libvirt's configuration for running without systemd,
# the libvirt-qemu user libvirtd insists on, then writes DIR/ns-ready and
# waits, reaping orphans.  Killing it ends everything in its PID namespace.
set -e
dir=$1

# (unshare already made every mount private to these namespaces.)
mount -t tmpfs tmpfs /run
mkdir -p "$dir/ns-overlay"
mount -t tmpfs tmpfs "$dir/ns-overlay"
for d in etc var; do
    mkdir "$dir/ns-overlay/$d-upper" "$dir/ns-overlay/$d-work"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$dir/ns-overlay/$d-upper,workdir=$dir/ns-overlay/$d-work" "/$d"
done

getent passwd libvirt-qemu > /dev/null || \
    echo "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin" \
        >> /etc/passwd
getent group libvirt-qemu > /dev/null || \
    echo "libvirt-qemu:x:64055:" >> /etc/group
# libvirtd looks its host name up; with no network here, a DNS query
# would only time out.
echo "127.0.1.1 $(hostname)" >> /etc/hosts
mkdir -p /etc/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
# QEMU as root, its output to files (no virtlogd), no cgroups on the host.
cat > /etc/libvirt/qemu.conf <<'EOC'
user = "root"
group = "root"
stdio_handler = "file"
cgroup_controllers = [ ]
EOC
cat > /etc/libvirt/libvirtd.conf <<EOC
log_outputs = "3:file:$dir/libvirtd.log"
EOC
ip link set lo up

echo ready > "$dir/ns-ready"
# As the namespace's init, reap the orphans: QEMU daemonizes, and libvirt
# waits for a QEMU process to be gone, which a zombie never is.
exec bash -c 'while :; do sleep 3600 & wait; done'
