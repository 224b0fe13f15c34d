#!/usr/bin/env python3
"""fake_tenant.py - a local fake Tines tenant for the tinesfs tests and demo.

Serves the two endpoints tinesfs uses, exactly as /work/shared/tines-api.md documents them:
  GET /api/v1/groups/{group_id}/runs?per_page=&page=          -> {"group_runs": [...], "meta": {...}}
  GET /api/v1/groups/{group_id}/runs/{guid}?per_page=&page=   -> {"group_run_events": [...], "meta": {...}}
plus an unauthenticated JSON control API under /_control/ that lets a test seed groups, add, edit
and delete runs, read the request log and switch on fault knobs (see README.md beside this file).

Standard library only. One lock guards all state. Each run keeps its JSON text pre-serialized
(invalidated on edit), so a page is a join of cached byte strings: a page of 500 out of 100,000
runs costs well under a millisecond of work.
"""
import argparse, calendar, json, math, os, random, re, signal, socket, ssl, struct, sys
import threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

DEFAULT_PER_PAGE, MAX_PER_PAGE = 20, 500
NEWEST = calendar.timegm((2024, 6, 1, 12, 0, 0))    # start_time of run 0 of every seeded group
STEP = 37                                           # seconds between consecutive start times
RUNS_RE = re.compile(r"/api/v1/groups/([0-9]+)/runs")
EVENTS_RE = re.compile(r"/api/v1/groups/([0-9]+)/runs/([^/]+)")
ISO_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)")
PLAIN_DRAFTS = ["My draft", "Release 2024-06", "hotfix", "Onboarding flow v2", "Draft 7"]
# Names a renderer must escape or pass through intact; spread over every 6th run.
ODD_DRAFTS = ['Draft "\u03b1/\u03b2"\tn\u00ba1 \u2014 \u6771\u4eac \\ end', "back\\slash",
              "slash/in/name", 'say "hi"', "tab\there", "caf\u00e9 \u00fcn\u00efc\u00f8d\u00e9",
              "multi\nline", "rocket \U0001F680", "", "ctrl\u0001char",
              " spaces around "]
FAULT_INTS = ("latency_ms", "truncate_every", "garbage_every", "reset_every", "hang_every",
              "ignore_per_page", "lie_pages", "lie_count", "shift_insert", "shift_delete",
              "huge_body_mb")
FAULT_KEYS = FAULT_INTS + ("status_every", "retry_after", "down", "next_page_origin",
                           "hostile_runs")


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def parse_iso(s):
    """ISO 8601 text -> integer epoch seconds, or None when it is not the format we emit."""
    m = ISO_RE.fullmatch(s) if isinstance(s, str) else None
    if not m:
        return None
    ts = calendar.timegm(tuple(int(x) for x in m.groups()[:6]))
    if m.group(8) != "Z":
        sign = 1 if m.group(8)[0] == "+" else -1
        ts -= sign * (int(m.group(8)[1:3]) * 3600 + int(m.group(8)[4:6]) * 60)
    return ts


def dumps(obj, ascii_only=False):
    return json.dumps(obj, ensure_ascii=ascii_only, separators=(",", ":")).encode("utf-8")


class Run:
    """One group run: its object (key order is the wire order) and its cached JSON text.
    ascii_only runs are serialized with \\uXXXX escapes (surrogate pairs too), the rest as raw
    UTF-8: both are valid JSON and the client must read both. ts feeds the synthetic events."""
    __slots__ = ("obj", "_text", "ascii_only", "ts")

    def __init__(self, obj, ts, ascii_only=False):
        self.obj, self.ts, self.ascii_only, self._text = obj, ts, ascii_only, None

    @property
    def text(self):
        if self._text is None:
            self._text = dumps(self.obj, self.ascii_only)
        return self._text

    def update(self, fields, omit=()):
        self.obj.update(fields)          # existing keys keep their place, new keys go last
        for k in omit:
            self.obj.pop(k, None)
        self.ts = parse_iso(self.obj.get("start_time")) or self.ts
        self._text = None


