#!/usr/bin/env bash
# t_fault_lie.sh -- meta lies: pages 1,000,000,000 and a count far too big,
# then far too small, then zero. The walk trusts what the pages hold: each
# listing comes out whole and exact, and it never runs away (pages asked
# <= the real pages + 2, plus the pages readahead may ask past an end that
# meta hides: at most -o readahead, 8 by default).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

# Groups of 300 (6 full pages of 50: the last page is full, so only meta or
# an empty page 7 can end the walk), 123 (3 pages, the last short) and 100
# (2 full pages), each listed for the first time after its knobs are set.
start_fake --group 200:300 --group 202:123 --group 203:100
# No named groups: a stat of / or /groups would read their page 1 before
# the knobs are set.
READAHEAD=8
mount_tfs -o per_page=50

# lie_check GROUP RUNS KNOBS: with KNOBS set, GROUP lists whole and exact
# in at most ceil(RUNS/50) + 2 + READAHEAD requests.
lie_check() {
	local g=$1 n=$2 knobs=$3 pages reqs
	pages=$(( (n + 49) / 50 ))
	ctl POST faults '{}' >/dev/null
	ctl POST faults "$knobs" >/dev/null
	reset_log
	note "group $g ($n runs, $pages real pages), knobs $(ctl GET faults | jq -c .)"
	list_ok "$g" "$WORK/ls.$g"
	assert_whole "$g" "$WORK/ls.$g"
	assert_contents "$g"
	reqs=$(runs_requests "$g")
	note "pages asked: $(pages_line "$g")"
	[ "$reqs" -le $((pages + 2 + READAHEAD)) ] ||
		fail "group $g: $reqs runs requests for $pages real pages; want at most $((pages + 2 + READAHEAD)) (no runaway)"
	ok "group $g: $reqs runs requests for $pages real pages (no runaway)"
	lt "$ELAPSED" 10 || fail "group $g: the listing took $ELAPSED s; want a few seconds"
}

lie_check 200 300 '{"lie_pages": 1000000000, "lie_count": 1000000000}'
lie_check 202 123 '{"lie_pages": 1000000000, "lie_count": 3}'
lie_check 203 100 '{"lie_pages": 1000000000, "lie_count": 0}'
unmount_tfs
check_daemon_log
