#!/usr/bin/env python3
"""Slow and silent peers on the real ussdgw binary's SMPP listener ([smpp.server]), raw
sockets on 127.0.0.x, all at once, while a well-behaved client keeps working beside them:
- a client that binds, floods enquire_link and never reads: the engine's writes back up, it
  stops reading from that peer (the peer's writes block) and then closes it (its
  enquire_link goes unanswered) within enquire_link_interval + response_timeout;
- a client that sends half a PDU and stalls, and one that sends a bind one byte every
  200 ms: closed once the partial frame is older than response_timeout;
- a client that opens 20 connections and never binds: at most max_unbound_per_address of
  them stay open at a time (the oldest make way), and every one is closed by bind_timeout;
- meanwhile a second client (another address) binds, and its enquire_link round trips and a
  USSD dialogue's screens stay fast: nobody else is slowed down.

usage: listener_slow_peers_test.py PATH/TO/ussdgw
"""
import os
import re
import select
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from listener_test import (BIND_TRANSCEIVER, RESP, Peer, bind_body, check, failures,  # noqa: E402
                           free_port, pdu, submit_body)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENQUIRE_LINK = 0x00000015
DELIVER_SM = 0x00000005
SUBMIT_SM = 0x00000004
BIND_TIMEOUT = 2.0
RESPONSE_TIMEOUT = 1.0
ENQUIRE_INTERVAL = 1.0
MAX_UNBOUND_PER_ADDRESS = 5
SLACK = 2.0  # scheduling on a busy 2-core machine (and ASan)


def config(port, tmp):
    return f"""[log]
level = "debug"

[smpp.server]
enabled = true
listen = "127.0.0.1:{port}"
bind_timeout = "{int(BIND_TIMEOUT * 1000)}ms"
response_timeout = "{int(RESPONSE_TIMEOUT * 1000)}ms"
enquire_link_interval = "{int(ENQUIRE_INTERVAL * 1000)}ms"
max_connections = 100
max_unbound = 20
max_unbound_per_address = {MAX_UNBOUND_PER_ADDRESS}

[[smpp.server.account]]
system_id = "flood"
password = "flood"

[[smpp.server.account]]
system_id = "ussdc"
password = "ussdc"
roles = ["ussd"]

[menus]
directory = "{ROOT}/menus/cabinet"

[storage]
database = "{tmp}/ussdgw.db"
key_file = "{tmp}/storage.key"
argon2_memlimit = 8388608
"""


class Engine:
    def __init__(self, ussdgw, tmp, port):
        cfg = os.path.join(tmp, "ussdgw.toml")
        open(cfg, "w", encoding="utf-8").write(config(port, tmp))
        self.log_path = os.path.join(tmp, "ussdgw.log")
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen([ussdgw, "-c", cfg, "run", "--for", "60"], stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=tmp)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.proc.poll() is None:
            if "event=smpp.listening" in self.text():
                return
            time.sleep(0.02)
        print(self.text())
        raise SystemExit("ussdgw did not listen on 127.0.0.1:%d" % port)

    def text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def closed_at(self, peer_port):
        """The log line closing the connection from local port `peer_port`, or None."""
        m = re.search(r"^.*event=smpp\.closed\b.*peer=127\.0\.0\.\d+:%d .*$" % peer_port,
                      self.text(), re.M)
        return m.group(0) if m else None

    def wait_closed(self, peer_port, limit):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            line = self.closed_at(peer_port)
            if line:
                return line
            time.sleep(0.02)
        return None

    def stop(self):
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def port_of(peer):
    return peer.s.getsockname()[1]


