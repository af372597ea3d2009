#!/bin/sh
# Make sure the Debian packages Ringvisor builds and tests with are here.
# As root, missing ones are installed with apt-get; otherwise the exact
# command is printed and the build stops. Usage: deps.sh [extra-package...]
set -eu
pkgs="make gcc gcc-multilib binutils qemu-system-x86 grub-pc-bin grub-common \
xorriso mtools xz-utils newlib-source python3 python3-pytest python3-pytest-xdist cloc $*"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	echo "deps: done"
else
	echo "deps: missing packages:$missing"
	echo "deps: run: sudo apt-get install -y --no-install-recommends$missing"
	exit 1
fi
