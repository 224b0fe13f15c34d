#!/usr/bin/env bash
# t_content.sh -- every run file is the API object, pretty-printed like
# `jq .`, with the right size, mtime and mode; a cold `ls -l` costs pages,
# not a request per file.
. "$(dirname "$0")/lib.sh"

start_fake --group 200:300 --group 201:0
PER_PAGE=100
mount_tfs -o groups=200:201,per_page=$PER_PAGE
reset_log

RUNS=$MNT/groups/200/runs
API=$WORK/api.json
ctl GET groups/200/runs >"$API"
N=$(jq length "$API")
assert_eq 300 "$N" "the fake holds 300 runs"

# --- a cold ls -l: one request per page, none per file ----------------------
ls -l "$RUNS" >"$WORK/lsl.out" || fail "ls -l $RUNS failed"
assert_eq "$N" "$(grep -c '\.json$' "$WORK/lsl.out")" "ls -l shows $N run files"
PAGES=$(( (N + PER_PAGE - 1) / PER_PAGE ))
REQS=$(api_requests)
note "cold ls -l made $REQS API request(s) for $PAGES page(s)"
[ "$REQS" -le $((PAGES + 1)) ] || fail "cold ls -l made $REQS API requests; want about $PAGES (one per page)"
assert_eq 0 "$(fake_log | jq '[.[] | select(.path | test("/runs/"))] | length')" \
	"cold ls -l asks for no single run"
assert_eq "$(seq -s' ' 1 $PAGES)" "$(pages_line 200)" "cold ls -l asks pages 1..$PAGES once each"

# --- modes --------------------------------------------------------------------
for d in "$MNT" "$MNT/groups" "$MNT/groups/200" "$RUNS"; do
	assert_eq "555 directory" "$(stat -c '%a %F' "$d")" "mode of ${d#"$MNT"}/ is 0555 directory"
done
shopt -s nullglob
FILES=("$RUNS"/*.json)
shopt -u nullglob
assert_eq "$N" "${#FILES[@]}" "the glob finds $N run files"
assert_eq "444 regular file" "$(stat -c '%a %F' "${FILES[@]}" | sort -u | paste -sd'|' -)" \
	"every run file is a 0444 regular file"

# --- parsed JSON equals the API object -----------------------------------------
jq -S -c . "${FILES[@]}" | sort >"$WORK/files.sorted" || fail "jq cannot parse the run files"
jq -S -c '.[]' "$API" | sort >"$WORK/api.sorted"
assert_lines "$N" "$WORK/files.sorted" "parsed files"
assert_files_eq "$WORK/api.sorted" "$WORK/files.sorted" "every file parses to its API object (jq -S)"

# --- key order equals the API's ----------------------------------------------
jq -c '[.guid, keys_unsorted]' "${FILES[@]}" | sort >"$WORK/files.keys"
jq -c '.[] | [.guid, keys_unsorted]' "$API" | sort >"$WORK/api.keys"
assert_lines "$N" "$WORK/files.keys" "key lists"
assert_files_eq "$WORK/api.keys" "$WORK/files.keys" "every file keeps the API's key order"

# --- bytes equal `jq .` of the object ----------------------------------------
# All numbers the fake emits are integers, so jq's output is canonical.
assert_eq 0 "$(jq '[.. | numbers | select(. != floor)] | length' "$API")" "the API objects hold only integers"
mkdir "$WORK/expected"
jq '.[]' "$API" | "$PYTHON" -c '
import json, sys
guids = [r["guid"] for r in json.load(open(sys.argv[1]))]
data = sys.stdin.buffer.read()
parts = data.split(b"\n}\n")
assert parts[-1] == b"", "jq output does not end with a closing brace"
parts = [p + b"\n}\n" for p in parts[:-1]]
assert len(parts) == len(guids), (len(parts), len(guids))
for g, p in zip(guids, parts):
    assert json.loads(p)["guid"] == g
    open(sys.argv[2] + "/" + g + ".json", "wb").write(p)
' "$API" "$WORK/expected" || fail "could not split jq's output per run"
bad=0
for f in "${FILES[@]}"; do
	if ! cmp "$WORK/expected/${f##*/}" "$f" >>"$WORK/cmp.out" 2>&1; then
		bad=$((bad + 1))
	fi
done
if [ "$bad" -ne 0 ]; then
	head -n 5 "$WORK/cmp.out" >&2
	first=$(sed -n '1s/.*\/\([^/ ]*\.json\).*/\1/p' "$WORK/cmp.out")
	if [ -n "$first" ]; then
		echo "--- diff for $first (expected vs mounted) ---" >&2
		diff -u "$WORK/expected/$first" "$RUNS/$first" | head -n 30 | cat -A >&2
	fi
	fail "$bad of $N run files differ from 'jq .' of the API object (cmp)"
fi
ok "all $N files are byte-identical to 'jq .' of their API object (cmp)"

# --- st_size equals the bytes read -------------------------------------------
stat -c '%s %n' "${FILES[@]}" | sort -k2 >"$WORK/sizes.stat"
wc -c "${FILES[@]}" | grep -v ' total$' | awk '{print $1, $2}' | sort -k2 >"$WORK/sizes.wc"
assert_lines "$N" "$WORK/sizes.stat" "sizes"
assert_files_eq "$WORK/sizes.wc" "$WORK/sizes.stat" "st_size equals wc -c for every file"

# --- st_mtime is end_time, or start_time while running -------------------------
stat -c '%Y %n' "${FILES[@]}" | sed "s| $RUNS/| |" | sort -k2 >"$WORK/mtimes.stat"
"$PYTHON" -c '
import json, re, sys, calendar
ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)")
def epoch(s):
    m = ISO.fullmatch(s)
    t = calendar.timegm(tuple(int(x) for x in m.groups()[:6]))
    if m.group(8) != "Z":
        sign = 1 if m.group(8)[0] == "+" else -1
        t -= sign * (int(m.group(8)[1:3]) * 3600 + int(m.group(8)[4:6]) * 60)
    return t        # fractional seconds are dropped (floor, as times are after 1970)
for r in json.load(open(sys.argv[1])):
    when = r["end_time"] if r["end_time"] is not None else r["start_time"]
    print(epoch(when), r["guid"] + ".json")
' "$API" | sort -k2 >"$WORK/mtimes.api"
assert_lines "$N" "$WORK/mtimes.stat" "mtimes"
assert_files_eq "$WORK/mtimes.api" "$WORK/mtimes.stat" "st_mtime is end_time (start_time while in progress) for every file"
RUNNING=$(jq '[.[] | select(.end_time == null)] | length' "$API")
[ "$RUNNING" -ge 1 ] || fail "the fake seeded no in-progress run"
ok "($RUNNING in-progress run(s) covered)"

# --- shell tools over the tree agree with the API ------------------------------
jq -r 'select(.story_mode=="TEST") | .guid' "$RUNS"/*.json | sort >"$WORK/test.files"
jq -r '.[] | select(.story_mode=="TEST") | .guid' "$API" | sort >"$WORK/test.api"
[ -s "$WORK/test.api" ] || fail "the fake seeded no TEST run"
assert_files_eq "$WORK/test.api" "$WORK/test.files" "jq select(story_mode==TEST) over the files equals the API"
LIVE_API=$(jq '[.[] | select(.story_mode=="LIVE")] | length' "$API")
LIVE_GREP=$(grep -rl '"story_mode": "LIVE"' "$RUNS" | wc -l)
assert_eq "$LIVE_API" "$LIVE_GREP" "grep -rl story_mode LIVE counts the API's LIVE runs"

unmount_tfs
check_daemon_log
