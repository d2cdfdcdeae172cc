#!/usr/bin/env python3
"""/metrics of a running engine after real traffic: the ussdgw binary on the shipped
configuration with the demo subscribers, bound to the local network simulator
(scripts/node/netsim.js), which dials *141*0# (a password by SMS, with its delivery receipt)
and *141*3*6# (close cabinet access: open screen, 1 close, 1 confirm). The scrape must pass
`promtool check metrics` (Prometheus' own linter) and its counters must match the traffic:
dialogues begun and ended, USSD steps, SMPP PDUs by command and status, SMS submitted and
delivered, the outbox drained, HTTP requests by route.

usage: http_metrics_test.py PATH/TO/ussdgw
"""
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from ussdgw_harness import (ROOT, Engine, check, curl, free_port, netsim, shipped_config,  # noqa: E402
                            summary, tempdir, wait_until)

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, frozenset(labels)): value} of every sample."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            check(False, "a sample line parses: " + line)
            continue
        labels = frozenset(LABEL.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def scrape(e):
    status, headers, body = curl(e.url("/metrics"))
    check(status == 200, "GET /metrics 200")
    return body, parse(body)


def promtool(text, tmp):
    path = os.path.join(tmp, "metrics.txt")
    open(path, "w").write(text)
    r = subprocess.run(["promtool", "check", "metrics"], stdin=open(path), capture_output=True,
                       text=True, timeout=30)
    return r.returncode, (r.stdout + r.stderr).strip()


def main():
    ussdgw = sys.argv[1]
    tmp = tempdir("ussdgw-metrics-")
    smsc_port = free_port()
    conf = shipped_config(tmp, smsc_port)
    imp = subprocess.run([ussdgw, "-c", conf, "subscribers", "import",
                          os.path.join(ROOT, "conf", "demo-subscribers.csv")],
                         capture_output=True, text=True, timeout=60)
    check(imp.returncode == 0, "demo subscribers imported")
    e = Engine(ussdgw, conf, tmp)
    sim = None
    try:
        if not check(e.port, "engine announced its HTTP port"):
            return summary()
        text, before = scrape(e)
        rc, out = promtool(text, tmp)
        check(rc == 0 and out == "", "promtool check metrics on the idle engine: %s" % (out or "clean"))
        check(value(before, "ussdgw_ussd_dialogues_begun_total", ingress="smpp") == 0, "no dialogue yet")

        script = os.path.join(tmp, "traffic.txt")
        open(script, "w").write("\n".join([
            "375291000001 *141*0#",
            "expect-sms 375291000001",
            "375291000001 *141*3*6#",
            "375291000001 1",
            "375291000001 1",
            "",
        ]))
        sim = netsim(smsc_port, ["--script", script, "--json", "--timeout", "40",
                                 "--receipt-delay", "20"])
        sim_out, _ = sim.communicate(timeout=60)
        check(sim.returncode == 0, "the simulator ran its script (rc %s)" % sim.returncode)
        screens = [l for l in sim_out.splitlines() if l.startswith("@json ") and '"event":"ussd"' in l]
        check(len(screens) == 4, "four USSD screens went out (%d)" % len(screens))

        delivered = wait_until(
            lambda: value(scrape(e)[1], "ussdgw_sms_delivered_total") == 1, 15)
        check(delivered, "the receipt was applied (ussdgw_sms_delivered_total 1)")
        text, m = scrape(e)
        rc, out = promtool(text, tmp)
        check(rc == 0 and out == "", "promtool check metrics after traffic: %s" % (out or "clean"))
        print("\n".join(l for l in text.splitlines()
                        if not l.startswith("#") and "_bucket" not in l), flush=True)

        def expect(name, want, **labels):
            got = value(m, name, **labels)
            check(got == want, "%s%s = %s (expected %s)" % (name, labels or "", got, want))

        expect("ussdgw_ussd_dialogues_begun_total", 2, ingress="smpp")
        expect("ussdgw_ussd_dialogues_ended_total", 2, ingress="smpp", outcome="completed")
        for outcome in ("timeout", "released", "shutdown"):
            expect("ussdgw_ussd_dialogues_ended_total", 0, ingress="smpp", outcome=outcome)
        expect("ussdgw_ussd_dialogues_active", 0, ingress="smpp")
        expect("ussdgw_ussd_step_duration_seconds_count", 4, ingress="smpp")
        expect("ussdgw_ussd_step_duration_seconds_bucket", 4, ingress="smpp", le="+Inf")

        link = dict(link="ussdc")
        expect("ussdgw_smpp_pdus_total", 5, direction="in", command="deliver_sm",
               status="0x00000000", **link)  # 4 USSD requests + 1 receipt
        expect("ussdgw_smpp_pdus_total", 5, direction="out", command="deliver_sm_resp",
               status="0x00000000", **link)
        expect("ussdgw_smpp_pdus_total", 5, direction="out", command="submit_sm",
               status="0x00000000", **link)  # 4 screens + 1 SMS
        expect("ussdgw_smpp_pdus_total", 5, direction="in", command="submit_sm_resp",
               status="0x00000000", **link)
        expect("ussdgw_smpp_pdus_total", 1, direction="out", command="bind_transceiver",
               status="0x00000000", **link)
        expect("ussdgw_smpp_pdus_total", 1, direction="in", command="bind_transceiver_resp",
               status="0x00000000", **link)

        expect("ussdgw_sms_submitted_total", 1)
        expect("ussdgw_sms_delivered_total", 1)
        expect("ussdgw_sms_failed_total", 0, stage="submit")
        expect("ussdgw_sms_failed_total", 0, stage="delivery")
        expect("ussdgw_sms_retried_total", 0)
        for state in ("pending", "sending", "submitted"):
            expect("ussdgw_sms_outbox_messages", 0, state=state)
        expect("ussdgw_sms_outbox_oldest_pending_age_seconds", 0)
        expect("ussdgw_storage_hash_queue_depth", 0)
        batches = value(m, "ussdgw_storage_commit_batch_size_count")
        changes = value(m, "ussdgw_storage_commit_batch_size_sum")
        check(batches and batches >= 1 and changes >= batches,
              "group-commit batches counted (%s batches, %s changes)" % (batches, changes))
        check(value(m, "ussdgw_storage_commit_duration_seconds_count") == batches,
              "one commit latency per batch")
        scrapes = value(m, "ussdgw_http_requests_total", route="/metrics", method="GET", status="200")
        check(scrapes is not None and scrapes >= 2, "the earlier scrapes are counted (%s)" % scrapes)
        expect("ussdgw_build_info", 1, version="0.1.0")
        # The simulator unbound when its script ended: the link is down, readiness says so.
        down = wait_until(lambda: value(scrape(e)[1], "ussdgw_smpp_link_bound", link="ussdc") == 0, 10)
        check(down, "ussdgw_smpp_link_bound 0 after the simulator left")
        status, _, body = curl(e.url("/readyz"))
        check(status == 503 and "smpp.link.ussdc" in body, "/readyz 503 without the link")
    finally:
        if sim and sim.poll() is None:
            sim.kill()
        check(e.stop() == 0, "engine exits 0 on SIGTERM")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
