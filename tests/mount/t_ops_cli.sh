#!/usr/bin/env bash
# t_ops_cli.sh -- what a user reaches for first: --help lists tinesfs's own
# options, each with its default, before libfuse's; --version names the
# versions of tinesfs, libfuse, libcurl and json-c; the man page renders
# without a warning and covers every option; a bad uid=, gid= or umask=
# names its option; meson install puts the binary and the man page in place.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$LIB_DIR/../.." && pwd)
MAN=$SRC/doc/tinesfs.1
OWN_OPTS=(key_file groups ttl per_page timeout retries cafile uid gid umask)
VERSION=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$SRC/meson.build" | head -n1)
[ -n "$VERSION" ] || fail "cannot read the project version from meson.build"

# --- --help -------------------------------------------------------------------
rc=0
timeout -s KILL 10 "$TINESFS" --help >"$WORK/help.out" 2>"$WORK/help.err" </dev/null || rc=$?
assert_eq 0 "$rc" "--help exits 0"
[ ! -s "$WORK/help.err" ] || fail "--help wrote to stderr: $(cat "$WORK/help.err")"
own_at=$(grep -n '^tinesfs options:' "$WORK/help.out" | cut -d: -f1 | head -n1)
fuse_at=$(grep -n '^FUSE options:' "$WORK/help.out" | cut -d: -f1 | head -n1)
[ -n "$own_at" ] || fail "--help has no 'tinesfs options:' section"
[ -n "$fuse_at" ] || fail "--help has no 'FUSE options:' section"
[ "$own_at" -lt "$fuse_at" ] || fail "--help prints libfuse's options before tinesfs's"
ok "--help: tinesfs options (line $own_at) come before libfuse's (line $fuse_at)"
sed -n "${own_at},$((fuse_at - 1))p" "$WORK/help.out" >"$WORK/help.own"
sed -n "${fuse_at},\$p" "$WORK/help.out" >"$WORK/help.fuse"
for opt in "${OWN_OPTS[@]}"; do
	# The option's entry runs from its "-o opt=" line to the next entry.
	entry=$(awk -v o="-o $opt=" '
		index($0, o) { on = 1; print; next }
		on && /^    -/ { exit }
		on { print }' "$WORK/help.own")
	[ -n "$entry" ] || fail "--help lists no '-o $opt=' among tinesfs's options"
	grep -q '(default:' <<<"$entry" || fail "--help gives no default for $opt: $entry"
done
ok "--help lists ${OWN_OPTS[*]}, each with its default"
for want in "-o allow_other" "-d " "-f " "-s "; do
	grep -qF -- "$want" "$WORK/help.fuse" || fail "--help's libfuse part lacks '$want'"
done
ok "--help then lists libfuse's options (-d, -f, -s, allow_other)"

# --- --version ----------------------------------------------------------------
for flag in --version -V; do
	rc=0
	timeout -s KILL 10 "$TINESFS" "$flag" >"$WORK/version.out" 2>&1 </dev/null || rc=$?
	assert_eq 0 "$rc" "$flag exits 0"
	grep -qx "tinesfs version $VERSION" "$WORK/version.out" ||
		fail "$flag lacks 'tinesfs version $VERSION': $(cat "$WORK/version.out")"
	grep -qE '^libfuse version 3\.[0-9]+' "$WORK/version.out" || fail "$flag names no libfuse version"
	grep -qE '^libcurl version [0-9]+\.[0-9]+' "$WORK/version.out" || fail "$flag names no libcurl version"
	grep -qE '^json-c version [0-9]+\.[0-9]+' "$WORK/version.out" || fail "$flag names no json-c version"
done
ok "--version: $(head -n4 "$WORK/version.out" | paste -sd';' -)"
# The versions it runs with are the installed ones.
if command -v pkg-config >/dev/null; then
	for pair in "libfuse:fuse3" "libcurl:libcurl" "json-c:json-c"; do
		name=${pair%%:*} pc=${pair#*:}
		want=$(pkg-config --modversion "$pc" 2>/dev/null) || continue
		grep -qx "$name version $want.*" "$WORK/version.out" ||
			fail "--version says $(grep "^$name" "$WORK/version.out"); pkg-config says $pc $want"
	done
	ok "--version matches the libraries pkg-config reports"
fi

# --- the man page ---------------------------------------------------------------
[ -s "$MAN" ] || fail "doc/tinesfs.1 is missing or empty"
command -v man >/dev/null || fail "man is not installed (package man-db)"
command -v groff >/dev/null || fail "groff is not installed"
warn=$(groff -ww -man -z "$MAN" 2>&1)
[ -z "$warn" ] || fail "groff -ww -man warns about doc/tinesfs.1: $warn"
ok "groff -ww -man -z doc/tinesfs.1: no warnings"
warn=$(MANWIDTH=80 man -l "$MAN" 2>&1 >/dev/null)
[ -z "$warn" ] || fail "man -l doc/tinesfs.1 warns: $warn"
MANWIDTH=80 MAN_KEEP_FORMATTING= man -l "$MAN" 2>/dev/null | col -bx >"$WORK/man.txt"
[ -s "$WORK/man.txt" ] || fail "man -l doc/tinesfs.1 rendered nothing"
ok "man -l doc/tinesfs.1 renders without warnings ($(wc -l <"$WORK/man.txt") lines)"
for opt in "${OWN_OPTS[@]}"; do
	grep -qE -- "-o $opt=|^ +$opt=" "$WORK/man.txt" || fail "the man page does not describe $opt="
done
ok "the man page describes ${OWN_OPTS[*]}"
for want in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES FILES "SEE ALSO" \
	"TINES_API_KEY" "0600" ".tinesfs-status" "SIGHUP" "allow_other" "fuse.tinesfs" \
	"_netdev" "Transport endpoint is not connected" "Permission denied" "stale" \
	"/groups/" "mount.fuse3" "fusermount3 -u"; do
	grep -qF -- "$want" "$WORK/man.txt" || fail "the man page never mentions '$want'"
done
ok "the man page has its sections, the key rules, fstab, the status file and troubleshooting"
# Every tinesfs option --help names is in the man page, so the two cannot drift.
grep -oE -- '-o [a-z_]+=' "$WORK/help.own" | sort -u | while read -r _ o; do
	grep -qF -- "$o" "$WORK/man.txt" || fail "--help has -o $o but the man page does not"
done
ok "every option in --help is in the man page"

# --- a bad uid/gid/umask names the option -----------------------------------------
start_fake --group 200:3

bad_cmdline() {
	local desc=$1 name=$2 rc=0 lines
	shift 2
	timeout -s KILL 10 "$@" >"$WORK/opt.out" 2>"$WORK/opt.err" </dev/null || rc=$?
	if is_mounted "$MNT"; then
		fusermount3 -u "$MNT" || fusermount3 -uz "$MNT"
		fail "$desc: tinesfs mounted $MNT (exit $rc)"
	fi
	[ "$rc" -ne 137 ] || fail "$desc: tinesfs did not exit within 10 s"
	[ "$rc" -ne 0 ] || fail "$desc: tinesfs exited 0; want non-zero"
	lines=$(awk 'END { print NR }' "$WORK/opt.err")
	[ "$lines" -eq 1 ] || { cat "$WORK/opt.err" >&2; fail "$desc: stderr has $lines lines; want exactly 1"; }
	grep -qF -- "$name" "$WORK/opt.err" || fail "$desc: the stderr line does not name $name: $(cat "$WORK/opt.err")"
	ok "$desc: exit $rc, one line: $(cat "$WORK/opt.err")"
}

K=(env TINES_API_KEY=test-key "$TINESFS" -f)
bad_cmdline "-o uid=no-such-user-tfs" uid "${K[@]}" -o uid=no-such-user-tfs "$FAKE_URL" "$MNT"
bad_cmdline "-o uid=-1" uid "${K[@]}" -o uid=-1 "$FAKE_URL" "$MNT"
bad_cmdline "-o uid=4294967295" uid "${K[@]}" -o uid=4294967295 "$FAKE_URL" "$MNT"
bad_cmdline "-o gid=no-such-group-tfs" gid "${K[@]}" -o gid=no-such-group-tfs "$FAKE_URL" "$MNT"
bad_cmdline "-o gid=12x" gid "${K[@]}" -o gid=12x "$FAKE_URL" "$MNT"
bad_cmdline "-o umask=banana" umask "${K[@]}" -o umask=banana "$FAKE_URL" "$MNT"
bad_cmdline "-o umask=0999" umask "${K[@]}" -o umask=0999 "$FAKE_URL" "$MNT"
bad_cmdline "-o umask=1777" umask "${K[@]}" -o umask=1777 "$FAKE_URL" "$MNT"
bad_cmdline "-o umask=" umask "${K[@]}" -o umask= "$FAKE_URL" "$MNT"
bad_cmdline "-o timeout=0" timeout "${K[@]}" -o timeout=0 "$FAKE_URL" "$MNT"
bad_cmdline "-o retries=99" retries "${K[@]}" -o retries=99 "$FAKE_URL" "$MNT"
bad_cmdline "-o cafile=/nonexistent" cafile "${K[@]}" -o cafile=/nonexistent/ca.pem "$FAKE_URL" "$MNT"

# Good values of the same options mount; names work as well as numbers.
mount_tfs -o groups=200,uid=root,gid=0,umask=0022
assert_eq "0 0 555" "$(stat -c '%u %g %a' "$MNT/groups")" "uid=root,gid=0,umask=0022 mounts (dirs stay 0555: umask only takes bits away)"
unmount_tfs
check_daemon_log

# --- meson install puts the binary and the man page in place ---------------------
BUILD=$(cd "$(dirname "$TINESFS")/.." && pwd)
if [ -f "$BUILD/meson-private/coredata.dat" ]; then
	DEST=$WORK/dest
	meson install -C "$BUILD" --no-rebuild --destdir "$DEST" >"$WORK/install.log" 2>&1 ||
		{ cat "$WORK/install.log" >&2; fail "meson install --destdir failed"; }
	bin=$(find "$DEST" -path '*/bin/tinesfs' -type f | head -n1)
	man1=$(find "$DEST" -path '*/man1/tinesfs.1*' -type f | head -n1)
	[ -n "$bin" ] && [ -x "$bin" ] || fail "meson install put no executable bin/tinesfs under $DEST"
	[ -n "$man1" ] || fail "meson install put no man1/tinesfs.1 under $DEST"
	out=$("$bin" --version 2>&1) || fail "the installed binary does not run: $out"
	grep -qx "tinesfs version $VERSION" <<<"$out" || fail "the installed binary says: $out"
	ok "meson install: ${bin#"$DEST"} and ${man1#"$DEST"}"
else
	fail "TINESFS=$TINESFS is not inside a meson build directory; cannot check meson install"
fi
