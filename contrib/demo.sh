#!/usr/bin/env bash
# The tinesfs demo: builds tinesfs, starts the bundled fake tenant with a
# few hundred sample runs, mounts it at ./demo-mnt and shows ls and jq on it.
# Installs what it needs. Usage: contrib/demo.sh [MOUNTPOINT]   |   contrib/demo.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/build/demo
MNT=${1:-$ROOT/demo-mnt}

stop() {
	if [ -f "$STATE/mnt" ]; then
		m=$(cat "$STATE/mnt")
		fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null || true
	fi
	[ -f "$STATE/fake.pid" ] && kill "$(cat "$STATE/fake.pid")" 2>/dev/null || true
	rm -rf "$STATE"
}

if [ "${1:-}" = stop ]; then
	stop
	echo "demo stopped"
	exit 0
fi

contrib/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

stop
mkdir -p "$STATE" "$MNT"
python3 tests/fake/fake_tenant.py --port 0 --port-file "$STATE/port" \
	--group 200:300 --group 201:40 --key demo-key >"$STATE/fake.log" 2>&1 </dev/null &
echo $! >"$STATE/fake.pid"
for _ in $(seq 50); do [ -s "$STATE/port" ] && break; sleep 0.1; done
URL="http://127.0.0.1:$(cat "$STATE/port")"

printf 'demo-key\n' >"$STATE/key"
chmod 600 "$STATE/key"
echo "$MNT" >"$STATE/mnt"
build/src/tinesfs -o "key_file=$STATE/key,groups=200:201" "$URL" "$MNT"

show() { echo; echo "\$ $*"; eval "$@" || true; }
cd "$MNT"
show ls groups
show "ls groups/200/runs | head -5"
show "ls groups/200/runs | wc -l"
show "cat \"groups/200/runs/\$(ls groups/200/runs | head -1)\""
show "jq -r 'select(.story_mode==\"TEST\") | .guid' groups/200/runs/*.json | head -5"
show "jq -s 'group_by(.story_mode) | map({mode: .[0].story_mode, runs: length})' groups/200/runs/*.json"
show "jq -r 'select(.end_time == null) | \"in progress: \" + .guid' groups/*/runs/*.json"
echo
echo "The fake tenant is mounted at $MNT (tinesfs runs in the background)."
echo "Unmount and stop the fake with: contrib/demo.sh stop"
