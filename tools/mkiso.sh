#!/bin/sh
# Build a GRUB (BIOS) ISO that boots Ringvisor with guest modules.
# Usage: mkiso.sh OUT.iso HV.elf "HV ARGS" [MODULE.elf "MODULE ARGS"]...
# GRUB passes a module's string without its path, so each module line
# repeats the file's path first: the same form QEMU's -initrd gives, and a
# path even for a file named without a dot (bzImage).
set -eu
out=$1 hv=$2 hvargs=$3
shift 3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$hv" "$root/boot/ringvisor.elf"
{
	echo 'set timeout=0'
	echo 'set default=0'
	echo 'menuentry "Ringvisor" {'
	echo "	multiboot /boot/ringvisor.elf $hvargs"
	while [ $# -ge 2 ]; do
		name=$(basename "$1")
		cp "$1" "$root/boot/$name"
		echo "	module /boot/$name /boot/$name $2"
		shift 2
	done
	echo '	boot'
	echo '}'
} > "$root/boot/grub/grub.cfg"
grub-mkrescue -o "$out" \
	--install-modules="multiboot normal iso9660 biosdisk part_msdos configfile" \
	--locales= --fonts= --themes= --compress=xz "$root" 2>/dev/null
