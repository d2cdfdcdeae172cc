#!/usr/bin/env python3
"""The engine's HTTP face against real clients: the ussdgw binary on the shipped configuration
(files and ports moved to a temporary directory) driven with curl and raw sockets on
127.0.0.1. Readiness (not ready while a required SMPP link cannot bind, ready once the
simulator's SMSC is up; a link with required = false does not count), the operations routes
on a separate ops_listen address, 404 / 405 / 400 / 413 / 431 answers with JSON error bodies
and security headers, junk bytes, slow peers closed after request_timeout, keep-alive reuse,
1,000 connections at once against max_connections = 100 (the limit holds, the engine still
serves), and SIGTERM finishing a request in flight.

usage: http_test.py PATH/TO/ussdgw
"""
import json
import os
import resource
import selectors
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from ussdgw_harness import (Engine, check, curl, free_port, netsim, shipped_config,  # noqa: E402
                            summary, tempdir, wait_until)

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
FAST_RECONNECT = [('reconnect_min = "1s"', 'reconnect_min = "100ms"'),
                  ('reconnect_max = "60s"', 'reconnect_max = "300ms"')]


def error_code(body):
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def metric(engine, line_start, ops=False):
    """The value of the first /metrics sample line starting with `line_start` (None if none)."""
    status, _, body = curl(engine.url("/metrics", ops))
    for line in body.splitlines():
        if line.startswith(line_start + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def raw(port, data, wait=5.0):
    """Sends `data` on a new connection; returns (bytes received, closed_by_peer, seconds
    until the peer closed or the wait ended)."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(wait)
    t0 = time.monotonic()
    got, closed = b"", False
    try:
        s.sendall(data)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            got += chunk
    except ConnectionResetError:
        closed = True
    except socket.timeout:
        pass
    finally:
        s.close()
    return got, closed, time.monotonic() - t0


def test_ops_listener(ussdgw):
    tmp = tempdir("ussdgw-http-ops-")
    conf = shipped_config(tmp, free_port(), {"ops_listen": '"127.0.0.1:0"'},
                          subs=[("required = true", "required = false")])
    e = Engine(ussdgw, conf, tmp, "ops")
    try:
        check(e.port and e.ops_port, "main and ops listeners announced (http.listening)")
        status, headers, body = curl(e.url("/readyz", ops=True))
        check(status == 200 and json.loads(body)["ready"] is True,
              "ready without the link: it is not required (%d %s)" % (status, body[:200]))
        status, headers, body = curl(e.url("/metrics", ops=True))
        check(status == 200 and headers.get("content-type", "").startswith("text/plain; version=0.0.4"),
              "/metrics on the ops listener, text format 0.0.4")
        check("ussdgw_smpp_link_bound{link=\"ussdc\"} 0" in body, "the unbound link is in /metrics")
        status, _, body = curl(e.url("/metrics"))
        check(status == 404 and error_code(body) == "not_found",
              "/metrics is not served on the main listener when ops_listen is set")
        status, _, _ = curl(e.url("/healthz"))
        check(status == 404, "/healthz neither")
        status, _, _ = curl(e.url("/healthz", ops=True))
        check(status == 200, "/healthz on the ops listener")
    finally:
        check(e.stop() == 0, "ops engine exits 0 on SIGTERM")


def test_readiness(e, smsc_port):
    status, headers, body = curl(e.url("/healthz"))
    check(status == 200 and json.loads(body) == {"status": "ok"}, "/healthz 200 while the link is down")
    for k, v in SECURITY_HEADERS.items():
        check(headers.get(k) == v, "security header %s: %s" % (k, v))
    check(headers.get("content-security-policy", "").startswith("default-src 'self'"),
          "Content-Security-Policy default-src 'self'")
    status, _, body = curl(e.url("/readyz"))
    doc = json.loads(body) if body.startswith("{") else {}
    check(status == 503 and error_code(body) == "not_ready" and
          "smpp.link.ussdc: not bound" in doc["error"]["message"],
          "/readyz 503 naming the required link that cannot bind: " + body[:160])
    sim = netsim(smsc_port, ["--timeout", "300"])
    ready = wait_until(lambda: curl(e.url("/readyz"))[0] == 200, 20)
    check(ready, "/readyz 200 once the simulator's SMSC is up and the link bound")
    return sim


def test_errors(e):
    status, headers, body = curl(e.url("/no/such/thing"))
    check(status == 404 and error_code(body) == "not_found" and
          headers.get("content-type") == "application/json", "unknown route: 404 JSON")
    check(headers.get("x-frame-options") == "DENY", "security headers on errors too")
    status, headers, body = curl("-X", "POST", e.url("/healthz"))
    check(status == 405 and headers.get("allow") == "GET, HEAD" and
          error_code(body) == "method_not_allowed", "wrong method: 405 with Allow: GET, HEAD")
    got, _, _ = raw(e.port, b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, rest = got.partition(b"\r\n\r\n")
    check(head.startswith(b"HTTP/1.1 200") and b"Content-Length: 15" in head and
          rest.startswith(b"HTTP/1.1 200") and rest.endswith(b'{"status":"ok"}'),
          "HEAD /healthz: 200, Content-Length of the GET answer, no body (the next answer follows)")
    status, _, body = curl("-H", "Host:", e.url("/healthz"))
    check(status == 400 and error_code(body) == "missing_host", "HTTP/1.1 without Host: 400")
    status, _, body = curl("-H", "X-Big: " + "a" * 9000, e.url("/healthz"))
    check(status == 431 and error_code(body) == "header_too_large", "oversize header: 431")
    big = os.path.join(tempdir("ussdgw-http-body-"), "big")
    open(big, "wb").write(b"x" * 5000)
    status, _, body = curl("--data-binary", "@" + big, e.url("/healthz"))
    check(status == 413 and error_code(body) == "body_too_large", "oversize body: 413")
    status, _, body = curl("-H", "Transfer-Encoding: chunked", "--data-binary", "@" + big,
                           e.url("/healthz"))
    check(status == 413, "oversize chunked body: 413 (%d)" % status)
    status, _, body = curl("-H", "Expect: 100-continue", "--data-binary", "@" + big,
                           e.url("/healthz"))
    check(status == 413, "oversize body announced with Expect: 100-continue: 413 (%d)" % status)
    got, closed, _ = raw(e.port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03junk\r\n\r\n")
    check((got.startswith(b"HTTP/1.1 400") and closed) or (not got and closed),
          "junk bytes: 400 then close (%r)" % got[:40])
    got, closed, _ = raw(e.port, b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n")
    check(got.startswith(b"HTTP/1.1 400") and closed, "a bad version: 400 then close")
    got, closed, _ = raw(e.port, b"\r\n" * 3000)
    check(closed, "a stream of empty lines is closed")


def test_slow_peers(e):
    before = metric(e, 'ussdgw_http_read_timeouts_total{listener="main"}') or 0
    got, closed, took = raw(e.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", wait=6)
    check(closed and not got and 0.8 <= took <= 4,
          "slow headers closed after request_timeout (1s): %.2fs" % took)
    got, closed, took = raw(e.port, b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npart",
                            wait=6)
    check(closed and not got and 0.8 <= took <= 4,
          "slow body closed after request_timeout (1s): %.2fs" % took)
    after = metric(e, 'ussdgw_http_read_timeouts_total{listener="main"}')
    check(after == before + 2, "both counted in ussdgw_http_read_timeouts_total (%s -> %s)" % (before, after))


def test_keepalive(e):
    import subprocess
    out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                          "-w", "%{http_code}:%{num_connects} ", e.url("/healthz"),
                          e.url("/readyz"), e.url("/healthz")],
                         capture_output=True, text=True, timeout=20).stdout.split()
    check(out == ["200:1", "200:0", "200:0"],
          "keep-alive: curl reuses one connection for three requests %s" % out)


def test_thousand_connections(e, n=1000, limit=100):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    sel = selectors.DefaultSelector()
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", e.port))
        socks.append(s)
        sel.register(s, selectors.EVENT_WRITE, b"")
    outcome = {}
    deadline = time.monotonic() + 40
    while len(outcome) < n and time.monotonic() < deadline:
        for key, events in sel.select(timeout=0.5):
            s, got = key.fileobj, key.data
            if events & selectors.EVENT_WRITE:
                try:
                    s.send(request)
                    sel.modify(s, selectors.EVENT_READ, got)
                except OSError:
                    outcome[s] = "closed"
                    sel.unregister(s)
                continue
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            got += chunk
            if got.startswith(b"HTTP/1.1 ") and b"\r\n\r\n" in got:
                head, _, body = got.partition(b"\r\n\r\n")
                length = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                          if l.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    outcome[s] = got[9:12].decode()
                    sel.unregister(s)
                    continue
            if not chunk:
                outcome[s] = "closed"
                sel.unregister(s)
                continue
            sel.modify(s, selectors.EVENT_READ, got)
    counts = {}
    for v in outcome.values():
        counts[v] = counts.get(v, 0) + 1
    print("1000 connections: %s" % counts, flush=True)
    check(len(outcome) == n, "every one of %d connections was answered or closed (%d)" % (n, len(outcome)))
    served = counts.get("200", 0)
    check(1 <= served <= limit, "at most max_connections (%d) served at once: %d" % (limit, served))
    check(counts.get("503", 0) >= 1, "beyond the limit: 503 overloaded (%d)" % counts.get("503", 0))
    check(set(counts) <= {"200", "503", "closed"}, "no other answer")
    check(e.alive(), "the engine is still running")
    status, _, _ = curl(e.url("/healthz"))
    check(status != 200, "the limit holds while the %d are open: a new request gets %s" %
          (served, "no answer" if status == -1 else status))
    for s in socks:
        s.close()
    freed = wait_until(lambda: metric(e, 'ussdgw_http_connections{listener="main"}') == 1, 15)
    check(freed, "the connections are freed when the peers close (1 open: the scrape)")
    rejected = metric(e, 'ussdgw_http_connections_rejected_total{listener="main"}')
    check(rejected is not None and rejected >= n - served,
          "ussdgw_http_connections_rejected_total = %s (at least %d)" % (rejected, n - served))
    status, _, _ = curl(e.url("/healthz"))
    check(status == 200, "the engine serves after the flood")


def test_sigterm(e):
    s = socket.create_connection(("127.0.0.1", e.port))
    s.settimeout(10)
    s.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345")
    idle = socket.create_connection(("127.0.0.1", e.port))
    idle.settimeout(10)
    idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    idle.recv(4096)  # answered; now idle on keep-alive
    e.proc.send_signal(15)
    check(wait_until(lambda: "event=http.stopping" in e.log(), 5), "SIGTERM: http.stopping")
    # The rest of the request in flight at once: it must arrive within request_timeout (1 s)
    # of its start, also in the ASan build on a busy machine.
    s.sendall(b"67890")
    answer = b""
    try:
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError:
        pass
    check(idle.recv(4096) == b"", "an idle keep-alive connection is closed at once")
    refused = False
    try:
        socket.create_connection(("127.0.0.1", e.port), timeout=2).close()
    except OSError:
        refused = True
    check(refused, "no new connections after SIGTERM")
    check(answer.startswith(b"HTTP/1.1 405") and b"Connection: close" in answer,
          "the request in flight is answered, with Connection: close: %r" % answer[:30])
    rc = e.stop()
    check(rc == 0, "engine exits 0 after SIGTERM (rc %d)" % rc)
    log = e.log()
    check("event=http.stopped" in log and "event=engine.stop" in log, "http.stopped, engine.stop")


def main():
    ussdgw = sys.argv[1]
    test_ops_listener(ussdgw)

    tmp = tempdir("ussdgw-http-")
    smsc_port = free_port()
    conf = shipped_config(tmp, smsc_port, {
        "max_connections": "100",
        "max_body_bytes": "4096",
        "request_timeout": '"1s"',
        "idle_timeout": '"10s"',
        "shutdown_grace": '"3s"',
    }, subs=FAST_RECONNECT)
    e = Engine(ussdgw, conf, tmp)
    sim = None
    try:
        if not check(e.port, "engine announced its HTTP port"):
            return summary()
        sim = test_readiness(e, smsc_port)
        test_errors(e)
        test_slow_peers(e)
        test_keepalive(e)
        test_thousand_connections(e)
        check(e.alive(), "still running before SIGTERM")
        test_sigterm(e)
    finally:
        e.stop()
        if sim:
            sim.terminate()
            sim.wait(timeout=10)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
