#!/usr/bin/env python3
"""Soak (issue 12): minutes of steady dialogue load leave the engine's memory flat.

`ussdgw bench ussd --report-every` drives 3-step toggle dialogues (close access, or reopen it
with the PUK1: one committed change and one audit entry each) at a fixed rate from a few
hundred simulated subscribers against the real engine over two SMPP links, and prints a line
per interval: the interval's rate and step latency, the engine's resident memory (VmRSS, and
RssAnon: its heap) and the sizes of its SQLite database and WAL files. Asserted:
  - every screen was right and every step answered (the bench's own checks);
  - after the warm-up, the heap grows by no more than the database file does, plus a little:
    the one thing allowed to grow is SQLite's page cache, which holds pages of the file
    (the audit log grows by one entry per dialogue) and is bounded by cache_size. Dialogues,
    SMPP buffers and queues must not accumulate.
Rates and latencies are printed, not asserted (they are the benchmarks' business).

usage: soak_test.py PATH/TO/ussdgw [SECONDS]
"""
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from ussdgw_harness import check, summary  # noqa: E402

SUBSCRIBERS = 20000
RATE = 1000  # dialogues/s: a steady load any CI machine keeps up with
WARMUP = 15  # seconds: the caches take the database's pages, dialogues reach a steady count
INTERVAL = 15
# What the heap may grow beyond the database file: each cached 4 KiB page carries SQLite's
# page header and malloc's chunk overhead (measured: the heap grew 1.17 times the file), and
# a little allocator slack. A leak of 100 bytes per dialogue (9 MiB over 90 s at 1,000/s)
# fails it.
SLACK_MIB = 4.0
SLACK_RATIO = 1.25

INTERVAL_LINE = re.compile(
    r"at\s+([\d.]+) s:\s+(\d+) dialogues/s, step p50\s+([\d.]+) p99\s+([\d.]+) max\s+([\d.]+) ms, "
    r"resident ([\d.]+) MiB \(([\d.]+) anonymous\), database ([\d.]+) MiB, WAL ([\d.]+) MiB")


def main():
    ussdgw = os.path.abspath(sys.argv[1])
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 90
    with tempfile.TemporaryDirectory(prefix="ussdgw-soak-") as tmp:
        bench = subprocess.run(
            [ussdgw, "bench", "ussd", "--target", "engine", "--subscribers", str(SUBSCRIBERS),
             "--concurrency", "300", "--rate", str(RATE), "--warmup", str(WARMUP),
             "--seconds", str(seconds), "--report-every", str(INTERVAL),
             "--work-dir", os.path.join(tmp, "work"), "--cache-dir", os.path.join(tmp, "cache")],
            capture_output=True, text=True, timeout=seconds + WARMUP + 240)
    print(bench.stdout, end="")
    check(bench.returncode == 0, f"the bench ran with no wrong screen ({bench.stderr[-500:]})")
    rows = [m for m in map(INTERVAL_LINE.search, bench.stdout.splitlines()) if m]
    check(len(rows) >= seconds // INTERVAL,
          f"an interval line every {INTERVAL} s ({len(rows)} lines)")
    summary_row = [line.split() for line in bench.stdout.splitlines()
                   if re.match(r"ussdgw\s+\d", line)]
    if check(len(summary_row) == 1, "one result row for the engine"):
        timed_out, refused = int(summary_row[0][-2]), int(summary_row[0][-1])
        check(timed_out == 0 and refused == 0,
              f"every step answered, none refused ({timed_out} timed out, {refused} refused)")
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        rss = (float(first[6]), float(last[6]))
        anon = (float(first[7]), float(last[7]))
        files = (float(first[8]) + float(first[9]), float(last[8]) + float(last[9]))
        print(f"resident memory {rss[0]:.1f} -> {rss[1]:.1f} MiB (anonymous {anon[0]:.1f} -> "
              f"{anon[1]:.1f}) from {first[1]} s to {last[1]} s of the window; database and WAL "
              f"{files[0]:.1f} -> {files[1]:.1f} MiB")
        allowed = max(files[1] - files[0], 0.0) * SLACK_RATIO + SLACK_MIB
        check(anon[1] - anon[0] <= allowed,
              f"the heap grew {anon[1] - anon[0]:.1f} MiB, within the database's growth and "
              f"slack ({allowed:.1f} MiB)")
    sys.exit(summary())


if __name__ == "__main__":
    main()
