#!/usr/bin/env bash
# Run tinesfs under valgrind: mount, list, read, unmount, and fail on any
# memory error or definite leak.
#
# Usage: contrib/valgrind.sh
#
# Builds a plain debug build (no sanitizers) in build-valgrind/, starts the
# fake tenant (tests/fake/fake_tenant.py) on a free port, and mounts it in
# the foreground under
#   valgrind --leak-check=full --error-exitcode=99 --errors-for-leak-kinds=definite
# Then it lists and reads every run of a 300-run group (and checks them
# against the API), lists an empty group, looks up a missing run, reads
# /.tinesfs-status, lists a group while the fake answers 503, cut and HTML
# answers (the retry paths), makes the tenant go down and come back (the
# background probe thread), and unmounts. Exits 0 only if tinesfs exited 0
# and valgrind reported no error and no definite leak ("possibly lost" and
# "still reachable" blocks, e.g. libcurl's and OpenSSL's globals, are
# shown but do not fail). valgrind's report is kept in
# build-valgrind/valgrind.log, the daemon's stderr in
# build-valgrind/daemon.log. Needs /dev/fuse and fusermount3 (and root, or
# a user allowed to mount).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build-valgrind

contrib/deps.sh

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	echo "valgrind.sh: FAIL: /dev/fuse or fusermount3 is missing; cannot mount" >&2
	exit 1
fi

if [ -f "$BUILD/build.ninja" ]; then
	meson configure "$BUILD" --buildtype=debug -Db_sanitize=none -Dtests=false >/dev/null
else
	meson setup "$BUILD" --buildtype=debug -Db_sanitize=none -Dtests=false >/dev/null
fi
ninja -C "$BUILD" >/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tinesfs-valgrind.XXXXXX")
MNT=$WORK/mnt
mkdir "$MNT"
VG_LOG=$BUILD/valgrind.log
D_LOG=$BUILD/daemon.log
FAKE_PID=
VG_PID=

mounted() {
	grep -qF " $MNT fuse" /proc/self/mounts
}

