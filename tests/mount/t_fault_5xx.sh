#!/usr/bin/env bash
# t_fault_5xx.sh -- the tenant answers 503 to every 3rd request: the GETs
# are retried (backoff, full jitter) and the listing comes out whole and
# exact, every file equal to its API object; each 503 is logged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

whole_under_fault '{"status_every": {"n": 3, "status": 503}}' status_every
assert_eq "$(faults_served status_every)" \
	"$(fake_log | jq '[.[] | select(.status == 503)] | length')" "every injected fault was a 503"
[ "$(log_count 'HTTP 503')" -ge 1 ] || fail "the daemon log has no line for the 503 answers"
ok "the daemon log names the 503s: $(grep -m1 'HTTP 503' "$WORK/daemon.log")"
# Backoff is 200 ms doubling, with full jitter: a 6-page walk with two or
# three 503s is done in a few seconds.
lt "$LIST_ELAPSED" 15 || fail "the listing took $LIST_ELAPSED s; want a few seconds"
unmount_tfs
check_daemon_log
