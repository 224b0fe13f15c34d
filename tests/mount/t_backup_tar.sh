#!/usr/bin/env bash
# t_backup_tar.sh -- `tar -cf` of the mount exits 0 with no warnings, and the
# extracted tree equals the mount byte for byte, with the same sizes, modes
# and mtimes (issue #5). A second archive, made after the TTL with nothing
# changed, is identical to the first.
. "$(dirname "$0")/lib.sh"

N=300
TTL=2
start_fake --group 200:$N --group 201:0
mount_tfs -o groups=200:201,per_page=100,ttl=$TTL

command -v tar >/dev/null || fail "tar is not installed"

# tar_c ARCHIVE: archive the whole mount; exit 0 and nothing on stderr.
tar_c() {
	local rc=0
	timeout -s KILL 25 tar -cf "$1" -C "$MNT" . 2>"$WORK/tar.err" || rc=$?
	[ "$rc" -eq 0 ] || fail "tar -cf -C mnt . exited $rc: $(head -c 500 "$WORK/tar.err")"
	ok "tar -cf of the mount exits 0"
	assert_eq "" "$(head -c 500 "$WORK/tar.err")" "tar wrote nothing to stderr (no warnings)"
}

tar_c "$WORK/a.tar"
mkdir "$WORK/x"
tar -xf "$WORK/a.tar" -C "$WORK/x" || fail "extracting the archive failed"

assert_eq "$N" "$(tar -tf "$WORK/a.tar" | grep -c '^\./groups/200/runs/.*\.json$')" \
	"the archive holds $N run files"
assert_eq "" "$(tar -tf "$WORK/a.tar" | sort | uniq -d | head -n 3)" "no member archived twice"
assert_eq "" "$(ls -A "$WORK/x/groups/201/runs")" "empty group 201 extracts as an empty runs dir"

rc=0
diff -r "$MNT" "$WORK/x" >"$WORK/diff.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "diff -r mnt extracted exits $rc: $(head -n 10 "$WORK/diff.out")"
assert_eq "" "$(head -n 10 "$WORK/diff.out")" "diff -r of the mount and the extracted tree is empty"

# Byte for byte, and the same metadata tar keeps (type, size, mode, mtime):
# files first, then directories (whose sizes are the filesystem's own).
( cd "$MNT" && find . -printf '%y %s %m %T@ %p\n' | sort -k5 ) >"$WORK/meta.mnt"
( cd "$WORK/x" && find . -printf '%y %s %m %T@ %p\n' | sort -k5 ) >"$WORK/meta.x"
assert_lines $((N + 6)) "$WORK/meta.mnt" "entries under the mount (., groups, 2 groups, 2 runs dirs, $N files)"
grep '^f ' "$WORK/meta.mnt" >"$WORK/fmeta.mnt" || true
grep '^f ' "$WORK/meta.x" >"$WORK/fmeta.x" || true
assert_lines "$N" "$WORK/fmeta.mnt" "regular files under the mount"
assert_files_eq "$WORK/fmeta.mnt" "$WORK/fmeta.x" "every file has the same size, mode and mtime after extraction"
( cd "$MNT" && find . -type f -exec sha256sum {} + | sort -k2 ) >"$WORK/sum.mnt"
( cd "$WORK/x" && find . -type f -exec sha256sum {} + | sort -k2 ) >"$WORK/sum.x"
assert_lines "$N" "$WORK/sum.mnt" "checksummed files"
assert_files_eq "$WORK/sum.mnt" "$WORK/sum.x" "every file is byte-identical (sha256)"
ctl GET groups/200/runs | jq -c '.[]' | sort >"$WORK/api.sorted"
jq -c . "$WORK"/x/groups/200/runs/*.json | sort >"$WORK/x.sorted"
assert_files_eq "$WORK/api.sorted" "$WORK/x.sorted" "the extracted files are the API's objects"
# Directories: tar stored each one's mtime when it reached it, before
# listing it; the mount must show the same now that everything was read.
grep '^d ' "$WORK/meta.mnt" | sed 's/^d [0-9]* /d - /' >"$WORK/dmeta.mnt"
grep '^d ' "$WORK/meta.x" | sed 's/^d [0-9]* /d - /' >"$WORK/dmeta.x"
assert_lines 6 "$WORK/dmeta.mnt" "directories under the mount"
assert_files_eq "$WORK/dmeta.mnt" "$WORK/dmeta.x" \
	"every directory has the same mode and mtime after extraction (as tar saw it before listing it)"

# --- again after the TTL, nothing changed: the same archive ------------------
sleep $((TTL + 1))
tar_c "$WORK/b.tar"
if ! cmp -s "$WORK/a.tar" "$WORK/b.tar"; then
	{
		echo "FAIL [$TEST_NAME]: the archive made after the TTL differs from the first (nothing changed at the fake)"
		diff <(tar -tvf "$WORK/a.tar" --full-time) <(tar -tvf "$WORK/b.tar" --full-time) | head -n 20
	} >&2
	exit 1
fi
ok "after the TTL with nothing changed, tar makes a byte-identical archive"

unmount_tfs
check_daemon_log
