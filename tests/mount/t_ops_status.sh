#!/usr/bin/env bash
# t_ops_status.sh -- /.tinesfs-status: valid JSON at every read, reachable
# by name but never listed (ls -a, find, tar, rsync), read-only, its size
# that of its bytes, never the key; its counters move with a listing (HTTP
# requests, cache misses, then hits, the group's runs and pages, the
# refresh time) and it reports a failing group's last error.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$LIB_DIR/../.." && pwd)
VERSION=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$SRC/meson.build" | head -n1)
start_fake --group 200:120 --group 201:0 --group 202:120
mount_tfs -o groups=200:201,per_page=50

ST=$MNT/.tinesfs-status
# Group 202 is not named in groups=: nothing but this test's listing asks
# for it (a stat of / asks the named groups for their mtimes).
RUNS=$MNT/groups/202/runs

# status FILTER: one jq query of a fresh read of the status file.
status() {
	jq -er "$1" "$ST" || fail "jq '$1' on the status file failed: $(head -c 2000 "$ST")"
}

# --- shape ---------------------------------------------------------------------
jq -e . "$ST" >/dev/null || fail "the status file is not JSON: $(head -c 2000 "$ST")"
ok "the status file parses with jq"
assert_eq "$VERSION" "$(status .version)" "version is the project's"
assert_eq "$FAKE_URL" "$(status .tenant)" "tenant is the tenant's origin"
assert_eq "127.0.0.1" "$(status .host)" "host is the tenant's host"
assert_eq "$DAEMON_PID" "$(status .pid)" "pid is the daemon's"
for k in started uptime_s ttl_s per_page tenant_down requests/total requests/failed \
	requests/2xx requests/4xx requests/5xx retries bytes_fetched cache/hits cache/misses \
	reload/count reload/key_reread groups; do
	jq -e --arg p "$k" 'getpath($p | split("/")) != null' "$ST" >/dev/null ||
		fail "the status file lacks $k: $(cat "$ST")"
done
ok "it has version, tenant, uptime, requests by class, retries, bytes, cache hits/misses, reload, groups"
grep -qF -- "$DEFAULT_KEY" "$ST" && fail "the status file contains the API key"
ok "it does not contain the key"
# (Reading it walks the path from /, whose mtime asks the named groups.)
assert_eq "$(api_requests)" "$(status .requests.total)" "requests.total is what the fake saw"
status '.started | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' >/dev/null
ok "started is ISO 8601 UTC: $(status .started)"
# Pretty-printed the way every file of the mount is: jq . of itself.
jq . "$ST" >"$WORK/st.jq"
cat "$ST" >"$WORK/st.raw"
if ! cmp -s "$WORK/st.jq" "$WORK/st.raw"; then
	# uptime may have ticked between the two reads: compare without it.
	diff <(grep -v uptime_s "$WORK/st.jq") <(grep -v uptime_s "$WORK/st.raw") >&2 ||
		fail "the status file is not laid out as jq . lays it out"
fi
ok "its layout is jq's"

# --- counters move with a listing ----------------------------------------------
H0=$(status .cache.hits)
M0=$(status .cache.misses)
R0=$(status .requests.total)
B0=$(status .bytes_fetched)
assert_eq 120 "$(ls "$RUNS" | wc -l)" "ls lists the 120 runs (3 pages of 50)"
sleep 0.5	# readahead may still be fetching
API=$(api_requests)
[ "$(status .requests.total)" -gt "$R0" ] || fail "requests.total did not grow ($R0)"
assert_eq "$API" "$(status .requests.total)" "requests.total grew ($R0 -> $API): every request the fake saw"
assert_eq "$(status .requests.total)" "$(status '.requests."2xx"')" "all of them 2xx"
[ "$(status .bytes_fetched)" -gt "$B0" ] || fail "bytes_fetched did not grow"
ok "bytes_fetched grew: $B0 -> $(status .bytes_fetched)"
M1=$(status .cache.misses)
[ "$M1" -gt "$M0" ] || fail "cache misses did not grow after a cold listing ($M0 -> $M1)"
ok "cache misses grew after the cold listing: $M0 -> $M1"
G=$(status '.groups[] | select(.id == 202)')
assert_eq 120 "$(jq .runs_known <<<"$G")" "group 202: runs_known 120"
assert_eq 3 "$(jq .pages_fetched <<<"$G")" "group 202: pages_fetched 3"
assert_eq 3 "$(jq .pages <<<"$G")" "group 202: of pages 3"
assert_eq true "$(jq .complete <<<"$G")" "group 202: complete"
assert_eq null "$(jq .last_error <<<"$G")" "group 202: no last_error"
assert_eq false "$(jq .stale <<<"$G")" "group 202: not stale"
refreshed=$(date -u -d "$(jq -r .last_refresh <<<"$G")" +%s) || fail "last_refresh is not a time: $G"
now=$(date -u +%s)
[ $((now - refreshed)) -ge 0 ] && [ $((now - refreshed)) -le 60 ] ||
	fail "last_refresh $(jq -r .last_refresh <<<"$G") is not within the last minute"
