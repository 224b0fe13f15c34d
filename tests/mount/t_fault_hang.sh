#!/usr/bin/env bash
# t_fault_hang.sh -- one request gets no answer at all (the fake holds it
# for an hour): with -o timeout=2 that attempt is abandoned after 2 s and
# retried, and the listing still comes out whole and exact, within the
# timeout per hung request plus the backoff.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

# 300 runs at per_page 50 are 6 pages: with every 5th request hung, the
# walk meets one hang (page 5), and its retry is the 6th request.
MOUNT_OPTS=timeout=2 whole_under_fault '{"hang_every": 5}' hang_every
HANGS=$(faults_served hang_every)
note "$HANGS request(s) hung; the listing took $LIST_ELAPSED s"
# Each hang costs the 2 s timeout plus a backoff (200 ms cap on the first
# retry, 400 ms on a second); the rest is a few quick pages.
BOUND=$(awk -v n="$HANGS" 'BEGIN { print n * 2.5 + 3 }')
lt "$LIST_ELAPSED" "$BOUND" ||
	fail "the listing took $LIST_ELAPSED s with $HANGS hung request(s) and timeout=2; want under $BOUND s"
ok "the listing took $LIST_ELAPSED s, under $BOUND s for $HANGS hang(s) at timeout=2"
lt "$LIST_ELAPSED" 1.9 && note "the listing was faster than the 2 s timeout: the hung request was not waited for"
[ "$(log_count 'runs.*(imeout|timed out)')" -ge 1 ] || fail "the daemon log has no timeout line"
ok "the daemon log names the timeout: $(grep -m1 -E 'runs.*(imeout|timed out)' "$WORK/daemon.log")"
# The mount stays responsive: the same listing again is served from the
# cache at once.
list_ok 200 "$WORK/ls2.out"
assert_files_eq "$WORK/ls.out" "$WORK/ls2.out" "a second ls lists the same runs"
lt "$ELAPSED" 1 || fail "the second ls took $ELAPSED s; want it from the cache"
unmount_tfs
check_daemon_log
