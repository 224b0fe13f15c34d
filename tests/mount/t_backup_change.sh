#!/usr/bin/env bash
# t_backup_change.sh -- a run that changes while a file of it is open
# (issue #5). tinesfs runs without file handles where the kernel allows
# (FUSE_CAP_NO_OPEN_SUPPORT, see doc/design.md), so a handle opened before
# the change reads through the shared page cache: every read gives one
# whole version (never bytes of two), a fresh open reads the new version,
# and stat's size and mtime describe the new bytes.
. "$(dirname "$0")/lib.sh"

TTL=2
start_fake --group 200:50 --group 201:0
mount_tfs -o groups=200:201,ttl=$TTL

RUNS=$MNT/groups/200/runs
ls "$RUNS" >/dev/null || fail "ls failed"
RUN=$(ctl GET groups/200/runs | jq -r '[.[] | select(.end_time == null)][0].guid')
[ -n "$RUN" ] && [ "$RUN" != null ] || fail "no in-progress run at the fake"
F=$RUNS/$RUN.json
ctl GET groups/200/runs | jq --arg g "$RUN" '.[] | select(.guid == $g)' >"$WORK/old.want"

# The holder opens F, reads it in full, signals "opened", waits for "go",
# then does the steps below in order, writing each step's bytes or stat to
# $WORK/<step>. Its handle stays open throughout.
cat >"$WORK/holder.py" <<'EOF'
import os, sys, time
f, w = sys.argv[1], sys.argv[2]
def put(name, data):
    with open(os.path.join(w, name), "wb") as o:
        o.write(data)
def read_all(fd):
    os.lseek(fd, 0, os.SEEK_SET)
    out = b""
    while True:
        b = os.read(fd, 7)            # small reads: many requests, many offsets
        if not b:
            return out
        out += b
def stat_line(st):
    return b"%d %d %d %d\n" % (st.st_ino, st.st_size, st.st_mtime, st.st_ctime)
old = os.open(f, os.O_RDONLY)
put("old1", read_all(old))
put("stat1", stat_line(os.stat(f)))
open(os.path.join(w, "opened"), "w").close()
deadline = time.time() + 60                     # the test died: do not linger
while not os.path.exists(os.path.join(w, "go")):
    if time.time() > deadline:
        sys.exit("no go file within 60 s")
    time.sleep(0.05)
put("old2", read_all(old))                      # the old handle, after the TTL
put("stat2", stat_line(os.stat(f)))             # stat after the old handle re-read
new = os.open(f, os.O_RDONLY)
put("new1", read_all(new))                      # a fresh open
put("stat3", stat_line(os.stat(f)))
put("fstat_new", stat_line(os.fstat(new)))
put("old3", read_all(old))                      # the old handle once more
put("pread_old", os.pread(old, 64, 10))         # and at an offset
put("stat4", stat_line(os.stat(f)))
put("new2", read_all(new))
os.close(new)
new = os.open(f, os.O_RDONLY)
put("new3", read_all(new))                      # another fresh open, after all that
put("stat5", stat_line(os.stat(f)))
os.close(new)
os.close(old)
EOF
"$PYTHON" "$WORK/holder.py" "$F" "$WORK" >"$WORK/holder.out" 2>"$WORK/holder.err" &
HOLDER=$!
for ((i = 0; i < 100; i++)); do
	[ -e "$WORK/opened" ] && break
	_alive $HOLDER || break
	sleep 0.1
done
[ -e "$WORK/opened" ] || { kill $HOLDER 2>/dev/null; fail "the holder did not open $RUN.json: $(cat "$WORK/holder.err")"; }
assert_files_eq "$WORK/old.want" "$WORK/old1" "the open handle read the in-progress version"
read -r INO OLD_SIZE OLD_MTIME OLD_CTIME <"$WORK/stat1"

START=$(jq -r .start_time "$WORK/old.want")
START_EPOCH=$(date -u -d "$START" +%s)
assert_eq "$OLD_SIZE $START_EPOCH $START_EPOCH" "$OLD_SIZE $OLD_MTIME $OLD_CTIME" \
	"while in progress: mtime and ctime are start_time"
assert_eq "$(wc -c <"$WORK/old.want")" "$OLD_SIZE" "while in progress: st_size is the old length"
END_EPOCH=$((START_EPOCH + 125))
END=$(date -u -d "@$END_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
ctl PATCH "groups/200/runs/$RUN" "{\"end_time\": \"$END\", \"duration\": 125}" >/dev/null
ctl GET groups/200/runs | jq --arg g "$RUN" '.[] | select(.guid == $g)' >"$WORK/new.want"
NEW_SIZE=$(wc -c <"$WORK/new.want")
[ "$NEW_SIZE" -ne "$OLD_SIZE" ] || fail "the patch did not change the length ($OLD_SIZE)"
note "run $RUN: old version $OLD_SIZE bytes, mtime $OLD_MTIME; new version $NEW_SIZE bytes, mtime $END_EPOCH"

sleep $((TTL + 1))
touch "$WORK/go"
rc=0
wait $HOLDER || rc=$?
[ "$rc" -eq 0 ] || fail "the holder exited $rc: $(cat "$WORK/holder.err")"

# one_version FILE MSG: FILE is the old or the new version, whole.
one_version() {
	if cmp -s "$WORK/old.want" "$1"; then
		ok "$2 (the old version, whole)"
	elif cmp -s "$WORK/new.want" "$1"; then
		ok "$2 (the new version, whole)"
	else
		diff -u "$WORK/new.want" "$1" | head -20
		fail "$2: neither version whole"
	fi
}
one_version "$WORK/old2" "after the change and the TTL, the handle opened before re-reads one version from offset 0"
assert_eq "$INO $NEW_SIZE $END_EPOCH $END_EPOCH" "$(cat "$WORK/stat2")" \
	"stat after that re-read: same inode, the new size and mtime/ctime (end_time)"
assert_files_eq "$WORK/new.want" "$WORK/new1" "a fresh open reads the new version"
assert_eq "$INO $NEW_SIZE $END_EPOCH $END_EPOCH" "$(cat "$WORK/stat3")" \
	"stat after the fresh read: same inode, new size, mtime/ctime"
assert_eq "$INO $NEW_SIZE $END_EPOCH $END_EPOCH" "$(cat "$WORK/fstat_new")" "fstat of the fresh handle: the same"
one_version "$WORK/old3" "the handle opened before, after the fresh open"
head -c 74 "$WORK/old3" | tail -c 64 >"$WORK/pread.want"
assert_files_eq "$WORK/pread.want" "$WORK/pread_old" "pread(64 bytes at 10) on that handle agrees with its full read"
assert_eq "$INO $NEW_SIZE $END_EPOCH $END_EPOCH" "$(cat "$WORK/stat4")" \
	"stat after the old handle read again: still the new size and mtime"
assert_files_eq "$WORK/new.want" "$WORK/new2" "the fresh handle re-reads the new version"
assert_files_eq "$WORK/new.want" "$WORK/new3" "another fresh open reads the new version"
assert_eq "$INO $NEW_SIZE $END_EPOCH $END_EPOCH" "$(cat "$WORK/stat5")" "stat at the end: new size and mtime"
assert_eq "$NEW_SIZE" "$(wc -c <"$F")" "cat reads exactly st_size bytes"
assert_files_eq "$WORK/new.want" "$F" "cat of the file gives the new version"

unmount_tfs
check_daemon_log
