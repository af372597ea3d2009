#!/bin/sh
# make test-fresh: from an empty Debian 12 root to a passing `make test`,
# as a new user on a fresh machine would go (docs/usage.md).
#
# Usage (as root): sh tools/test-fresh.sh
#   TEST_FRESH_DIR=DIR  where the root goes (default: a new folder under
#                       /var/tmp); it must not exist or be empty
#   TEST_FRESH_KEEP=1   keep the root afterwards (to look around in it)
#
# Steps: debootstrap a minimal bookworm root from the mirror this machine's
# own apt uses (read from /etc/apt at run time: the repository names no
# package host); `git clone` this repository's HEAD into it; inside, with
# /proc and /dev mounted, install `make` with apt-get (the one step the
# docs ask of a new user) and run `make test`, which installs the rest.
# The mounts are undone on any exit. Takes 10-30 minutes.
#
# The whole script is one function, read before it starts: editing the
# file during its long run cannot change what runs.
main() {
set -eu

say() { printf 'test-fresh: %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null ||
	die "debootstrap is missing: apt-get install debootstrap"
repo=$(git rev-parse --show-toplevel)
head=$(git -C "$repo" rev-parse HEAD)
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] ||
	say "warning: uncommitted changes are not tested; HEAD $head is"

# The Debian mirror: the first `deb` source for the release in
# /etc/apt/sources.list (one-line form) or /etc/apt/sources.list.d/*.sources
# (deb822 form: Types:, URIs:, Suites: fields in one stanza).
suite=bookworm
apt_mirror() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [options] URI SUITE COMPONENT...
		awk -v suite="$suite" '
			$1 == "deb" {
				i = 2
				if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
				if ($(i + 1) == suite) { print $i; exit }
			}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$suite" '
			function flush() {
				if (deb && enabled && uris != "" && (" " suites " ") ~ (" " suite " "))
					{ split(uris, u, " "); print u[1]; found = 1 }
				deb = 0; enabled = 1; uris = ""; suites = ""
			}
			BEGIN { enabled = 1 }
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); if (found) exit; next }
			tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			tolower($1) == "enabled:" { enabled = (tolower($2) != "no") }
			tolower($1) == "uris:" { $1 = ""; uris = $0 }
			tolower($1) == "suites:" { $1 = ""; suites = $0 }
			END { if (!found) flush() }' "$f"
	done
}
mirror=$(apt_mirror | head -n 1)
[ -n "$mirror" ] || die "no 'deb ... $suite' source in /etc/apt; cannot pick a mirror"
say "mirror $mirror (from /etc/apt), testing $head"

if [ -n "${TEST_FRESH_DIR:-}" ]; then
	work=$TEST_FRESH_DIR
	mkdir -p "$work"
	[ -z "$(ls -A "$work")" ] || die "$work is not empty"
else
	work=$(mktemp -d /var/tmp/ringvisor-fresh.XXXXXX)
fi
root=$work/root

# Undo the mounts on any exit; delete the root only once nothing is mounted
# under it (a bound /dev must never be deleted through).
cleanup() {
	status=$?
	set +e
	for m in "$root/dev" "$root/proc"; do
		mountpoint -q "$m" && umount -R -l "$m"
	done
	if grep -q " $root/" /proc/mounts; then
		say "something is still mounted under $root; not deleting it"
	elif [ "${TEST_FRESH_KEEP:-0}" = 1 ]; then
		say "kept $root"
	else
		rm -rf --one-file-system "$work"
	fi
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

start=$(date +%s)
elapsed() { echo "$(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s"; }

say "debootstrap $suite (minbase) into $root"
debootstrap --variant=minbase "$suite" "$root" "$mirror" > "$work/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$work/debootstrap.log"; die "debootstrap failed"; }
echo "deb $mirror $suite main" > "$root/etc/apt/sources.list"
say "root ready after $(elapsed)"

say "git clone of HEAD into /root/ringvisor"
git clone -q --no-checkout "$repo" "$root/root/ringvisor"
git -C "$root/root/ringvisor" checkout -q --detach "$head"

# /dev with its submounts (/dev/pts for apt's dpkg log, /dev/shm), as a
# slave: nothing done under the root's /dev reaches the machine's.
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"

# What a new user types: docs/usage.md, "On a fresh machine".
say "in the root: apt-get install make; make test"
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LC_ALL=C.UTF-8 TERM=dumb /bin/sh -c '
	set -e
	cd /root/ringvisor
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends make >/dev/null
	make test' || die "make test failed in the fresh root after $(elapsed)"
say "passed: from an empty root to a passing make test in $(elapsed)"
}
main "$@"
exit
