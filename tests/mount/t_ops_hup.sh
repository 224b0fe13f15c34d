#!/usr/bin/env bash
# t_ops_hup.sh -- SIGHUP: a rotated key without a remount (a wrong key file
# gives Permission denied; the right key written into it and a SIGHUP make
# ls work), every cache dropped (the next listing asks the API again, a
# miss the kernel remembered is asked again), a key file that has become
# too open is refused and the key in use kept, and the mount stays up
# throughout. With the key in the environment SIGHUP still drops caches.
. "$(dirname "$0")/lib.sh"

start_fake --group 200:60 --group 201:0
RUNS=$MNT/groups/200/runs
ST=$MNT/.tinesfs-status

# hup N: send SIGHUP and wait until the daemon has logged reload N. (Not
# by reading the status file: that is an access, and after a SIGHUP every
# access asks the API again.)
hup() {
	local i
	kill -HUP "$DAEMON_PID" || fail "kill -HUP $DAEMON_PID failed"
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c 'SIGHUP: dropped every cache' "$WORK/daemon.log")" -ge "$1" ] && break
		_alive "$DAEMON_PID" || fail "tinesfs died on SIGHUP"
		sleep 0.05
	done
	[ "$(grep -c 'SIGHUP: dropped every cache' "$WORK/daemon.log")" -ge "$1" ] ||
		fail "SIGHUP #$1 was not handled within 5 s"
	ok "SIGHUP #$1 handled"
	_alive "$DAEMON_PID" || fail "tinesfs exited after SIGHUP"
	is_mounted "$MNT" || fail "$MNT is no longer mounted after SIGHUP"
}

# --- a rotated key ---------------------------------------------------------------
KF=$WORK/key
install -m 600 /dev/null "$KF"
printf 'not-the-key\n' >"$KF"
NO_KEY_ENV=1 mount_tfs -o groups=200:201,key_file="$KF"
expect_err "Permission denied" ls "$RUNS"
assert_eq "Permission denied" "$(jq -r '.groups[] | select(.id == 200) | .last_error' "$ST")" \
	"the status file shows group 200's last error"
# Rotate: same file, same mode, the right key in it.
printf '%s\n' "$DEFAULT_KEY" >"$KF"
assert_eq 600 "$(stat -c %a "$KF")" "the key file is still 0600"
hup 1
assert_eq 1 "$(jq .reload.count "$ST")" "the status file counts the reload"
assert_eq true "$(jq .reload.key_reread "$ST")" "the reload re-read key_file"
assert_eq null "$(jq .reload.error "$ST")" "and reports no error"
reset_log
assert_eq 60 "$(ls "$RUNS" | wc -l)" "after SIGHUP with the right key in the file, ls lists the 60 runs"
assert_eq true "$(fake_log | jq '[.[] | select(.group == 200)] | all(.auth_ok)')" "the fake saw the new key"
grep -q "SIGHUP" "$WORK/daemon.log" || fail "the daemon logged nothing about the SIGHUP"
ok "the daemon logged the reload: $(grep -m1 SIGHUP "$WORK/daemon.log")"

# --- every cache dropped -------------------------------------------------------------
reset_log
ls "$RUNS" >/dev/null
cat "$RUNS"/*.json >/dev/null
assert_eq "" "$(pages_line 200)" "within the TTL a second listing and every read ask nothing"
hup 2
sleep 0.3
assert_eq 0 "$(api_requests)" "SIGHUP itself asks nothing (the mount stays lazy)"
ls "$RUNS" >/dev/null
assert_eq "1" "$(pages_line 200)" "after SIGHUP the next listing asks the API for page 1 again (once)"
assert_eq 60 "$(jq '.groups[] | select(.id == 200) | .runs_known' "$ST")" "and the group is known again"

# A miss the kernel remembers for the TTL (60 s) is forgotten too.
NEWG=hup-run-$RANDOM$RANDOM
expect_err "No such file or directory" stat "$RUNS/$NEWG.json"
ctl POST groups/200/runs "{\"guid\": \"$NEWG\"}" >/dev/null
expect_err "No such file or directory" stat "$RUNS/$NEWG.json"
ok "within the TTL the new run $NEWG is still a remembered miss"
hup 3
stat "$RUNS/$NEWG.json" >/dev/null || fail "after SIGHUP the new run is still not found"
assert_eq "$NEWG" "$(jq -r .guid "$RUNS/$NEWG.json")" "after SIGHUP the new run is found and reads"

# --- a key file gone bad keeps the key in use ---------------------------------------
chmod 0644 "$KF"
hup 4
assert_eq false "$(jq .reload.key_reread "$ST")" "a 0644 key file is not read"
jq -r .reload.error "$ST" | grep -q "0644" || fail "the status does not say why: $(jq .reload.error "$ST")"
ok "the status says why: $(jq -r .reload.error "$ST")"
grep -q "key_file.*0644" "$WORK/daemon.log" || fail "the daemon did not log the refused key file"
ok "the daemon logged it: $(grep -m1 'key_file.*0644' "$WORK/daemon.log")"
assert_eq 61 "$(ls "$RUNS" | wc -l)" "the key in use still works (61 runs)"
chmod 0600 "$KF"
rm -f "$KF"
hup 5
jq -r .reload.error "$ST" | grep -qi "no such file" || fail "a missing key file is not reported: $(jq .reload.error "$ST")"
assert_eq 61 "$(ls "$RUNS" | wc -l)" "with the key file gone, the key in use still works"

# Several SIGHUPs at once are all safe; the mount stays up.
for _ in 1 2 3 4 5; do kill -HUP "$DAEMON_PID"; done
sleep 0.5
_alive "$DAEMON_PID" || fail "a burst of SIGHUPs killed tinesfs"
assert_eq 61 "$(ls "$RUNS" | wc -l)" "after a burst of SIGHUPs the mount still lists the runs"
unmount_tfs
check_daemon_log

# --- the key from the environment --------------------------------------------------
mount_tfs -o groups=200
assert_eq 61 "$(ls "$RUNS" | wc -l)" "mounted with TINES_API_KEY: 61 runs"
reset_log
hup 1
assert_eq false "$(jq .reload.key_reread "$ST")" "no key_file: nothing re-read"
assert_eq null "$(jq .reload.error "$ST")" "and no error"
ls "$RUNS" >/dev/null
assert_eq "1" "$(pages_line 200)" "SIGHUP still drops the caches: page 1 asked again"
unmount_tfs
check_daemon_log
