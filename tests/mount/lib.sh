# lib.sh -- shared helpers for the mounted tinesfs tests. Source it first:
#
#     . "$(dirname "$0")/lib.sh"
#
# It turns on `set -euo pipefail`, makes a per-test work directory ($WORK,
# with the mount point $MNT), and installs a trap that always unmounts, stops
# the daemon and the fake tenant, removes $WORK, and prints the daemon's
# stderr when the test fails. Missing FUSE pieces are a failure, not a skip:
# these tests exist to mount for real.
#
# Environment: TINESFS (the binary), FAKE_TENANT (fake_tenant.py), PYTHON.
# Per mount: KEY (the key passed in TINES_API_KEY, default test-key),
# NO_KEY_ENV=1 (pass no TINES_API_KEY at all), TENANT_URL (default $FAKE_URL).
# HTTPS fake: FAKE_SCHEME=https (start_fake then also needs --tls-cert and
# --tls-key) and FAKE_CAFILE, the CA that ctl's curl verifies it with.

set -euo pipefail

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TINESFS=${TINESFS:-/work/main/build/src/tinesfs}
FAKE_TENANT=${FAKE_TENANT:-$LIB_DIR/../fake/fake_tenant.py}
PYTHON=${PYTHON:-python3}
TEST_NAME=$(basename "$0" .sh)
DEFAULT_KEY=test-key

FAKE_PID=
FAKE_URL=
DAEMON_PID=
DAEMON_KEY=
DAEMON_LOG_SHOWN=0
WORK=
MNT=

# --- output -------------------------------------------------------------------

fail() {
	echo "FAIL [$TEST_NAME]: $*" >&2
	exit 1
}

ok() {
	echo "ok - $*"
}

note() {
	echo "# $*"
}

# assert_eq WANT GOT MSG
assert_eq() {
	if [ "$1" != "$2" ]; then
		{
			echo "FAIL [$TEST_NAME]: $3"
			echo "  want: $(printf '%s' "$1" | head -c 2000)"
			echo "  got:  $(printf '%s' "$2" | head -c 2000)"
		} >&2
		exit 1
	fi
	ok "$3"
}

# assert_files_eq WANT_FILE GOT_FILE MSG: equal, else show a short diff.
assert_files_eq() {
	if ! cmp -s "$1" "$2"; then
		{
			echo "FAIL [$TEST_NAME]: $3"
			diff -u "$1" "$2" | head -n 40
		} >&2
		exit 1
	fi
	ok "$3"
}

# assert_lines N FILE MSG: FILE has exactly N lines (guards comparisons of
# two files against both being empty).
assert_lines() {
	local n
	n=$(wc -l <"$2")
	[ "$n" -eq "$1" ] || fail "$3: $2 has $n lines, want $1"
}

# expect_err TEXT CMD...: CMD must fail (not time out) and its stderr must
# contain TEXT. Each command gets 15 s so that a hang fails instead of
# blocking the suite.
expect_err() {
	local want=$1 rc=0 err shown
	shift
	shown="$*"
	shown=${shown//"$MNT"/mnt}
	err=$(timeout -s KILL 15 "$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" -eq 0 ]; then
		fail "'$shown' succeeded; expected it to fail with '$want'"
	fi
	if [ "$rc" -eq 137 ]; then
		fail "'$shown' hung (killed after 15 s); expected '$want'"
	fi
	case $err in
	*"$want"*) ok "'$shown' fails: $want" ;;
	*) fail "'$shown' failed (exit $rc) but stderr lacks '$want': $err" ;;
	esac
}

