#!/bin/sh
# Fetches Debian's static i386 busybox (busybox-static:i386, through
# multiarch) into DIR/debs, once, and prints the path of its .deb: the one
# place the initramfs builders (tools/mkinitramfs.sh for Linux guests,
# tools/linuxbench/mkinitramfs.sh for make bench-linux) get busybox from.
# Everything else it says goes to stderr. Usage: busybox-deb.sh DIR
set -eu
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
root_user=false
dl_opts=
[ "$(id -u)" -eq 0 ] && root_user=true && dl_opts="-o APT::Sandbox::User=root"

if ! dpkg --print-foreign-architectures | grep -qx i386; then
	if ! $root_user; then
		echo "busybox-deb: run: sudo dpkg --add-architecture i386 && sudo apt-get update" >&2
		exit 1
	fi
	echo "busybox-deb: adding the i386 architecture to dpkg" >&2
	dpkg --add-architecture i386
	apt-get update -qq >&2
fi
debs=$dir/debs
mkdir -p "$debs"
deb=$(ls "$debs"/busybox-static_*_i386.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	if ! (cd "$debs" && apt-get download -qq $dl_opts busybox-static:i386 >&2); then
		$root_user || { echo "busybox-deb: run: sudo apt-get update" >&2; exit 1; }
		apt-get update -qq >&2
		(cd "$debs" && apt-get download -qq $dl_opts busybox-static:i386 >&2)
	fi
	deb=$(ls "$debs"/busybox-static_*_i386.deb | head -n 1)
fi
echo "$deb"
