#!/usr/bin/env bash
# t_perf_singleflight.sh -- one request per page (issue #3): two readers
# listing the same cold runs dir at the same moment wait for one request per
# page, and no page is asked again while it is fresh.
. "$(dirname "$0")/lib.sh"

RUNS=$MNT/groups/200/runs

# 5,000 runs, 100 a page: 50 pages, each answer 200 ms late, so that the two
# readers overlap on every page they wait for.
start_fake --group 200:5000 --group 201:0 --latency-ms 200
mount_tfs -o groups=200:201,per_page=100
reset_log

# Both readers spin on the same file, then list at once.
GO=$WORK/go
for r in a b; do
	(
		for ((i = 0; i < 500; i++)); do
			[ -e "$GO" ] && break
			sleep 0.01
		done
		exec timeout -s KILL 25 ls "$RUNS" >"$WORK/ls.$r"
	) &
	eval "PID_$r=\$!"
done
sleep 0.2
touch "$GO"
RC_A=0 RC_B=0
wait "$PID_a" || RC_A=$?
wait "$PID_b" || RC_B=$?
[ "$RC_A" -eq 0 ] || fail "reader a: ls failed (status $RC_A)"
[ "$RC_B" -eq 0 ] || fail "reader b: ls failed (status $RC_B)"
assert_eq 5000 "$(wc -l <"$WORK/ls.a")" "reader a lists 5000 runs"
assert_files_eq "$WORK/ls.a" "$WORK/ls.b" "reader b lists the same runs"

note "pages asked, in order: $(pages_asked 200 | paste -sd' ' -)"
assert_eq "$(seq 1 50 | paste -sd' ' -)" "$(pages_line 200)" "two readers: every page asked exactly once"
assert_eq 50 "$(pages_asked 200 | wc -l)" "50 requests for the group in all"

# Fresh pages are not asked again (the default TTL is 60 s).
reset_log
ls "$RUNS" >"$WORK/ls.c" || fail "third ls failed"
assert_files_eq "$WORK/ls.a" "$WORK/ls.c" "a third reader lists the same runs"
ls "$RUNS/$(head -n 1 "$WORK/ls.a")" >/dev/null || fail "lookup of a listed run failed"
assert_eq 0 "$(api_requests)" "a third listing and a lookup within the TTL ask nothing"

unmount_tfs
check_daemon_log
