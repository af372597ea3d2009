#!/bin/sh
# Builds the initramfs of make bench-linux: Debian's static i386 busybox
# (busybox-static:i386 through multiarch) and tools/linuxbench's program,
# which is /init. As PID 1 it notes the TSC (the instructions since QEMU
# started) and runs /etc/bench.sh: mount /dev, run the benchmark onto the
# virtio console's port (/dev/hvc1) when there is one, else /dev/console,
# then `poweroff -f`. docs/benchmarks.md says how it is used.
# Usage: mkinitramfs.sh LINUXBENCH OUT.cpio.gz [ROOTDIR]
#   ROOTDIR (default: beside OUT) keeps the unpacked tree, for a kernel
#   built with CONFIG_INITRAMFS_SOURCE pointing at it.
set -eu
[ $# -ge 2 ] || { echo "usage: mkinitramfs.sh LINUXBENCH OUT.cpio.gz [ROOTDIR]"; exit 2; }
prog=$1
out=$2
dir=$(dirname "$out")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
out=$dir/$(basename "$out")
root=${3:-$dir/bench-initramfs.d}
here=$(cd "$(dirname "$0")/.." && pwd)
root_user=false
[ "$(id -u)" -eq 0 ] && root_user=true

sh "$here/deps.sh" cpio gzip
deb=$(sh "$here/busybox-deb.sh" "$dir")

rm -rf "$root" "$root.pkg"
dpkg -x "$deb" "$root.pkg"
mkdir -p "$root/bin" "$root/etc" "$root/dev" "$root/proc"
cp "$root.pkg/bin/busybox" "$root/bin/busybox"
rm -rf "$root.pkg"
ln -s busybox "$root/bin/sh"
cp "$prog" "$root/bin/linuxbench"
ln -s bin/linuxbench "$root/init"
# The kernel opens /dev/console for init before anything is mounted.
$root_user && mknod -m 600 "$root/dev/console" c 5 1

cat > "$root/etc/bench.sh" <<'SH'
# Run by /init (linuxbench as PID 1) through busybox sh.
/bin/busybox mount -t devtmpfs devtmpfs /dev
out=/dev/console
[ -c /dev/hvc1 ] && out=/dev/hvc1
/bin/linuxbench > $out 2>&1
/bin/busybox poweroff -f
SH

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(wc -c < "$out") bytes, from $(basename "$deb"))"
