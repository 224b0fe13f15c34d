#!/usr/bin/env bash
# t_backup_shift.sh -- listings stay exact while the API's list shifts under
# the walk (issue #5): 3,000 runs at per_page=100, with K new runs added at
# the front, or the K newest deleted, after every page the API serves.
#   (a) inserts: every run present before the walk is listed exactly once,
#       nothing is listed twice, nothing is listed that never existed;
#   (b) deletes: every run that survives the walk is listed exactly once;
#   (c) a reader that asks for a few entries per getdents64 call, and pauses
#       halfway while runs arrive and vanish and the TTL runs out, still gets
#       every run present for the whole read exactly once, with d_ino equal
#       to st_ino.
. "$(dirname "$0")/lib.sh"

# SHIFT_K sets K (default 3); SHIFT_PARTS picks parts (default "a b c").
K=${SHIFT_K:-3}
PARTS=" ${SHIFT_PARTS:-a b c} "
part() { [[ $PARTS == *" $1 "* ]]; }
N=3000
PER_PAGE=100
TTL=2
start_fake --group 200:$N --group 202:$N --group 203:$N --group 201:0
# 202 and 203 are not named: stat of / and /groups reads page 1 of the
# named groups, and a shift knob would then move those lists too.
mount_tfs -o groups=200:201,per_page=$PER_PAGE,ttl=$TTL

guids_of_control() {	# GROUP -> sorted guids the fake holds now
	ctl GET "groups/$1/runs" | jq -r '.[].guid' | sort
}

# listed_guids FILE_IN FILE_OUT: names from `ls -f` (. and .. dropped, .json
# stripped), unsorted, one per line.
listed_guids() {
	grep -v -x -e . -e .. "$1" | sed 's/\.json$//' >"$2"
}

# check_exactly_once WANT_SORTED LISTED MSG: every guid of WANT appears in
# LISTED exactly once.
check_exactly_once() {
	local want=$1 listed=$2 msg=$3 missing twice
	missing=$(sort -u "$listed" | comm -23 "$want" - | wc -l)
	twice=$(sort "$listed" | uniq -d | wc -l)
	if [ "$missing" -ne 0 ]; then
		{
			echo "FAIL [$TEST_NAME]: $msg: $missing of $(wc -l <"$want") runs missing from the listing, e.g.:"
			sort -u "$listed" | comm -23 "$want" - | head -n 5 | sed 's/^/    /'
			echo "  position of the first missing ones in the API's original order (0-based):"
			sort -u "$listed" | comm -23 "$want" - | head -n 5 | while read -r g; do
				echo "    $g at $(grep -n -x -F "$g" "$WORK/order.$4" | cut -d: -f1 | awk '{print $1-1}')"
			done
		} >&2
		exit 1
	fi
	ok "$msg: all $(wc -l <"$want") listed"
	if [ "$twice" -ne 0 ]; then
		{
			echo "FAIL [$TEST_NAME]: $msg: $twice names listed more than once, e.g.:"
			sort "$listed" | uniq -c | awk '$1 > 1' | head -n 5 | sed 's/^/    /'
		} >&2
		exit 1
	fi
	ok "$msg: no name listed twice"
}

report_pages() {	# GROUP
	local pages
	pages=$(pages_asked "$1" | paste -sd' ' -)
	note "group $1: $(pages_asked "$1" | wc -l) runs-page requests, in order: $pages"
}

# --- (a) K runs inserted at the front after every page -----------------------
if part a; then
G=200
ctl GET "groups/$G/runs" | jq -r '.[].guid' >"$WORK/order.a"
sort "$WORK/order.a" >"$WORK/orig.a"
assert_lines $N "$WORK/orig.a" "group $G"
reset_log
ctl POST faults "{\"shift_insert\": $K}" >/dev/null
rc=0
timeout -s KILL 25 ls -f "$MNT/groups/$G/runs" >"$WORK/ls.a" 2>"$WORK/ls.a.err" || rc=$?
ctl POST faults/clear >/dev/null
report_pages $G
[ "$rc" -eq 0 ] || fail "(a) ls -f groups/$G/runs with shift_insert=$K exited $rc: $(head -c 300 "$WORK/ls.a.err")"
ok "(a) ls -f with shift_insert=$K exits 0"
listed_guids "$WORK/ls.a" "$WORK/listed.a"
note "(a) listed $(wc -l <"$WORK/listed.a") names; the fake now holds $(ctl GET groups | jq ".\"$G\"") runs"
check_exactly_once "$WORK/orig.a" "$WORK/listed.a" "(a) shift_insert=$K, the original $N runs" a
guids_of_control $G >"$WORK/final.a"
extra=$(sort -u "$WORK/listed.a" | comm -23 - "$WORK/final.a" | head -n 3)
assert_eq "" "$extra" "(a) every name listed is a run the fake holds"
fi

