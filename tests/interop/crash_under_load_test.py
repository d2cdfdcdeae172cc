#!/usr/bin/env python3
"""Fault test (issue 12): SIGKILL of the engine under dialogue load loses no acknowledged
change, applies none twice and leaves no dialogue half-applied.

`ussdgw bench ussd --kill-after` drives 3-step toggle dialogues (close access, or reopen it
with the PUK1: one committed change and its audit entry per dialogue) from a few hundred
simulated subscribers against the real engine over two SMPP links (round 1 on the engine's
main loop, round 2 with the links on two loop threads, `[ussd] loop_threads`), SIGKILLs the
engine in the middle of the load and writes what every subscriber was told: the changes
whose final screen arrived (acknowledged) and whether one was still awaiting its final
screen. The engine is then started again on the same files (WAL recovery, migrations) and
stopped, and the SQLite file is read directly:
  - PRAGMA integrity_check is ok;
  - per subscriber, acknowledged <= audit entries <= acknowledged + pending: nothing
    acknowledged is lost and nothing is applied twice;
  - the access state follows the audit entries (open after an even number of changes from
    open): a change is never written without its audit entry or the other way round;
  - subscribers the bench did not change have no audit entry.

usage: crash_under_load_test.py PATH/TO/ussdgw
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from ussdgw_harness import check, summary  # noqa: E402

SUBSCRIBERS = 20000
ROUNDS = 2


def one_round(ussdgw, work, n):
    ledger = os.path.join(work, "ledger.txt")
    bench = subprocess.run(
        [ussdgw, "bench", "ussd", "--target", "engine", "--subscribers", str(SUBSCRIBERS),
         "--concurrency", "300", "--warmup", "1", "--kill-after", str(1 + n),
         "--ledger", ledger, "--work-dir", work, "--cache-dir", os.path.join(work, "..", "cache"),
         "--loop-threads", "0" if n == 1 else "2"],
        capture_output=True, text=True, timeout=180)
    print(bench.stdout, end="")
    check("engine killed (SIGKILL)" in bench.stdout, f"round {n}: the engine was killed under load")
    check(bench.returncode == 0, f"round {n}: no wrong screen before the kill ({bench.stderr})")

    restart = subprocess.run([ussdgw, "--config", os.path.join(work, "engine.toml"), "run",
                              "--for", "1"], capture_output=True, text=True, timeout=60)
    check(restart.returncode == 0,
          f"round {n}: the engine starts again on the killed one's files: {restart.stderr[-500:]}")

    db = sqlite3.connect(os.path.join(work, "subscribers.db"))
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok",
          f"round {n}: PRAGMA integrity_check is ok")
    audits = dict(db.execute("SELECT msisdn, count(*) FROM audit_log GROUP BY msisdn"))
    lost = twice = half = 0
    acked_total = pending_total = 0
    told = set()
    with open(ledger) as f:
        for line in f:
            msisdn, acked, pending = (int(x) for x in line.split())
            told.add(msisdn)
            acked_total += acked
            pending_total += pending
            written = audits.get(msisdn, 0)
            lost += written < acked
            twice += written > acked + pending
            (access_open,) = db.execute("SELECT access_open FROM subscribers WHERE msisdn = ?",
                                        (msisdn,)).fetchone()
            half += access_open != (1 if written % 2 == 0 else 0)
    untouched = sum(c for m, c in audits.items() if m not in told)
    print(f"round {n}: {len(told)} subscribers changed, {acked_total} changes acknowledged, "
          f"{pending_total} awaiting their final screen at the kill, "
          f"{sum(audits.values())} audit entries")
    check(acked_total > 100, f"round {n}: the load acknowledged changes before the kill")
    check(lost == 0, f"round {n}: no acknowledged change lost ({lost} subscribers)")
    check(twice == 0, f"round {n}: no change applied twice ({twice} subscribers)")
    check(half == 0, f"round {n}: access state and audit log agree ({half} subscribers)")
    check(untouched == 0, f"round {n}: nothing written for subscribers not dialling")
    db.close()


def main():
    ussdgw = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="ussdgw-crash-") as tmp:
        for n in range(1, ROUNDS + 1):
            work = os.path.join(tmp, f"round{n}")
            one_round(ussdgw, work, n)
    sys.exit(summary())


if __name__ == "__main__":
    main()
