#!/usr/bin/env bash
# t_fault_hostile.sh -- a bad item after every 5 real runs (not an object,
# no guid, guid null or a number, and guids that are no safe file name:
# "evil/guid-0001", "..", ".", "", a control character, 300 bytes): every
# valid run is listed exactly once with its exact content, no file exists
# for any bad item, the daemon logs the skipped items and does not crash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

start_fake --group 200:300 --group 201:0
mount_tfs -o groups=200:201,per_page=50
reset_log
ctl POST faults '{"hostile_runs": 1}' >/dev/null
RUNS=$MNT/groups/200/runs

# The fake's pages now hold 360 items (300 runs + 60 bad ones): 8 pages.
curl -sS -H "Authorization: Bearer $DEFAULT_KEY" "$FAKE_URL/api/v1/groups/200/runs?per_page=50&page=1" |
	jq -c '.group_runs[5]' | grep -qF '42' || fail "the fake's page 1 does not carry the bad item 42 at index 5"
ok "the fake serves bad items among the runs (item 6 of page 1: 42)"
reset_log

list_ok 200 "$WORK/ls.out"	# ls -A: names starting with a dot count too
assert_whole 200 "$WORK/ls.out"
assert_contents 200
PAGES=$(( (360 + 49) / 50 ))
REQS=$(runs_requests 200)
[ "$REQS" -le $((PAGES + 2)) ] || fail "$REQS runs requests for $PAGES pages; want at most $((PAGES + 2))"
ok "$REQS runs requests for the $PAGES pages of 360 items"

# No file for any bad guid: each is absent (the listing is complete and
# fresh, so ENOENT), or a name the kernel refuses outright.
for name in 12345.json evil evil/guid-0001.json .json ..json ...json \
	"$(printf 'bad\001guid').json" null.json 42.json; do
	expect_err "No such file or directory" stat "$RUNS/$name"
done
# FUSE passes names up to 1024 bytes, so the 300-byte one reaches tinesfs.
LONG=$(printf 'a%.0s' $(seq 300)).json
rc=0
err=$(timeout -s KILL 15 stat "$RUNS/$LONG" 2>&1 >/dev/null) || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 137 ] || fail "stat of the 300-byte guid's file: exit $rc"
case $err in
*"No such file or directory"* | *"File name too long"*) ok "stat of the 300-byte guid's file fails: ${err##*: }" ;;
*) fail "stat of the 300-byte guid's file failed otherwise: $err" ;;
esac
assert_eq "" "$(grep -E '^(\.|\.\.|evil|12345|null|42)' "$WORK/ls.out" | head -n 5)" \
	"no bad guid shows in the listing"

N=$(log_count 'skipped')
[ "$N" -ge 1 ] || fail "the daemon log does not mention the skipped items"
ok "the daemon log mentions skipped items ($N lines): $(grep -m1 'skipped' "$WORK/daemon.log")"
_alive "$DAEMON_PID" || fail "tinesfs died"
ok "tinesfs is still running"
unmount_tfs
check_daemon_log