def never_reads(port, out):
    """Binds, then writes enquire_link without ever reading until its writes block."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # back up soon
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    s.sendall(pdu(BIND_TRANSCEIVER, 1, bind_body("flood", "flood")))
    head = b""
    while len(head) < 16:
        chunk = s.recv(16 - len(head))
        if not chunk:
            break
        head += chunk
    out["bound"] = len(head) == 16 and struct.unpack(">IIII", head)[1:3] == (
        BIND_TRANSCEIVER | RESP, 0)
    length = struct.unpack(">I", head[:4])[0] if len(head) == 16 else 16
    while length > 16:  # the rest of bind_resp: read, and nothing more from now on
        length -= len(s.recv(length - 16))
    out["port"] = s.getsockname()[1]
    burst = b"".join(pdu(ENQUIRE_LINK, 1000 + i) for i in range(4096))
    s.settimeout(0.5)
    sent = 0
    deadline = time.monotonic() + 15
    try:
        while time.monotonic() < deadline:
            s.sendall(burst)
            sent += len(burst)
    except socket.timeout:
        out["blocked_at"] = time.monotonic()  # the engine stopped reading from us
    except OSError as e:
        out["error"] = str(e)
    out["sent"] = sent
    out["sock"] = s


def half_pdu(port):
    p = Peer(port, source="127.0.0.3")
    p.write(pdu(BIND_TRANSCEIVER, 1, bind_body("flood", "flood"))[:10])
    return p, time.monotonic()


def drip(port, stop):
    """A bind, one byte every 200 ms (it would take about 6 s)."""
    p = Peer(port, source="127.0.0.4")
    data = pdu(BIND_TRANSCEIVER, 1, bind_body("flood", "flood"))
    started = time.monotonic()
    out = {"peer": p, "started": started, "port": port_of(p)}

    def run():
        for i in range(len(data)):
            if stop.is_set():
                return
            try:
                p.s.send(data[i:i + 1])
            except OSError:
                out["write_failed"] = time.monotonic()
                return
            time.sleep(0.2)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    out["thread"] = t
    return out


def never_binds(port, n):
    return [Peer(port, source="127.0.0.5") for _ in range(n)]


def is_closed(peer):
    """Whether the server closed the connection (without waiting, without reading data)."""
    r, _, _ = select.select([peer.s], [], [], 0)
    if not r:
        return False
    try:
        return peer.s.recv(1, socket.MSG_PEEK) == b""
    except ConnectionError:
        return True


def open_at_most(peers, n, limit):
    """Waits (bounded) until at most n of the peers are open; returns how many are."""
    deadline = time.monotonic() + limit
    while True:
        still = sum(1 for p in peers if not is_closed(p))
        if still <= n or time.monotonic() >= deadline:
            return still
        time.sleep(0.02)


def read_answering(p):
    """The next PDU that is not a request of the engine's own (enquire_link, deliver_sm),
    answering those on the way; (command_id, status, seq, body) or None."""
    while True:
        r = p.read()
        if r is None or r[0] not in (ENQUIRE_LINK, DELIVER_SM):
            return r
        p.write(pdu(r[0] | RESP, r[2], b"" if r[0] == ENQUIRE_LINK else b"\0"))
        if r[0] == DELIVER_SM:
            return r


def good_client(port, seconds):
    """Another address: binds, then enquire_link round trips and USSD dialogues for
    `seconds`; returns (bind ok, round-trip times, USSD screen times)."""
    p = Peer(port, source="127.0.0.2")
    b = p.bind("ussdc", "ussdc")
    rtts, screens = [], []
    seq = 10
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        seq += 1
        t = time.monotonic()
        p.write(pdu(ENQUIRE_LINK, seq))
        r = read_answering(p)
        if r is None or r[0] != ENQUIRE_LINK | RESP or r[2] != seq:
            rtts.append(None)
            break
        rtts.append(time.monotonic() - t)
        # A dialogue: *141# from a subscriber; the engine answers submit_sm_resp and sends
        # its screen as deliver_sm (answered), then the network releases the dialogue.
        seq += 1
        t = time.monotonic()
        p.write(pdu(SUBMIT_SM, seq, submit_ussd("375291000001", "*141#", 1)))
        got_resp = got_screen = False
        while not (got_resp and got_screen):
            r = read_answering(p)
            if r is None:
                break
            got_resp = got_resp or (r[0] == SUBMIT_SM | RESP and r[2] == seq and r[1] == 0)
            got_screen = got_screen or r[0] == DELIVER_SM
        screens.append(time.monotonic() - t if got_resp and got_screen else None)
        if screens[-1] is None:
            break
        seq += 1
        p.write(pdu(SUBMIT_SM, seq, submit_ussd("375291000001", "", 0x81)))
        while True:
            r = read_answering(p)
            if r is None or (r[0] == SUBMIT_SM | RESP and r[2] == seq):
                break
        time.sleep(0.05)  # pacing: about 10 round trips and dialogues a second
    p.close()
    return b is not None and b[1] == 0, rtts, screens


def submit_ussd(msisdn, text, op):
    """submit_sm from a USSD centre: service_type USSD, the subscriber as source."""
    def cstr(s):
        return s.encode() + b"\0"
    return (cstr("USSD") + bytes([1, 1]) + cstr(msisdn) + bytes([0, 1]) + cstr("141") +
            bytes([0, 0, 0]) + cstr("") + cstr("") + bytes([0, 0, 0, 0]) +
            bytes([len(text)]) + text.encode() + struct.pack(">HHB", 0x0501, 1, op))


def main():
    ussdgw = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="ussdgw-slowpeers-")
    port = free_port()
    engine = Engine(ussdgw, tmp, port)
    stop = threading.Event()
    try:
        silent = {}
        t_silent = threading.Thread(target=never_reads, args=(port, silent), daemon=True)
        t_silent.start()
        half, half_at = half_pdu(port)
        dripping = drip(port, stop)
        idle = never_binds(port, 20)
        opened = time.monotonic()
        at_once = open_at_most(idle, MAX_UNBOUND_PER_ADDRESS, 1.0)
        check(at_once <= MAX_UNBOUND_PER_ADDRESS and time.monotonic() - opened < BIND_TIMEOUT,
              "20 connections that never bind: %d open at once (max_unbound_per_address %d)"
              % (at_once, MAX_UNBOUND_PER_ADDRESS))
        ok, rtts, screens = good_client(port, 5.0)
        t_silent.join(20)

        # The well-behaved client was served throughout.
        check(ok, "a second client binds beside the slow peers")
        served = [x for x in rtts if x is not None]
        check(len(served) == len(rtts) and len(served) >= 5 and max(served) < 1.0,
              "its %d enquire_link round trips were answered, the slowest in %.0f ms" %
              (len(served), 1000 * max(served or [0])))
        shown = [x for x in screens if x is not None]
        check(len(shown) == len(screens) and len(shown) >= 5 and max(shown) < 1.0,
              "its %d USSD dialogues got their screens, the slowest in %.0f ms" %
              (len(shown), 1000 * max(shown or [0])))

        # The peer that never reads: stopped being read from, then closed.
        check(silent.get("bound"), "the flooding client bound")
        check("blocked_at" in silent,
              "the engine stopped reading from the client that never reads (its writes "
              "blocked after %.1f MB)" % (silent.get("sent", 0) / 1e6))
        line = engine.wait_closed(silent.get("port", 0),
                                  ENQUIRE_INTERVAL + RESPONSE_TIMEOUT + SLACK + 1)
        check(line is not None and ("reason=peer_silent" in line or
                                    "reason=output_overflow" in line),
              "... and closed it: %s" % (line.split("event=")[1] if line else "not closed"))
        if "sock" in silent:
            silent["sock"].close()

        # Half a PDU, and a PDU one byte at a time: closed after response_timeout.
        line = engine.wait_closed(port_of(half), RESPONSE_TIMEOUT + SLACK)
        check(line is not None and "reason=peer_silent" in line,
              "half a PDU then silence: closed (%s)" % (line.split("event=")[1] if line
                                                        else "not closed"))
        check(half.closed_by_peer(), "... the client sees the close")
        line = engine.wait_closed(dripping["port"], RESPONSE_TIMEOUT + SLACK)
        check(line is not None and "reason=peer_silent" in line,
              "a bind sent one byte every 200 ms: closed before it completes (%s)" %
              (line.split("event=")[1] if line else "not closed"))

        # Never binding: at most max_unbound_per_address open at a time, all closed.
        open_now = open_at_most(idle, 0, BIND_TIMEOUT + SLACK)
        check(open_now == 0, "... and every one is closed by bind_timeout (%d still open)" %
              open_now)
        check(re.search(r"event=smpp\.closed\b.*peer=127\.0\.0\.5:\d+ "
                        r"reason=bind_timeout", engine.text()) is not None,
              "the log says why: reason=bind_timeout")
        for c in idle:
            c.close()
        half.close()
    finally:
        stop.set()
        code = engine.stop()
    check(code == 0, "ussdgw exits 0 on SIGTERM (%s)" % code)
    if failures:
        print("--- ussdgw log (last 80 lines)\n" + "\n".join(engine.text().splitlines()[-80:]))
    print("listener_slow_peers: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
