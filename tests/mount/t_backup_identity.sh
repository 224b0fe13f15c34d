#!/usr/bin/env bash
# t_backup_identity.sh -- identity and attributes hold still (issue #5):
# inode numbers are the same after a TTL refresh and a remount, and d_ino
# equals st_ino; an unchanged run keeps its size, mtime and ctime across a
# refresh; st_blocks, du, df and statfs are sensible; directory mtimes are
# the newest run mtime beneath and hold still.
. "$(dirname "$0")/lib.sh"

TTL=2
start_fake --group 200:300 --group 202:120 --group 201:0
OPTS=(-o groups=200:201:202,per_page=100,ttl=$TTL)
mount_tfs "${OPTS[@]}"
G=$MNT/groups

# Cold: before anything under it is listed, what `ls -l groups` shows for
# each group's mtime (checked at the end, after the basics).
ls -l --time-style=+%s "$G" | awk 'NF >= 7 {print $7, $6}' | sort >"$WORK/cold.groups.mtime"
stat -c '%Y %n' "$MNT" "$G" | sed "s|$MNT|mnt|" >"$WORK/cold.top.mtime"

# snapshot TAG: inode listings and file attributes into $WORK/*.TAG.
snapshot() {
	local t=$1 g
	ls -i -1 "$MNT" >"$WORK/lsi.root.$t" || fail "ls -i mnt failed"
	ls -i -1 "$G" >"$WORK/lsi.groups.$t" || fail "ls -i groups failed"
	stat -c '%i %n' "$MNT" "$G" "$G"/* "$G"/*/runs | sed "s|$MNT|mnt|" >"$WORK/dirino.$t"
	: >"$WORK/lsi.runs.$t"
	for g in 200 201 202; do
		ls -i -1 "$G/$g/runs" | sed "s|^ *||; s|\$| $g|" >>"$WORK/lsi.runs.$t" ||
			fail "ls -i groups/$g/runs failed"
	done
	( cd "$G" && find . -type f -exec stat -c '%n %i %s %b %Y %Z' {} + ) | sort >"$WORK/attr.$t"
	stat -c '%n %i %Y %Z' "$MNT" "$G" "$G"/* "$G"/*/runs | sed "s|$MNT|mnt|" >"$WORK/dirattr.$t"
}

snapshot 0
NFILES=$(wc -l <"$WORK/attr.0")
assert_eq 420 "$NFILES" "420 run files under the mount"
assert_lines 420 "$WORK/lsi.runs.0" "ls -i of the runs dirs"

# --- d_ino equals st_ino ---------------------------------------------------------
awk '{print $3 "/runs/" $2, $1}' "$WORK/lsi.runs.0" | sed 's|^|./|' | sort >"$WORK/dino.ls"
awk '{print $1, $2}' "$WORK/attr.0" | sort >"$WORK/stino"
assert_files_eq "$WORK/stino" "$WORK/dino.ls" "ls -i (d_ino) equals stat -c %i (st_ino) for every file"
for g in 200 202; do
	"$PYTHON" -c '
import os, sys
bad = [(e.name, e.inode(), os.stat(e.path).st_ino) for e in os.scandir(sys.argv[1])
       if e.inode() != os.stat(e.path).st_ino]
print(bad[:3] if bad else "")' "$G/$g/runs" >"$WORK/scandir.$g"
	assert_eq "" "$(cat "$WORK/scandir.$g")" "scandir d_ino equals st_ino in groups/$g/runs"
done
assert_eq "" "$(awk '{print $2}' "$WORK/attr.0" | sort | uniq -d | head -n 3)" "no two files share an inode"
assert_eq "" "$(cut -d' ' -f1 "$WORK/dirino.0" | sort | uniq -d | head -n 3)" "no two directories share an inode"

