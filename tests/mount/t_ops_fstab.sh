#!/usr/bin/env bash
# t_ops_fstab.sh -- tinesfs set up the way an operator does: through the
# mount helper mount.fuse3 (what mount(8) runs for an fstab line) with the
# source 'tinesfs#URL' and type fuse, and with type fuse.tinesfs; fstab and
# systemd words are accepted and ignored; the example fstab line in contrib/
# works as written; the systemd unit is valid and SIGTERM (how it stops the
# daemon) unmounts cleanly with exit 0.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$LIB_DIR/../.." && pwd)
command -v mount.fuse3 >/dev/null || fail "mount.fuse3 is not installed (package fuse3)"

start_fake --group 200:40 --group 201:0 --group 202:700

# mount.fuse3 runs `tinesfs` from PATH: put the built binary first on it.
mkdir "$WORK/bin"
ln -s "$TINESFS" "$WORK/bin/tinesfs"
export PATH="$WORK/bin:$PATH"
KF=$WORK/key
install -m 600 /dev/null "$KF"
printf '%s\n' "$DEFAULT_KEY" >"$KF"

# A daemonized tinesfs has no stderr: let the sanitizers write to files.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$WORK/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$WORK/ubsan"

# daemon_pid: the pid of the tinesfs serving $MNT (started by the helper, so
# not a child of this shell).
daemon_pid() {
	local d exe want
	want=$(readlink -f "$TINESFS")
	for d in /proc/[0-9]*; do
		exe=$(readlink "$d/exe" 2>/dev/null) || continue
		[ "$exe" = "$want" ] || continue
		tr '\0' '\n' <"$d/cmdline" 2>/dev/null | grep -qxF -- "$MNT" || continue
		echo "${d#/proc/}"
		return 0
	done
	return 1
}

# helper_mount DESC ARGS...: mount.fuse3 ARGS must exit 0 with $MNT mounted.
HELPER_PID=
helper_mount() {
	local desc=$1 rc=0
	shift
	timeout -s KILL 20 mount.fuse3 "$@" >"$WORK/helper.out" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || fail "$desc: mount.fuse3 exited $rc: $(cat "$WORK/helper.out")"
	is_mounted "$MNT" || fail "$desc: mount.fuse3 exited 0 but $MNT is not mounted"
	HELPER_PID=$(daemon_pid) || fail "$desc: no tinesfs process serves $MNT"
	ok "$desc: mounted (daemon pid $HELPER_PID)"
}

# helper_unmount: fusermount3 -u; the daemon exits on its own.
helper_unmount() {
	local i
	fusermount3 -u "$MNT" || fail "fusermount3 -u $MNT failed"
	for ((i = 0; i < 100; i++)); do
		[ -d "/proc/$HELPER_PID" ] || break
		sleep 0.1
	done
	[ ! -d "/proc/$HELPER_PID" ] || fail "tinesfs (pid $HELPER_PID) still runs 10 s after fusermount3 -u"
	is_mounted "$MNT" && fail "$MNT still mounted"
	HELPER_PID=
	ok "fusermount3 -u: unmounted, the daemon exited"
}

sanitizer_clean() {
	if compgen -G "$WORK/asan*" >/dev/null || compgen -G "$WORK/ubsan*" >/dev/null; then
		head -n 30 "$WORK"/asan* "$WORK"/ubsan* 2>/dev/null >&2
		fail "the daemonized tinesfs wrote a sanitizer report"
	fi
}

# Whatever happens, leave nothing mounted and no daemon behind.
_fstab_cleanup() {
	if is_mounted "$MNT"; then
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null
	fi
	if [ -n "$HELPER_PID" ] && [ -d "/proc/$HELPER_PID" ]; then
		sleep 1
		[ -d "/proc/$HELPER_PID" ] && kill -TERM "$HELPER_PID" 2>/dev/null
	fi
	return 0
}
# (set +e first: `(exit $rc)` hands _cleanup the status without ending the trap.)
trap 'rc=$?; set +e; _fstab_cleanup; (exit $rc); _cleanup' EXIT

check_tree() {
	assert_eq 40 "$(ls "$MNT/groups/200/runs" | wc -l)" "$1: ls lists the 40 runs of group 200"
	assert_eq "$(printf '200\n201')" "$(ls "$MNT/groups")" "$1: /groups holds 200 and 201"
	jq -e ".tenant == \"$FAKE_URL\"" "$MNT/.tinesfs-status" >/dev/null ||
		fail "$1: the status file does not name the tenant $FAKE_URL"
	ok "$1: the status file names the tenant"
}

# --- type fuse, source tinesfs#URL (the issue's command) ----------------------
helper_mount "mount.fuse3 'tinesfs#URL' MNT -o key_file,groups,_netdev,noatime" \
	"tinesfs#$FAKE_URL" "$MNT" -o "key_file=$KF,groups=200:201,_netdev,noatime,per_page=20"
