#!/usr/bin/env bash
# t_options.sh -- every bad command line is one line on stderr naming the
# problem, a non-zero exit and no mount; a private key file works; the key
# never shows in ps, cmdline or environ.
. "$(dirname "$0")/lib.sh"

SECRET=tfs-secret-$RANDOM$RANDOM
FAKE_TINES_KEY=$SECRET start_fake --group 200:40 --group 201:0

# bad_cmdline DESC PATTERN CMD...: CMD exits non-zero within 10 s, prints
# exactly one line on stderr matching PATTERN (grep -E, any case), and
# leaves nothing mounted on $MNT. With MUST_NAME set, the line must also
# contain that text.
bad_cmdline() {
	local desc=$1 pat=$2 rc=0 lines
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
	grep -qiE -- "$pat" "$WORK/opt.err" ||
		fail "$desc: the stderr line does not match /$pat/: $(cat "$WORK/opt.err")"
	if [ -n "${MUST_NAME:-}" ] && ! grep -qF -- "$MUST_NAME" "$WORK/opt.err"; then
		fail "$desc: the stderr line does not name $MUST_NAME: $(cat "$WORK/opt.err")"
	fi
	if grep -qF -- "$SECRET" "$WORK/opt.err" "$WORK/opt.out"; then
		fail "$desc: the output contains the key"
	fi
	ok "$desc: exit $rc, one line: $(cat "$WORK/opt.err")"
}

# With the key in the environment, as a user would run it, or with none.
WITH_KEY=(env TINES_API_KEY="$SECRET")
NO_KEY=(env -u TINES_API_KEY)
T=$TINESFS
U=$FAKE_URL

bad_cmdline "-o ttl=banana" 'ttl' "${WITH_KEY[@]}" "$T" -f -o ttl=banana "$U" "$MNT"
bad_cmdline "-o per_page=0" 'per_page' "${WITH_KEY[@]}" "$T" -f -o per_page=0 "$U" "$MNT"
bad_cmdline "-o per_page=501" 'per_page' "${WITH_KEY[@]}" "$T" -f -o per_page=501 "$U" "$MNT"
bad_cmdline "-o groups=12:abc" 'groups' "${WITH_KEY[@]}" "$T" -f -o groups=12:abc "$U" "$MNT"
bad_cmdline "no key (TINES_API_KEY unset)" 'key' "${NO_KEY[@]}" "$T" -f "$U" "$MNT"
bad_cmdline "TINES_API_KEY set but empty" 'key' env TINES_API_KEY= "$T" -f "$U" "$MNT"
bad_cmdline "http://example.com" 'http' "${WITH_KEY[@]}" "$T" -f http://example.com "$MNT"
bad_cmdline "ftp://x" 'ftp://x|url|https' "${WITH_KEY[@]}" "$T" -f ftp://x "$MNT"

KF644=$WORK/key644
printf '%s\n' "$SECRET" >"$KF644"
chmod 0644 "$KF644"
MUST_NAME=$KF644 bad_cmdline "key_file with mode 0644" '0?644' \
	"${NO_KEY[@]}" "$T" -f -o key_file="$KF644" "$U" "$MNT"
MUST_NAME=$WORK/no-such-key bad_cmdline "key_file missing" 'key_file|no such' \
	"${NO_KEY[@]}" "$T" -f -o key_file="$WORK/no-such-key" "$U" "$MNT"

# --- --help -------------------------------------------------------------------
rc=0
timeout -s KILL 10 "$T" --help >"$WORK/help.out" 2>&1 </dev/null || rc=$?
assert_eq 0 "$rc" "--help exits 0"
for word in ttl per_page groups key_file; do
	grep -qw -- "$word" "$WORK/help.out" || fail "--help does not list $word"
done
ok "--help lists ttl, per_page, groups and key_file"
is_mounted "$MNT" && fail "--help mounted something"
ok "nothing is mounted on $MNT after the bad command lines"

# --- a private key file works ---------------------------------------------------
KF600=$WORK/key600
printf '%s\n' "$SECRET" >"$KF600"
chmod 0600 "$KF600"
NO_KEY_ENV=1 mount_tfs -o groups=200:201,key_file="$KF600"
assert_eq 40 "$(ls "$MNT/groups/200/runs" | wc -l)" "mounted with a 0600 key_file: lists the 40 runs"
unmount_tfs
KEY=$SECRET check_daemon_log

# --- the key is not visible from outside the daemon -------------------------------
KEY=$SECRET mount_tfs -o groups=200:201
assert_eq 40 "$(ls "$MNT/groups/200/runs" | wc -l)" "mounted with TINES_API_KEY: lists the 40 runs"
assert_eq "$(readlink -f "$TINESFS")" "$(readlink -f "/proc/$DAEMON_PID/exe")" "pid $DAEMON_PID is the tinesfs daemon"
if ps -ww -e -o pid=,args= | grep -F -- "$SECRET" | grep -v grep >/dev/null; then
	fail "the key shows in ps: $(ps -ww -e -o pid=,args= | grep -F -- "$SECRET")"
fi
ok "the key does not show in ps"
if tr '\0' '\n' <"/proc/$DAEMON_PID/cmdline" | grep -qF -- "$SECRET"; then
	fail "the key shows in /proc/$DAEMON_PID/cmdline"
fi
ok "the key is not in /proc/PID/cmdline"
if tr '\0' '\n' <"/proc/$DAEMON_PID/environ" | grep -qF -- "$SECRET"; then
	fail "the key shows in /proc/$DAEMON_PID/environ: $(tr '\0' '\n' <"/proc/$DAEMON_PID/environ" | grep -F -- "$SECRET")"
fi
ok "the key is not in /proc/PID/environ"
if tr '\0' '\n' <"/proc/$DAEMON_PID/environ" | grep -q '^TINES_API_KEY=.'; then
	fail "TINES_API_KEY still has a value in /proc/$DAEMON_PID/environ"
fi
ok "TINES_API_KEY holds no value in /proc/PID/environ"
unmount_tfs
KEY=$SECRET check_daemon_log
