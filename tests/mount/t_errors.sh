#!/usr/bin/env bash
# t_errors.sh -- a wrong key is EACCES and logged without the key; a tenant
# that is down is EIO, quickly, and the mount stays usable.
. "$(dirname "$0")/lib.sh"

start_fake --group 200:30 --group 201:0

# --- wrong key ----------------------------------------------------------------
KEY=wrong-key mount_tfs -o groups=200:201
expect_err "Permission denied" ls "$MNT/groups/200/runs"
assert_eq "401" "$(fake_log | jq -r '[.[] | select(.group == 200) | .status] | unique | join(",")')" \
	"the fake answered 401 to the daemon's request"
grep -E '/api/v1/groups/200/runs.*401|401.*/api/v1/groups/200/runs' "$WORK/daemon.log" >/dev/null ||
	fail "daemon log has no line naming the request path and 401"
ok "daemon log names the path and 401: $(grep -m1 '401' "$WORK/daemon.log")"
if grep -qF wrong-key "$WORK/daemon.log"; then
	fail "daemon log contains the key text 'wrong-key'"
fi
ok "daemon log does not contain the key"
unmount_tfs
KEY=wrong-key check_daemon_log

# --- tenant down --------------------------------------------------------------
DEAD_PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
note "nothing listens on 127.0.0.1:$DEAD_PORT"
TENANT_URL=http://127.0.0.1:$DEAD_PORT mount_tfs -o groups=200:201,retries=0
for attempt in first second; do
	T0=$(now_ms)
	expect_err "Input/output error" ls "$MNT/groups/200/runs"
	DT=$(( $(now_ms) - T0 ))
	[ "$DT" -lt 5000 ] || fail "the $attempt ls of a down tenant took $DT ms; want a few seconds at most"
	ok "the $attempt ls failed in $DT ms"
done
assert_eq groups "$(timeout -s KILL 10 ls "$MNT")" "the mount still answers: / lists groups"
stat "$MNT/groups" >/dev/null || fail "stat of /groups failed"
ok "stat of /groups still works"
grep -q "/api/v1/groups/200/runs" "$WORK/daemon.log" || fail "daemon log does not name the failed request"
ok "daemon log names the failed request: $(grep -m1 '/api/v1/groups/200/runs' "$WORK/daemon.log")"
unmount_tfs
check_daemon_log
