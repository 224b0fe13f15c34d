#!/usr/bin/env bash
# Run every tinesfs test: the unit and mounted suites in a normal build and
# in an AddressSanitizer/UBSan build, plus a warning-clean clang build.
# Installs what it needs. Usage: contrib/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

contrib/deps.sh

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	echo "test.sh: FAIL: /dev/fuse or fusermount3 is missing; mounted tests cannot run" >&2
	exit 1
fi

setup() { # dir, meson args...
	local dir=$1; shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir" >/dev/null
}

passed=0; failed=0
run_suites() { # dir
	local dir=$1 rc=0
	echo "== tests in $dir"
	meson test -C "$dir" --print-errorlogs --no-rebuild --suite unit --suite mount || rc=$?
	local p f
	# One JSON object a line; a line that is not one (a killed test's) is skipped.
	p=$(jq -R 'fromjson? | objects | select(.result == "OK") | 1' \
		"$dir/meson-logs/testlog.json" | wc -l)
	f=$(jq -R 'fromjson? | objects | select(.result != "OK") | 1' \
		"$dir/meson-logs/testlog.json" | wc -l)
	passed=$((passed + p)); failed=$((failed + f))
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || failed=$((failed + 1))
}

setup build
# clang must build warning-free too.
CC=clang setup build-clang -Dwerror=true
setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
run_suites build
# A small quarantine: the body-cap test bounds the daemon's peak RSS, and
# ASan's default 256 MiB of freed memory held back would swamp it.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:quarantine_size_mb=32 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suites build-asan

# libFuzzer targets, a bounded run each (contrib/fuzz.sh, FUZZ_SECONDS); each
# target counts as one test.
tally=$(mktemp)
rc=0
FUZZ_TALLY=$tally contrib/fuzz.sh || rc=$?
p=$(grep -c '^PASS ' "$tally" || true)
f=$(grep -c '^FAIL ' "$tally" || true)
rm -f "$tally"
passed=$((passed + p)); failed=$((failed + f))
[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || failed=$((failed + 1))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
