#!/usr/bin/env bash
# t_fault_garbage.sh -- every 2nd answer is a 200 with an HTML body (a
# proxy's error page): it is not a runs page, so it is asked again; the
# listing comes out whole and exact, every file equal to its API object,
# and nothing of the HTML shows up as a run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

whole_under_fault '{"garbage_every": 2}' garbage_every
[ "$(log_count 'not a runs page')" -ge 1 ] || fail "the daemon log has no line for the HTML answers"
ok "the daemon log names them: $(grep -m1 'not a runs page' "$WORK/daemon.log")"
lt "$LIST_ELAPSED" 15 || fail "the listing took $LIST_ELAPSED s; want a few seconds"
unmount_tfs
check_daemon_log
