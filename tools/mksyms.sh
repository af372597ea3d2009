#!/bin/sh
# Turn `nm -n` output of the first-pass hypervisor image into the assembly of
# its .ksyms section: the text symbols sorted by address, for backtraces.
# Usage: mksyms.sh IMAGE.elf > syms.S     (no IMAGE: an empty table)
set -eu
echo '	.section .ksyms, "a"'
echo '	.balign 4'
echo '	.global ksyms_count, ksyms_table'
if [ $# -eq 0 ]; then
	echo 'ksyms_count: .long 0'
	echo 'ksyms_table:'
else
	nm -n "$1" | awk '
	$2 ~ /^[tTwW]$/ && $3 !~ /^\./ { addr[n] = $1; name[n] = $3; n++ }
	END {
		printf "ksyms_count: .long %d\n", n
		print "ksyms_table:"
		for (i = 0; i < n; i++) printf "\t.long 0x%s, .Ls%d\n", addr[i], i
		for (i = 0; i < n; i++) printf ".Ls%d: .asciz \"%s\"\n", i, name[i]
	}'
fi
echo '	.section .note.GNU-stack, "", @progbits'