ok "group 202: last_refresh is wall-clock time, $((now - refreshed)) s ago"

# Within the TTL the same listing is answered from the cache.
reset_log
H1=$(status .cache.hits)
R1=$(status .requests.total)
ls -l "$RUNS" >/dev/null
cat "$RUNS"/*.json >/dev/null
assert_eq 0 "$(api_requests)" "a second ls -l and cat of every run ask the API nothing"
assert_eq "$R1" "$(status .requests.total)" "requests.total did not move"
H2=$(status .cache.hits)
[ "$H2" -gt "$H1" ] || fail "cache hits did not grow ($H1 -> $H2)"
assert_eq "$M1" "$(status .cache.misses)" "cache misses did not move"
ok "cache hits grew: $H0 -> $H1 -> $H2"

# Reading the status file itself moves no counter.
a=$(jq -c '[.cache, .requests]' "$ST")
b=$(jq -c '[.cache, .requests]' "$ST")
assert_eq "$a" "$b" "reading the status file moves neither the cache nor the request counters"

# --- errors show per group ------------------------------------------------------
expect_err "No such file or directory" ls "$MNT/groups/999"
assert_eq "No such file or directory" "$(status '.groups[] | select(.id == 999) | .last_error')" \
	"group 999 (404 at the API): last_error says so"
assert_eq "$(status '.requests."4xx"')" "$(fake_log | jq '[.[] | select(.status >= 400 and .status < 500)] | length')" \
	"requests.4xx counts the 404"
assert_eq 0 "$(status '.groups[] | select(.id == 201) | .runs_known')" "the empty group 201 shows 0 runs"

# --- a file by name only -------------------------------------------------------------
[ -f "$ST" ] || fail "test -f .tinesfs-status fails"
assert_eq "444 regular file" "$(stat -c '%a %F' "$ST")" "it is a regular file, mode 0444"
ls -a "$MNT" | grep -qxF .tinesfs-status && fail "ls -a lists .tinesfs-status"
ok "ls -a does not list it: $(ls -a "$MNT" | paste -sd' ' -)"
find "$MNT" -maxdepth 1 | grep -qF tinesfs-status && fail "find lists .tinesfs-status"
ok "find does not list it"
tar -C "$MNT" -cf - . 2>/dev/null | tar -tf - >"$WORK/tar.list"
grep -q tinesfs-status "$WORK/tar.list" && fail "tar picks up .tinesfs-status"
grep -q "groups/200/runs/.*\.json" "$WORK/tar.list" || fail "tar did not archive the runs"
ok "tar of the mount archives $(grep -c '\.json$' "$WORK/tar.list") runs and not the status file"
if command -v rsync >/dev/null; then
	rsync -a "$MNT/" "$WORK/copy/"
	[ -e "$WORK/copy/.tinesfs-status" ] && fail "rsync copies .tinesfs-status"
	assert_eq 120 "$(ls "$WORK/copy/groups/200/runs" | wc -l)" "rsync copies the 120 runs and not the status file"
fi
expect_err "Read-only file system" sh -c "echo x >'$ST'"
expect_err "Read-only file system" rm -f "$ST"

# Its size is that of its bytes (the document may change between two reads
# as uptime ticks: allow a retry).
for try in 1 2 3; do
	size=$(stat -c %s "$ST")
	bytes=$(wc -c <"$ST")
	[ "$size" = "$bytes" ] && break
	[ "$try" -lt 3 ] || fail "stat says $size bytes, a read gives $bytes"
done
ok "st_size ($size) equals the bytes read"
# Small reads of one open see one document.
dd if="$ST" bs=7 status=none | jq -e . >/dev/null || fail "7-byte reads do not give one JSON document"
ok "7-byte reads give one valid document"

# --- valid at every read, while the mount is busy --------------------------------
( for _ in 1 2 3 4 5; do ls -l "$RUNS" >/dev/null; cat "$RUNS"/*.json >/dev/null; done ) &
BUSY=$!
for i in $(seq 1 40); do
	jq -e .uptime_s "$ST" >/dev/null || fail "read $i of the status file is not valid JSON"
done
wait "$BUSY" || fail "the busy reader failed"
ok "40 reads during other traffic were all valid JSON"
u1=$(status .uptime_s)
sleep 1.2
u2=$(status .uptime_s)
[ "$u2" -gt "$u1" ] || fail "uptime_s did not advance ($u1 -> $u2)"
ok "uptime_s advances ($u1 -> $u2)"

unmount_tfs
check_daemon_log