# --- st_blocks, du, df, statfs --------------------------------------------------
bad=$(awk '$4 != int(($3 + 511) / 512) {print; n++} n == 3 {exit}' "$WORK/attr.0")
assert_eq "" "$bad" "st_blocks is ceil(size/512) for every file"
SUM_BLOCKS=$(awk '{s += $4} END {print s}' "$WORK/attr.0")
DU_B=$(du -s -B1 "$MNT" | cut -f1) || fail "du failed"
assert_eq $((SUM_BLOCKS * 512)) "$DU_B" "du -s -B1 of the mount is the sum of st_blocks * 512"
DU_K=$(du -s "$G/200/runs" | cut -f1)
WANT_K=$(awk '$1 ~ /^\.\/200\// {s += $4} END {print int((s + 1) / 2)}' "$WORK/attr.0")
[ "$DU_K" -gt 0 ] || fail "du -s groups/200/runs is $DU_K; want > 0"
assert_eq "$WANT_K" "$DU_K" "du -s groups/200/runs (KiB) matches the files' st_blocks"
SUM_SIZE=$(awk '$1 ~ /^\.\/200\// {s += $3} END {print s}' "$WORK/attr.0")
assert_eq "$SUM_SIZE" "$(du -s -b "$G/200/runs" | cut -f1)" "du --apparent-size -b groups/200/runs is the sum of st_size"
rc=0
df "$MNT" >"$WORK/df.out" 2>&1 || rc=$?
assert_eq 0 "$rc" "df on the mount exits 0 ($(tail -n 1 "$WORK/df.out" | tr -s ' '))"
assert_eq "$MNT" "$(tail -n 1 "$WORK/df.out" | awk '{print $NF}')" "df reports the mount point"
rc=0
stat -f "$MNT" >"$WORK/statf.out" 2>&1 || rc=$?
assert_eq 0 "$rc" "stat -f on the mount exits 0"
note "stat -f: $(tr -s ' \n' ' ' <"$WORK/statf.out")"
assert_eq fuse "$(stat -f -c %T "$MNT" | sed 's/blk$//')" "stat -f shows a fuse filesystem"
[ "$(stat -f -c %l "$MNT")" -ge 255 ] || fail "stat -f: max name length $(stat -f -c %l "$MNT") < 255"
ok "stat -f: max name length is at least 255"

# --- directory mtimes: the newest run beneath -------------------------------------
dir_mtime_check() {	# TAG
	local g want
	for g in 200 202; do
		want=$(awk -v p="./$g/" 'index($1, p) == 1 && $5 > m {m = $5} END {print m}' "$WORK/attr.$1")
		assert_eq "$want $want" "$(stat -c %Y "$G/$g" "$G/$g/runs" | paste -sd' ' -)" \
			"($1) mtime of groups/$g and groups/$g/runs is the newest run's ($want)"
	done
}
dir_mtime_check 0

# --- after the TTL, nothing changed: nothing moves ------------------------------
sleep $((TTL + 1))
snapshot 1
assert_files_eq "$WORK/attr.0" "$WORK/attr.1" "after the TTL: every file has the same inode, size, blocks, mtime, ctime"
assert_files_eq "$WORK/lsi.runs.0" "$WORK/lsi.runs.1" "after the TTL: ls -i of the runs dirs is the same"
assert_files_eq "$WORK/lsi.groups.0" "$WORK/lsi.groups.1" "after the TTL: ls -i groups is the same"
dir_mtime_check 1

# --- remount -----------------------------------------------------------------------
unmount_tfs
mount_tfs "${OPTS[@]}"
snapshot 2
assert_files_eq "$WORK/lsi.runs.0" "$WORK/lsi.runs.2" "after a remount: ls -i of the runs dirs prints the same numbers"
assert_files_eq "$WORK/lsi.groups.0" "$WORK/lsi.groups.2" "after a remount: ls -i groups prints the same numbers"
assert_files_eq "$WORK/lsi.root.0" "$WORK/lsi.root.2" "after a remount: ls -i mnt prints the same numbers"
assert_files_eq "$WORK/dirino.0" "$WORK/dirino.2" "after a remount: every directory has the same inode"
assert_files_eq "$WORK/attr.0" "$WORK/attr.2" "after a remount: every file has the same inode, size, blocks, mtime, ctime"
dir_mtime_check 2

# --- directory mtimes hold still, whatever was listed first ----------------------
# All directory attributes (inode, mtime, ctime) after the TTL and after the
# remount equal the first ones.
assert_files_eq "$WORK/dirattr.0" "$WORK/dirattr.1" "after the TTL: every directory's inode, mtime, ctime are the same"
assert_files_eq "$WORK/dirattr.0" "$WORK/dirattr.2" "after a remount: every directory's inode, mtime, ctime are the same"
# The first `ls -l groups`, before any group was listed, showed the same
# group mtimes as now.
ls -l --time-style=+%s "$G" | awk 'NF >= 7 {print $7, $6}' | sort >"$WORK/warm.groups.mtime"
assert_files_eq "$WORK/warm.groups.mtime" "$WORK/cold.groups.mtime" \
	"ls -l groups on a fresh mount shows each group's real mtime (name mtime)"
stat -c '%Y %n' "$MNT" "$G" | sed "s|$MNT|mnt|" >"$WORK/warm.top.mtime"
assert_files_eq "$WORK/warm.top.mtime" "$WORK/cold.top.mtime" \
	"the mtimes of / and /groups on a fresh mount equal the later ones (mtime name)"

unmount_tfs
check_daemon_log
