#!/usr/bin/env bash
# t_ops_ttl0.sh -- ttl=0: every access revalidates with the API. Two ls in
# a row each ask for page 1; a run added or changed at the tenant shows at
# the very next access; a run deleted there is gone at the next lookup.
. "$(dirname "$0")/lib.sh"

start_fake --group 200:30
mount_tfs -o groups=200,ttl=0
RUNS=$MNT/groups/200/runs

page1() { pages_asked 200 | grep -cx 1 || true; }

assert_eq 0 "$(jq .ttl_s "$MNT/.tinesfs-status")" "the status file shows ttl_s 0"
reset_log
assert_eq 30 "$(ls "$RUNS" | wc -l)" "first ls lists 30 runs"
n1=$(page1)
[ "$n1" -ge 1 ] || fail "the first ls did not ask for page 1"
assert_eq 30 "$(ls "$RUNS" | wc -l)" "second ls, at once, lists 30 runs"
n2=$(page1)
[ "$n2" -gt "$n1" ] || fail "the second ls did not ask for page 1 again (page-1 requests: $n1 then $n2)"
ok "each ls asks for page 1 (page-1 requests after two ls: $n1, $n2)"

F=$(ls "$RUNS" | head -n1)
reset_log
cat "$RUNS/$F" >/dev/null
cat "$RUNS/$F" >/dev/null
n=$(page1)
[ "$n" -ge 2 ] || fail "two reads of $F asked page 1 $n time(s); want at least 2"
ok "two reads of one file ask page 1 each time ($n requests)"

NEW=$(ctl POST groups/200/runs '{}' | jq -r .guid)
ls "$RUNS" | grep -qx "$NEW.json" || fail "a run added at the tenant is not listed at the next ls"
ok "a run added at the tenant shows at the next ls"
ctl PATCH "groups/200/runs/${F%.json}" '{"duration": 4242}' >/dev/null
assert_eq 4242 "$(jq .duration "$RUNS/$F")" "a changed run reads changed at the next open"
ctl DELETE "groups/200/runs/$NEW" >/dev/null
expect_err "No such file or directory" stat "$RUNS/$NEW.json"
ls "$RUNS" | grep -qx "$NEW.json" && fail "a deleted run is still listed"
ok "a run deleted at the tenant is gone at the next access"
unmount_tfs
check_daemon_log
