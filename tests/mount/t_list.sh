#!/usr/bin/env bash
# t_list.sh -- a 1,234-run group lists completely, once each, in 3 pages.
. "$(dirname "$0")/lib.sh"

start_fake --group 200:1234 --group 201:0
mount_tfs -o groups=200:201,per_page=500
reset_log

RUNS=$MNT/groups/200/runs
ls "$RUNS" >"$WORK/ls.out" || fail "ls $RUNS failed"
assert_eq 1234 "$(wc -l <"$WORK/ls.out")" "ls groups/200/runs | wc -l is 1234"
assert_eq "" "$(sort "$WORK/ls.out" | uniq -d | head -n 5)" "no name is listed twice"
assert_eq "" "$(grep -v '\.json$' "$WORK/ls.out" | head -n 5)" "every name ends in .json"

sed 's/\.json$//' "$WORK/ls.out" | sort >"$WORK/listed.guids"
ctl GET groups/200/runs | jq -r '.[].guid' | sort >"$WORK/api.guids"
assert_eq 1234 "$(wc -l <"$WORK/api.guids")" "the fake holds 1234 runs"
assert_files_eq "$WORK/api.guids" "$WORK/listed.guids" "listed guids are exactly the API's guids"

assert_eq "1 2 3" "$(pages_line 200)" "pages asked for group 200: 1, 2, 3, each once"
assert_eq "500" "$(fake_log | jq -r '[.[] | select(.group == 200) | .per_page] | unique | join(",")')" \
	"every page asked with per_page=500"

unmount_tfs
check_daemon_log
