#!/usr/bin/env bash
# contrib/bench.sh -- the performance benchmark of issue #3, in one run.
#
# Starts the fake tenant (tests/fake/fake_tenant.py) with one group of
# 100,000 runs and 20 ms added to every API answer, mounts a release build of
# tinesfs on it, and prints each figure next to its goal with PASS or FAIL:
#
#   1. cold `ls` of the runs dir / one curl walking every page over one
#      kept-alive connection (per_page=500: 200 pages)        goal <= 0.30
#   2. runs pages asked by that cold ls / pages               goal equal (<= 2 more)
#   3. peak API requests in flight at the fake during it      cap 1 + readahead
#   4. daemon RSS per run after the listing and one full read
#      of every file (VmRSS now - VmRSS right after mount) / runs   goal <= 1,000 B
#   5. third `grep -r` pass over every file / the same on a tmpfs copy  goal <= 1.5
#   6. pages asked to read the first entry of a cold listing  goal <= 1 + readahead
#   7. requests to refresh after the TTL with 5 new runs      goal <= 3
#
# Usage: contrib/bench.sh            (builds build-bench/ as a release build if needed)
# Environment: BUILD (build dir, default build-bench), TINESFS (binary; skips
# the build), BENCH_RUNS (runs in the group, default 100000; for trying the
# script out only -- the goals are stated for 100,000), PYTHON.
# Exit status: 0 when every goal passes, 1 when one fails, 2 when the
# benchmark could not run. Needs /dev/fuse, fusermount3, curl, jq, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
PYTHON=${PYTHON:-python3}
FAKE=$ROOT/tests/fake/fake_tenant.py
N=${BENCH_RUNS:-100000}
GROUP=200
PER_PAGE=500
LATENCY_MS=20
READAHEAD=8
MAX_RATE=4000
REFRESH_TTL=8		# ttl of the refresh mount; the cold list must fit in it
NEW_RUNS=5
KEY=bench-key
PAGES=$(((N + PER_PAGE - 1) / PER_PAGE))
GREP_PAT='"draft_name": "hotfix"'

# --- output and bookkeeping ------------------------------------------------------

die() {
	echo "bench: FATAL: $*" >&2
	exit 2
}
note() { echo "# $*"; }

RESULTS=()
FAILS=0
# result NAME MEASURED GOAL PASS|FAIL
result() {
	RESULTS+=("$(printf '%-46s %-34s %-22s %s' "$1" "$2" "$3" "$4")")
	[ "$4" = PASS ] || FAILS=$((FAILS + 1))
	printf '>> %s: %s (goal %s) %s\n' "$1" "$2" "$3" "$4"
}

now() { echo "$EPOCHREALTIME"; }
# calc EXPR: floating point arithmetic (awk), e.g. calc "$a / $b"
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
# le A B: A <= B, as numbers
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# --- preconditions and the build -----------------------------------------------------

[ -c /dev/fuse ] || die "/dev/fuse is missing: cannot mount"
for t in fusermount3 curl jq "$PYTHON" timeout awk; do
	command -v "$t" >/dev/null || die "'$t' is not installed"
done
if [ -z "${TINESFS:-}" ]; then
	if [ ! -d "$BUILD" ]; then
		meson setup "$BUILD" "$ROOT" --buildtype=release >/dev/null || die "meson setup failed"
	fi
	ninja -C "$BUILD" >/dev/null || die "the build failed (ninja -C $BUILD)"
	TINESFS=$BUILD/src/tinesfs
fi
[ -x "$TINESFS" ] || die "no tinesfs binary at $TINESFS"
BUILDTYPE=unknown
INTRO=$(dirname "$(dirname "$TINESFS")")/meson-info/intro-buildoptions.json
[ -f "$INTRO" ] && BUILDTYPE=$(jq -r '.[] | select(.name == "buildtype") | .value' "$INTRO")

# --- work dir, processes, cleanup ------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tinesfs-bench.XXXXXX")
MNT=$WORK/mnt
TMPFS=$WORK/tmpfs
mkdir "$MNT" "$TMPFS"
TMPFS_MOUNTED=0
FAKE_PID=
DPID=