class Group:
    """A group: runs newest first, an index by guid, and its own seeded RNG."""

    def __init__(self, gid, n, seed):
        self.gid, self.runs, self.index = gid, [], {}
        self.rng = random.Random(f"fake-tines:{seed}:{gid}")
        self._hostile = None
        for i in range(n):
            self._append(self.make_run(NEWEST - i * STEP, i, in_progress=i < 2))
        self.newest_ts = NEWEST if n else NEWEST - STEP    # start_time of the newest run
        self.serial = n                                    # i of the next added run

    def _append(self, run):
        run.text                         # pre-serialize now, not on the first page request
        self.runs.append(run)
        self.index[run.obj.get("guid")] = run

    def guid(self):
        b = bytearray(self.rng.getrandbits(128).to_bytes(16, "big"))
        b[6], b[8] = (b[6] & 0x0F) | 0x40, (b[8] & 0x3F) | 0x80      # version 4, RFC 4122 variant
        h = b.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def make_run(self, ts, i, in_progress=False, plain=False):
        """Run number i (0 = newest seeded). The oddities hang off i so that they are
        deterministic and reachable in the first pages; plain runs (added later) get none."""
        r = self.rng
        duration = None if in_progress else (0 if r.random() < 0.1 else r.randrange(1, 900))
        start, frac = iso(ts), ""
        if not plain and i % 50 == 10:                     # 2%: fractional seconds
            frac = ".%03d" % r.randrange(1000)
            start = start[:-1] + frac + "Z"
        elif not plain and i % 50 == 30:                   # 2%: same instant with an offset
            off = 2 * 3600 if i % 100 == 30 else -(5 * 3600 + 30 * 60)
            start = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts + off)) + \
                ("+02:00" if off > 0 else "-05:30")
        actions = r.randrange(1, 30)
        draft_id, draft_name = r.randrange(1000, 99999), r.choice(PLAIN_DRAFTS)
        if not plain and i % 6 == 3:
            draft_name = ODD_DRAFTS[(i // 6) % len(ODD_DRAFTS)]
        if i % 5 == 1:
            draft_id = draft_name = None
        elif not plain and i % 23 == 12:
            draft_name = None
        obj = {"guid": self.guid(), "duration": duration, "story_id": 100 + r.randrange(12),
               "group_id": self.gid, "start_time": start,
               "end_time": None if in_progress else iso(ts + duration)[:-1] + frac + "Z",
               "action_count": actions, "event_count": actions + r.randrange(0, 20),
               "story_mode": "TEST" if r.random() < 0.3 else "LIVE",
               "draft_id": draft_id, "draft_name": draft_name}
        if not plain:                                      # fields added to the API later
            if i % 10 == 7:
                obj["tags"] = []
            if i % 15 == 4:
                obj["meta_info"] = {}
            if i % 20 == 13:
                obj["labels"] = {"a": [1, 2]}
        return Run(obj, ts, ascii_only=not plain and r.random() < 0.3)

    def add_front(self, fields=None, omit=()):
        """A new newest run; fields override the generated defaults, and end_time/duration
        follow the one of them that was given. Returns the Run."""
        fields = dict(fields or {})
        ts = parse_iso(fields.get("start_time")) or self.newest_ts + STEP
        if "duration" in fields and "end_time" not in fields:
            d = fields["duration"]
            fields["end_time"] = iso(ts + d) if type(d) is int else None
        elif "end_time" in fields and "duration" not in fields:
            end = parse_iso(fields["end_time"])
            fields["duration"] = end - ts if end is not None else None
        self.newest_ts = max(self.newest_ts, ts)
        run = self.make_run(ts, self.serial, plain=True)
        self.serial += 1
        run.update(fields, omit)
        run.text
        self.runs.insert(0, run)
        self.index[run.obj.get("guid")] = run
        return run

    def remove(self, run):
        self.runs.remove(run)
        self.index.pop(run.obj.get("guid"), None)

    # hostile_runs: one bad item after every 5 real runs, counted in meta.count like real
    # items would be, so pages keep per_page items and the real runs keep their order.
    def hostile(self):
        if self._hostile is None:
            base = {"duration": 1, "story_id": 1, "group_id": self.gid,
                    "start_time": iso(NEWEST), "end_time": iso(NEWEST + 1), "action_count": 1,
                    "event_count": 1, "story_mode": "LIVE", "draft_id": None, "draft_name": None}
            bad = [42, dict(base), None, "a string"] + [
                dict({"guid": g}, **base) for g in
                ("evil/guid-0001", "..", ".", "", "bad\u0001guid", "a" * 300, 12345, None)]
            self._hostile = [dumps(x) for x in bad]
        return self._hostile

    def count(self, hostile):
        return len(self.runs) + (len(self.runs) // 5 if hostile else 0)

    def page_texts(self, start, per, hostile):
        if not hostile:
            return [r.text for r in self.runs[start:start + per]]
        bad, out = self.hostile(), []
        for v in range(start, min(start + per, self.count(True))):
            b, k = divmod(v, 6)
            out.append(self.runs[b * 5 + k].text if k < 5 else bad[b % len(bad)])
        return out


def run_events(run):
    """A few synthetic events for a run, newest first, deterministic from its guid."""
    n = run.obj.get("event_count")
    n = min(n, 40) if isinstance(n, int) and n >= 0 else 3
    r = random.Random(str(run.obj.get("guid")))
    first, actions = r.randrange(1000, 10**6), [r.randrange(1000, 9999) for _ in range(4)]
    return [dumps({"id": first + k, "action_id": actions[k % 4], "created_at": iso(run.ts + k)})
            for k in reversed(range(n))]


class State:
    """Everything mutable, behind one lock. Fault counters count API requests since each knob
    was set (api_seq is never reset, so /_control/reset does not disturb a running fault)."""

    def __init__(self, key, seed, latency_ms):
        self.lock = threading.Lock()
        self.key, self.seed, self.base_latency = key, seed, latency_ms
        self.groups, self.log, self.faults, self.fault_base, self.api_seq = {}, [], {}, {}, 0
        self.in_flight = self.peak_in_flight = 0     # API requests being answered right now

    def set_faults(self, knobs):
        """Merge knobs ({} clears all, a null value clears one). Raises ValueError and then
        changes nothing."""
        if not isinstance(knobs, dict):
            raise ValueError("faults body must be an object")
        if not knobs:
            self.faults.clear()
            return
        new = {}
        for k, v in knobs.items():
            if k not in FAULT_KEYS:
                raise ValueError(f"unknown fault knob {k!r}; known: {', '.join(FAULT_KEYS)}")
            if k in FAULT_INTS and v is not None and not (type(v) is int and v >= 0):
                raise ValueError(f"{k} wants an integer >= 0")
            if k == "status_every" and v is not None:
                v = {"n": v, "status": 503} if type(v) is int else v
                if not (isinstance(v, dict) and type(v.get("n")) is int and v["n"] >= 1
                        and type(v.get("status", 503)) is int):
                    raise ValueError('status_every wants N or {"n": N, "status": S}')
                v = {"n": v["n"], "status": v.get("status", 503)}
            new[k] = v
        for k, v in new.items():
            if v is None:
                self.faults.pop(k, None)
            else:
                self.faults[k], self.fault_base[k] = v, self.api_seq

    def due(self, knob, seq):
        """True when the knob (an 'every N' count) fires on API request number seq."""
        v = self.faults.get(knob)
        n = v["n"] if isinstance(v, dict) else v
        return bool(n) and (seq - self.fault_base[knob]) % n == 0


def int_param(q, name, default):
    # Non-integer, empty or < 1 values fall back to the default rather than answering 400: the
    # doc does not say what the API does, and a lenient server is the harder case for a client
    # that must report per_page/page from meta rather than from what it asked for.
    v = q.get(name, [""])[0]
    return int(v) if v.isascii() and v.isdigit() and int(v) >= 1 else default


class Abort(Exception):
    """Raised after a handler closed its connection on purpose (reset/hang faults)."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeTines/1.0"
    timeout = 300                        # idle keep-alive connections are dropped after this

    # --- plumbing -------------------------------------------------------------------------
    def setup(self):
        self.failed_handshake = False
        if isinstance(self.request, ssl.SSLSocket):   # handshake here, not in the accept loop
            self.request.settimeout(30)
            try:
                self.request.do_handshake()
            except (OSError, ssl.SSLError):
                self.failed_handshake = True
        super().setup()

    def handle(self):
        if self.failed_handshake:
            return
        try:
            super().handle()
        except Abort:
            pass
        except (ConnectionError, BrokenPipeError):
            pass                          # the client went away mid-answer

    def log_request(self, code="-", size="-"):
        # One line per request; headers (and so the Authorization value) are never logged.
        sys.stderr.write(f"{self.command} {self.path} {code}\n")

    def log_message(self, fmt, *args):
        sys.stderr.write("fake_tenant: " + (fmt % args) + "\n")

    def send_body(self, status, body, headers=(), truncate=False):
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body[:len(body) // 2] if truncate else body)
        if truncate:                      # FIN after half the promised bytes: a short read
            self.close_connection = True

    def send_huge(self, total):
        """huge_body_mb: a 200 of exactly `total` bytes of runs-page JSON, sent chunked (no
        Content-Length) about 64 KiB at a time and never built whole: only what the client
        reads is ever made. Item i is {"guid":"huge-<i, 12 digits>", ...}, all one size."""
        item = lambda i: b'{"guid":"huge-%012d","duration":1,"story_id":1,"group_id":1,' \
            b'"start_time":"2024-06-01T12:00:00Z","end_time":"2024-06-01T12:00:01Z",' \
            b'"action_count":1,"event_count":1,"story_mode":"LIVE","draft_id":null,' \
            b'"draft_name":null}' % i
        head, size = b'{"group_runs":[', len(item(0)) + 1       # + the comma before it
        n = max(0, (total - len(head) - 200) // size)
        tail = b'],"meta":{"per_page":%d,"pages":1,"count":%d}}\n' % (n, n)
        pad = total - len(head) - max(0, n * size - 1) - len(tail)   # spaces: still JSON
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = lambda b: self.wfile.write(b"%x\r\n%s\r\n" % (len(b), b))
        chunk(head)
        per = max(1, 65536 // size)
        for i in range(0, n, per):
            chunk(b",".join(item(k) for k in range(i, min(n, i + per))) +
                  (b"," if i + per < n else b""))
        for i in range(0, max(0, pad), 65536):
            chunk(b" " * min(65536, pad - i))
        chunk(tail)
        self.wfile.write(b"0\r\n\r\n")

    def send_json(self, status, obj, headers=()):
        self.send_body(status, dumps(obj) + b"\n", headers)

    def abort(self, why):
        """Drop the connection without answering; SO_LINGER 0 makes close() send an RST."""
        sys.stderr.write(f"{self.command} {self.path} - ({why})\n")
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.rfile.close()
        self.wfile.close()
        self.connection.close()
        raise Abort()

    def dispatch(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(n) if n > 0 else b""
        url = urlsplit(self.path)
        if url.path.startswith("/_control/"):
            self.control(url.path[len("/_control/"):].strip("/").split("/"))
        elif url.path.startswith("/api/"):
            self.api(url.path, url.query)
        else:
            self.send_json(404, {"error": "not found"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = dispatch

    # --- the API ----------------------------------------------------------------------------
    def api(self, path, query):
        st = self.server.state
        with st.lock:
            st.in_flight += 1
            st.peak_in_flight = max(st.peak_in_flight, st.in_flight)
        try:
            self.api_counted(st, path, query)
        finally:
            with st.lock:
                st.in_flight -= 1

    def api_counted(self, st, path, query):
        auth = self.headers.get("Authorization") or ""
        scheme, _, key = auth.partition(" ")
        auth_ok = scheme.lower() == "bearer" and key.strip() == st.key
        q = parse_qs(query, keep_blank_values=True)
        m_runs, m_events = RUNS_RE.fullmatch(path), EVENTS_RE.fullmatch(path)
        m = m_runs or m_events
        entry = {"method": self.command, "path": path, "query": query,
                 "group": int(m.group(1)) if m else None, "page": None, "per_page": None,
                 "status": None, "auth_ok": auth_ok, "fault": None}
        with st.lock:
            st.log.append(entry)
            st.api_seq += 1
            seq, f = st.api_seq, dict(st.faults)
            if m:                         # logged as used: defaulted, capped, or overridden
                entry["per_page"] = f.get("ignore_per_page") or \
                    min(int_param(q, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
                entry["page"] = int_param(q, "page", 1)
            fault = next((k for k in ("reset_every", "hang_every", "status_every",
                                      "garbage_every", "truncate_every") if st.due(k, seq)), None)
            if f.get("down"):
                fault = "down"
            elif fault is None and f.get("huge_body_mb") and auth_ok and m:
                fault = "huge_body_mb"
            entry["fault"] = fault
        if fault == "down" or fault == "reset_every":
            self.abort(fault)
        if fault == "hang_every":
            self.server.stopping.wait(3600)
            self.abort(fault)
        delay = st.base_latency + f.get("latency_ms", 0)
        if delay:
            time.sleep(delay / 1000)
        if fault == "huge_body_mb":
            with st.lock:
                entry["status"] = 200
            return self.send_huge(f["huge_body_mb"] << 20)
        status, body, headers = self.api_answer(st, f, fault, auth_ok, m_runs, m_events,
                                                entry["page"], entry["per_page"])
        with st.lock:
            entry["status"] = status
        self.send_body(status, body, headers, truncate=fault == "truncate_every")

    def api_answer(self, st, f, fault, auth_ok, m_runs, m_events, page, per):
        """-> (status, body bytes, extra headers) for one API request."""
        if fault == "status_every":
            status = f["status_every"]["status"]
            hdrs = [("Retry-After", str(f["retry_after"]))] \
                if "retry_after" in f and status in (429, 503) else []
            return status, dumps({"error": f"injected status {status}"}) + b"\n", hdrs
        if fault == "garbage_every":
            return 200, b"<html><body>502 Bad Gateway</body></html>\n", []
        if not auth_ok:
            return 401, dumps({"error": "missing or invalid API key"}) + b"\n", \
                [("WWW-Authenticate", 'Bearer realm="tines"')]
        if self.command != "GET" or not (m_runs or m_events):
            return 404, dumps({"error": "not found"}) + b"\n", []
        gid = int((m_runs or m_events).group(1))
        with st.lock:
            g = st.groups.get(gid)
            if g is None:
                return 404, dumps({"error": f"group {gid} not found"}) + b"\n", []
            start = (page - 1) * per
            if m_runs:
                hostile = bool(f.get("hostile_runs"))
                count, texts = g.count(hostile), g.page_texts(start, per, hostile)
                list_key, path = "group_runs", f"/api/v1/groups/{gid}/runs"
                for _ in range(f.get("shift_insert", 0)):
                    g.add_front()
                for _ in range(min(f.get("shift_delete", 0), len(g.runs))):
                    g.remove(g.runs[0])
            else:
                run = g.index.get(unquote(m_events.group(2)))
                if run is None:
                    return 404, dumps({"error": "group run not found"}) + b"\n", []
                events = run_events(run)
                count, texts = len(events), events[start:start + per]
                list_key = "group_run_events"
                path = f"/api/v1/groups/{gid}/runs/{quote(str(run.obj['guid']), safe='')}"
        meta = self.meta(f, path, page, per, count)
        return 200, b'{"%s":[%s],"meta":%s}\n' % (list_key.encode(), b",".join(texts),
                                                  dumps(meta)), []

    def meta(self, f, path, page, per, count):
        # Links are absolute: next_page_origin if set, else the scheme we serve and the Host
        # header (or the bound address). Past the end, previous_page still points at page-1.
        origin = f.get("next_page_origin") or "%s://%s" % (
            self.server.scheme, self.headers.get("Host") or "%s:%d" % self.server.server_address[:2])
        pages = math.ceil(count / per)
        url = lambda p: f"{origin}{path}?per_page={per}&page={p}"
        nxt = page + 1 if page < pages else None
        return {"current_page": url(page), "previous_page": url(page - 1) if page > 1 else None,
                "next_page": url(nxt) if nxt else None, "next_page_number": nxt,
                "per_page": per, "pages": f.get("lie_pages", pages),
                "count": f.get("lie_count", count)}

    # --- the control API --------------------------------------------------------------------
    def control(self, parts):
        st = self.server.state
        try:
            req = json.loads(self.body) if self.body.strip() else {}
        except ValueError:
            return self.send_json(400, {"error": "body is not JSON"})
        with st.lock:                     # answer built under the lock, sent outside it
            status, body = self.control_answer(st, self.command, tuple(parts), req)
        self.send_body(status, body if isinstance(body, bytes) else dumps(body) + b"\n")

    def control_answer(self, st, cmd, route, req):
        """-> (status, JSON object or bytes) for one control request; called under the lock."""
        if route == ("stats",) and cmd == "GET":
            return 200, {"requests": len(st.log), "in_flight": st.in_flight,
                         "peak_in_flight": st.peak_in_flight, "log": st.log}
        if route == ("reset",) and cmd == "POST":
            st.log = []
            st.peak_in_flight = st.in_flight
            return 200, {"ok": True}
        if route == ("faults",) and cmd == "GET":
            return 200, st.faults
        if route == ("faults", "clear") and cmd == "POST":
            st.faults.clear()
            return 200, st.faults
        if route == ("faults",) and cmd == "POST":
            try:
                st.set_faults(req)
            except ValueError as e:
                return 400, {"error": str(e)}
            return 200, st.faults
        if route == ("groups",) and cmd == "GET":
            return 200, {str(k): len(g.runs) for k, g in st.groups.items()}
        if len(route) >= 2 and route[0] == "groups" and route[1].isdigit():
            return self.control_group(st, cmd, int(route[1]), route[2:], req)
        return 404, {"error": "no such control endpoint"}

    def control_group(self, st, cmd, gid, rest, req):
        g = st.groups.get(gid)
        if not rest:
            if cmd == "POST":
                n = req.get("runs", 0) if isinstance(req, dict) else None
                if type(n) is not int or n < 0:
                    return 400, {"error": 'want {"runs": N}'}
                st.groups[gid] = Group(gid, n, st.seed)
                return 200, {"group": gid, "runs": n}
            if cmd == "DELETE" and g:
                del st.groups[gid]
                return 200, {"ok": True}
        if g is None:
            return 404, {"error": f"group {gid} not found"}
        if rest == ("runs",) and cmd == "GET":
            return 200, b"[" + b",".join(r.text for r in g.runs) + b"]\n"
        if not isinstance(req, dict):
            return 400, {"error": "body must be an object"}
        # "_omit": [keys] (our extension) drops keys, to test runs missing a documented field.
        omit = req.pop("_omit", [])
        if not isinstance(req.get("guid", ""), (str, int, type(None))) or \
                not isinstance(omit, list):
            return 400, {"error": "guid must be a string, number or null; _omit a list"}
        if rest == ("runs",) and cmd == "POST":
            if "guid" in req and req["guid"] in g.index:
                return 409, {"error": "guid already exists"}
            return 200, g.add_front(req, omit).text + b"\n"
        if len(rest) == 2 and rest[0] == "runs" and cmd in ("PATCH", "DELETE"):
            run = g.index.get(unquote(rest[1]))
            if run is None:
                return 404, {"error": "group run not found"}
            if cmd == "DELETE":
                g.remove(run)
                return 200, {"ok": True}
            old = run.obj.get("guid")
            if "guid" in req and req["guid"] != old and req["guid"] in g.index:
                return 409, {"error": "guid already exists"}
            run.update(req, omit)
            g.index.pop(old, None)
            g.index[run.obj.get("guid")] = run
            return 200, run.text + b"\n"
        return 404, {"error": "no such control endpoint"}


def group_arg(s):
    gid, sep, n = s.partition(":")
    if not (sep and gid.isdigit() and n.isdigit()):
        raise argparse.ArgumentTypeError(f"want ID:N, got {s!r}")
    return int(gid), int(n)


def main():
    ap = argparse.ArgumentParser(description="Fake Tines tenant for the tinesfs tests.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0: the kernel picks")
    ap.add_argument("--port-file", required=True, help="written (atomically) once listening")
    ap.add_argument("--key", help="bearer key (default $FAKE_TINES_KEY or test-key)")
    ap.add_argument("--group", type=group_arg, action="append", metavar="ID:N",
                    help="seed group ID with N runs (repeatable; default 200:300 201:0)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--latency-ms", type=int, default=0,
                    help="base latency of every API answer, on top of the latency_ms knob")
    ap.add_argument("--faults-json", default="{}", help="initial fault knobs")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    a = ap.parse_args()
    if bool(a.tls_cert) != bool(a.tls_key):
        ap.error("--tls-cert and --tls-key go together")

    st = State(a.key or os.environ.get("FAKE_TINES_KEY") or "test-key", a.seed, a.latency_ms)
    try:
        st.set_faults(json.loads(a.faults_json))
    except ValueError as e:
        ap.error(f"--faults-json: {e}")
    for gid, n in a.group or [(200, 300), (201, 0)]:
        st.groups[gid] = Group(gid, n, a.seed)

    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    srv.daemon_threads = True
    srv.state, srv.stopping, srv.scheme = st, threading.Event(), "http"
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
        srv.scheme = "https"

    def stop(signum, frame):
        srv.stopping.set()                # wakes hung handlers
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    tmp = f"{a.port_file}.tmp.{os.getpid()}"
    with open(tmp, "w") as fh:
        fh.write(f"{srv.server_address[1]}\n")
    os.replace(tmp, a.port_file)
    sys.stderr.write(f"fake_tenant: listening on {srv.scheme}://{a.host}:{srv.server_address[1]}"
                     f" groups {sorted((k, len(g.runs)) for k, g in st.groups.items())}\n")
    srv.serve_forever(poll_interval=0.1)
    srv.server_close()
    # Skip interpreter teardown: freeing 100k cached runs takes seconds, and handler threads
    # (daemons) need no goodbye. Status 0 whatever signal stopped us.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
