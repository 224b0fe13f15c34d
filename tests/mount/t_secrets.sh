#!/usr/bin/env bash
# t_secrets.sh -- the key stays where it belongs: not in the daemon's stderr
# even with -d, not in /proc/PID/cmdline or environ; key files that are
# readable by the group, symbolic links or directories are refused; a
# server-supplied next_page URL on another origin is never followed, so the
# key never goes there.
. "$(dirname "$0")/lib.sh"

SECRET=tfs-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
[ ${#SECRET} -eq 36 ] || fail "could not make a random key"
FAKE_TINES_KEY=$SECRET start_fake --group 200:1234 --group 201:0
RUNS=$MNT/groups/200/runs

# no_key_in FILE DESC: FILE (NULs allowed) does not contain the key.
no_key_in() {
	if tr '\0' '\n' <"$1" | grep -qF -- "$SECRET"; then
		fail "the key shows in $2"
	fi
	ok "the key is not in $2"
}

# --- -d: debug output, and still no key anywhere -----------------------------
KEY=$SECRET mount_tfs -d -o groups=200:201,per_page=500
reset_log
ls "$RUNS" >"$WORK/ls.out" || fail "ls $RUNS failed"
assert_eq 1234 "$(wc -l <"$WORK/ls.out")" "with -d: ls lists the 1234 runs"
G=$(head -n 1 "$WORK/ls.out")
cat "$RUNS/$G" >/dev/null || fail "cat $G failed"
assert_eq "1 2 3" "$(pages_line 200)" "the listing asked pages 1, 2, 3"
[ "$(fake_log | jq '[.[] | select(.auth_ok | not)] | length')" = 0 ] ||
	fail "a request reached the fake without the right key"
ok "every request carried the key"
grep -qE 'unique|opcode|LOOKUP|GET ' "$WORK/daemon.log" ||
	fail "-d wrote no debug output: the test would prove nothing"
ok "-d wrote $(wc -l <"$WORK/daemon.log") lines of debug output"
no_key_in "$WORK/daemon.log" "the daemon's stderr (-d)"
no_key_in "/proc/$DAEMON_PID/cmdline" "/proc/PID/cmdline"
no_key_in "/proc/$DAEMON_PID/environ" "/proc/PID/environ"
if tr '\0' '\n' <"/proc/$DAEMON_PID/environ" | grep -q '^TINES_API_KEY=.'; then
	fail "TINES_API_KEY still has a value in /proc/PID/environ"
fi
ok "TINES_API_KEY holds no value in /proc/PID/environ"
unmount_tfs
KEY=$SECRET check_daemon_log
no_key_in "$WORK/daemon.log" "the daemon's stderr after unmount"

# --- key files that are refused ------------------------------------------------
# refused DESC PATTERN KEYFILE: tinesfs -o key_file=KEYFILE (no key in the
# environment) exits non-zero within 10 s without mounting, and its stderr
# names KEYFILE and matches PATTERN (grep -E, any case).
refused() {
	local desc=$1 pat=$2 kf=$3 rc=0
	timeout -s KILL 10 env -u TINES_API_KEY "$TINESFS" -f -o key_file="$kf" \
		"$FAKE_URL" "$MNT" >"$WORK/kf.out" 2>"$WORK/kf.err" </dev/null || rc=$?
	if is_mounted "$MNT"; then
		fusermount3 -u "$MNT" || fusermount3 -uz "$MNT"
		fail "$desc: tinesfs mounted with it (exit $rc)"
	fi
	[ "$rc" -ne 137 ] || fail "$desc: tinesfs did not exit within 10 s"
	[ "$rc" -ne 0 ] || fail "$desc: tinesfs exited 0; want a refusal"
	grep -qF -- "$kf" "$WORK/kf.err" ||
		fail "$desc: stderr does not name $kf: $(cat "$WORK/kf.err")"
	grep -qiE -- "$pat" "$WORK/kf.err" ||
		fail "$desc: stderr does not match /$pat/: $(cat "$WORK/kf.err")"
	if grep -qF -- "$SECRET" "$WORK/kf.err" "$WORK/kf.out"; then
		fail "$desc: the output contains the key"
	fi
	ok "$desc: refused (exit $rc): $(head -n 1 "$WORK/kf.err")"
}

KF600=$WORK/key600
printf '%s\n' "$SECRET" >"$KF600"
chmod 0600 "$KF600"
KF640=$WORK/key640
printf '%s\n' "$SECRET" >"$KF640"
chmod 0640 "$KF640"
refused "key_file with mode 0640" '0?640' "$KF640"
ln -s "$KF600" "$WORK/keylink"
refused "key_file that is a symbolic link (to a 0600 file)" 'link|regular|key_file' "$WORK/keylink"
mkdir -m 0700 "$WORK/keydir"
refused "key_file that is a directory" 'directory|regular|key_file' "$WORK/keydir"

# The 0600 file the link pointed at is accepted: the refusals were for the
# link and the modes, not for the content.
NO_KEY_ENV=1 mount_tfs -o groups=200:201,key_file="$KF600"
[ -d "$RUNS" ] || fail "groups/200/runs missing with a 0600 key_file"
ok "a 0600 key_file mounts"
unmount_tfs
KEY=$SECRET check_daemon_log

# --- next_page on another origin is not followed -----------------------------
# A second fake stands for an attacker's server: any request to it would
# carry the key there.
FAKE2_PID=
_stop_fake2() {
	if [ -n "$FAKE2_PID" ]; then
		kill -TERM "$FAKE2_PID" 2>/dev/null || true
		wait "$FAKE2_PID" 2>/dev/null || true
		FAKE2_PID=
	fi
}
"$PYTHON" "$FAKE_TENANT" --port 0 --port-file "$WORK/fake2.port" --key "$SECRET" \
	--group 200:1234 2>"$WORK/fake2.log" &
FAKE2_PID=$!
# Stop it too on the way out; _cleanup must still see the test's status.
trap 'rc=$?; set +e; _stop_fake2; (exit $rc); _cleanup' EXIT
for ((i = 0; i < 100; i++)); do
	[ -s "$WORK/fake2.port" ] && break
	_alive "$FAKE2_PID" || { cat "$WORK/fake2.log" >&2; fail "the second fake died while starting"; }
	sleep 0.1
done
[ -s "$WORK/fake2.port" ] || fail "the second fake wrote no port in 10 s"
FAKE2_URL="http://127.0.0.1:$(tr -dc 0-9 <"$WORK/fake2.port")"
fake2_requests() {
	curl -sS --fail-with-body --max-time 30 "$FAKE2_URL/_control/stats" | jq '.requests'
}
assert_eq 0 "$(fake2_requests)" "a second fake at $FAKE2_URL, with no request yet"

ctl POST faults "{\"next_page_origin\": \"$FAKE2_URL\"}" >/dev/null
curl -sS -H "Authorization: Bearer $SECRET" "$FAKE_URL/api/v1/groups/200/runs?per_page=100" |
	jq -r '.meta.next_page' | grep -qF "$FAKE2_URL/" ||
	fail "the fake's meta.next_page does not point at the second fake"
ok "the fake's meta.next_page points at the second fake"
reset_log

KEY=$SECRET mount_tfs -o groups=200:201,per_page=100
ls "$RUNS" >"$WORK/ls2.out" || fail "ls $RUNS failed with next_page on another origin"
assert_eq 1234 "$(wc -l <"$WORK/ls2.out")" "ls lists all 1234 runs"
assert_eq "" "$(sort "$WORK/ls2.out" | uniq -d | head -n 5)" "no name is listed twice"
sed 's/\.json$//' "$WORK/ls2.out" | sort >"$WORK/listed.guids"
ctl GET groups/200/runs | jq -r '.[].guid' | sort >"$WORK/api.guids"
assert_files_eq "$WORK/api.guids" "$WORK/listed.guids" "listed guids are exactly the tenant's"
assert_eq "$(seq 1 13 | paste -sd' ' -)" "$(pages_line 200)" \
	"pages 1..13 were all asked of the tenant itself"
unmount_tfs
assert_eq 0 "$(fake2_requests)" "the second fake got no request at all"
_stop_fake2
KEY=$SECRET check_daemon_log
