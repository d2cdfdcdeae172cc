"""Helpers for the cabinet API tests: a JSON client that runs curl for every request (a real
HTTP client that no one here wrote), the local network simulator run interactively (its SMS and
USSD events read from its JSON lines), and a few readers of SMS texts."""
import json
import os
import queue
import re
import subprocess
import tempfile
import threading
import time

from ussdgw_harness import ROOT, curl


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.text = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        """The error code, or None."""
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    @property
    def error(self):
        return self.json.get("error", {}) if isinstance(self.json, dict) else {}

    def __repr__(self):
        return "%d %s" % (self.status, self.text[:300])


class Client:
    """Requests to 127.0.0.1:port. `token` (Bearer), `cookie` and `csrf` ride along when set;
    `xff` is sent as X-Forwarded-For (the engine trusts 127.0.0.1 as a proxy in these tests,
    so each scenario can come from an address of its own)."""

    def __init__(self, port, token=None, cookie=None, csrf=None, xff=None):
        self.port, self.token, self.cookie, self.csrf, self.xff = port, token, cookie, csrf, xff

    def request(self, method, path, body=None, raw=None, ctype="application/json", headers=None):
        h = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = ctype
        elif raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
            if ctype:
                h["Content-Type"] = ctype
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if self.cookie:
            h["Cookie"] = "ussdgw_session=" + self.cookie
        if self.csrf:
            h["X-CSRF-Token"] = self.csrf
        if self.xff:
            h["X-Forwarded-For"] = self.xff
        h.update(headers or {})
        # As sent (no globbing of [] and {}, no folding of "..").
        args = ["-g", "--path-as-is", "-X", method, "http://127.0.0.1:%d%s" % (self.port, path)]
        if data is None and method in ("POST", "PUT"):
            data = b""  # an empty body with its Content-Length: 0
        if "Content-Type" not in h:
            h["Content-Type"] = ""  # curl's own default (a form) would be sent otherwise
        for k, v in h.items():
            args += ["-H", "%s:%s" % (k, (" " + v) if v else "")]
        with tempfile.TemporaryDirectory() as d:
            if data is not None:
                with open(os.path.join(d, "body"), "wb") as f:
                    f.write(data)
                args += ["--data-binary", "@" + os.path.join(d, "body")]
            status, headers, text = curl(*args)
        return Answer(status, headers, text)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)


class Netsim:
    """scripts/node/netsim.js on stdin, as a person types; events collected from its JSON."""

    def __init__(self, port):
        self.proc = subprocess.Popen(
            ["node", os.path.join(ROOT, "scripts", "node", "netsim.js"), "--port", str(port),
             "--json", "--quiet", "--receipt-delay", "50"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.events = []
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            if not line.startswith("@json "):
                continue
            try:
                ev = json.loads(line[6:])
            except ValueError:
                continue
            with self.changed:
                self.events.append(ev)
                self.changed.notify_all()

    def wait(self, pred, limit=20, start=0):
        deadline = time.monotonic() + limit
        with self.changed:
            while True:
                for ev in self.events[start:]:
                    if pred(ev):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(left)

    def mark(self):
        with self.lock:
            return len(self.events)

    def say(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def dial(self, msisdn, *inputs, limit=20):
        """Each input (the code, then the answers) and the USSD screen it got back."""
        screens = []
        for text in inputs:
            mark = self.mark()
            self.say("%s %s" % (msisdn, text))
            ev = self.wait(lambda e: e.get("event") == "ussd" and e.get("msisdn") == msisdn,
                           limit, mark)
            screens.append(ev["text"] if ev else None)
        return screens

    def sms_after(self, msisdn, mark, limit=20):
        ev = self.wait(lambda e: e.get("event") == "sms" and e.get("msisdn") == msisdn, limit, mark)
        return ev["text"] if ev else None

    def stop(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=5)
        except Exception:  # noqa: BLE001 - stopping whatever state it is in
            self.proc.kill()
            self.proc.wait()


def code_in(text):
    """The 6-digit code of a code SMS (exactly one 6-digit number in it)."""
    found = re.findall(r"(?<!\d)\d{6}(?!\d)", text or "")
    return found[0] if len(found) == 1 else None


def password_in(text):
    m = re.search(r": (\S+)$", text or "")
    return m.group(1) if m else None