# --- (b) the K newest runs deleted after every page --------------------------
if part b; then
G=202
ctl GET "groups/$G/runs" | jq -r '.[].guid' >"$WORK/order.b"
sort "$WORK/order.b" >"$WORK/orig.b"
assert_lines $N "$WORK/orig.b" "group $G"
reset_log
ctl POST faults "{\"shift_delete\": $K}" >/dev/null
rc=0
timeout -s KILL 25 ls -f "$MNT/groups/$G/runs" >"$WORK/ls.b" 2>"$WORK/ls.b.err" || rc=$?
ctl POST faults/clear >/dev/null
report_pages $G
[ "$rc" -eq 0 ] || fail "(b) ls -f groups/$G/runs with shift_delete=$K exited $rc: $(head -c 300 "$WORK/ls.b.err")"
ok "(b) ls -f with shift_delete=$K exits 0"
guids_of_control $G >"$WORK/final.b"
listed_guids "$WORK/ls.b" "$WORK/listed.b"
note "(b) listed $(wc -l <"$WORK/listed.b") names; $(wc -l <"$WORK/final.b") of $N runs survive at the fake"
[ "$(wc -l <"$WORK/final.b")" -lt $N ] || fail "(b) the fake deleted nothing: shift_delete did not act"
check_exactly_once "$WORK/final.b" "$WORK/listed.b" "(b) shift_delete=$K, the $(wc -l <"$WORK/final.b") surviving runs" b
extra=$(sort -u "$WORK/listed.b" | comm -23 - "$WORK/orig.b" | head -n 3)
assert_eq "" "$extra" "(b) every name listed is one of the original runs"
fi

# --- (c) small getdents64 chunks, a pause, shifts and a TTL in the middle ----
# The reader lists with a 512-byte buffer (a few entries per call), stops
# after $HALF entries, signals (flag), waits for the go file, reads to the
# end, signals (flag2), waits for go2, then stats every name and rewinds
# (lseek 0) to read once more. It prints "name d_ino st_ino" per
# entry of the first pass, then "--rewind--" and the second pass's names.
if part c; then
cat >"$WORK/chunked.py" <<'EOF'
import ctypes, os, platform, struct, sys, time
d, bufsz, half, flag, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
nr = {"x86_64": 217, "aarch64": 61}[platform.machine()]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
buf = ctypes.create_string_buffer(bufsz)
fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
def chunk():
    n = libc.syscall(nr, fd, buf, bufsz)
    if n < 0:
        e = ctypes.get_errno()
        sys.exit("getdents64: %s" % os.strerror(e))
    out, pos, raw = [], 0, buf.raw[:n]
    while pos < n:
        ino, off, reclen, typ = struct.unpack_from("<QqHB", raw, pos)
        name = raw[pos + 19:pos + reclen].split(b"\0", 1)[0].decode()
        out.append((name, ino))
        pos += reclen
    return out
def read_all(limit=None, acc=None):
    acc = [] if acc is None else acc
    calls = 0
    while limit is None or len(acc) < limit:
        c = chunk()
        calls += 1
        if not c:
            break
        acc.extend(c)
    return acc, calls
first, c1 = read_all(half)
open(flag, "w").close()
def wait_for(path):
    deadline = time.time() + 60                 # the test died: do not linger
    while not os.path.exists(path):
        if time.time() > deadline:
            sys.exit("no %s within 60 s" % path)
        time.sleep(0.05)
wait_for(go)
first, c2 = read_all(None, first)
print("# getdents64 calls: %d" % (c1 + c2), file=sys.stderr)
open(flag + "2", "w").close()
wait_for(go + "2")
for name, ino in first:
    if name in (".", ".."):
        continue
    try:
        st = os.stat(os.path.join(d, name)).st_ino
    except OSError as e:
        st = "ERR:%s" % e.strerror.replace(" ", "_")
    print(name, ino, st)
print("--rewind--")
os.lseek(fd, 0, os.SEEK_SET)
again, _ = read_all()
for name, ino in again:
    if name not in (".", ".."):
        print(name)
EOF
G=203
RUNS=$MNT/groups/$G/runs
ctl GET "groups/$G/runs" | jq -r '.[].guid' >"$WORK/order.c"
sort "$WORK/order.c" >"$WORK/orig.c"
HALF=1500
reset_log
rm -f "$WORK/flag" "$WORK/go" "$WORK/flag2" "$WORK/go2"
"$PYTHON" "$WORK/chunked.py" "$RUNS" 512 $HALF "$WORK/flag" "$WORK/go" \
	>"$WORK/chunked.out" 2>"$WORK/chunked.err" &
