#!/usr/bin/env python3
"""The real ussdgw binary's SMPP listener ([smpp.server]) against raw-socket peers on
127.0.0.x, bytes written exactly as a hostile or hurried peer writes them. Checks that:
- requests followed in the same write by an unbind, or by bytes that cannot be framed, are
  all answered, in order, before unbind_resp or the close;
- 100 idle connections from one address do not lock out a legitimate client;
- 50 wrong-password binds are slowed down, then refused (the right password too);
- an unknown system_id and a wrong password get the same answer;
- the log stays bounded through all that (repeated lines are rate-limited and summed up);
- submit_sm of an account without roles is refused for good (ESME_RINVSERTYP), never
  accepted and dropped, an SMS as well as a USSD request (the sms role is tested in
  sms_integrator_node_test.js, USSD centres that bind to the listener in
  ussd_listener_node_test.js).

usage: listener_test.py PATH/TO/ussdgw
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []

BIND_TRANSCEIVER = 0x00000009
SUBMIT_SM = 0x00000004
UNBIND = 0x00000006
GENERIC_NACK = 0x80000000
RESP = 0x80000000
ESME_RINVCMDID = 0x03
ESME_RINVCMDLEN = 0x02
ESME_RBINDFAIL = 0x0D
ESME_RINVSERTYP = 0x15


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
    return cond


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- PDUs -----------------------------------------------------------------------------------

def pdu(command_id, seq, body=b"", status=0, length=None):
    return struct.pack(">IIII", 16 + len(body) if length is None else length, command_id,
                       status, seq) + body


def cstr(s):
    return s.encode() + b"\0"


def bind_body(system_id, password):
    return cstr(system_id) + cstr(password) + cstr("") + bytes([0x34, 0, 0]) + cstr("")


def submit_body(text="hello", ussd_op=None):
    body = (cstr("") + bytes([5, 0]) + cstr("A1") + bytes([1, 1]) + cstr("375291234567") +
            bytes([0, 0, 0]) + cstr("") + cstr("") + bytes([0, 0, 0, 0]) +
            bytes([len(text)]) + text.encode())
    if ussd_op is not None:
        body += struct.pack(">HHB", 0x0501, 1, ussd_op)
    return body


class Peer:
    """A raw SMPP peer: writes bytes as given, reads PDUs as (command_id, status, seq, body)."""

    def __init__(self, port, source="127.0.0.1", timeout=5.0):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                          source_address=(source, 0))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def write(self, data):
        self.s.sendall(data)

    def read(self):
        """The next PDU, or None on EOF, reset or timeout."""
        try:
            while True:
                if len(self.buf) >= 16:
                    n = struct.unpack(">I", self.buf[:4])[0]
                    if len(self.buf) >= n:
                        frame, self.buf = self.buf[:n], self.buf[n:]
                        cmd, st, seq = struct.unpack(">III", frame[4:16])
                        return cmd, st, seq, frame[16:]
                chunk = self.s.recv(65536)
                if not chunk:
                    return None
                self.buf += chunk
        except (socket.timeout, ConnectionError):
            return None

    def closed_by_peer(self):
        """True when the server closed the connection (whatever it sent first)."""
        try:
            while True:
                chunk = self.s.recv(65536)
                if not chunk:
                    return True
        except ConnectionError:
            return True
        except socket.timeout:
            return False

    def bind(self, system_id, password, seq=1):
        self.write(pdu(BIND_TRANSCEIVER, seq, bind_body(system_id, password)))
        return self.read()

    def close(self):
        self.s.close()


# ---- the engine -----------------------------------------------------------------------------

def config(port, tmp):
    return f"""[log]
level = "info"

[smpp.server]
enabled = true
listen = "127.0.0.1:{port}"
bind_timeout = "5s"
max_connections = 100
max_unbound = 20
max_unbound_per_address = 5
bind_slowdown_after = 3
bind_slowdown = "50ms"
bind_lockout_after = 8
account_lockout_after = 30

[[smpp.server.account]]
system_id = "esme"
password = "secret"

[[smpp.server.account]]
system_id = "victim"
password = "right1"

[menus]
directory = "{ROOT}/menus/cabinet"

