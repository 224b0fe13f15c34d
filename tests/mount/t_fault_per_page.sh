#!/usr/bin/env bash
# t_fault_per_page.sh -- the server ignores per_page=50 and sends pages of
# 7 (and says so in meta.per_page): the walk follows the server's page size,
# so the listing comes out whole and exact, each run once, in about
# ceil(300/7) = 43 requests -- no page skipped, none asked over and over.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

start_fake --group 200:300 --group 201:0
mount_tfs -o groups=200:201,per_page=50
reset_log
ctl POST faults '{"ignore_per_page": 7}' >/dev/null
list_ok 200 "$WORK/ls.out"
assert_whole 200 "$WORK/ls.out"
assert_contents 200
assert_eq 7 "$(fake_log | jq -r '[.[] | select(.group == 200) | .per_page] | unique | join(",")')" \
	"every page was served with 7 runs per page"
PAGES=$(( (300 + 6) / 7 ))
REQS=$(runs_requests 200)
note "pages asked: $(pages_line 200)"
[ "$REQS" -ge "$PAGES" ] || fail "only $REQS runs requests for $PAGES pages of 7"
[ "$REQS" -le $((PAGES + 2)) ] || fail "$REQS runs requests for $PAGES pages of 7; want at most $((PAGES + 2))"
ok "$REQS runs requests for $PAGES pages of 7"
assert_eq "$(seq -s' ' 1 $PAGES)" "$(pages_asked 200 | sort -nu | paste -sd' ' -)" \
	"pages 1..$PAGES (of 7 runs) were all asked"
unmount_tfs
check_daemon_log
