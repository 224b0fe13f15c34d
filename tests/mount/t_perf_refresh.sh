#!/usr/bin/env bash
# t_perf_refresh.sh -- cheap refresh (issue #3): after the TTL, a listing of
# 5,000 runs with 5 new ones at the front costs at most 3 requests, and lists
# exactly the API's runs, the 5 new ones included.
. "$(dirname "$0")/lib.sh"

RUNS=$MNT/groups/200/runs
TTL=2

# wait_quiet: until the fake has nothing in flight and has logged no new
# request for 1 s; 10 s max.
wait_quiet() {
	local i last=-1 same=0 n f
	for ((i = 0; i < 40; i++)); do
		read -r n f < <(ctl GET stats | jq -r '"\(.requests) \(.in_flight)"')
		if [ "$f" = 0 ] && [ "$n" = "$last" ]; then
			same=$((same + 1))
			[ "$same" -lt 4 ] || return 0
		else
			same=0
		fi
		last=$n
		sleep 0.25
	done
	fail "the fake still had requests coming in after 10 s"
}

start_fake --group 200:5000 --group 201:0
mount_tfs -o groups=200:201,per_page=100,ttl=$TTL
reset_log
ls "$RUNS" >"$WORK/ls1" || fail "ls failed"
assert_eq 5000 "$(wc -l <"$WORK/ls1")" "the first listing has 5000 runs"
assert_eq "$(seq 1 50 | paste -sd' ' -)" "$(pages_line 200)" "it asked each of the 50 pages once"

for ((i = 0; i < 5; i++)); do
	ctl POST groups/200/runs '{}' | jq -r .guid >>"$WORK/new.guids"
done
assert_eq 5 "$(sort -u "$WORK/new.guids" | grep -c -v '^null$')" "the fake added 5 runs"

sleep $((TTL + 1))
wait_quiet
reset_log
ls "$RUNS" >"$WORK/ls2" || fail "ls after the TTL failed"
wait_quiet
note "requests for the refresh: $(fake_log | jq -c '[.[] | {path, page}]')"
N=$(api_requests)
[ "$N" -ge 1 ] || fail "the listing after the TTL asked nothing: the 5 new runs cannot be known"
[ "$N" -le 3 ] || fail "the refresh cost $N requests ($(pages_line 200)); want at most 3"
ok "the refresh cost $N request(s), at most 3"

assert_eq 5005 "$(wc -l <"$WORK/ls2")" "after the TTL, ls shows 5005 runs"
while read -r g; do
	grep -qxF "$g.json" "$WORK/ls2" || fail "new run $g is not listed after the TTL"
done <"$WORK/new.guids"
ok "the 5 new runs are listed"
sed 's/\.json$//' "$WORK/ls2" | sort >"$WORK/listed.guids"
ctl GET groups/200/runs | jq -r '.[].guid' | sort >"$WORK/api.guids"
assert_files_eq "$WORK/api.guids" "$WORK/listed.guids" "listed guids are exactly the API's guids"
G=$(head -n 1 "$WORK/new.guids")
ctl GET groups/200/runs | jq --arg g "$G" '.[] | select(.guid == $g)' >"$WORK/want.json"
assert_files_eq "$WORK/want.json" "$RUNS/$G.json" "a new run's file is 'jq .' of its API object"

unmount_tfs
check_daemon_log
