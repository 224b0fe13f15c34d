#!/usr/bin/env bash
# Build the libFuzzer targets (clang, with ASan and UBSan, in build-fuzz) and
# run each for a bounded time, starting from the seed corpus in
# tests/fuzz/corpus/<target>/ and the token dictionary tests/fuzz/*.dict.
#
# Usage: contrib/fuzz.sh [TARGET...]   (default: page router jsontext)
# Environment:
#   FUZZ_SECONDS  time per target (default 60, libFuzzer's -max_total_time)
#   FUZZ_OUT      where crashing inputs and logs are kept
#                 (default build-fuzz/fuzz-out)
#   FUZZ_TALLY    if set, a file that gets one "PASS <target>" or
#                 "FAIL <target>" line per target (contrib/test.sh counts it)
#
# The seed corpus in the repository is only read; what the fuzzers learn
# goes to $FUZZ_OUT/<target>/corpus and is kept between runs. A crash, leak,
# sanitizer report or timeout fails the target: its input is copied to
# $FUZZ_OUT/failures/ and shown (stack and bytes) on stderr. Exits non-zero
# when any target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

contrib/deps.sh

SECONDS_EACH=${FUZZ_SECONDS:-60}
case $SECONDS_EACH in
'' | *[!0-9]*) echo "fuzz.sh: FUZZ_SECONDS must be a whole number of seconds" >&2; exit 2 ;;
esac
BUILD=$ROOT/build-fuzz
OUT=${FUZZ_OUT:-$BUILD/fuzz-out}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(page router jsontext)

if [ -f "$BUILD/build.ninja" ]; then
	meson configure "$BUILD" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null
else
	CC=clang meson setup "$BUILD" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null
fi
ninja -C "$BUILD" >/dev/null

mkdir -p "$OUT/failures"
[ -z "${FUZZ_TALLY:-}" ] || : >"$FUZZ_TALLY"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
for t in "${TARGETS[@]}"; do
	exe=$BUILD/tests/fuzz/fuzz_$t
	seeds=$ROOT/tests/fuzz/corpus/$t
	work=$OUT/$t
	if [ ! -x "$exe" ] || [ ! -d "$seeds" ]; then
		echo "fuzz.sh: no target '$t' ($exe, $seeds); is $BUILD set up with clang?" >&2
		failed=$((failed + 1))
		[ -z "${FUZZ_TALLY:-}" ] || echo "FAIL $t" >>"$FUZZ_TALLY"
		continue
	fi
	dict=()
	case $t in
	router) dict=(-dict="$ROOT/tests/fuzz/path.dict") ;;
	*) dict=(-dict="$ROOT/tests/fuzz/json.dict") ;;
	esac
	mkdir -p "$work/corpus" "$work/artifacts"
	rm -f "$work/artifacts/"*
	echo "== fuzz_$t for ${SECONDS_EACH}s"
	rc=0
	# New inputs go to the first directory (the work corpus); the seeds are
	# read only. -timeout: one input taking 10 s is a hang, hence a failure.
	"$exe" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dict[@]}" \
		"$work/corpus" "$seeds" >"$work/fuzz.log" 2>&1 || rc=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' "$work/fuzz.log" |
		sed 's/^/   /' || true
	shopt -s nullglob
	arts=("$work/artifacts/"*)
	shopt -u nullglob
	if [ "$rc" -eq 0 ] && [ ${#arts[@]} -eq 0 ]; then
		echo "   fuzz_$t: ok"
		[ -z "${FUZZ_TALLY:-}" ] || echo "PASS $t" >>"$FUZZ_TALLY"
		continue
	fi
	failed=$((failed + 1))
	[ -z "${FUZZ_TALLY:-}" ] || echo "FAIL $t" >>"$FUZZ_TALLY"
	cp "$work/fuzz.log" "$OUT/failures/fuzz_$t.log"
	{
		echo "fuzz.sh: FAIL: fuzz_$t exited $rc; log: $OUT/failures/fuzz_$t.log"
		# The report: from the first sanitizer/libFuzzer error line on.
		awk '/==[0-9]+==ERROR|runtime error:|check failed|ALARM|out-of-memory|deadly signal/ { p = 1 }
		     p && n++ < 60' "$work/fuzz.log"
	} >&2
	for a in "${arts[@]}"; do
		cp "$a" "$OUT/failures/fuzz_${t}-$(basename "$a")"
		{
			echo "-- input $OUT/failures/fuzz_${t}-$(basename "$a") ($(wc -c <"$a") bytes):"
			od -A d -c "$a" | head -n 40
			echo "-- reproduce: $exe $OUT/failures/fuzz_${t}-$(basename "$a")"
		} >&2
	done
done

echo "fuzz: $((${#TARGETS[@]} - failed)) of ${#TARGETS[@]} targets clean (${SECONDS_EACH}s each)"
[ "$failed" -eq 0 ]
