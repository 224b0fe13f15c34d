#!/usr/bin/env bash
# t_ttl.sh -- listings and contents are trusted for ttl seconds, then asked
# again: a new run appears and a finished run shows its end_time.
. "$(dirname "$0")/lib.sh"

TTL=2
start_fake --group 200:50 --group 201:0
mount_tfs -o groups=200:201,ttl=$TTL

RUNS=$MNT/groups/200/runs
ls "$RUNS" >"$WORK/ls1" || fail "ls failed"
T0=$(now_ms)
assert_eq 50 "$(wc -l <"$WORK/ls1")" "first listing has 50 runs"

NEW=$(ctl POST groups/200/runs '{}' | jq -r .guid)
[ -n "$NEW" ] && [ "$NEW" != null ] || fail "the fake did not add a run"
ls "$RUNS" >"$WORK/ls2" || fail "ls failed"
T1=$(now_ms)
if [ $((T1 - T0)) -lt $((TTL * 1000 - 300)) ]; then
	if grep -qx "$NEW.json" "$WORK/ls2"; then
		fail "new run $NEW listed $((T1 - T0)) ms after the first listing; want it hidden for the ${TTL}s TTL"
	fi
	assert_eq 50 "$(wc -l <"$WORK/ls2")" "immediately after adding a run, ls still shows the cached 50 (within the TTL)"
else
	note "the second ls came $((T1 - T0)) ms after the first, too late to check the cache"
fi

sleep $((TTL + 1))
T2=$(now_ms)	# the listing below starts a new TTL window
ls "$RUNS" >"$WORK/ls3" || fail "ls failed"
grep -qx "$NEW.json" "$WORK/ls3" || fail "new run $NEW not listed $((TTL + 1)) s later"
assert_eq 51 "$(wc -l <"$WORK/ls3")" "after the TTL, ls shows the new run (51 runs)"
assert_eq "$NEW" "$(jq -r .guid "$RUNS/$NEW.json")" "the new run's file reads"

# --- an in-progress run finishes ---------------------------------------------
RUN=$(ctl GET groups/200/runs | jq -r '[.[] | select(.end_time == null)][0].guid')
[ -n "$RUN" ] && [ "$RUN" != null ] || fail "no in-progress run at the fake"
F=$RUNS/$RUN.json
assert_eq null "$(jq -r .end_time "$F")" "run $RUN is in progress (end_time null)"
START=$(jq -r .start_time "$F")
OLD_SIZE=$(stat -c %s "$F")
OLD_MTIME=$(stat -c %Y "$F")
START_EPOCH=$(date -u -d "$START" +%s)
assert_eq "$START_EPOCH" "$OLD_MTIME" "while in progress its mtime is start_time ($START)"

END_EPOCH=$((START_EPOCH + 125))
END=$(date -u -d "@$END_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
ctl PATCH "groups/200/runs/$RUN" "{\"end_time\": \"$END\", \"duration\": 125}" >/dev/null
OLD_BYTES=$(cat "$F")
T3=$(now_ms)
if [ $((T3 - T2)) -lt $((TTL * 1000 - 300)) ]; then
	assert_eq null "$(jq -r .end_time <<<"$OLD_BYTES")" "right after the patch the file still shows the cached version"
fi

sleep $((TTL + 1))
assert_eq "$END" "$(jq -r .end_time "$F")" "after the TTL the file shows the new end_time"
assert_eq 125 "$(jq -r .duration "$F")" "and the new duration"
assert_eq "$END_EPOCH" "$(stat -c %Y "$F")" "its mtime is now end_time ($END)"
ctl GET groups/200/runs | jq --arg g "$RUN" '.[] | select(.guid == $g)' >"$WORK/want.json"
cmp "$WORK/want.json" "$F" || fail "the file is not 'jq .' of the patched API object"
ok "its bytes are 'jq .' of the patched object"
NEW_SIZE=$(stat -c %s "$F")
assert_eq "$(wc -c <"$WORK/want.json")" "$NEW_SIZE" "its size is the new length"
assert_eq "$(wc -c <"$F")" "$NEW_SIZE" "st_size equals wc -c"
[ "$NEW_SIZE" -ne "$OLD_SIZE" ] || fail "size did not change ($OLD_SIZE) though end_time and duration did"
ok "its size changed ($OLD_SIZE -> $NEW_SIZE)"

unmount_tfs
check_daemon_log
