#!/usr/bin/env bash
# t_fault_truncate.sh -- every 2nd answer is cut short (full Content-Length,
# half the body, then the connection closes): the short read is retried and
# the listing comes out whole and exact, every file equal to its API object.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

whole_under_fault '{"truncate_every": 2}' truncate_every
[ "$(log_count 'runs')" -ge 1 ] || fail "the daemon log has no line for the cut answers"
ok "the daemon log names the cut answers: $(grep -m1 'runs' "$WORK/daemon.log")"
lt "$LIST_ELAPSED" 15 || fail "the listing took $LIST_ELAPSED s; want a few seconds"
unmount_tfs
check_daemon_log
