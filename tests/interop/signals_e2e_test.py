#!/usr/bin/env python3
"""End to end: the real ussdgw binary shuts down cleanly and exits 0 whatever signals follow
the first SIGTERM (issue 7 item 7). `timeout` sends SIGTERM to a whole process group, so a
second SIGTERM can land a few milliseconds after the first, while the engine is closing: it
must not meet the default action (exit status 143 after engine.stop was logged).

Each round starts the engine on the shipped configuration (temporary paths, no peer), waits
for engine.ready, then sends SIGTERM and keeps sending SIGTERM / SIGINT / SIGHUP every
millisecond or so until the process has exited: every window of the shutdown gets a signal.
One round sends exactly two SIGTERMs 3 ms apart, as `timeout` does; one reloads the menus
with SIGHUP first.

usage: signals_e2e_test.py PATH/TO/ussdgw
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from gateway_e2e import Checks, Gateway  # noqa: E402

ROUNDS = 8


def start(gw):
    log = open(os.path.join(gw.tmp, "engine.log"), "w+")
    proc = subprocess.Popen([gw.ussdgw, "-c", gw.config, "run", "--for", "60"], stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and proc.poll() is None:
        log.seek(0)
        if "event=engine.ready" in log.read():
            return proc, log
        time.sleep(0.02)
    return proc, log


def finish(proc, log):
    try:
        rc = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    log.seek(0)
    text = log.read()
    log.close()
    return rc, text


def main():
    check = Checks()
    gw = Gateway(sys.argv[1])
    for n in range(ROUNDS):
        proc, log = start(gw)
        if not check(proc.poll() is None, "round %d: the engine is ready" % n):
            finish(proc, log)
            continue
        proc.send_signal(signal.SIGTERM)
        sent = 1
        mix = [signal.SIGTERM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                proc.send_signal(mix[sent % len(mix)])
                sent += 1
            except ProcessLookupError:
                break
            time.sleep(0.001 * (1 + n % 3))
        rc, text = finish(proc, log)
        check(rc == 0, "round %d: exit status 0 after %d signals (got %d)" % (n, sent, rc))
        check("event=engine.stop" in text, "round %d: engine.stop logged" % n)

    # As `timeout` does: SIGTERM, and another one 3 ms later.
    proc, log = start(gw)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.003)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    rc, text = finish(proc, log)
    check(rc == 0, "two SIGTERMs 3 ms apart: exit status 0 (got %d)" % rc)

    # SIGHUP while running reloads the menus; SIGTERM then stops as usual.
    proc, log = start(gw)
    proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    reloaded = False
    while time.monotonic() < deadline and not reloaded:
        log.seek(0)
        reloaded = "event=menus.reloaded" in log.read()
        time.sleep(0.02)
    check(reloaded, "SIGHUP reloads the menus")
    proc.send_signal(signal.SIGTERM)
    rc, text = finish(proc, log)
    check(rc == 0, "then SIGTERM: exit status 0 (got %d)" % rc)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