[storage]
database = "{tmp}/ussdgw.db"
key_file = "{tmp}/storage.key"
argon2_memlimit = 8388608
"""


def start_engine(ussdgw, tmp, port):
    cfg = os.path.join(tmp, "ussdgw.toml")
    open(cfg, "w", encoding="utf-8").write(config(port, tmp))
    log = open(os.path.join(tmp, "ussdgw.log"), "w+")
    proc = subprocess.Popen([ussdgw, "-c", cfg, "run", "--for", "90"], stdout=log,
                            stderr=subprocess.STDOUT, cwd=tmp)
    for _ in range(500):
        if proc.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, log
        except OSError:
            time.sleep(0.02)
    log.seek(0)
    print(log.read())
    raise SystemExit("ussdgw did not listen on 127.0.0.1:%d" % port)


# ---- the checks -----------------------------------------------------------------------------

def requests_then_unbind_in_one_write(port):
    p = Peer(port)
    b = p.bind("esme", "secret")
    check(b is not None and b[1] == 0, "bind_transceiver accepted")
    p.write(pdu(SUBMIT_SM, 51, submit_body("one")) + pdu(SUBMIT_SM, 52, submit_body("two")) +
            pdu(UNBIND, 53))
    got = [p.read() for _ in range(3)]
    seen = [(g[0], g[2]) if g else None for g in got]
    check(seen == [(SUBMIT_SM | RESP, 51), (SUBMIT_SM | RESP, 52), (UNBIND | RESP, 53)],
          "submit_sm, submit_sm, unbind in one write -> submit_sm_resp 51, 52, then "
          "unbind_resp 53 (got %s)" % seen)
    check(all(g and g[1] == ESME_RINVSERTYP and g[3] == b"" for g in got[:2]),
          "the submit_sm are refused ESME_RINVSERTYP, with no message id")
    check(p.closed_by_peer(), "the server closes after unbind_resp")
    p.close()


def requests_then_junk_in_one_write(port):
    p = Peer(port)
    check(p.bind("esme", "secret")[1] == 0, "bind again")
    p.write(pdu(SUBMIT_SM, 61, submit_body("one")) + pdu(0x000000FF, 62) +
            pdu(SUBMIT_SM, 63, submit_body("two")) + pdu(SUBMIT_SM, 64, length=8))
    got = []
    while True:
        g = p.read()
        if g is None:
            break
        got.append(g)
    seen = [(g[0], g[2]) for g in got]
    check(seen[:3] == [(SUBMIT_SM | RESP, 61), (GENERIC_NACK, 62), (SUBMIT_SM | RESP, 63)],
          "submit_sm, unknown command, submit_sm -> answered in order (got %s)" % seen)
    check(len(got) >= 2 and got[1][1] == ESME_RINVCMDID, "the unknown command: ESME_RINVCMDID")
    check(len(got) == 4 and got[3][0] == GENERIC_NACK and got[3][1] == ESME_RINVCMDLEN,
          "then command_length 8: generic_nack ESME_RINVCMDLEN, last, and the close")
    p.close()


def idle_connections_do_not_lock_out(port):
    idle = [Peer(port) for _ in range(100)]
    p = Peer(port)
    b = p.bind("esme", "secret")
    check(b is not None and b[1] == 0,
          "after 100 idle connections from 127.0.0.1, a client from 127.0.0.1 binds")
    p.write(pdu(SUBMIT_SM, 2, submit_body("after the flood")))
    r = p.read()
    check(r is not None and r[0] == SUBMIT_SM | RESP and r[2] == 2, "... and is answered")
    p.close()
    q = Peer(port, source="127.0.0.2")
    b = q.bind("esme", "secret")
    check(b is not None and b[1] == 0, "a client from 127.0.0.2 binds too")
    q.close()
    closed = sum(1 for c in idle[:90] if c.closed_by_peer())
    check(closed == 90, "the oldest idle connections were closed to make room (%d of 90)" % closed)
    for c in idle:
        c.close()


def wrong_binds_are_slowed_then_refused(port):
    took, statuses = [], []
    for i in range(50):
        p = Peer(port, source="127.0.0.3", timeout=10)
        t = time.monotonic()
        b = p.bind("victim", "guess%d" % i)
        took.append(time.monotonic() - t)
        statuses.append(b[1] if b else None)
        p.close()
    check(all(st == ESME_RBINDFAIL for st in statuses),
          "50 wrong binds: every one answered ESME_RBINDFAIL")
    check(max(took[:3]) < 0.05, "the first 3 answered at once (%.3f s at most)" % max(took[:3]))
    check(all(took[i] >= 0.05 * 2 ** (i - 3) * 0.9 for i in range(3, 8)),
          "the next 5 slowed down, doubling from 50 ms (%s)" %
          ", ".join("%.2f" % t for t in took[3:8]))
    check(max(took[8:]) < 0.05, "then locked out: refused at once (%.3f s at most)" %
          max(took[8:]))
    p = Peer(port, source="127.0.0.3")
    b = p.bind("victim", "right1")
    check(b is not None and b[1] == ESME_RBINDFAIL,
          "locked out: even the right password is refused from that address")
    p.close()
    p = Peer(port, source="127.0.0.4", timeout=10)
    t = time.monotonic()
    b = p.bind("victim", "right1")
    check(b is not None and b[1] == 0 and time.monotonic() - t >= 0.05,
          "from another address the account binds, slowed by its 8 failures (%.2f s)" %
          (time.monotonic() - t))
    p.close()


def unknown_and_wrong_look_the_same(port):
    answers = []
    for system_id, password in (("nosuchid", "secret"), ("esme", "wrong")):
        p = Peer(port, source="127.0.0.5")
        p.write(pdu(BIND_TRANSCEIVER, 7, bind_body(system_id, password)))
        b = p.read()
        answers.append(b)
        check(b is not None and b[1] == ESME_RBINDFAIL and p.closed_by_peer(),
              "bind %s/%s: ESME_RBINDFAIL, then closed" % (system_id, password))
        p.close()
    check(answers[0] == answers[1], "unknown system_id and wrong password: the same answer, "
          "byte for byte")


def log_is_bounded(text):
    lines = text.splitlines()
    count = lambda ev: sum(1 for l in lines if "event=%s " % ev in l + " ")
    check(len(lines) < 120, "the log stays bounded: %d lines for ~100 evictions, ~55 refused "
          "binds" % len(lines))
    check(count("smpp.bind_refused") <= 12, "smpp.bind_refused lines are rate-limited (%d)" %
          count("smpp.bind_refused"))
    check(count("smpp.connection_evicted") <= 12,
          "smpp.connection_evicted lines are rate-limited (%d)" % count("smpp.connection_evicted"))
    check(any("event=smpp.bind_refused suppressed=" in l for l in lines),
          "what was suppressed is counted: " +
          next((l.split("event=")[1] for l in lines
                if "event=smpp.bind_refused suppressed=" in l), "(none)"))
    check(not any("right1" in l or "secret" in l or "guess" in l for l in lines),
          "no password in the log")
    check(any("event=smpp.bound" in l and "interface_version=0x34" in l for l in lines),
          "interface_version is logged in hex: 0x34")
    refused = [l for l in lines if "event=smpp.request_refused" in l]
    check(any("account=esme" in l and "reason=role_missing" in l for l in refused) and
          any("account=victim" in l and "reason=role_missing" in l for l in refused),
          "refused requests are logged with the account and the reason")


def submits_are_refused(port):
    for system_id, password, reason in (("esme", "secret", "role_missing"),
                                         ("victim", "right1", "role_missing")):
        p = Peer(port, source="127.0.0.6")
        check(p.bind(system_id, password)[1] == 0, "bind %s" % system_id)
        p.write(pdu(SUBMIT_SM, 5, submit_body("sms")) +
                pdu(SUBMIT_SM, 6, submit_body("menu", ussd_op=2)))
        got = [p.read(), p.read()]
        check(all(g and g[0] == SUBMIT_SM | RESP and g[1] == ESME_RINVSERTYP for g in got),
              "%s: an SMS and a USSD submit_sm both refused ESME_RINVSERTYP (%s)" %
              (system_id, reason))
        p.close()


def main():
    ussdgw = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="ussdgw-listener-")
    port = free_port()
    proc, log = start_engine(ussdgw, tmp, port)
    try:
        requests_then_unbind_in_one_write(port)
        requests_then_junk_in_one_write(port)
        idle_connections_do_not_lock_out(port)
        wrong_binds_are_slowed_then_refused(port)
        unknown_and_wrong_look_the_same(port)
        submits_are_refused(port)
    finally:
        proc.terminate()
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
    check(code == 0, "ussdgw exits 0 on SIGTERM (%s)" % code)
    log.seek(0)
    text = log.read()
    log_is_bounded(text)
    if failures:
        print("--- ussdgw log\n" + text)
    print("listener: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
