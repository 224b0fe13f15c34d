# fault_lib.sh -- helpers shared by the t_fault_*.sh tests (issue 4: faults
# and hostile answers). Source it after lib.sh:
#
#     . "$(dirname "$0")/lib.sh"
#     . "$(dirname "$0")/fault_lib.sh"
#
# Every command that goes through the mount runs under `timeout 60`, so a
# hang fails the test instead of blocking the suite. Times are measured
# with `date +%s.%N` and kept as decimal seconds.

# timed CMD...: run CMD with stdout to $WORK/out and stderr to $WORK/err,
# killed after 60 s. Sets RC (137: killed) and ELAPSED (seconds, "1.234").
timed() {
	local t0 t1
	t0=$(date +%s.%N)
	RC=0
	timeout -s KILL 60 "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?
	t1=$(date +%s.%N)
	ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# lt A B: decimal A < decimal B.
lt() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

# list_ok GROUP OUT: `ls -A` of the group's runs must succeed (within 60 s);
# the names go to OUT. Sets ELAPSED.
list_ok() {
	timed ls -A "$MNT/groups/$1/runs"
	[ "$RC" -ne 137 ] || fail "ls groups/$1/runs hung (killed after 60 s)"
	[ "$RC" -eq 0 ] || fail "ls groups/$1/runs failed (exit $RC): $(head -c 300 "$WORK/err")"
	cp "$WORK/out" "$2"
	ok "ls groups/$1/runs succeeded in $ELAPSED s ($(wc -l <"$2") names)"
}

# expect_fail TEXT BOUND CMD...: CMD fails within BOUND seconds (and within
# 60 s in any case) and its stderr contains TEXT. Sets ELAPSED.
expect_fail() {
	local want=$1 bound=$2 shown
	shift 2
	shown="$*"
	shown=${shown//"$MNT"/mnt}
	timed "$@"
	[ "$RC" -ne 137 ] || fail "'$shown' hung (killed after 60 s); expected '$want'"
	[ "$RC" -ne 0 ] || fail "'$shown' succeeded in $ELAPSED s; expected it to fail with '$want'"
	grep -qF -- "$want" "$WORK/err" ||
		fail "'$shown' failed (exit $RC) but stderr lacks '$want': $(head -c 300 "$WORK/err")"
	lt "$ELAPSED" "$bound" ||
		fail "'$shown' failed with '$want' but took $ELAPSED s; want under $bound s"
	ok "'$shown' fails with '$want' in $ELAPSED s (bound $bound s)"
}

# api_runs GROUP: the API's runs of GROUP (control API), saved as
# $WORK/api.GROUP.json; prints how many.
api_runs() {
	ctl GET "groups/$1/runs" >"$WORK/api.$1.json"
	jq length "$WORK/api.$1.json"
}

# assert_whole GROUP LSOUT: LSOUT (from list_ok) names every run the API
# holds for GROUP exactly once, as GUID.json, and nothing else.
assert_whole() {
	local g=$1 ls=$2 n
	n=$(api_runs "$g")
	[ "$n" -gt 0 ] || fail "the fake holds no runs in group $g: the test would prove nothing"
	assert_eq "" "$(grep -v '\.json$' "$ls" | head -n 5)" "group $g: every name ends in .json"
	assert_eq "" "$(sort "$ls" | uniq -d | head -n 5)" "group $g: no run is listed twice"
	sed 's/\.json$//' "$ls" | sort >"$WORK/listed.$g"
	jq -r '.[].guid' "$WORK/api.$g.json" | sort >"$WORK/apiguids.$g"
	assert_lines "$n" "$WORK/apiguids.$g" "the API's guids of group $g"
	assert_files_eq "$WORK/apiguids.$g" "$WORK/listed.$g" \
		"group $g: the listing is exactly the API's $n runs"
}

# assert_contents GROUP: every run file of GROUP is, byte for byte, `jq .`
# of its API object (all runs; needs $WORK/api.GROUP.json from assert_whole).
# `jq '.[]'` prints each object as `jq .` would, one after another, so the
# files concatenated in the API's order must equal it.
assert_contents() {
	local g=$1 n rc=0
	n=$(jq length "$WORK/api.$g.json")
	jq '.[]' "$WORK/api.$g.json" >"$WORK/want.$g"
	jq -r '.[].guid' "$WORK/api.$g.json" | sed "s|^|$MNT/groups/$g/runs/|; s|\$|.json|" |
		timeout -s KILL 60 xargs -d '\n' cat >"$WORK/got.$g" 2>"$WORK/cat.err" || rc=$?
	[ "$rc" -eq 0 ] || fail "reading the $n run files of group $g failed (exit $rc): $(head -c 300 "$WORK/cat.err")"
	assert_files_eq "$WORK/want.$g" "$WORK/got.$g" \
		"group $g: all $n files are byte for byte 'jq .' of the API's objects"
}

# faults_served KNOB: how many logged API requests (since the last reset)
# the fault KNOB hit.
faults_served() {
	fake_log | jq --arg k "$1" '[.[] | select(.fault == $k)] | length'
}

# runs_requests GROUP: how many runs-list requests for GROUP were logged.
runs_requests() {
	fake_log | jq --argjson g "$1" '[.[] | select(.group == $g and (.path | test("/runs$")))] | length'
}

# log_count PATTERN: lines of this mount's daemon log matching PATTERN (grep -E).
log_count() {
	grep -cE -- "$1" "$WORK/daemon.log" || true
}

# whole_under_fault KNOBS KNOB: with the fake's knobs set to KNOBS (JSON)
# just before the first access, a 300-run group at per_page 50 lists whole
# and exact and every file equals its API object. KNOB is the fault name
# the fake logs; it must have fired at least once. Leaves the mount up.
whole_under_fault() {
	local knobs=$1 knob=$2 served total
	start_fake --group 200:300 --group 201:0
	mount_tfs -o groups=200:201,per_page=50 ${MOUNT_OPTS:+-o "$MOUNT_OPTS"}
	reset_log
	ctl POST faults "$knobs" >/dev/null
	note "fault knobs: $(ctl GET faults | jq -c .)"
	list_ok 200 "$WORK/ls.out"
	LIST_ELAPSED=$ELAPSED
	served=$(faults_served "$knob")
	total=$(api_requests)
	[ "$served" -ge 1 ] || fail "the fault $knob never fired ($total requests): the test would prove nothing"
	ok "the fake served the fault $knob on $served of $total API requests"
	assert_whole 200 "$WORK/ls.out"
	assert_contents 200
	# Retries, not giving up: with at most every 2nd request failing, no
	# GET fails 6 times in a row, so the tenant is never declared down.
	assert_eq 0 "$(log_count 'unreachable')" "the tenant was never declared unreachable"
}
