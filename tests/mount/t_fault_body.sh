#!/usr/bin/env bash
# t_fault_body.sh -- the tenant answers 200 with a 200 MiB runs page
# (chunked, no Content-Length, so only the bytes can tell): the body is
# refused once it passes the cap (8 MiB), `ls` fails with EIO within a few
# seconds, the daemon's peak RSS (VmHWM) stays under 150 MiB, and the
# mount works again once the answers are normal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

start_fake --group 200:300 --group 201:0 --group 202:40
mount_tfs -o groups=200:201:202,per_page=50
vmhwm_kb() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status"
}
note "daemon VmHWM after mounting: $(vmhwm_kb) kB"

reset_log
ctl POST faults '{"huge_body_mb": 200}' >/dev/null
# Several times, and two groups: the refused bodies must not pile up.
for g in 200 200 202; do
	expect_fail "Input/output error" 10 ls "$MNT/groups/$g/runs"
done
SENT=$(faults_served huge_body_mb)
[ "$SENT" -ge 3 ] || fail "the fake sent only $SENT huge answers for 3 listings"
ok "the fake started $SENT answers of 200 MiB for the 3 listings"
HWM=$(vmhwm_kb)
[ "$HWM" -lt $((150 * 1024)) ] || fail "the daemon's peak RSS is $HWM kB after 200 MiB bodies; want under 150 MiB"
ok "the daemon's peak RSS (VmHWM) is $((HWM / 1024)) MiB ($HWM kB) after $SENT answers of 200 MiB, under 150 MiB"
[ "$(log_count 'larger than')" -ge 1 ] || fail "the daemon log does not say that a body was too large"
ok "the daemon log says so: $(grep -m1 'larger than' "$WORK/daemon.log")"
_alive "$DAEMON_PID" || fail "tinesfs died"

# A refused body is not an outage: once the tenant answers normally, the
# listings come at once.
ctl POST faults '{}' >/dev/null
list_ok 200 "$WORK/ls.out"
assert_whole 200 "$WORK/ls.out"
assert_contents 200
lt "$ELAPSED" 5 || fail "the listing after the huge answers took $ELAPSED s"
unmount_tfs
check_daemon_log