READER=$!
for ((i = 0; i < 200; i++)); do
	[ -e "$WORK/flag" ] && break
	_alive $READER || break
	sleep 0.1
done
[ -e "$WORK/flag" ] || { kill $READER 2>/dev/null; fail "(c) the chunked reader did not reach $HALF entries in 20 s: $(cat "$WORK/chunked.err")"; }
# While the reader holds its handle halfway: 5 new runs at the front, the 5
# newest deleted (they were listed already), a run from the unread half
# deleted, then the TTL runs out and the fake shifts K after every page.
for ((i = 0; i < 5; i++)); do ctl POST "groups/$G/runs" '{}' >/dev/null; done
for g in $(head -n 5 "$WORK/order.c"); do ctl DELETE "groups/$G/runs/$g" >/dev/null; done
GONE=$(sed -n 2500p "$WORK/order.c")
ctl DELETE "groups/$G/runs/$GONE" >/dev/null
sleep $((TTL + 1))
ctl POST faults "{\"shift_insert\": $K}" >/dev/null
# Another reader lists meanwhile (a new generation after the TTL).
ls -f "$RUNS" >"$WORK/ls.c2" ||
	{ kill $READER 2>/dev/null; fail "(c) a second ls while the first handle is open failed"; }
touch "$WORK/go"
# Once the handle has read to the end, the shifting stops; then the reader
# stats every name and rewinds.
for ((i = 0; i < 250; i++)); do
	[ -e "$WORK/flag2" ] && break
	_alive $READER || break
	sleep 0.1
done
ctl POST faults/clear >/dev/null
[ -e "$WORK/flag2" ] || { kill $READER 2>/dev/null; fail "(c) the chunked reader did not finish its first pass in 25 s: $(cat "$WORK/chunked.err")"; }
touch "$WORK/go2"
rc=0
wait $READER || rc=$?
report_pages $G
[ "$rc" -eq 0 ] || fail "(c) the chunked reader exited $rc: $(cat "$WORK/chunked.err")"
note "(c) $(cat "$WORK/chunked.err")"
sed '/^--rewind--$/,$d' "$WORK/chunked.out" >"$WORK/c.first"
sed '1,/^--rewind--$/d' "$WORK/chunked.out" | sed 's/\.json$//' >"$WORK/listed.c2"
cut -d' ' -f1 "$WORK/c.first" | sed 's/\.json$//' >"$WORK/listed.c"
# Present for the whole read: the originals minus the 6 deleted.
{ head -n 5 "$WORK/order.c"; echo "$GONE"; } | sort >"$WORK/deleted.c"
comm -23 "$WORK/orig.c" "$WORK/deleted.c" >"$WORK/kept.c"
assert_lines $((N - 6)) "$WORK/kept.c" "(c) kept runs"
note "(c) first pass listed $(wc -l <"$WORK/listed.c") names"
check_exactly_once "$WORK/kept.c" "$WORK/listed.c" "(c) 512-byte getdents64 chunks across a pause, shifts and a TTL" c
guids_of_control $G >"$WORK/final.c"
extra=$(sort -u "$WORK/listed.c" | comm -23 - <(sort -u "$WORK/final.c" "$WORK/orig.c") | head -n 3)
assert_eq "" "$extra" "(c) every name listed is a run that existed"
# Runs deleted meanwhile may fail to stat; every kept run must stat, and
# to the d_ino it was listed with.
bad_ino=$(awk 'NR == FNR { kept[$1 ".json"] = 1; next } ($1 in kept) && $2 != $3' \
	"$WORK/kept.c" "$WORK/c.first" | head -n 3)
assert_eq "" "$bad_ino" "(c) every kept run stats, and its d_ino equals st_ino"
compared=$(awk 'NR == FNR { kept[$1 ".json"] = 1; next } ($1 in kept)' \
	"$WORK/kept.c" "$WORK/c.first" | wc -l)
assert_eq $((N - 6)) "$compared" "(c) d_ino compared for all kept runs"
check_exactly_once "$WORK/kept.c" "$WORK/listed.c2" "(c) after rewinding the same handle" c
listed_guids "$WORK/ls.c2" "$WORK/listed.c3"
check_exactly_once "$WORK/kept.c" "$WORK/listed.c3" "(c) the ls made while the handle was open" c
fi

unmount_tfs
check_daemon_log
