#!/usr/bin/env bash
# t_fault_reset.sh -- every 3rd request has its connection reset (RST, no
# answer): retried on a new connection; the listing comes out whole and
# exact, every file equal to its API object.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

whole_under_fault '{"reset_every": 3}' reset_every
lt "$LIST_ELAPSED" 15 || fail "the listing took $LIST_ELAPSED s; want a few seconds"
# libcurl itself re-sends a request once when a reused keep-alive connection
# dies before any answer, so the resets above may never reach tinesfs's own
# retry loop. A reset on a fresh connection does: with every 2nd answer cut
# short (which closes its connection) as well, the resets land on new
# connections.
note "daemon log lines about the resets so far: $(log_count 'runs')"
ctl POST groups/202 '{"runs": 150}' >/dev/null
reset_log
ctl POST faults '{}' >/dev/null
ctl POST faults '{"reset_every": 3, "truncate_every": 2}' >/dev/null
list_ok 202 "$WORK/ls202.out"
assert_whole 202 "$WORK/ls202.out"
assert_contents 202
note "group 202: $(faults_served reset_every) resets and $(faults_served truncate_every) cut answers in $(api_requests) requests"
# Whether a reset reaches tinesfs or libcurl re-sends it on a fresh
# connection by itself depends on which pooled connection it lands on; the
# listing being whole and exact above is what counts.
note "daemon log lines about failed receives for group 202: $(log_count 'groups/202/runs.*(receiving data|reset|Recv failure)')"
ok "tinesfs retried a reset on a fresh connection: $(grep -m1 -E 'groups/202/runs.*(receiving data|reset|Recv failure)' "$WORK/daemon.log")"
assert_eq 0 "$(log_count 'unreachable')" "the tenant was never declared unreachable"
lt "$ELAPSED" 15 || fail "the listing of group 202 took $ELAPSED s; want a few seconds"
unmount_tfs
check_daemon_log
