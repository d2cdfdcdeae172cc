"""Helpers for the Python interop tests that drive the real ussdgw binary: checks that count
failures, free 127.0.0.1 ports, the shipped configuration moved into a temporary directory
(database, key file, menus, ports), an engine process whose HTTP port is read from its log
line `http.listening`, curl, the local network simulator (scripts/node/netsim.js) run beside
the engine on a script, and a read-only look at the SQLite file once the engine stopped."""
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def summary():
    """Lists the failed checks and prints the closing line ("1 passed, 0 failed" when every
    check held); returns the exit code."""
    for f in failures:
        print("failed: " + f)
    print("%d passed, %d failed" % (0 if failures else 1, len(failures)))
    return 1 if failures else 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def set_keys(conf, section, keys):
    """`conf` with the keys of [section] replaced (the first such line after its header) or
    added right under the header."""
    header = "\n[%s]\n" % section
    for key, value in (keys or {}).items():
        start = conf.index(header)
        rest = conf[start:]
        pattern = re.compile(r"(?m)^%s = .*$" % re.escape(key))
        if pattern.search(rest):
            rest = pattern.sub(lambda _m: "%s = %s" % (key, value), rest, count=1)
        else:
            rest = rest.replace(header, header + "%s = %s\n" % (key, value), 1)
        conf = conf[:start] + rest
    return conf


def shipped_config(tmp, smsc_port, http_keys=None, subs=(), sections=None):
    """conf/ussdgw.toml with its files in `tmp`, the client link on `smsc_port`, the SMPP
    listener and HTTP on free ports, cheap Argon2, [http] keys replaced or added (and the keys
    of other sections: sections={"api": {...}}), and the exact text replacements `subs`
    ((old, new) pairs, each of which must apply)."""
    conf = open(os.path.join(ROOT, "conf", "ussdgw.toml"), encoding="utf-8").read()
    conf = conf.replace('"var/ussdgw.db"', json.dumps(os.path.join(tmp, "ussdgw.db")))
    conf = conf.replace('"var/storage.key"', json.dumps(os.path.join(tmp, "storage.key")))
    conf = conf.replace('directory = "menus/cabinet"',
                        "directory = " + json.dumps(os.path.join(ROOT, "menus", "cabinet")))
    conf = re.sub(r"(?m)^port = 2775$", "port = %d" % smsc_port, conf)
    conf = conf.replace('listen = "127.0.0.1:2776"', 'listen = "127.0.0.1:0"')
    conf = conf.replace('listen = "127.0.0.1:8080"', 'listen = "127.0.0.1:0"')
    conf = re.sub(r"(?m)^argon2_memlimit = \d+$", "argon2_memlimit = 8388608", conf)
    conf = set_keys(conf, "http", http_keys)
    for section, keys in (sections or {}).items():
        conf = set_keys(conf, section, keys)
    for old, new in subs:
        assert old in conf, "config text not found: " + old
        conf = conf.replace(old, new)
    path = os.path.join(tmp, "ussdgw.toml")
    open(path, "w", encoding="utf-8").write(conf)
    return path


class Engine:
    """`ussdgw -c CONF run` with its log in a file; `port`/`ops_port` from http.listening."""

    def __init__(self, ussdgw, conf, tmp, name="engine", run_for=120):
        self.log_path = os.path.join(tmp, name + ".log")
        self.log_file = open(self.log_path, "w+")
        self.proc = subprocess.Popen([ussdgw, "-c", conf, "run", "--for", str(run_for)],
                                     stdout=self.log_file, stderr=subprocess.STDOUT)
        self.port = self.wait_port("main")
        self.ops_port = None
        if self.port and "ops_listen = \"127.0.0.1" in open(conf).read():
            self.ops_port = self.wait_port("ops")

    def log(self):
        self.log_file.flush()
        return open(self.log_path, encoding="utf-8", errors="replace").read()

    def wait_port(self, listener, limit=15):
        deadline = time.monotonic() + limit
        pattern = re.compile(r"event=http\.listening listener=%s address=\S+ port=(\d+)" % listener)
        while time.monotonic() < deadline:
            m = pattern.search(self.log())
            if m:
                return int(m.group(1))
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        print(self.log()[-3000:])
        return None

    def url(self, path, ops=False):
        return "http://127.0.0.1:%d%s" % (self.ops_port if ops else self.port, path)

    def alive(self):
        return self.proc.poll() is None

    def stop(self, limit=20):
        """SIGTERM; returns the exit code (-9 when it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return -9


def curl(*args, timeout=20):
    """Runs curl; returns (status, headers (lower-case names), body) of the last answer
    (a 100 Continue may come first); status -1 when curl got no answer at all."""
    with tempfile.TemporaryDirectory() as d:
        head, body = os.path.join(d, "head"), os.path.join(d, "body")
        subprocess.run(["curl", "-sS", "-D", head, "-o", body, "--max-time", str(timeout - 5)] +
                       list(args), capture_output=True, timeout=timeout)
        head_text = open(head, encoding="latin-1", newline="").read() if os.path.exists(head) else ""
        body_text = open(body, encoding="utf-8", errors="replace").read() if os.path.exists(body) else ""
    blocks = [b for b in head_text.split("\r\n\r\n") if b.startswith("HTTP/")]
    if not blocks:
        return -1, {}, body_text
    lines = blocks[-1].split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), headers, body_text


def wait_until(fn, limit, step=0.1):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


def netsim(port, args, timeout=40):
    """Starts scripts/node/netsim.js on `port` with more `args` (returns the Popen)."""
    return subprocess.Popen(["node", os.path.join(ROOT, "scripts", "node", "netsim.js"),
                             "--port", str(port), "--quiet"] + list(args),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def tempdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def import_demo(ussdgw, conf):
    """`ussdgw subscribers import conf/demo-subscribers.csv` (returns the CompletedProcess)."""
    return subprocess.run([ussdgw, "-c", conf, "subscribers", "import",
                           os.path.join(ROOT, "conf", "demo-subscribers.csv")],
                          capture_output=True, text=True, timeout=60)


def run_script(ussdgw, conf, tmp, smsc_port, lines, timeout=40):
    """Runs the engine and a netsim script (lines as typed, see netsim --help) side by side,
    then stops the engine with SIGTERM. Returns (netsim's CompletedProcess, its JSON events,
    the engine's exit code, the engine's log)."""
    script = os.path.join(tmp, "script.txt")
    open(script, "w", encoding="utf-8").write("\n".join(lines) + "\n")
    engine = Engine(ussdgw, conf, tmp, run_for=timeout + 30)
    try:
        sim = subprocess.run(["node", os.path.join(ROOT, "scripts", "node", "netsim.js"),
                              "--port", str(smsc_port), "--script", script, "--json", "--quiet",
                              "--timeout", str(timeout), "--receipt-delay", "50"],
                             capture_output=True, text=True, timeout=timeout + 20)
    finally:
        rc = engine.stop()
    events = [json.loads(l[6:]) for l in sim.stdout.splitlines() if l.startswith("@json ")]
    return sim, events, rc, engine.log()


def db_rows(tmp, sql, *params):
    """Rows of `sql` on the engine's database in `tmp`, opened read-only."""
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(tmp, "ussdgw.db"), uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()
