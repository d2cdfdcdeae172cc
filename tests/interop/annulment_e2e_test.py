#!/usr/bin/env python3
"""End to end: a change the subscriber confirmed is annulled when the network releases the
dialogue (or the subscriber dials again) before storage began writing it (SPEC 3: "on
timeout or release, unfinished operations are annulled").

The real ussdgw binary runs on the shipped configuration with a slow group-commit batch
(group_commit_max_delay = 1s: the writer waits a second after the first change for more), so
every change is still queued when the network's release arrives a few milliseconds after the
subscriber's confirmation. The local network simulator (scripts/node/netsim.js, npm `smpp`)
plays the network:

1. *141*3*6#, 1 (close), 1 (yes) and at once a release: access stays open, nothing audited.
2. A real close (waited for), then *141*3*6#, 1 (open), the right PUK1 and at once a release:
   access stays closed; neither the opening nor the PUK1 check reaches the audit log.
3. The same opening, then at once a new dial from the same subscriber (a new USSD session):
   the new dialogue shows access still closed, and nothing more is written.

usage: annulment_e2e_test.py PATH/TO/ussdgw
"""
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from ussdgw_harness import (check, db_rows, free_port, import_demo, run_script,  # noqa: E402
                            shipped_config, summary)

ME = "375291000001"
PUK = "10010001"


def main():
    ussdgw = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="ussdgw-annul-")
    port = free_port()
    cfg = shipped_config(tmp, port, subs=[('group_commit_max_delay = "0ms"',
                                           'group_commit_max_delay = "1s"')])
    imp = import_demo(ussdgw, cfg)
    check(imp.returncode == 0, "demo subscribers import: " + imp.stdout.strip()[-120:])

    sim, events, rc, log = run_script(ussdgw, cfg, tmp, port, [
        # 1. close confirmed, released at once
        ME + " *141*3*6#",
        ME + " 1",
        "nowait " + ME + " 1",
        "release " + ME,
        "sleep 1600",
        ME + " *141*3*6#",
        # a real close, to have something to reopen
        ME + " 1",
        ME + " 1",
        # 2. reopening with the right PUK1, released at once
        ME + " *141*3*6#",
        ME + " 1",
        "nowait " + ME + " " + PUK,
        "release " + ME,
        "sleep 1600",
        # 3. the same, then a new dial at once (a new USSD session of the same subscriber)
        ME + " *141*3*6#",
        ME + " 1",
        "nowait " + ME + " " + PUK,
        ME + " *141*3*6#",
        "sleep 1600",
        ME + " *141*3*6#",
    ], timeout=60)
    print(sim.stdout)
    check(sim.returncode == 0,
          "netsim script ran to its end (rc %d) %s" % (sim.returncode, sim.stderr[-300:]))
    check(rc == 0, "engine exited cleanly on SIGTERM (rc %d)" % rc)

    texts = [e["text"] for e in events if e["event"] == "ussd" and e["msisdn"] == ME]
    expected = 11
    check(len(texts) == expected, "%d USSD screens (got %d)" % (expected, len(texts)))
    if len(texts) == expected:
        check("открыт" in texts[0], "access open at first: " + texts[0])
        check("?" in texts[1], "closing asks for confirmation: " + texts[1])
        check("открыт" in texts[2],
              "after the released confirmation access is still open: " + texts[2])
        check("закрыт" in texts[4], "a confirmed close that was not released closes: " + texts[4])
        check("закрыт" in texts[5] and "PUK1" in texts[6], "reopening asks for PUK1: " + texts[6])
        check("закрыт" in texts[7],
              "after the released PUK1 access is still closed: " + texts[7])
        check("PUK1" in texts[8], "reopening again asks for PUK1: " + texts[8])
        check("закрыт" in texts[9],
              "a new dial right after the PUK1 shows access still closed: " + texts[9])
        check("закрыт" in texts[10], "and it stays closed: " + texts[10])

    check("event=ussd.release" in log, "the engine saw the releases")
    check("event=ussd.action_annulled" in log, "the engine logged the annulments")

    audit = db_rows(tmp, "SELECT action, detail FROM audit_log WHERE msisdn = ? ORDER BY id", int(ME))
    print("audit log:", audit)
    actions = [a for a, _ in audit]
    check(actions == ["access.closed"],
          "the audit log holds only the close that was not released: %s" % actions)
    row = db_rows(tmp, "SELECT access_open, closed_by, puk_failures FROM subscribers WHERE msisdn = ?",
                   int(ME))
    check(row == [(0, "subscriber", 0)],
          "access closed by the subscriber, no PUK1 attempt counted: %s" % row)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
