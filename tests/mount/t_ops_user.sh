#!/usr/bin/env bash
# t_ops_user.sh -- multi-user servers. A normal user (made for the test)
# mounts and unmounts through fusermount3; nobody else, root included, can
# use that mount; the user cannot ask for allow_other without
# user_allow_other. Root's mount with allow_other and uid=/gid=/umask= shows
# the given owner and modes, and the kernel enforces them
# (default_permissions): the owner reads, others are refused.
#
# /dev/fuse is mode 0600 on these machines (0666 on a stock Debian system):
# the test sets 0666 for its run and puts the old mode back in its trap.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || fail "this test needs root (to create its user and set /dev/fuse's mode)"
for t in setpriv useradd; do
	command -v "$t" >/dev/null || fail "required tool '$t' is not installed"
done

TUSER=tinesfs-test
if ! id "$TUSER" >/dev/null 2>&1; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$TUSER" || fail "useradd $TUSER failed"
	note "created user $TUSER"
fi
TUID=$(id -u "$TUSER")
TGID=$(id -g "$TUSER")
OTHER=nobody
id "$OTHER" >/dev/null 2>&1 || fail "there is no user '$OTHER' to play the other user"

# "${AS_USER[@]}" CMD...: run CMD as the test user; "${AS_OTHER[@]}" as
# another one. Arrays, not functions, so that timeout (in expect_err) can
# run them.
AS_USER=(setpriv --reuid="$TUID" --regid="$TGID" --clear-groups --)
AS_OTHER=(setpriv --reuid="$(id -u "$OTHER")" --regid="$(id -g "$OTHER")" --clear-groups --)

FUSE_MODE=$(stat -c %a /dev/fuse)
UPID=
UMNT=$WORK/u/mnt
_user_cleanup() {
	local i
	if is_mounted "$UMNT"; then
		fusermount3 -u "$UMNT" 2>/dev/null || umount -l "$UMNT" 2>/dev/null
	fi
	if [ -n "$UPID" ]; then
		for ((i = 0; i < 30; i++)); do
			_alive "$UPID" || break
			sleep 0.1
		done
		_alive "$UPID" && kill -TERM "$UPID" 2>/dev/null
		wait "$UPID" 2>/dev/null
	fi
	chmod "$FUSE_MODE" /dev/fuse
	return 0
}
# (set +e first: `(exit $rc)` hands _cleanup the status without ending the trap.)
trap 'rc=$?; set +e; _user_cleanup; (exit $rc); _cleanup' EXIT
chmod 0666 /dev/fuse
note "/dev/fuse set to 0666 for this test (was $FUSE_MODE)"

start_fake --group 200:25
chmod 0711 "$WORK"	# others may pass through to the mount points, not list
mkdir -p "$UMNT"
chown -R "$TUSER:$TUSER" "$WORK/u"
chmod 0755 "$WORK/u"
UKEY=$WORK/u/key
install -m 600 -o "$TUSER" -g "$TUSER" /dev/null "$UKEY"
printf '%s\n' "$DEFAULT_KEY" >"$UKEY"
: >"$WORK/user.log"

# --- a user mounts and unmounts ----------------------------------------------------
# setpriv execs tinesfs: $! is the daemon itself.
setpriv --reuid="$TUID" --regid="$TGID" --clear-groups -- \
	"$TINESFS" -f -o "key_file=$UKEY,groups=200" "$FAKE_URL" "$UMNT" \
	2>>"$WORK/user.log" </dev/null &
UPID=$!
for ((i = 0; i < 100; i++)); do
	is_mounted "$UMNT" && break
	_alive "$UPID" || { cat "$WORK/user.log" >&2; fail "tinesfs as $TUSER exited before mounting"; }
	sleep 0.1
done
is_mounted "$UMNT" || { cat "$WORK/user.log" >&2; fail "tinesfs as $TUSER did not mount in 10 s"; }
assert_eq "$TUID" "$(awk '/^Uid:/ { print $3 }' "/proc/$UPID/status")" \
	"the daemon runs as $TUSER (effective uid $TUID), not root"
line=$(mount_line "$UMNT")
case " $line " in *"user_id=$TUID,"*) ok "the kernel records the mount as $TUSER's: $line" ;;
*) fail "the mount is not $TUSER's: $line" ;; esac
assert_eq 25 "$("${AS_USER[@]}" ls "$UMNT/groups/200/runs" | wc -l)" "$TUSER lists the 25 runs"
F=$("${AS_USER[@]}" ls "$UMNT/groups/200/runs" | head -n1)
"${AS_USER[@]}" jq -e .guid "$UMNT/groups/200/runs/$F" >/dev/null || fail "$TUSER cannot read $F"
assert_eq "$TUID $TGID 444" "$("${AS_USER[@]}" stat -c '%u %g %a' "$UMNT/groups/200/runs/$F")" \
	"files are $TUSER's, mode 0444"