is_mounted() { awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/self/mounts; }
alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}
# stop PID: TERM, up to 3 s, then KILL; reaps it.
stop() {
	local i
	kill -TERM "$1" 2>/dev/null || true
	for ((i = 0; i < 30; i++)); do
		alive "$1" || break
		sleep 0.1
	done
	alive "$1" && kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM ERR
	set +e
	if is_mounted "$MNT"; then
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null
	fi
	[ -z "$DPID" ] || stop "$DPID"
	[ -z "$FAKE_PID" ] || stop "$FAKE_PID"
	if [ "$TMPFS_MOUNTED" = 1 ]; then
		umount "$TMPFS" 2>/dev/null || umount -l "$TMPFS"
	elif [[ $TMPFS == /dev/shm/tinesfs-bench.* ]]; then
		rm -rf "$TMPFS"		# the copy made when no tmpfs could be mounted
	fi
	if [ "$rc" -ge 2 ] && [ -s "$WORK/daemon.log" ]; then
		echo "--- last lines of the daemon's stderr ---" >&2
		tail -n 30 "$WORK/daemon.log" >&2
	fi
	if is_mounted "$MNT" || is_mounted "$TMPFS"; then
		echo "bench: warning: something is still mounted under $WORK; left it" >&2
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
set -E	# any other failing command is an error of the benchmark (status 2), not a failed goal
trap 'echo "bench: FATAL: a command failed (status $?) at line $LINENO" >&2; exit 2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the fake tenant -------------------------------------------------------------

"$PYTHON" "$FAKE" --port 0 --port-file "$WORK/fake.port" --key "$KEY" \
	--group "$GROUP:$N" --latency-ms "$LATENCY_MS" 2>"$WORK/fake.log" &
FAKE_PID=$!
for ((i = 0; i < 600; i++)); do	# 60 s: seeding 100,000 runs takes a few
	[ -s "$WORK/fake.port" ] && break
	alive "$FAKE_PID" || { cat "$WORK/fake.log" >&2; die "the fake tenant died while starting"; }
	sleep 0.1
done
[ -s "$WORK/fake.port" ] || die "the fake tenant wrote no port in 60 s"
FAKE_URL="http://127.0.0.1:$(tr -dc 0-9 <"$WORK/fake.port")"

# ctl METHOD PATH [JSON]: the fake's control API
ctl() {
	local args=(-sS --fail --max-time 30 -X "$1")
	[ $# -lt 3 ] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
	curl "${args[@]}" "$FAKE_URL/_control/$2" || die "control request $1 /_control/$2 failed"
}
reset_log() { ctl POST reset >/dev/null; }
# runs_pages: "<requests for runs pages of the group> <distinct pages>"
runs_pages() {
	ctl GET stats | jq -r --argjson g "$GROUP" '[.log[] | select(.group == $g and
		(.path | test("/runs$")))] | "\(length) \(map(.page) | unique | length)"'
}
api_requests() { ctl GET stats | jq '.requests'; }
# wait_quiet: until the fake has nothing in flight and logged nothing new
# for 1 s (readahead may still be running after the reader is done); 20 s max.
wait_quiet() {
	local i last=-1 same=0 n f
	for ((i = 0; i < 80; i++)); do
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
	note "warning: the fake was still busy after 20 s"
}

# --- tinesfs ---------------------------------------------------------------------

