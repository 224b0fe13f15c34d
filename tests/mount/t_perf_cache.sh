#!/usr/bin/env bash
# t_perf_cache.sh -- kernel caching stays correct (issue #3). Contents may stay
# in the page cache between opens and a finished run may be trusted longer
# than the TTL, but what is read must always be the API's object: reading a
# file again and again gives its bytes; a run that finishes shows its new
# bytes (a new size) once the TTL has passed; a finished run on page 1 whose
# object changed in place (same length, so only the bytes tell) reads as the
# new object once a listing after the TTL has seen it.
. "$(dirname "$0")/lib.sh"

RUNS=$MNT/groups/200/runs
TTL=2

# want GUID: 'jq .' of the run's object at the fake, into $WORK/want.GUID.json
want() {
	ctl GET groups/200/runs | jq --arg g "$1" '.[] | select(.guid == $g)' >"$WORK/want.$1.json"
	[ -s "$WORK/want.$1.json" ] || fail "run $1 is not at the fake"
}
# check GUID MSG: the file reads as the API's object, twice, and st_size agrees
check() {
	want "$1"
	assert_files_eq "$WORK/want.$1.json" "$RUNS/$1.json" "$2"
	cmp -s "$WORK/want.$1.json" "$RUNS/$1.json" || fail "$2: a second read differs"
	assert_eq "$(wc -c <"$WORK/want.$1.json")" "$(stat -c %s "$RUNS/$1.json")" "$2: st_size is the length"
}

start_fake --group 200:5000 --group 201:0
mount_tfs -o groups=200:201,per_page=100,ttl=$TTL
ls "$RUNS" >"$WORK/ls1" || fail "ls failed"
assert_eq 5000 "$(wc -l <"$WORK/ls1")" "5000 runs listed"

ctl GET groups/200/runs >"$WORK/api.json"
PROG=$(jq -r '[.[] | select(.end_time == null)][0].guid' "$WORK/api.json")
DONE=$(jq -r '.[10] | select(.end_time != null) | .guid' "$WORK/api.json")
DEEP=$(jq -r '.[4990] | select(.end_time != null) | .guid' "$WORK/api.json")
for g in "$PROG" "$DONE" "$DEEP"; do
	[ -n "$g" ] && [ "$g" != null ] || fail "the fake's runs are not as expected"
done

# Repeated opens of the same files read the same, right bytes.
for i in 1 2 3; do
	check "$DONE" "finished run on page 1, read $i"
	check "$DEEP" "finished run on page 50, read $i"
done
check "$PROG" "run in progress"
assert_eq null "$(jq -r .end_time "$RUNS/$PROG.json")" "it has no end_time yet"

# The run in progress finishes; the finished run on page 1 changes in place
# with a value of the same length.
START=$(jq -r .start_time "$RUNS/$PROG.json")
END_EPOCH=$(($(date -u -d "$START" +%s) + 77))
END=$(date -u -d "@$END_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
ctl PATCH "groups/200/runs/$PROG" "{\"end_time\": \"$END\", \"duration\": 77}" >/dev/null
MODE=$(jq -r .story_mode "$RUNS/$DONE.json")
case $MODE in
LIVE) NEW_MODE=TEST ;;
TEST) NEW_MODE=LIVE ;;
*) fail "story_mode of $DONE is '$MODE'" ;;
esac
ctl PATCH "groups/200/runs/$DONE" "{\"story_mode\": \"$NEW_MODE\"}" >/dev/null

sleep $((TTL + 1))
check "$PROG" "after the TTL, the finished run reads as its new object"
assert_eq "$END" "$(jq -r .end_time "$RUNS/$PROG.json")" "its end_time is $END"
assert_eq "$END_EPOCH" "$(stat -c %Y "$RUNS/$PROG.json")" "its mtime is its end_time"
for i in 1 2 3; do
	check "$PROG" "the now finished run, read again ($i)"
done

ls "$RUNS" >"$WORK/ls2" || fail "ls after the TTL failed"
assert_eq 5000 "$(wc -l <"$WORK/ls2")" "still 5000 runs listed"
check "$DONE" "after a listing past the TTL, the run changed in place reads as its new object"
assert_eq "$NEW_MODE" "$(jq -r .story_mode "$RUNS/$DONE.json")" "its story_mode is $NEW_MODE"
check "$DEEP" "the unchanged run on page 50 still reads the same"

unmount_tfs
check_daemon_log