"${AS_USER[@]}" jq -e .pid "$UMNT/.tinesfs-status" >/dev/null || fail "$TUSER cannot read the status file"
ok "$TUSER reads the status file"
expect_err "Permission denied" ls "$UMNT/groups"
ok "root cannot use $TUSER's mount (no allow_other, no allow_root)"
expect_err "Permission denied" "${AS_OTHER[@]}" ls "$UMNT/groups"
"${AS_USER[@]}" fusermount3 -u "$UMNT" || fail "fusermount3 -u as $TUSER failed"
rc=0
for ((i = 0; i < 100; i++)); do
	_alive "$UPID" || break
	sleep 0.1
done
_alive "$UPID" && fail "tinesfs as $TUSER still runs 10 s after fusermount3 -u"
wait "$UPID" || rc=$?
UPID=
assert_eq 0 "$rc" "$TUSER unmounted with fusermount3 -u; tinesfs exited 0"
is_mounted "$UMNT" && fail "$UMNT still mounted"
for pat in AddressSanitizer "runtime error:" LeakSanitizer Segmentation "$DEFAULT_KEY"; do
	grep -qF -- "$pat" "$WORK/user.log" && { cat "$WORK/user.log" >&2; fail "the user daemon's log holds '$pat'"; }
done
ok "the user daemon's log is clean"

# Without user_allow_other a user may not ask for allow_other.
if grep -qE '^[[:space:]]*user_allow_other' /etc/fuse.conf 2>/dev/null; then
	note "/etc/fuse.conf has user_allow_other: a user's allow_other is allowed here"
else
	rc=0
	timeout -s KILL 15 setpriv --reuid="$TUID" --regid="$TGID" --clear-groups -- \
		"$TINESFS" -f -o "key_file=$UKEY,allow_other" "$FAKE_URL" "$UMNT" \
		>"$WORK/ao.out" 2>&1 </dev/null || rc=$?
	is_mounted "$UMNT" && { fusermount3 -u "$UMNT"; fail "$TUSER mounted with allow_other"; }
	[ "$rc" -ne 0 ] && [ "$rc" -ne 137 ] || fail "allow_other as $TUSER: exit $rc; want a refusal"
	grep -q "user_allow_other" "$WORK/ao.out" || fail "allow_other as $TUSER was refused without naming user_allow_other: $(cat "$WORK/ao.out")"
	ok "$TUSER cannot use allow_other without user_allow_other: $(grep -m1 user_allow_other "$WORK/ao.out")"
fi

# --- root's mount for others: allow_other, uid=, gid=, umask= --------------------------
mount_tfs -o "groups=200,allow_other,uid=$TUSER,gid=$TUSER,umask=027"
RUNS=$MNT/groups/200/runs
F=$(ls "$RUNS" | head -n1)
assert_eq "$TUSER $TUSER 550" "$(stat -c '%U %G %a' "$MNT/groups")" "directories: $TUSER:$TUSER, 0550"
assert_eq "$TUSER $TUSER 440" "$(stat -c '%U %G %a' "$RUNS/$F")" "files: $TUSER:$TUSER, 0440"
assert_eq "$TUSER $TUSER 440" "$(stat -c '%U %G %a' "$MNT/.tinesfs-status")" "the status file too"
assert_eq 25 "$("${AS_USER[@]}" ls "$RUNS" | wc -l)" "$TUSER (the owner given by uid=) lists the runs"
"${AS_USER[@]}" jq -e .guid "$RUNS/$F" >/dev/null || fail "$TUSER cannot read $F"
ok "$TUSER reads a run"
expect_err "Permission denied" "${AS_OTHER[@]}" ls "$MNT/groups"
expect_err "Permission denied" "${AS_OTHER[@]}" cat "$RUNS/$F"
ok "$OTHER is refused: umask=027 leaves others no bits, and the kernel checks them"
unmount_tfs

mount_tfs -o "groups=200,allow_other"
RUNS=$MNT/groups/200/runs
assert_eq "0 0 444" "$(stat -c '%u %g %a' "$RUNS/$F")" "allow_other alone: root's files, 0444"
"${AS_OTHER[@]}" jq -e .guid "$RUNS/$F" >/dev/null || fail "$OTHER cannot read a run under allow_other"
ok "with allow_other every user reads the runs (with the mount owner's key)"
unmount_tfs

mount_tfs -o "groups=200"
RUNS=$MNT/groups/200/runs
expect_err "Permission denied" "${AS_OTHER[@]}" ls "$RUNS"
ok "without allow_other another user is refused even though the modes allow reading"
unmount_tfs
check_daemon_log
chmod "$FUSE_MODE" /dev/fuse
assert_eq "$FUSE_MODE" "$(stat -c %a /dev/fuse)" "/dev/fuse is back to mode $FUSE_MODE"
