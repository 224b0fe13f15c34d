#!/usr/bin/env bash
# t_fault_429.sh -- every 2nd request is answered 429 with Retry-After: 1:
# the listing comes out whole and exact, and the waits were honoured: the
# listing took at least 1 s per 429 (per pause window, when requests
# overlap), and not much more.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

whole_under_fault '{"status_every": {"n": 2, "status": 429}, "retry_after": 1}' status_every
N429=$(fake_log | jq '[.[] | select(.status == 429)] | length')
assert_eq "$(faults_served status_every)" "$N429" "every injected fault was a 429"
PEAK=$(ctl GET stats | jq .peak_in_flight)
[ "$PEAK" -ge 1 ] || PEAK=1
# A 429 pauses every thread for Retry-After, so no request is sent in the
# second after a 429 arrives: the 429s that arrive in that second were all
# in flight already, at most PEAK of them. Hence at least ceil(N429/PEAK)
# disjoint one-second pauses.
WINDOWS=$(( (N429 + PEAK - 1) / PEAK ))
note "$N429 answers were 429 (Retry-After: 1), at most $PEAK request(s) in flight at once; the listing took $LIST_ELAPSED s"
lt "$LIST_ELAPSED" "$WINDOWS" &&
	fail "the listing took $LIST_ELAPSED s for $N429 429s with Retry-After: 1 ($PEAK in flight at most); want at least $WINDOWS s: Retry-After was not honoured"
ok "the listing took $LIST_ELAPSED s >= $WINDOWS s: Retry-After was honoured"
# ... and about that: 1 s per 429 plus the requests themselves, not the
# 60 s cap or a backoff on top of it.
MAXT=$((N429 * 3 / 2 + 5))
lt "$LIST_ELAPSED" "$MAXT" || fail "the listing took $LIST_ELAPSED s for $N429 429s of 1 s each; want under $MAXT s"
ok "and under $MAXT s"
[ "$(log_count 'HTTP 429')" -ge 1 ] || fail "the daemon log has no line for the 429 answers"
ok "the daemon log names the 429s: $(grep -m1 'HTTP 429' "$WORK/daemon.log")"

# --- a 429 slows every thread, not only the one that was told ---------------
# Every request gets 429 with Retry-After: 3 until the first one arrives;
# then the knob is cleared and another group, never asked before, is
# listed: its first request must wait out the same pause.
ctl POST groups/202 '{"runs": 60}' >/dev/null
ctl POST groups/203 '{"runs": 60}' >/dev/null
ctl POST faults '{}' >/dev/null
reset_log
ctl POST faults '{"status_every": {"n": 1, "status": 429}, "retry_after": 3}' >/dev/null
timeout -s KILL 60 ls -A "$MNT/groups/202/runs" >"$WORK/ls202.out" 2>"$WORK/ls202.err" &
LS202=$!
for ((i = 0; i < 200; i++)); do
	[ "$(fake_log | jq '[.[] | select(.status == 429)] | length')" -ge 1 ] && break
	sleep 0.05
done
ctl POST faults '{"status_every": null}' >/dev/null
[ "$i" -lt 200 ] || fail "no 429 was served to the listing of group 202 within 10 s"
note "a 429 with Retry-After: 3 went to the listing of group 202; the knob is cleared"
list_ok 203 "$WORK/ls203.out"
lt "$ELAPSED" 2 && fail "group 203 listed in $ELAPSED s, while another thread was told to wait 3 s: the 429 did not slow every thread"
ok "the listing of group 203 waited out the other thread's 429 ($ELAPSED s >= 2 s)"
rc=0
wait "$LS202" || rc=$?
[ "$rc" -eq 0 ] || fail "ls groups/202/runs failed (exit $rc): $(head -c 300 "$WORK/ls202.err")"
assert_whole 202 "$WORK/ls202.out"
assert_whole 203 "$WORK/ls203.out"
assert_eq 1 "$(fake_log | jq '[.[] | select(.status == 429)] | length')" "exactly one 429 was served in this part"

unmount_tfs
check_daemon_log
