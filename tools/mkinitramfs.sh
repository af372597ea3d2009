#!/bin/sh
# Builds a small initramfs for Linux guests from Debian packages only: the
# static i386 busybox of busybox-static:i386 (through multiarch), busybox's
# init with an inittab that keeps a shell on the virtio console /dev/hvc1,
# packed with cpio and gzip. docs/linux-guest.md says what is in it.
# Usage: mkinitramfs.sh [OUT]   (default build/linux/initramfs.cpio.gz)
set -eu
out=${1:-build/linux/initramfs.cpio.gz}
dir=$(dirname "$out")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
out=$dir/$(basename "$out")
here=$(cd "$(dirname "$0")" && pwd)
root_user=false
[ "$(id -u)" -eq 0 ] && root_user=true

sh "$here/deps.sh" cpio gzip
deb=$(sh "$here/busybox-deb.sh" "$dir")

work=$dir/initramfs.d
rm -rf "$work"
mkdir -p "$work/pkg" "$work/root"
dpkg -x "$deb" "$work/pkg"
r=$work/root
mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/etc/init.d" \
	"$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/root"
cp "$work/pkg/bin/busybox" "$r/bin/busybox"
# PID 1 is busybox's init: it runs as the applet its name gives, "init".
ln -s bin/busybox "$r/init"
ln -s busybox "$r/bin/sh"
ln -s ../bin/busybox "$r/sbin/init"
# The kernel opens /dev/console for init before anything is mounted; its
# own built-in initramfs has the node too, so a non-root build may skip it.
$root_user && mknod -m 600 "$r/dev/console" c 5 1

cat > "$r/etc/inittab" <<'TAB'
# busybox init: mount, then a login shell on the virtio console port, again
# whenever it exits. poweroff, reboot and halt go through init.
::sysinit:/bin/sh /etc/init.d/rcS
hvc1::respawn:-/bin/sh
::shutdown:/bin/busybox umount -a -r
TAB
cat > "$r/etc/init.d/rcS" <<'RCS'
# Run once by init, through /bin/sh (no #! needed in the kernel).
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s
echo "initramfs: busybox $(/bin/busybox | /bin/busybox head -n 1 | /bin/busybox cut -d' ' -f2) ready, shell on /dev/hvc1"
RCS
cat > "$r/etc/profile" <<'PROF'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PS1='linux:\w# '
PROF

(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(wc -c < "$out") bytes, from $(basename "$deb"))"
