#!/bin/sh
# Builds an ext2 disk image holding a busybox root filesystem, for a Linux
# guest that mounts its root from a virtio-blk module (disk=, root=/dev/vda):
# Debian's static i386 busybox (tools/busybox-deb.sh), busybox init with
# an inittab that keeps a shell on the virtio console /dev/hvc1, and the
# file /etc/rvdisk holding MARK, packed by mke2fs -d (e2fsprogs).
# Usage: mkrootdisk.sh OUT [MARK]     (8 MiB; docs/disks.md)
set -eu
out=$1
mark=${2:-rvdisk}
dir=$(dirname "$out")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
out=$dir/$(basename "$out")
here=$(cd "$(dirname "$0")" && pwd)

sh "$here/deps.sh" e2fsprogs
deb=$(sh "$here/busybox-deb.sh" "$dir")

work=$out.d
rm -rf "$work"
mkdir -p "$work/pkg" "$work/root"
dpkg -x "$deb" "$work/pkg"
r=$work/root
mkdir -p "$r/bin" "$r/sbin" "$r/etc/init.d" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/root"
cp "$work/pkg/bin/busybox" "$r/bin/busybox"
# The root is mounted read-only: every applet's link is made here (by the
# host running the static i386 binary, or a short list where it cannot).
applets=$("$r/bin/busybox" --list 2>/dev/null ||
	echo sh cat echo ls mount umount grep awk dd head poweroff reboot sync)
for a in $applets; do
	[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
done
ln -sf ../bin/busybox "$r/sbin/init"
cat > "$r/etc/inittab" <<'TAB'
# busybox init on a read-only root: a shell on the virtio console port.
::sysinit:/bin/sh /etc/init.d/rcS
hvc1::respawn:-/bin/sh
TAB
# The kernel mounts devtmpfs on /dev itself (DEVTMPFS_MOUNT).
cat > "$r/etc/init.d/rcS" <<'RCS'
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
echo "rootdisk: busybox root on $(/bin/busybox awk '$2 == "/" { print $1, $3, $4 }' /proc/mounts)"
RCS
echo "$mark" > "$r/etc/rvdisk"
rm -f "$out"
mke2fs -q -F -t ext2 -b 1024 -L rvroot -d "$r" "$out" 8M
rm -rf "$work"
echo "mkrootdisk: $out"
