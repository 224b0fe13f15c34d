#!/usr/bin/env bash
# t_tls.sh -- TLS verification is always on. The fake serves HTTPS with a
# certificate from a throwaway CA made here: without -o cafile the mount
# refuses it (EIO and a log line about the certificate), with -o cafile=CA
# the runs list; a CA that did not sign the certificate is refused too.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || fail "openssl is not installed"

# --- a throwaway CA and a server certificate for 127.0.0.1 --------------------
PKI=$WORK/pki
mkdir "$PKI"
EC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${EC[@]}" -keyout "$PKI/ca.key" -out "$PKI/ca.pem" -days 2 \
	-subj "/CN=tinesfs test CA $$" \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>"$PKI/openssl.err" ||
	{ cat "$PKI/openssl.err" >&2; fail "openssl could not make the CA"; }
openssl req -new "${EC[@]}" -keyout "$PKI/srv.key" -out "$PKI/srv.csr" \
	-subj "/CN=127.0.0.1" 2>"$PKI/openssl.err" ||
	{ cat "$PKI/openssl.err" >&2; fail "openssl could not make the server key"; }
printf '%s\n' 'subjectAltName=IP:127.0.0.1' 'basicConstraints=CA:FALSE' \
	'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' >"$PKI/srv.ext"
openssl x509 -req -in "$PKI/srv.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
	-CAcreateserial -days 2 -extfile "$PKI/srv.ext" -out "$PKI/srv.pem" 2>"$PKI/openssl.err" ||
	{ cat "$PKI/openssl.err" >&2; fail "openssl could not sign the server certificate"; }
# Another CA, which signed nothing we serve.
openssl req -x509 "${EC[@]}" -keyout "$PKI/other.key" -out "$PKI/other.pem" -days 2 \
	-subj "/CN=tinesfs unrelated CA $$" \
	-addext basicConstraints=critical,CA:TRUE 2>"$PKI/openssl.err" ||
	{ cat "$PKI/openssl.err" >&2; fail "openssl could not make the second CA"; }
chmod 0644 "$PKI/ca.pem" "$PKI/other.pem"
ok "made a throwaway CA and a certificate for IP 127.0.0.1"

FAKE_SCHEME=https FAKE_CAFILE=$PKI/ca.pem \
	start_fake --group 200:57 --group 201:0 --tls-cert "$PKI/srv.pem" --tls-key "$PKI/srv.key"
FAKE_CAFILE=$PKI/ca.pem
case $FAKE_URL in https://127.0.0.1:*) ;; *) fail "fake URL is not https: $FAKE_URL" ;; esac
WANT=$(ctl GET groups | jq '."200"')
assert_eq 57 "$WANT" "the fake serves group 200 with 57 runs over HTTPS (curl verifies it with the CA)"
if curl -sS -o /dev/null --max-time 10 "$FAKE_URL/_control/stats" 2>/dev/null; then
	fail "curl trusts the throwaway CA without --cacert: the test would prove nothing"
fi
ok "the system trust store does not know the throwaway CA"

RUNS=$MNT/groups/200/runs

# --- no cafile: the certificate is refused ------------------------------------
mount_tfs -o groups=200:201
reset_log
t0=$(now_ms)
expect_err "Input/output error" ls "$RUNS"
elapsed=$(($(now_ms) - t0))
[ "$elapsed" -lt 15000 ] || fail "ls took ${elapsed} ms to fail"
ok "without cafile: ls fails with EIO in ${elapsed} ms"
if ! grep -iE 'certificate|ssl|tls' "$WORK/daemon.log" >"$WORK/tls.lines"; then
	fail "the daemon log says nothing about the certificate"
fi
ok "the daemon log says why: $(head -n 1 "$WORK/tls.lines")"
assert_eq 0 "$(api_requests)" "no API request got past the handshake"
unmount_tfs
check_daemon_log

# --- a cafile that did not sign the certificate: refused as well -------------
mount_tfs -o groups=200:201,cafile="$PKI/other.pem"
expect_err "Input/output error" ls "$RUNS"
grep -qiE 'certificate|ssl|tls' "$WORK/daemon.log" ||
	fail "with the wrong CA, the daemon log says nothing about the certificate"
ok "with an unrelated CA the certificate is refused too"
unmount_tfs
check_daemon_log

# --- cafile=the CA: the runs list -------------------------------------------
mount_tfs -o groups=200:201,cafile="$PKI/ca.pem"
reset_log
ls "$RUNS" >"$WORK/ls.out" || fail "ls $RUNS failed with cafile set"
assert_eq "$WANT" "$(wc -l <"$WORK/ls.out")" "with cafile: ls lists the fake's $WANT runs"
sed 's/\.json$//' "$WORK/ls.out" | sort >"$WORK/listed.guids"
ctl GET groups/200/runs | jq -r '.[].guid' | sort >"$WORK/api.guids"
assert_files_eq "$WORK/api.guids" "$WORK/listed.guids" "listed guids are exactly the API's guids"
G=$(head -n 1 "$WORK/api.guids")
ctl GET groups/200/runs | jq --arg g "$G" '.[] | select(.guid == $g)' >"$WORK/want.json"
cat "$RUNS/$G.json" >"$WORK/got.json" || fail "reading $G.json over HTTPS failed"
assert_files_eq "$WORK/want.json" "$WORK/got.json" "a run's file over HTTPS equals the API's run"
[ "$(fake_log | jq '[.[] | select(.auth_ok | not)] | length')" = 0 ] ||
	fail "some HTTPS request reached the fake without the key"
ok "every request reached the fake with the key"
unmount_tfs
check_daemon_log