MOUNT_CMD=
# mount_tfs EXTRA_OPTS: mount with the common options plus EXTRA_OPTS
mount_tfs() {
	local opts="groups=$GROUP,per_page=$PER_PAGE,readahead=$READAHEAD,max_rate=$MAX_RATE${1:+,$1}" i
	[ -z "$DPID" ] || die "mount_tfs: already mounted"
	MOUNT_CMD="TINES_API_KEY=... $TINESFS -f -o $opts $FAKE_URL $MNT"
	echo "--- mount: -o $opts" >>"$WORK/daemon.log"
	env -u TINES_API_KEY TINES_API_KEY="$KEY" "$TINESFS" -f -o "$opts" "$FAKE_URL" "$MNT" \
		2>>"$WORK/daemon.log" &
	DPID=$!
	for ((i = 0; i < 100; i++)); do
		is_mounted "$MNT" && return 0
		alive "$DPID" || {
			wait "$DPID" || true
			DPID=
			die "tinesfs exited before mounting (-o $opts); see its stderr below"
		}
		sleep 0.1
	done
	die "tinesfs did not mount within 10 s"
}
unmount_tfs() {
	local i
	fusermount3 -u "$MNT" || fusermount3 -uz "$MNT" || die "cannot unmount $MNT"
	for ((i = 0; i < 100; i++)); do
		alive "$DPID" || break
		sleep 0.1
	done
	alive "$DPID" && die "tinesfs still running 10 s after unmount"
	wait "$DPID" || note "warning: tinesfs exited with status $? after unmount"
	DPID=
}
# cpu_s: the daemon's user and system CPU seconds so far ("U S")
cpu_s() {
	local s
	s=$(cat "/proc/$DPID/stat")
	s=${s##*) }
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f %.2f\n", $12 / hz, $13 / hz }' <<<"$s"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$DPID/status"; }

RUNS=$MNT/groups/$GROUP/runs

# --- the header --------------------------------------------------------------------

echo "tinesfs benchmark (issue #3)"
echo "command:  $0${*:+ $*}"
echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine:  $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
	"$(awk '/^MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "kernel:   $(uname -sr)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the start; other work on the machine skews the timings"
echo "tinesfs:  $TINESFS (buildtype $BUILDTYPE); $("$TINESFS" -V 2>&1 | grep -E '^lib(fuse|curl)' | paste -sd';' -)"
echo "fake:     $N runs in group $GROUP, --latency-ms $LATENCY_MS, at $FAKE_URL"
echo

# --- 1. baseline: one curl, every page in turn, one kept-alive connection -----------

note "baseline: curl walks $PAGES pages (per_page=$PER_PAGE) over one connection"
reset_log
T0=$(now)
timeout 300 curl -sS --fail -H "Authorization: Bearer $KEY" -o /dev/null \
	-w '%{num_connects} %{http_code}\n' \
	"$FAKE_URL/api/v1/groups/$GROUP/runs?per_page=$PER_PAGE&page=[1-$PAGES]" >"$WORK/curl.out" ||
	die "the curl walk failed"
T1=$(now)
CURL_S=$(calc "$T1 - $T0")
CURL_CONN=$(awk '{ s += $1 } END { print s }' "$WORK/curl.out")
CURL_OK=$(awk '$2 == 200' "$WORK/curl.out" | wc -l)
[ "$CURL_OK" -eq "$PAGES" ] || die "curl got $CURL_OK answers 200 of $PAGES"
note "curl: ${CURL_S} s for $PAGES pages, $CURL_CONN connection(s) opened"

# --- 2. cold ls ----------------------------------------------------------------------

mount_tfs ttl=3600
sleep 0.3
RSS0=$(rss_kb)
note "mounted: $MOUNT_CMD"
note "daemon RSS right after mount: $RSS0 kB"
reset_log
read -r CU0 CS0 < <(cpu_s)
T0=$(now)
timeout 300 ls "$RUNS" >"$WORK/ls.cold" || die "cold ls failed"
T1=$(now)
read -r CU1 CS1 < <(cpu_s)
LS_S=$(calc "$T1 - $T0")
LS_N=$(wc -l <"$WORK/ls.cold")
read -r ASKED DISTINCT < <(runs_pages)
PEAK=$(ctl GET stats | jq .peak_in_flight)
ALL_REQ=$(api_requests)
note "cold ls: ${LS_S} s, $LS_N entries; $ASKED runs-page requests ($DISTINCT distinct pages)," \
	"$ALL_REQ API requests in all; peak in flight $PEAK"
note "daemon CPU during the cold ls: $(calc "$CU1 - $CU0") s user, $(calc "$CS1 - $CS0") s system"
[ "$LS_N" -eq "$N" ] || result "cold ls lists every run" "$LS_N of $N" "$N" FAIL

RATIO=$(calc "$LS_S / $CURL_S")
if le "$RATIO" 0.30 && [ "$LS_N" -eq "$N" ]; then r=PASS; else r=FAIL; fi
result "cold ls / curl page walk" "$RATIO (${LS_S} s / ${CURL_S} s)" "<= 0.30" $r

if [ "$DISTINCT" -eq "$PAGES" ] && [ "$ASKED" -le $((PAGES + 2)) ]; then r=PASS; else r=FAIL; fi
result "pages asked by the cold ls / pages" "$ASKED ($DISTINCT distinct) / $PAGES" \
	"= $PAGES (<= $((PAGES + 2)))" $r

if [ "$PEAK" -le $((1 + READAHEAD)) ]; then r=PASS; else r=FAIL; fi
result "peak requests in flight (cold ls)" "$PEAK" "<= 1+readahead = $((1 + READAHEAD))" $r

# --- 3. one full read, RSS -----------------------------------------------------------------

if ! mount -t tmpfs -o size=2g,mode=0755 tinesfs-bench "$TMPFS" 2>/dev/null; then
	TMPFS_MOUNTED=0
	rmdir "$TMPFS"
	TMPFS=$(mktemp -d /dev/shm/tinesfs-bench.XXXXXX)
	note "could not mount a tmpfs; copying to $TMPFS instead"
fi
is_mounted "$TMPFS" && TMPFS_MOUNTED=1
note "full read: cp -a of every file to the tmpfs ($TMPFS)"
reset_log
T0=$(now)
timeout 600 cp -a "$RUNS" "$TMPFS/runs" || die "cp -a of the tree failed"
T1=$(now)
CP_S=$(calc "$T1 - $T0")
RSS1=$(rss_kb)
HWM=$(hwm_kb)
CP_REQ=$(api_requests)
CP_N=$(find "$TMPFS/runs" -type f | wc -l)
[ "$CP_N" -eq "$N" ] || die "the copy has $CP_N files, not $N"
note "cp -a: ${CP_S} s, $CP_N files, $CP_REQ API requests during it"
PER_RUN=$(((RSS1 - RSS0) * 1024 / N))
note "daemon RSS: $RSS0 kB after mount, $RSS1 kB after listing + full read (peak $HWM kB)"
if [ "$PER_RUN" -le 1000 ]; then r=PASS; else r=FAIL; fi
result "daemon RSS per run (listing + full read)" "$PER_RUN B ($(((RSS1 - RSS0) / 1024)) MiB / $N)" \
	"<= 1,000 B" $r

# --- 4. steady-state grep -r -----------------------------------------------------------------

note "grep -r '$GREP_PAT' over every file: 3 passes on tinesfs and on the tmpfs copy, interleaved"
reset_log
declare -a GF GT
for pass in 1 2 3; do
	T0=$(now)
	# into a pipe, not /dev/null: GNU grep stops at the first match when its output is /dev/null
	timeout 300 grep -r -- "$GREP_PAT" "$RUNS" | wc -l >"$WORK/grep.fuse.n" ||
		die "grep -r on tinesfs failed"
	T1=$(now)
	timeout 300 grep -r -- "$GREP_PAT" "$TMPFS/runs" | wc -l >"$WORK/grep.tmpfs.n" ||
		die "grep -r on the tmpfs failed"
	T2=$(now)
	GF[$pass]=$(calc "$T1 - $T0")
	GT[$pass]=$(calc "$T2 - $T1")
	note "pass $pass: tinesfs ${GF[$pass]} s ($(cat "$WORK/grep.fuse.n") lines)," \
		"tmpfs ${GT[$pass]} s ($(cat "$WORK/grep.tmpfs.n") lines)"
	cmp -s "$WORK/grep.fuse.n" "$WORK/grep.tmpfs.n" ||
		die "grep found $(cat "$WORK/grep.fuse.n") lines on tinesfs but $(cat "$WORK/grep.tmpfs.n") on the copy"
done
note "API requests during the grep passes: $(api_requests)"
GREP_RATIO=$(calc "${GF[3]} / ${GT[3]}")
if le "$GREP_RATIO" 1.5; then r=PASS; else r=FAIL; fi
result "grep -r, 3rd pass: tinesfs / tmpfs" "$GREP_RATIO (${GF[3]} s / ${GT[3]} s)" "<= 1.5" $r
unmount_tfs

# --- 5. the first entry of a cold listing ---------------------------------------------

mount_tfs ttl=3600
note "fresh mount; reading one entry of the runs dir (python: next(os.scandir(d)))"
reset_log
FIRST=$(timeout 60 "$PYTHON" -c 'import os, sys
with os.scandir(sys.argv[1]) as it:
    print(next(it).name)' "$RUNS") || die "reading the first entry failed"
wait_quiet
read -r ASKED DISTINCT < <(runs_pages)
note "first entry $FIRST; runs pages asked: $ASKED ($DISTINCT distinct); API requests $(api_requests)"
if [ "$ASKED" -le $((1 + READAHEAD)) ]; then r=PASS; else r=FAIL; fi
result "pages asked for the first entry (cold)" "$ASKED" "<= 1+readahead = $((1 + READAHEAD))" $r
unmount_tfs

# --- 6. refresh after the TTL with 5 new runs ----------------------------------------

mount_tfs ttl=$REFRESH_TTL
note "ttl=$REFRESH_TTL mount: list, add $NEW_RUNS runs at the fake, wait past the TTL, list again"
T0=$(now)
timeout 300 ls "$RUNS" >"$WORK/ls.r1" || die "ls (refresh, first) failed"
T1=$(now)
note "first list: $(wc -l <"$WORK/ls.r1") entries in $(calc "$T1 - $T0") s"
le "$(calc "$T1 - $T0")" "$REFRESH_TTL" ||
	note "warning: the first list took longer than the TTL; the refresh figure mixes in its tail"
: >"$WORK/new.guids"
for ((i = 0; i < NEW_RUNS; i++)); do
	ctl POST "groups/$GROUP/runs" '{}' | jq -r .guid >>"$WORK/new.guids"
done
wait_quiet
WAIT=$(calc "$T0 + $REFRESH_TTL + 1.5 - $(now)")
le "$WAIT" 0 || sleep "$WAIT"
reset_log
T2=$(now)
timeout 300 ls "$RUNS" >"$WORK/ls.r2" || die "ls (refresh, second) failed"
T3=$(now)
wait_quiet
REFRESH_REQ=$(api_requests)
read -r ASKED DISTINCT < <(runs_pages)
R2_N=$(wc -l <"$WORK/ls.r2")
MISSING=0
while read -r g; do
	grep -qxF "$g.json" "$WORK/ls.r2" || MISSING=$((MISSING + 1))
done <"$WORK/new.guids"
note "second list: $R2_N entries in $(calc "$T3 - $T2") s;" \
	"$REFRESH_REQ API requests (runs pages $(ctl GET stats | jq -c '[.log[] | .page]'));" \
	"$MISSING of the $NEW_RUNS new runs missing"
if [ "$REFRESH_REQ" -le 3 ] && [ "$MISSING" -eq 0 ] && [ "$R2_N" -eq $((N + NEW_RUNS)) ]; then
	r=PASS
else
	r=FAIL
fi
result "requests to refresh (+$NEW_RUNS runs, after TTL)" \
	"$REFRESH_REQ (listed $R2_N, $((NEW_RUNS - MISSING))/$NEW_RUNS new)" "<= 3" $r
unmount_tfs

# --- summary ---------------------------------------------------------------------------

echo
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
printf '%-46s %-34s %-22s %s\n' figure measured goal result
printf '%s\n' "${RESULTS[@]}"
echo
if [ "$FAILS" -eq 0 ]; then
	echo "all goals met"
	exit 0
fi
echo "$FAILS goal(s) failed"
exit 1
