#!/usr/bin/env bash
# t_readonly.sh -- nothing in the mount can be changed, and the mount is ro.
. "$(dirname "$0")/lib.sh"

start_fake --group 200:30 --group 201:0
mount_tfs -o groups=200:201

RUNS=$MNT/groups/200/runs
GUID=$(ctl GET groups/200/runs | jq -r '.[5].guid')
F=$RUNS/$GUID.json
cp "$F" "$WORK/before.json" || fail "cannot read $F"
[ -s "$WORK/before.json" ] || fail "$F is empty"

ROFS="Read-only file system"
expect_err "$ROFS" touch "$F"
expect_err "$ROFS" touch "$RUNS/new.json"
expect_err "$ROFS" bash -c 'echo x > "$1"' _ "$F"
expect_err "$ROFS" bash -c 'echo x >> "$1"' _ "$F"
expect_err "$ROFS" bash -c 'echo x > "$1"' _ "$RUNS/new.json"
expect_err "$ROFS" mkdir "$RUNS/newdir"
expect_err "$ROFS" mkdir "$MNT/groups/300"
expect_err "$ROFS" rm -f "$F"
expect_err "$ROFS" rmdir "$RUNS"
expect_err "$ROFS" mv "$F" "$RUNS/renamed.json"
expect_err "$ROFS" mv "$RUNS" "$MNT/groups/200/moved"
expect_err "$ROFS" chmod 644 "$F"
expect_err "$ROFS" chmod 755 "$RUNS"
expect_err "$ROFS" ln "$F" "$RUNS/hardlink.json"
expect_err "$ROFS" ln -s "$F" "$RUNS/symlink.json"
expect_err "$ROFS" truncate -s 0 "$F"
expect_err "$ROFS" mknod "$RUNS/fifo" p

cmp "$WORK/before.json" "$F" || fail "$F changed after the failed writes"
ok "the run file is unchanged after every attempt"
assert_eq 30 "$(ls "$RUNS" | wc -l)" "the directory still lists the same 30 runs"
assert_eq "" "$(ls "$RUNS" | grep -v -x -F -f <(ctl GET groups/200/runs | jq -r '.[].guid + ".json"') || true)" \
	"and no name that is not a run"

LINE=$(mount_line "$MNT") || fail "$MNT is not in /proc/self/mounts"
note "mount: $LINE"
OPTS=$(awk '{print $4}' <<<"$LINE")
case ",$OPTS," in
*,ro,*) ok "/proc/self/mounts shows the mount with the ro flag ($OPTS)" ;;
*) fail "/proc/self/mounts options lack 'ro': $OPTS" ;;
esac
assert_eq fuse.tinesfs "$(awk '{print $3}' <<<"$LINE")" "the mount's type is fuse.tinesfs"

unmount_tfs
check_daemon_log
