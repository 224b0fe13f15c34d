#!/usr/bin/env bash
# t_backup_incremental.sh -- GNU tar's --listed-incremental across remounts
# (issue #5): a level-1 archive made after a remount holds no files when
# nothing changed (tar keys directories by inode number, so unstable
# directory inodes would re-archive everything); and, as a control, a
# level-2 archive after a new run arrives holds exactly that run.
. "$(dirname "$0")/lib.sh"

N=300
start_fake --group 200:$N --group 201:0
OPTS=(-o groups=200:201,per_page=100)
mount_tfs "${OPTS[@]}"

command -v tar >/dev/null || fail "tar is not installed"

# level NAME SNAPSHOT: an incremental archive $WORK/NAME.tar of the mount;
# exit 0 and nothing on stderr; its member list in $WORK/NAME.list.
level() {
	local rc=0
	timeout -s KILL 25 tar --listed-incremental="$WORK/$2" --no-check-device \
		-cf "$WORK/$1.tar" -C "$MNT" . 2>"$WORK/$1.err" || rc=$?
	[ "$rc" -eq 0 ] || fail "tar --listed-incremental ($1) exited $rc: $(head -c 500 "$WORK/$1.err")"
	assert_eq "" "$(head -c 500 "$WORK/$1.err")" "tar --listed-incremental ($1) exits 0 with no warnings"
	tar -tf "$WORK/$1.tar" >"$WORK/$1.list" || fail "tar -tf $1.tar failed"
	note "$1: $(grep -c '/$' "$WORK/$1.list" || true) directories, $(grep -vc '/$' "$WORK/$1.list" || true) files"
}

level level0 snap
assert_eq "$N" "$(grep -c '^\./groups/200/runs/.*\.json$' "$WORK/level0.list")" "level 0 holds all $N run files"
stat -c '%i %n' "$MNT" "$MNT/groups" "$MNT"/groups/* "$MNT"/groups/*/runs >"$WORK/dino.0"

unmount_tfs
mount_tfs "${OPTS[@]}"

cp "$WORK/snap" "$WORK/snap1"
level level1 snap1
stat -c '%i %n' "$MNT" "$MNT/groups" "$MNT"/groups/* "$MNT"/groups/*/runs >"$WORK/dino.1"
if ! cmp -s "$WORK/dino.0" "$WORK/dino.1"; then
	note "directory inode numbers changed across the remount:"
	diff "$WORK/dino.0" "$WORK/dino.1" | sed 's/^/#   /'
fi
files=$(grep -v '/$' "$WORK/level1.list" || true)
if [ -n "$files" ]; then
	fail "level 1 after a remount with nothing changed holds $(wc -l <<<"$files") files; want none, e.g.:
$(head -n 5 <<<"$files")"
fi
ok "level 1 after a remount with nothing changed holds no files (directories only)"

# --- control: a new run is picked up by the next level ------------------------
# It starts now (after level 1 began), as a new run does; tar keys on mtime.
sleep 1
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
NEW=$(ctl POST groups/200/runs "{\"start_time\": \"$NOW\", \"end_time\": null, \"duration\": null}" | jq -r .guid)
[ -n "$NEW" ] && [ "$NEW" != null ] || fail "the fake did not add a run"
unmount_tfs
mount_tfs "${OPTS[@]}"
cp "$WORK/snap1" "$WORK/snap2"
level level2 snap2
assert_eq "./groups/200/runs/$NEW.json" "$(grep -v '/$' "$WORK/level2.list" || true)" \
	"level 2, after one new run and a remount, holds exactly that run"

unmount_tfs
check_daemon_log
