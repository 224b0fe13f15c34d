#!/usr/bin/env bash
# t_fault_down.sh -- the tenant goes down (every connection reset) after a
# listing was seen: past the TTL the listing is still served (stale, never
# an empty directory) and its files read; a run never seen is EIO, not
# ENOENT; a group never seen is EIO at once; the daemon logs the outage
# once. When the tenant is back, the background probe finds it within
# ~35 s: the listing is fresh again (a run added meanwhile shows up) and
# the daemon logs the recovery.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

start_fake --group 200:300 --group 201:0
mount_tfs -o groups=200:201,per_page=50,ttl=1
RUNS=$MNT/groups/200/runs
UNKNOWN=00000000-0000-4000-8000-000000000000

list_ok 200 "$WORK/ls1.out"
assert_whole 200 "$WORK/ls1.out"
SEEN=$(sed -n 7p "$WORK/ls1.out")
jq --arg g "${SEEN%.json}" '.[] | select(.guid == $g)' "$WORK/api.200.json" >"$WORK/seen.want"
cmp -s "$WORK/seen.want" "$RUNS/$SEEN" || fail "$SEEN does not read as its API object before the outage"
ok "$SEEN reads as its API object before the outage"

# --- down ---------------------------------------------------------------------
reset_log
ctl POST faults '{"down": true}' >/dev/null
note "the tenant is down (every API connection is reset)"
sleep 1.5	# past the 1 s TTL

# The refresh fails (after its retries): the listing seen before is served.
list_ok 200 "$WORK/ls2.out"
lt "$ELAPSED" 20 || fail "the stale listing took $ELAPSED s; want it after the retries, well under 20 s"
[ "$(faults_served down)" -ge 1 ] || fail "tinesfs did not ask the tenant again after the TTL: the test would prove nothing"
ok "tinesfs asked the down tenant $(faults_served down) time(s)"
sort "$WORK/ls1.out" >"$WORK/ls1.sorted"
sort "$WORK/ls2.out" >"$WORK/ls2.sorted"
assert_lines 300 "$WORK/ls2.sorted" "the stale listing"
assert_files_eq "$WORK/ls1.sorted" "$WORK/ls2.sorted" "past the TTL, ls lists the same 300 runs (stale, not empty)"

timed cat "$RUNS/$SEEN"
[ "$RC" -eq 0 ] || fail "cat of a seen file failed while the tenant is down (exit $RC): $(cat "$WORK/err")"
assert_files_eq "$WORK/seen.want" "$WORK/out" "cat $SEEN still reads its content ($ELAPSED s)"
lt "$ELAPSED" 2 || fail "cat of a seen file took $ELAPSED s while down; want it at once"

expect_fail "Input/output error" 2 stat "$RUNS/$UNKNOWN.json"
expect_fail "Input/output error" 2 cat "$RUNS/$UNKNOWN.json"
# A group never seen while the tenant is known to be down: EIO at once.
# (201 is named, so its page 1 was seen when / and /groups were stat'd.)
expect_fail "Input/output error" 2 ls "$MNT/groups/778/runs"
expect_fail "Input/output error" 2 ls "$MNT/groups/777/runs"

# Later operations answer from the cache at once: no retries x timeout.
sleep 1.2
list_ok 200 "$WORK/ls3.out"
sort "$WORK/ls3.out" >"$WORK/ls3.sorted"
assert_files_eq "$WORK/ls1.sorted" "$WORK/ls3.sorted" "a later ls still lists the same 300 runs"
lt "$ELAPSED" 2 || fail "a later ls while down took $ELAPSED s; want it at once"
ok "a later ls while down answered in $ELAPSED s"
assert_eq 1 "$(log_count 'unreachable')" "the daemon log says once that the tenant is unreachable"
ok "$(grep -m1 'unreachable' "$WORK/daemon.log")"

# --- back -----------------------------------------------------------------------
NEW=$(ctl POST groups/200/runs '{}' | jq -r .guid)
[ -n "$NEW" ] && [ "$NEW" != null ] || fail "the fake did not add a run"
ctl POST faults '{"down": null}' >/dev/null
T0=$(date +%s.%N)
note "the tenant is back, with a new run $NEW"
found=0
while lt "$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" 35; do
	timed ls -A "$RUNS"
	[ "$RC" -ne 137 ] || fail "ls hung (killed after 60 s) while the tenant came back"
	[ "$RC" -eq 0 ] || fail "ls failed (exit $RC) while the tenant came back: $(head -c 300 "$WORK/err")"
	if grep -qx "$NEW.json" "$WORK/out"; then
		found=1
		break
	fi
	sleep 1
done
BACK=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
[ "$found" = 1 ] || fail "35 s after the tenant came back, the new run $NEW is still not listed"
ok "$BACK s after the tenant came back, the listing is fresh: the new run shows"
cp "$WORK/out" "$WORK/ls4.out"
assert_whole 200 "$WORK/ls4.out"
assert_contents 200
[ "$(log_count 'answers again')" -ge 1 ] || fail "the daemon log does not say that the tenant recovered"
ok "the daemon log says it recovered: $(grep 'answers again' "$WORK/daemon.log" | paste -sd'|' -)"
assert_eq 1 "$(log_count 'unreachable')" "the outage was logged once in all"
# Fresh again: a run that does not exist is ENOENT once more.
expect_err "No such file or directory" stat "$RUNS/$UNKNOWN.json"
list_ok 201 "$WORK/ls201.out"
unmount_tfs
check_daemon_log
