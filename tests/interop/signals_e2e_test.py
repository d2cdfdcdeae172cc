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
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from ussdgw_harness import (Engine, check, free_port, shipped_config, summary,  # noqa: E402
                            wait_until)

ROUNDS = 8


def start(ussdgw, cfg, tmp, n):
    """The engine, once it serves (its HTTP port is logged after everything started)."""
    engine = Engine(ussdgw, cfg, tmp, name="engine%d" % n, run_for=60)
    check(engine.port is not None and engine.alive(), "round %d: the engine is ready" % n)
    return engine


def finish(engine):
    try:
        return engine.proc.wait(timeout=15)
    except Exception:  # noqa: BLE001 - a hung shutdown is a failure, reported by the code
        engine.proc.kill()
        return engine.proc.wait()


def main():
    ussdgw = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="ussdgw-signals-")
    cfg = shipped_config(tmp, free_port())  # no peer on the client link: it keeps retrying
    mix = [signal.SIGTERM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
    for n in range(ROUNDS):
        engine = start(ussdgw, cfg, tmp, n)
        engine.proc.send_signal(signal.SIGTERM)
        sent = 1
        deadline = time.monotonic() + 10
        while engine.proc.poll() is None and time.monotonic() < deadline:
            try:
                engine.proc.send_signal(mix[sent % len(mix)])
                sent += 1
            except ProcessLookupError:
                break
            time.sleep(0.001 * (1 + n % 3))
        rc = finish(engine)
        check(rc == 0, "round %d: exit status 0 after %d signals (got %d)" % (n, sent, rc))
        check("event=engine.stop" in engine.log(), "round %d: engine.stop logged" % n)

    # As `timeout` does: SIGTERM, and another one 3 ms later.
    engine = start(ussdgw, cfg, tmp, ROUNDS)
    engine.proc.send_signal(signal.SIGTERM)
    time.sleep(0.003)
    if engine.proc.poll() is None:
        engine.proc.send_signal(signal.SIGTERM)
    rc = finish(engine)
    check(rc == 0, "two SIGTERMs 3 ms apart: exit status 0 (got %d)" % rc)

    # SIGHUP while running reloads the menus; SIGTERM then stops as usual.
    engine = start(ussdgw, cfg, tmp, ROUNDS + 1)
    engine.proc.send_signal(signal.SIGHUP)
    check(wait_until(lambda: "event=menus.reloaded" in engine.log(), 10), "SIGHUP reloads the menus")
    rc = engine.stop()
    check(rc == 0, "then SIGTERM: exit status 0 (got %d)" % rc)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
