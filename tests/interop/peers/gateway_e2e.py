"""Shared helpers for the end-to-end tests that drive the real ussdgw binary against the local
network simulator (scripts/node/netsim.js on the npm `smpp` package): the shipped configuration
with its paths and ports moved to a temporary directory, the demo subscribers imported, the
engine and a netsim script run side by side, the events netsim saw, and a direct look at the
SQLite file (Python's own sqlite3 module, read-only) once the engine has stopped.
"""
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


class Checks:
    def __init__(self):
        self.failures = []
        self.passed = 0

    def __call__(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if cond:
            self.passed += 1
        else:
            self.failures.append(what)
        return cond

    def summary(self):
        print("%d passed, %d failed" % (self.passed, len(self.failures)))
        return 1 if self.failures else 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gateway:
    """conf/ussdgw.toml in a temporary directory, pointed at a netsim on a free port.
    `settings` replaces keys of the shipped file ({"group_commit_max_delay": '"1s"'}, each
    key once in the file); `extra` is appended."""

    def __init__(self, ussdgw, settings=None, extra=""):
        self.ussdgw = ussdgw
        self.tmp = tempfile.mkdtemp(prefix="ussdgw-e2e-")
        self.port = free_port()
        self.db = os.path.join(self.tmp, "ussdgw.db")
        conf = open(os.path.join(ROOT, "conf", "ussdgw.toml"), encoding="utf-8").read()
        conf = conf.replace('"var/ussdgw.db"', json.dumps(self.db))
        conf = conf.replace('"var/storage.key"', json.dumps(os.path.join(self.tmp, "storage.key")))
        conf = conf.replace('directory = "menus/cabinet"',
                            "directory = " + json.dumps(os.path.join(ROOT, "menus", "cabinet")))
        conf = re.sub(r"(?m)^port = 2775$", "port = %d" % self.port, conf)
        conf = conf.replace('listen = "127.0.0.1:2776"', 'listen = "127.0.0.1:0"')
        replace = {"argon2_memlimit": "8388608"}
        replace.update(settings or {})
        for key, value in replace.items():
            conf, n = re.subn(r"(?m)^%s = .*$" % re.escape(key), "%s = %s" % (key, value), conf)
            if n != 1:
                raise RuntimeError("conf/ussdgw.toml has no single line '%s = ...'" % key)
        self.config = os.path.join(self.tmp, "ussdgw.toml")
        open(self.config, "w", encoding="utf-8").write(conf + extra)
        self.log = ""
        self.exit_code = None

    def cli(self, *args):
        return subprocess.run([self.ussdgw, "-c", self.config] + list(args), capture_output=True,
                              text=True, timeout=60)

    def import_demo(self):
        return self.cli("subscribers", "import",
                        os.path.join(ROOT, "conf", "demo-subscribers.csv"))

    def run_script(self, lines, timeout=40):
        """Runs the engine and a netsim script; stops the engine with SIGTERM afterwards.
        Returns (netsim's CompletedProcess, the list of its JSON events)."""
        script = os.path.join(self.tmp, "script.txt")
        open(script, "w", encoding="utf-8").write("\n".join(lines) + "\n")
        log_path = os.path.join(self.tmp, "engine.log")
        with open(log_path, "w+") as engine_log:
            engine = subprocess.Popen([self.ussdgw, "-c", self.config, "run", "--for", "90"],
                                      stdout=engine_log, stderr=subprocess.STDOUT)
            try:
                sim = subprocess.run(["node", os.path.join(ROOT, "scripts", "node", "netsim.js"),
                                      "--port", str(self.port), "--script", script, "--json",
                                      "--quiet", "--timeout", str(timeout),
                                      "--receipt-delay", "50"],
                                     capture_output=True, text=True, timeout=timeout + 20)
            finally:
                engine.send_signal(signal.SIGTERM)
                try:
                    self.exit_code = engine.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    engine.kill()
                    self.exit_code = -9
            engine_log.seek(0)
            self.log = engine_log.read()
        events = [json.loads(l[6:]) for l in sim.stdout.splitlines() if l.startswith("@json ")]
        return sim, events

    def query(self, sql, *params):
        """Rows of `sql` on the database file, read-only (the engine has stopped)."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()


def ussd_texts(events, msisdn=None):
    return [e["text"] for e in events
            if e["event"] == "ussd" and (msisdn is None or e["msisdn"] == msisdn)]
