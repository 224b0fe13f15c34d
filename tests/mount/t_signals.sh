#!/usr/bin/env bash
# t_signals.sh -- SIGTERM and SIGINT unmount cleanly and exit 0: while idle,
# and (SIGTERM) while a listing is in flight, within 5 s.
. "$(dirname "$0")/lib.sh"

# Job control on: without it bash starts background commands with SIGINT
# ignored, and libfuse (rightly) leaves an ignored signal alone, so the
# SIGINT case would test the shell instead of tinesfs. (A user's
# `tinesfs -f` in a terminal gets SIGINT at its default.)
set -m

start_fake --group 200:300 --group 201:0
RUNS=$MNT/groups/200/runs

# stop_with SIG DESC: send SIG to the daemon; within 5 s it must have exited
# with status 0 and its mount must be gone from /proc/self/mounts.
stop_with() {
	local sig=$1 desc=$2 i rc=0 t0
	t0=$(now_ms)
	kill -s "$sig" "$DAEMON_PID"
	for ((i = 0; i < 50; i++)); do
		_alive "$DAEMON_PID" || break
		sleep 0.1
	done
	if _alive "$DAEMON_PID"; then
		is_mounted "$MNT" && note "still mounted" || note "unmounted, but the process lives on"
		fail "$desc: tinesfs (pid $DAEMON_PID) still running 5 s after SIG$sig"
	fi
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	is_mounted "$MNT" && fail "$desc: $MNT is still mounted after tinesfs exited on SIG$sig"
	[ "$rc" -eq 0 ] || fail "$desc: tinesfs exited with status $rc on SIG$sig; want 0"
	ok "$desc: SIG$sig unmounted and exited 0 in $(($(now_ms) - t0)) ms"
}

# sig_ignored SIGNUM: whether the daemon has SIGNUM ignored.
sig_ignored() {
	local mask
	mask=$(awk '/^SigIgn:/ { print $2 }' "/proc/$DAEMON_PID/status")
	(((16#$mask >> ($1 - 1)) & 1))
}

# --- idle -------------------------------------------------------------------------
mount_tfs -o groups=200:201
assert_eq 300 "$(ls "$RUNS" | wc -l)" "mounted: the runs list"
stop_with TERM "idle"
check_daemon_log

mount_tfs -o groups=200:201
assert_eq 300 "$(ls "$RUNS" | wc -l)" "mounted again: the runs list"
sig_ignored 2 && fail "SIGINT is ignored in the daemon (SigIgn); the test cannot send it"
stop_with INT "idle"
check_daemon_log

# --- a listing in flight ------------------------------------------------------------
mount_tfs -o groups=200:201
# 20 s: far past the 5 s the daemon may take to stop, so only an aborted
# transfer (not one that ran its course) can pass.
ctl POST faults '{"latency_ms": 20000}' >/dev/null
reset_log
ls "$RUNS" >"$WORK/ls.out" 2>"$WORK/ls.err" &
LS_PID=$!
sleep 0.5
if [ "$(api_requests)" -lt 1 ]; then
	kill -KILL "$LS_PID" 2>/dev/null
	fail "after 0.5 s no runs request reached the fake: nothing is in flight"
fi
_alive "$LS_PID" || fail "ls finished within 0.5 s despite a 20 s latency"
ok "a runs request is in flight (the fake holds it for 20 s)"
stop_with TERM "listing in flight"
for ((i = 0; i < 50; i++)); do
	_alive "$LS_PID" || break
	sleep 0.1
done
if _alive "$LS_PID"; then
	kill -KILL "$LS_PID" 2>/dev/null
	fail "ls still hangs 5 s after the daemon exited"
fi
rc=0
wait "$LS_PID" || rc=$?
ok "the interrupted ls returned (exit $rc: $(head -c 200 "$WORK/ls.err"))"
check_daemon_log
