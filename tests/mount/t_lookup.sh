#!/usr/bin/env bash
# t_lookup.sh -- looking a name up costs only the pages up to it; misses are
# ENOENT and remembered; names that cannot be groups cost no request.
. "$(dirname "$0")/lib.sh"

start_fake --group 200:400 --group 201:0
mount_tfs -o groups=200:201,per_page=50
reset_log

RUNS=$MNT/groups/200/runs
GUID=$(ctl GET groups/200/runs | jq -r '.[120].guid')
[ -n "$GUID" ] && [ "$GUID" != null ] || fail "no run at index 120"

# Index 120 with 50 a page is on page 3.
stat "$RUNS/$GUID.json" >/dev/null || fail "stat of run $GUID (page 3) failed"
ok "stat of the run at index 120 succeeds on a cold mount"
assert_eq "1 2 3" "$(pages_line 200)" "finding it asked pages 1, 2, 3 of group 200 and no more"
assert_eq 0 "$(fake_log | jq '[.[] | select(.path | test("/runs/"))] | length')" \
	"and no single-run request"

UNKNOWN=00000000-0000-4000-8000-000000000000
expect_err "No such file or directory" stat "$RUNS/$UNKNOWN.json"
reset_log
expect_err "No such file or directory" stat "$RUNS/$UNKNOWN.json"
assert_eq 0 "$(api_requests)" "a second stat of the unknown guid within the TTL asks nothing"

reset_log
expect_err "No such file or directory" stat "$MNT/groups/999"
assert_eq "group 999 -> 404" "$(fake_log | jq -r '[.[] | select(.group == 999)][0] | "group \(.group) -> \(.status)"')" \
	"the unknown group was asked of the tenant (and was a 404)"

reset_log
expect_err "No such file or directory" stat "$MNT/groups/abc"
expect_err "No such file or directory" stat "$MNT/groups/abc/runs"
assert_eq 0 "$(api_requests)" "/groups/abc is ENOENT without any request"

OUT=$(ls -A "$MNT/groups/201/runs") || fail "ls of the empty group 201 exited non-zero"
assert_eq "" "$OUT" "the empty group 201 lists nothing and ls exits 0"

assert_eq "200 201" "$(ls "$MNT/groups" | sort -n | paste -sd' ' -)" "/groups lists exactly the named groups 200 and 201"
assert_eq "groups" "$(ls -A "$MNT")" "the root holds only groups/"

unmount_tfs
check_daemon_log