now_ms() {
	local s ns
	read -r s ns < <(date '+%s %N')
	echo $((s * 1000 + 10#$ns / 1000000))
}

# --- preconditions ------------------------------------------------------------

_require() {
	[ -c /dev/fuse ] || fail "/dev/fuse is missing or not a character device: cannot mount (this is a failure, not a skip)"
	command -v fusermount3 >/dev/null || fail "fusermount3 is not installed (package fuse3): cannot mount"
	[ -x "$TINESFS" ] || fail "tinesfs binary not found or not executable: TINESFS=$TINESFS (build it with meson/ninja)"
	[ -f "$FAKE_TENANT" ] || fail "fake tenant not found: FAKE_TENANT=$FAKE_TENANT"
	local t
	for t in "$PYTHON" jq curl timeout stat; do
		command -v "$t" >/dev/null || fail "required tool '$t' is not installed"
	done
}
_require

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tinesfs-$TEST_NAME.XXXXXX")
MNT=$WORK/mnt
mkdir "$MNT"
: >"$WORK/daemon.log"

# --- process helpers ----------------------------------------------------------

# True while pid is a live (not zombie) process.
_alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}

# is_mounted DIR: DIR is a mount point according to /proc/self/mounts
# (octal escapes decoded).
is_mounted() {
	MP=$1 "$PYTHON" -c '
import os, sys
want = os.environ["MP"]
def dec(s):
    return s.encode().decode("unicode_escape").encode("latin-1").decode()
with open("/proc/self/mounts") as f:
    sys.exit(0 if any(dec(l.split()[1]) == want for l in f) else 1)'
}

# mount_line DIR: the /proc/self/mounts line for DIR (the last one).
mount_line() {
	MP=$1 "$PYTHON" -c '
import os, sys
want, found = os.environ["MP"], None
def dec(s):
    return s.encode().decode("unicode_escape").encode("latin-1").decode()
with open("/proc/self/mounts") as f:
    for l in f:
        if dec(l.split()[1]) == want:
            found = l.rstrip("\n")
if found is None:
    sys.exit(1)
print(found)'
}

# --- the fake tenant ----------------------------------------------------------

# start_fake [fake_tenant.py args...]
start_fake() {
	local pf=$WORK/fake.port i
	rm -f "$pf"
	"$PYTHON" "$FAKE_TENANT" --port 0 --port-file "$pf" "$@" 2>"$WORK/fake.log" &
	FAKE_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$pf" ] && break
		_alive "$FAKE_PID" || { cat "$WORK/fake.log" >&2; fail "fake tenant died while starting"; }
		sleep 0.1
	done
	[ -s "$pf" ] || { cat "$WORK/fake.log" >&2; fail "fake tenant wrote no port in 10 s"; }
	FAKE_URL="${FAKE_SCHEME:-http}://127.0.0.1:$(tr -dc 0-9 <"$pf")"
	note "fake tenant at $FAKE_URL (pid $FAKE_PID, args: ${*:-default})"
}

# ctl METHOD PATH [JSON]: the control API; prints the answer body, fails on
# an HTTP error. PATH is relative to /_control/ ("stats", "groups/200/runs").
ctl() {
	local method=$1 path=${2#/} body=${3-}
	path=${path#_control/}
	local args=(-sS --fail-with-body --max-time 30 -X "$method")
	[ -z "${FAKE_CAFILE:-}" ] || args+=(--cacert "$FAKE_CAFILE")
	if [ $# -ge 3 ]; then
		args+=(-H 'Content-Type: application/json' --data-binary "$body")
	fi
	curl "${args[@]}" "$FAKE_URL/_control/$path" ||
		fail "control request $method /_control/$path failed"
}

# fake_log: the fake's request log as a JSON array.
fake_log() {
	ctl GET stats | jq -c '.log'
}

# api_requests: how many API requests the fake has logged since the reset.
api_requests() {
	ctl GET stats | jq '.log | length'
}

# pages_asked GROUP: page numbers of the runs-list requests for GROUP, in
# request order, one per line.
pages_asked() {
	fake_log | jq -r --argjson g "$1" \
		'.[] | select(.group == $g and (.path | test("/runs$"))) | .page'
}

# pages_line GROUP: pages_asked as one sorted line, e.g. "1 2 3".
pages_line() {
	pages_asked "$1" | sort -n | paste -sd' ' -
}

reset_log() {
	ctl POST reset >/dev/null
}

# --- the daemon ---------------------------------------------------------------

# mount_tfs [tinesfs args...]: mount $TENANT_URL (default $FAKE_URL) on $MNT
# in the foreground, in the background; returns once the kernel has it.
mount_tfs() {
	local url=${TENANT_URL:-$FAKE_URL} i
	[ -n "$url" ] || fail "mount_tfs: no tenant URL (start_fake first)"
	[ -z "$DAEMON_PID" ] || fail "mount_tfs: a daemon is already running"
	# Keep the logs of earlier mounts for check_daemon_log and failure output.
	if [ -s "$WORK/daemon.log" ]; then
		cat "$WORK/daemon.log" >>"$WORK/daemon.prev.log"
		: >"$WORK/daemon.log"
	fi
	# `KEY=... mount_tfs` exports KEY to what the function runs: keep this
	# harness's variables (one of them the key) out of the daemon's environ.
	local clean=(env -u KEY -u NO_KEY_ENV -u TENANT_URL -u TINES_API_KEY)
	if [ "${NO_KEY_ENV:-0}" = 1 ]; then
		DAEMON_KEY=
		"${clean[@]}" "$TINESFS" -f "$@" "$url" "$MNT" 2>>"$WORK/daemon.log" &
	else
		DAEMON_KEY=${KEY-$DEFAULT_KEY}
		"${clean[@]}" TINES_API_KEY="$DAEMON_KEY" "$TINESFS" -f "$@" "$url" "$MNT" \
			2>>"$WORK/daemon.log" &
	fi
	DAEMON_PID=$!
	for ((i = 0; i < 100; i++)); do
		if is_mounted "$MNT"; then
			note "mounted $url on $MNT (pid $DAEMON_PID, args: ${*:-none})"
			return 0
		fi
		if ! _alive "$DAEMON_PID"; then
			local rc=0
			wait "$DAEMON_PID" || rc=$?
			DAEMON_PID=
			echo "--- daemon.log ---" >&2
			cat "$WORK/daemon.log" >&2
			DAEMON_LOG_SHOWN=1
			fail "tinesfs exited (status $rc) before mounting"
		fi
		sleep 0.1
	done
	fail "tinesfs did not mount $MNT within 10 s"
}

# unmount_tfs: unmount and require the daemon to exit 0 within 10 s.
unmount_tfs() {
	local i rc=0
	[ -n "$DAEMON_PID" ] || fail "unmount_tfs: no daemon running"
	if ! fusermount3 -u "$MNT" 2>"$WORK/fusermount.err"; then
		note "fusermount3 -u failed ($(cat "$WORK/fusermount.err")); lazy unmount"
		fusermount3 -uz "$MNT" || fail "fusermount3 -uz $MNT failed"
	fi
	for ((i = 0; i < 100; i++)); do
		_alive "$DAEMON_PID" || break
		sleep 0.1
	done
	if _alive "$DAEMON_PID"; then
		fail "tinesfs (pid $DAEMON_PID) still running 10 s after unmount"
	fi
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	is_mounted "$MNT" && fail "$MNT is still mounted after unmount"
	[ "$rc" -eq 0 ] || fail "tinesfs exited with status $rc after unmount"
	ok "unmounted; tinesfs exited 0"
}

# check_daemon_log: no sanitizer report, crash or key text in the daemon's
# stderr (this mount's and earlier ones').
check_daemon_log() {
	local logs=("$WORK/daemon.log") pat k
	[ -f "$WORK/daemon.prev.log" ] && logs+=("$WORK/daemon.prev.log")
	for pat in AddressSanitizer "runtime error:" LeakSanitizer Segmentation; do
		if grep -qF -- "$pat" "${logs[@]}"; then
			grep -hF -A3 -- "$pat" "${logs[@]}" | head -n 20 >&2
			fail "daemon log contains '$pat'"
		fi
	done
	for k in "$DEFAULT_KEY" ${KEY:+"$KEY"} ${DAEMON_KEY:+"$DAEMON_KEY"}; do
		if grep -qF -- "$k" "${logs[@]}"; then
			fail "daemon log contains the API key text '$k'"
		fi
	done
	ok "daemon log is clean (no sanitizer report, crash or key)"
}

# --- teardown -----------------------------------------------------------------

_cleanup() {
	local rc=$? i
	trap - EXIT INT TERM
	set +e
	if is_mounted "$MNT"; then
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null
	fi
	if [ -n "$DAEMON_PID" ]; then
		for ((i = 0; i < 30; i++)); do
			_alive "$DAEMON_PID" || break
			sleep 0.1
		done
		_alive "$DAEMON_PID" && kill -TERM "$DAEMON_PID" 2>/dev/null
		for ((i = 0; i < 30; i++)); do
			_alive "$DAEMON_PID" || break
			sleep 0.1
		done
		_alive "$DAEMON_PID" && kill -KILL "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	if [ -n "$FAKE_PID" ]; then
		kill -TERM "$FAKE_PID" 2>/dev/null
		for ((i = 0; i < 30; i++)); do
			_alive "$FAKE_PID" || break
			sleep 0.1
		done
		_alive "$FAKE_PID" && kill -KILL "$FAKE_PID" 2>/dev/null
		wait "$FAKE_PID" 2>/dev/null
	fi
	if [ "$rc" -ne 0 ] && [ "$DAEMON_LOG_SHOWN" = 0 ]; then
		if [ -s "$WORK/daemon.prev.log" ]; then
			echo "--- daemon.log of earlier mounts ---" >&2
			tail -n 50 "$WORK/daemon.prev.log" >&2
		fi
		echo "--- daemon.log ---" >&2
		tail -n 100 "$WORK/daemon.log" >&2
		echo "--- end of daemon.log ---" >&2
	fi
	if [ "$rc" -ne 0 ]; then
		echo "FAILED: $TEST_NAME (exit $rc)" >&2
	else
		echo "PASS: $TEST_NAME"
	fi
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		if is_mounted "$MNT"; then
			echo "warning: $MNT is still mounted; leaving $WORK" >&2
		else
			rm -rf "$WORK"
		fi
	fi
	exit "$rc"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
