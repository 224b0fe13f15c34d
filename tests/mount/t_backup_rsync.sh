#!/usr/bin/env bash
# t_backup_rsync.sh -- `rsync -a` of the mount is incremental (issue #5):
# run twice, the second copies nothing; again after the TTL with nothing
# changed, nothing; after one in-progress run finishes at the fake and the
# TTL passes, exactly that one file, with the new object's bytes.
. "$(dirname "$0")/lib.sh"

N=300
TTL=2
start_fake --group 200:$N --group 201:0
mount_tfs -o groups=200:201,per_page=100,ttl=$TTL

command -v rsync >/dev/null || fail "rsync is not installed"
DEST=$WORK/dest
mkdir "$DEST"

# sync NAME: rsync the mount into $DEST; exit 0; sets XFER (regular files
# transferred, from --stats) and leaves the itemized changes in $WORK/NAME.out.
sync_tree() {
	local rc=0
	timeout -s KILL 25 rsync -a --itemize-changes --stats "$MNT/" "$DEST/" \
		>"$WORK/$1.out" 2>"$WORK/$1.err" || rc=$?
	[ "$rc" -eq 0 ] || fail "rsync ($1) exited $rc: $(head -c 500 "$WORK/$1.err")"
	assert_eq "" "$(head -c 500 "$WORK/$1.err")" "rsync ($1) exits 0 and writes nothing to stderr"
	XFER=$(sed -n 's/^Number of regular files transferred: \([0-9,]*\)$/\1/p' "$WORK/$1.out" | tr -d ,)
	[ -n "$XFER" ] || fail "rsync ($1): no 'Number of regular files transferred' in --stats output"
	note "rsync ($1): $XFER regular files transferred; itemized: $(grep -c '^[<>ch.*][fdLDS]' "$WORK/$1.out" || true) lines"
}

# show_items NAME: the itemized file lines (not the stats), for messages.
show_items() {
	grep '^[<>ch.*]f' "$WORK/$1.out" | head -n 5 | sed 's/^/    /'
}

sync_tree first
assert_eq "$N" "$XFER" "the first rsync copies all $N run files"
rc=0
diff -r "$MNT" "$DEST" >"$WORK/diff1" 2>&1 || rc=$?
assert_eq "0:" "$rc:$(head -n 5 "$WORK/diff1")" "the copy equals the mount (diff -r)"

sync_tree second
[ "$XFER" -eq 0 ] || fail "the second rsync, right after the first, transferred $XFER files; want 0:
$(show_items second)"
ok "the second rsync transfers 0 files"

sleep $((TTL + 1))
sync_tree after-ttl
[ "$XFER" -eq 0 ] || fail "rsync after the TTL (nothing changed at the fake) transferred $XFER files; want 0:
$(show_items after-ttl)"
ok "after the TTL with nothing changed, rsync transfers 0 files"

# --- one in-progress run finishes ---------------------------------------------
RUN=$(ctl GET groups/200/runs | jq -r '[.[] | select(.end_time == null)][0].guid')
[ -n "$RUN" ] && [ "$RUN" != null ] || fail "no in-progress run at the fake"
F=groups/200/runs/$RUN.json
assert_eq null "$(jq -r .end_time "$DEST/$F")" "the copy of run $RUN shows it in progress"
START=$(jq -r .start_time "$MNT/$F")
END_EPOCH=$(($(date -u -d "$START" +%s) + 125))
END=$(date -u -d "@$END_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
ctl PATCH "groups/200/runs/$RUN" "{\"end_time\": \"$END\", \"duration\": 125}" >/dev/null
ctl GET groups/200/runs | jq --arg g "$RUN" '.[] | select(.guid == $g)' >"$WORK/want.json"
assert_eq "$END" "$(jq -r .end_time "$WORK/want.json")" "the fake holds the finished run"

sleep $((TTL + 1))
sync_tree finished
if [ "$XFER" -ne 1 ]; then
	fail "after run $RUN finished and the TTL passed, rsync transferred $XFER files; want exactly 1:
$(show_items finished)"
fi
ok "after one run finished, rsync transfers exactly 1 file"
assert_eq "$F" "$(grep '^>f' "$WORK/finished.out" | awk '{print $2}')" "the file transferred is $RUN.json"
cmp "$WORK/want.json" "$DEST/$F" || fail "the copied $RUN.json is not 'jq .' of the finished object:
$(diff "$WORK/want.json" "$DEST/$F" | head -n 10)"
ok "the copy holds the finished object's bytes"
assert_eq "$END_EPOCH" "$(stat -c %Y "$DEST/$F")" "the copy's mtime is the new end_time"
rc=0
diff -r "$MNT" "$DEST" >"$WORK/diff2" 2>&1 || rc=$?
assert_eq "0:" "$rc:$(head -n 5 "$WORK/diff2")" "the copy equals the mount again (diff -r)"

sync_tree settled
[ "$XFER" -eq 0 ] || fail "one more rsync right after transferred $XFER files; want 0:
$(show_items settled)"
ok "one more rsync transfers 0 files"

# --- nothing changed means nothing itemized, directories included ---------
# rsync -i lists every change it makes to the copy; with nothing changed at
# the fake, the second run and the run after the TTL should make none (a
# ".d..t......" line is a directory whose mtime the mount reported
# differently from the run before).
for r in second after-ttl; do
	items=$(grep '^[<>ch.*][fdLDS]' "$WORK/$r.out" || true)
	assert_eq "" "$items" "rsync ($r) with nothing changed itemizes no change at all"
done

unmount_tfs
check_daemon_log