line=$(mount_line "$MNT")
note "$line"
read -r src _ fstype opts _ <<<"$line"
assert_eq "fuse.tinesfs" "$fstype" "the kernel lists the mount as type fuse.tinesfs"
assert_eq "tinesfs#$FAKE_URL" "$(printf '%b' "${src//\\/\\0}")" "its source is tinesfs#URL"
case ",$opts," in *,ro,*) ok "it is mounted ro" ;; *) fail "not mounted ro: $opts" ;; esac
case ",$opts," in *,noatime,*) ok "noatime reached the kernel" ;; *) fail "noatime missing: $opts" ;; esac
check_tree "type fuse"
# A walk of many pages as a daemon: the readahead workers and other threads
# must exist in the forked daemon, not only in the process that mounted.
assert_eq 700 "$(ls "$MNT/groups/202/runs" | wc -l)" "as a daemon, a walk of 35 pages lists the 700 runs of group 202"
tr '\0' '\n' <"/proc/$HELPER_PID/cmdline" | grep -qF -- "$DEFAULT_KEY" &&
	fail "the key shows in the daemon's command line"
ok "the daemon's command line holds the key file's path, not the key"
helper_unmount
sanitizer_clean

# --- type fuse.tinesfs with every fstab and systemd word ------------------------
WORDS="_netdev,nofail,noauto,auto,user,users,nouser,owner,group,defaults,rw,ro,noatime,relatime"
WORDS+=",nodev,nosuid,noexec,comment=tinesfs,x-systemd.automount,x-systemd.requires=network-online.target"
WORDS+=",x-systemd.mount-timeout=30,x-gvfs-hide"
helper_mount "mount.fuse3 URL MNT -t fuse.tinesfs -o <fstab words>" \
	"$FAKE_URL" "$MNT" -t fuse.tinesfs -o "key_file=$KF,groups=200:201,$WORDS"
opts=$(mount_line "$MNT" | awk '{ print $4 }')
case ",$opts," in *,ro,*) ok "rw in the options does not make it writable: $opts" ;;
*) fail "not mounted ro: $opts" ;; esac
check_tree "type fuse.tinesfs"
expect_err "Read-only file system" touch "$MNT/groups/x"
helper_unmount
sanitizer_clean

# --- the example line of contrib/fstab.example, as written -----------------------
EX=$SRC/contrib/fstab.example
[ -f "$EX" ] || fail "contrib/fstab.example is missing"
read -r ex_src ex_dir ex_type ex_opts ex_freq ex_pass < <(grep -vE '^[[:space:]]*(#|$)' "$EX" | head -n1)
[ -n "${ex_pass:-}" ] || fail "contrib/fstab.example has no complete fstab line"
note "example: $ex_src $ex_dir $ex_type $ex_opts $ex_freq $ex_pass"
[ "$ex_type" = fuse ] || [ "$ex_type" = fuse.tinesfs ] || fail "the example's type is $ex_type"
# Point it at the fake, this mount point and this key file; keep every option.
src=${ex_src/https:\/\/acme.tines.com/$FAKE_URL}
[ "$src" != "$ex_src" ] || fail "the example's source is not https://acme.tines.com: $ex_src"
ex_opts=${ex_opts/key_file=\/etc\/tinesfs\/key/key_file=$KF}
# As mount(8) calls the helper: -t only for a type with a subtype.
type_arg=()
[ "$ex_type" = fuse ] || type_arg=(-t "$ex_type")
helper_mount "the example fstab line" "$src" "$MNT" "${type_arg[@]}" -o "$ex_opts"
check_tree "the example fstab line"
helper_unmount
sanitizer_clean

# --- the systemd unit --------------------------------------------------------------
UNIT=$SRC/contrib/tinesfs@.service
[ -f "$UNIT" ] || fail "contrib/tinesfs@.service is missing"
grep -q '^After=.*network-online.target' "$UNIT" || fail "the unit does not start after network-online.target"
grep -q '^ExecReload=.*-HUP' "$UNIT" || fail "the unit does not reload with SIGHUP"
if command -v systemd-analyze >/dev/null; then
	sed "s#/usr/local/bin/tinesfs#$TINESFS#" "$UNIT" >"$WORK/tinesfs@t.service"
	systemd-analyze verify --man=no "$WORK/tinesfs@t.service" >"$WORK/verify.out" 2>&1 ||
		{ cat "$WORK/verify.out" >&2; fail "systemd-analyze verify rejects contrib/tinesfs@.service"; }
	ok "systemd-analyze verify accepts contrib/tinesfs@.service"
else
	note "systemd-analyze is not installed: the unit was not verified by systemd"
fi
# Run the unit's ExecStart as systemd would, from a settings file, then stop
# it the way systemd does (SIGTERM): it must unmount and exit 0.
cat >"$WORK/t.conf" <<EOF
TENANT_URL=$FAKE_URL
MOUNTPOINT=$MNT
OPTIONS=key_file=$KF,groups=200:201
EOF
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
[[ $exec_start == "/usr/local/bin/tinesfs -f -o \${OPTIONS} \${TENANT_URL} \${MOUNTPOINT}" ]] ||
	fail "ExecStart changed shape; update this test: $exec_start"
# shellcheck disable=SC1091
. "$WORK/t.conf"
NO_KEY_ENV=1 mount_tfs -o "$OPTIONS"
check_tree "the unit's ExecStart"
kill -TERM "$DAEMON_PID"
rc=0
for ((i = 0; i < 100; i++)); do
	_alive "$DAEMON_PID" || break
	sleep 0.1
done
_alive "$DAEMON_PID" && fail "tinesfs still runs 10 s after SIGTERM"
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
assert_eq 0 "$rc" "SIGTERM (systemctl stop): tinesfs exits 0"
is_mounted "$MNT" && fail "$MNT is still mounted after SIGTERM"
ok "SIGTERM unmounted $MNT"
check_daemon_log