cleanup() {
	local rc=$?
	set +e
	if mounted; then
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
	fi
	if [ -n "$VG_PID" ]; then
		for _ in $(seq 100); do kill -0 "$VG_PID" 2>/dev/null || break; sleep 0.2; done
		kill -0 "$VG_PID" 2>/dev/null && kill -TERM "$VG_PID"
		wait "$VG_PID" 2>/dev/null
	fi
	if [ -n "$FAKE_PID" ]; then
		kill -TERM "$FAKE_PID" 2>/dev/null
		wait "$FAKE_PID" 2>/dev/null
	fi
	mounted || rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT

die() {
	echo "valgrind.sh: FAIL: $*" >&2
	exit 1
}

# --- the fake tenant -------------------------------------------------------------
python3 tests/fake/fake_tenant.py --port 0 --port-file "$WORK/port" \
	--group 200:300 --group 201:0 --group 202:60 2>"$WORK/fake.log" &
FAKE_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || die "the fake tenant did not start: $(cat "$WORK/fake.log")"
URL=http://127.0.0.1:$(tr -dc 0-9 <"$WORK/port")
ctl() { # METHOD PATH [JSON]: the fake's control API
	local args=(-sS --fail-with-body --max-time 30 -X "$1")
	[ $# -lt 3 ] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
	curl "${args[@]}" "$URL/_control/$2"
}

# --- mount under valgrind --------------------------------------------------------
echo "valgrind.sh: mounting $URL on $MNT under valgrind"
env TINES_API_KEY=test-key valgrind --leak-check=full --error-exitcode=99 --num-callers=40 \
	--errors-for-leak-kinds=definite --log-file="$VG_LOG" \
	"$BUILD/src/tinesfs" -f -o groups=200:201:202,per_page=50,ttl=2 "$URL" "$MNT" \
	2>"$D_LOG" &
VG_PID=$!
for _ in $(seq 300); do
	mounted && break
	kill -0 "$VG_PID" 2>/dev/null || die "tinesfs exited before mounting: $(cat "$D_LOG")"
	sleep 0.2
done
mounted || die "tinesfs did not mount within 60 s under valgrind"

# --- list and read everything ----------------------------------------------------
T() { timeout -s KILL 120 "$@"; }
RUNS=$MNT/groups/200/runs
T ls "$RUNS" >"$WORK/ls" || die "ls $RUNS failed"
[ "$(wc -l <"$WORK/ls")" -eq 300 ] || die "ls listed $(wc -l <"$WORK/ls") runs, want 300"
ctl GET groups/200/runs >"$WORK/api.json"
jq -r '.[].guid' "$WORK/api.json" | sed "s|^|$RUNS/|; s|\$|.json|" |
	T xargs -d '\n' cat >"$WORK/got" || die "reading the run files failed"
jq '.[]' "$WORK/api.json" >"$WORK/want"
cmp -s "$WORK/want" "$WORK/got" || die "the files read differ from the API's objects"
T ls -l "$RUNS" >/dev/null || die "ls -l failed"
echo "valgrind.sh: listed and read all 300 runs; they equal the API's objects"
T ls "$MNT/groups/201/runs" >/dev/null || die "ls of the empty group failed"
T stat "$RUNS/00000000-0000-4000-8000-000000000000.json" >/dev/null 2>&1 &&
	die "a missing run exists"
T cat "$MNT/.tinesfs-status" >/dev/null || die "cat /.tinesfs-status failed"

# --- the retry paths: 503, cut and HTML answers ------------------------------------
ctl POST faults '{"status_every": 3, "truncate_every": 4, "garbage_every": 5}' >/dev/null
T ls "$MNT/groups/202/runs" >"$WORK/ls202" || die "ls of group 202 under faults failed"
[ "$(wc -l <"$WORK/ls202")" -eq 60 ] || die "group 202 listed $(wc -l <"$WORK/ls202") runs, want 60"
T cat "$MNT/groups/202/runs/"*.json >/dev/null || die "reading group 202 failed"
ctl POST faults '{}' >/dev/null
echo "valgrind.sh: listed and read group 202 through 503, cut and HTML answers"

# --- down and back: stale listing, the probe thread --------------------------------
ctl POST faults '{"down": true}' >/dev/null
sleep 2.5
T ls "$RUNS" >"$WORK/ls2" || die "the stale listing failed while the tenant was down"
cmp -s "$WORK/ls" "$WORK/ls2" || die "the stale listing differs"
T stat "$MNT/groups/777/runs" >/dev/null 2>&1 && die "a never-seen group exists while down"
ctl POST faults '{}' >/dev/null
for _ in $(seq 60); do
	grep -q 'answers again' "$D_LOG" && break
	sleep 1
done
grep -q 'answers again' "$D_LOG" || die "tinesfs did not notice within 60 s that the tenant was back"
echo "valgrind.sh: served the stale listing while down; the probe found the tenant again"

# --- unmount, and valgrind's verdict --------------------------------------------------
fusermount3 -u "$MNT" || die "fusermount3 -u failed"
rc=0
for _ in $(seq 300); do kill -0 "$VG_PID" 2>/dev/null || break; sleep 0.2; done
kill -0 "$VG_PID" 2>/dev/null && die "tinesfs still runs 60 s after the unmount"
wait "$VG_PID" || rc=$?
VG_PID=
echo "--- valgrind summary (full report: $VG_LOG)"
grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|All heap blocks' \
	"$VG_LOG" | sed 's/^==[0-9]*== *//'
case $rc in
0) ;;
99) die "valgrind reported errors or definite leaks (exit 99); see $VG_LOG" ;;
*) die "tinesfs exited with status $rc under valgrind; see $VG_LOG and $D_LOG" ;;
esac
grep -q 'ERROR SUMMARY: 0 errors' "$VG_LOG" || die "valgrind's error summary is not zero; see $VG_LOG"
echo "valgrind.sh: PASS: no errors, no definite leaks"
