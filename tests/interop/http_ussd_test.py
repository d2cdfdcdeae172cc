#!/usr/bin/env python3
"""USSD over HTTP end to end: the real ussdgw binary on its shipped configuration (files and
ports moved to a temporary directory) with the demo subscribers in its SQLite file and the
local network simulator (scripts/node/netsim.js) as SMSC and USSD centre; curl plays the
aggregator (form posts, the aggregator convention: sessionId, serviceCode, phoneNumber,
networkCode, text = answers joined by '*').

- a password over HTTP (*141*0#): END "sent by SMS", and the SMS leaves over the simulator's
  SMSC and arrives there;
- access closed over HTTP, repeats of each step (one after the other, and two at once while
  the step is pending) get the same answer, and the audit log shows one change;
- reopened with a wrong PUK1 (counted) then the right one;
- the same subscriber has a dialogue over SMPP (the simulator's USSD centre) while its HTTP
  dialogue is open: the SMPP one closes the access, the HTTP one then tries to close it too;
  both end, and storage holds one close;
- a text that does not extend the previous one ends the session;
- bad HTTP on the route: missing fields, bad fields, wrong content type, an oversize body,
  wrong credentials, a valid account's credentials from an address it does not allow, an
  account whose addresses exclude us; 400/401/403/413/415 with JSON error bodies;
- no secret (password, PUK1, the aggregator's credential) in the engine's log; the request
  counters by account and outcome in /metrics.

usage: http_ussd_test.py PATH/TO/ussdgw
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from ussdgw_harness import (ROOT, Engine, check, curl, db_rows, free_port,  # noqa: E402
                            import_demo, shipped_config, summary, tempdir, wait_until)

AGG_PASSWORD = "aggregator-secret-7f3c9b1e"
ACCOUNTS = """
[[ussd.http]]
name = "agg"
path = "/agg/ussd"
user = "agg"
password_hash = "sha256:%s"

[[ussd.http]]
name = "remote"
path = "/remote/ussd"
allowed_addresses = ["192.0.2.1"]
""" % hashlib.sha256(AGG_PASSWORD.encode()).hexdigest()
FAST_RECONNECT = [('reconnect_min = "1s"', 'reconnect_min = "100ms"'),
                  ('reconnect_max = "60s"', 'reconnect_max = "300ms"')]


class Aggregator:
    """One aggregator session: posts each step with all answers so far."""

    def __init__(self, engine, session, phone, code, path="/ussd", auth=None):
        self.engine, self.session, self.phone, self.code = engine, session, phone, code
        self.path, self.auth = path, auth
        self.answers = []

    def post(self, text):
        args = ["-X", "POST", self.engine.url(self.path),
                "--data-urlencode", "sessionId=" + self.session,
                "--data-urlencode", "serviceCode=" + self.code,
                "--data-urlencode", "phoneNumber=" + self.phone,
                "--data-urlencode", "networkCode=25701",
                "--data-urlencode", "text=" + text]
        if self.auth:
            args += ["-u", self.auth]
        return curl(*args)

    def step(self, answer=None):
        if answer is not None:
            self.answers.append(answer)
        status, headers, body = self.post("*".join(self.answers))
        return status, body

    def repeat(self):
        return self.post("*".join(self.answers))[2]


def error_code(body):
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def audit(tmp, msisdn, action):
    return db_rows(tmp, "SELECT count(*) FROM audit_log WHERE msisdn = ? AND action = ?",
                   msisdn, action)[0][0]


def metric(engine, line_start):
    _, _, body = curl(engine.url("/metrics"))
    for line in body.splitlines():
        if line.startswith(line_start + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def main():
    ussdgw = sys.argv[1]
    tmp = tempdir("ussdgw-http-ussd-")
    smsc = free_port()
    conf = shipped_config(tmp, smsc, subs=FAST_RECONNECT + [
        ("# [[ussd.link]]\n", ACCOUNTS + "\n# [[ussd.link]]\n")])
    imp = import_demo(ussdgw, conf)
    check(imp.returncode == 0, "demo subscribers import")

    # The simulator: waits for the password SMS of 375291000001, then (while the HTTP
    # dialogue of 375291000002 is open) closes 375291000002's access over SMPP.
    script = os.path.join(tmp, "script.txt")
    open(script, "w").write("\n".join([
        "expect-sms 375291000001",
        "375291000002 *141*3*6#",
        "375291000002 1",
        "375291000002 1",
    ]) + "\n")
    engine = Engine(ussdgw, conf, tmp, run_for=150)
    sim = subprocess.Popen(["node", os.path.join(ROOT, "scripts", "node", "netsim.js"),
                            "--port", str(smsc), "--script", script, "--json", "--quiet",
                            "--timeout", "60", "--receipt-delay", "50"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        check(engine.port is not None, "engine serves HTTP")
        ready = wait_until(lambda: curl(engine.url("/readyz"))[0] == 200, 20)
        check(ready, "engine ready (the simulator's SMSC bound)")

        # The HTTP dialogue of 375291000002 begins before the SMPP one.
        b = Aggregator(engine, "ATUid_b-1", "+375291000002", "*141*3*6#")
        status, body = b.step()
        check(status == 200 and body.startswith("CON ") and "открыт" in body,
              "HTTP *141*3*6# for 375291000002: access open, CON: %r" % body)

        # A password: END "sent by SMS", the SMS reaches the simulator's SMSC.
        a = Aggregator(engine, "ATUid_a-1", "+375291000001", "*141*0#")
        status, body = a.step()
        check(status == 200 and body.startswith("END ") and "SMS" in body,
              "HTTP *141*0#: END, password sent by SMS: %r" % body)
        check(a.repeat() == body, "the repeat of *141*0# gets the same answer")

        out, _ = sim.communicate(timeout=90)
        events = [json.loads(l[6:]) for l in out.splitlines() if l.startswith("@json ")]
        sms = [e for e in events if e["event"] == "sms" and e["msisdn"] == "375291000001"]
        check(len(sms) == 1, "exactly one password SMS arrived at the SMSC (got %d)" % len(sms))
        password = None
        if sms:
            m = re.match(r"^Пароль для входа в Личный кабинет: (\S+)$", sms[0]["text"])
            password = m.group(1) if m else None
            check(password is not None, "the SMS carries the password")
        ussd = [e for e in events if e["event"] == "ussd"]
        check(len(ussd) == 3 and ussd[-1]["end"] and "закрыт" in ussd[-1]["text"],
              "SMPP dialogue of 375291000002 closed its access: %r" % [e["text"] for e in ussd])

        # The HTTP dialogue of the same subscriber goes on and tries to close as well.
        status, body = b.step("1")
        check(status == 200 and body.startswith("CON ") and "?" in body,
              "HTTP: close confirmation: %r" % body)
        status, body = b.step("1")
        check(status == 200 and body.startswith("END "),
              "HTTP: the second close ends the dialogue: %r" % body)
        rows = db_rows(tmp, "SELECT access_open FROM subscribers WHERE msisdn = 375291000002")
        check(rows == [(0,)], "375291000002's access is closed in storage: %s" % rows)

        # Close over HTTP, with repeats: two at once while the step is pending, one after.
        c = Aggregator(engine, "ATUid_c-1", "375291000001", "*141*3*6#")
        status, body = c.step()
        check(body.startswith("CON ") and "открыт" in body, "HTTP *141*3*6#: open: %r" % body)
        check(c.repeat() == body, "the repeat of the first step gets the same screen")
        status, body = c.step("1")
        check(body.startswith("CON ") and "?" in body, "close confirmation: %r" % body)
        c.answers.append("1")
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(c.repeat())) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(len(answers) == 2 and answers[0] == answers[1] and answers[0].startswith("END ")
              and "закрыт" in answers[0],
              "two requests of the same step at once get one answer: %r" % answers)
        check(c.repeat() == answers[0] if answers else False,
              "a later repeat of the final step gets it too")
        check(c.post("1")[2].startswith("END "), "a text that does not extend the last one: END")

        # Reopen: a wrong PUK1 (counted), then the right one.
        d = Aggregator(engine, "ATUid_d-1", "375291000001", "*141*3*6#")
        status, body = d.step()
        check(body.startswith("CON ") and "закрыт" in body, "state now closed: %r" % body)
        status, body = d.step("1")
        check(body.startswith("CON ") and "PUK1" in body, "asks for PUK1: %r" % body)
        status, body = d.step("12345678")
        check(body.startswith("CON ") and "2" in body, "wrong PUK1, 2 tries left: %r" % body)
        check(d.repeat() == body, "the repeat of the wrong PUK1 is not counted again")
        status, body = d.step("10010001")
        check(body.startswith("END ") and "открыт" in body, "right PUK1 opens access: %r" % body)

        # A text that does not extend the previous one ends the session.
        e = Aggregator(engine, "ATUid_e-1", "375291000003", "*141*3*6#")
        e.step()
        e.step("1")
        status, _, body = e.post("2")  # not "1*..."
        check(status == 200 and body.startswith("END ") and "Invalid request" in body,
              "out-of-order text: END in the subscriber's language (English): %r" % body)

        # Bad HTTP on the USSD route.
        url = engine.url("/ussd")
        status, _, body = curl("-X", "POST", url, "--data", "sessionId=x&serviceCode=*141%23")
        check(status == 400 and error_code(body) == "missing_field" and "phoneNumber" in body,
              "missing field: 400 missing_field naming it: %s" % body)
        status, _, body = curl("-X", "POST", url, "--data",
                               "sessionId=x&serviceCode=*141%23&phoneNumber=12ab&text=")
        check(status == 400 and error_code(body) == "bad_field", "bad phoneNumber: 400 bad_field")
        status, _, body = curl("-X", "POST", url, "-H", "Content-Type: text/plain", "--data",
                               "sessionId=x")
        check(status == 415 and error_code(body) == "unsupported_media_type",
              "wrong content type: 415")
        big = os.path.join(tmp, "big.txt")
        open(big, "w").write("sessionId=x&text=" + "1" * 70000)
        status, _, body = curl("-X", "POST", url, "--data-binary", "@" + big)
        check(status == 413, "oversize body: 413 (got %d)" % status)
        ok_json = curl("-X", "POST", url, "-H", "Content-Type: application/json", "--data",
                       json.dumps({"sessionId": "j-1", "serviceCode": "*141#",
                                   "phoneNumber": "375291000005", "text": ""}))
        check(ok_json[0] == 200 and ok_json[2].startswith("CON "), "a JSON body: CON")

        agg = Aggregator(engine, "ATUid_f-1", "375291000005", "*141#", path="/agg/ussd",
                         auth="agg:wrong-password")
        status, body = agg.step()
        check(status == 401 and error_code(body) == "unauthorized", "wrong credentials: 401")
        agg.auth = None
        status, body = agg.step()
        check(status == 401, "no credentials on a credentials account: 401")
        agg.auth = "agg:" + AGG_PASSWORD
        status, body = agg.step()
        check(status == 200 and body.startswith("CON "), "right credentials: CON: %r" % body)
        rem = Aggregator(engine, "ATUid_g-1", "375291000005", "*141#", path="/remote/ussd")
        status, body = rem.step()
        check(status == 403 and error_code(body) == "forbidden",
              "an account whose addresses exclude us: 403")

        check(metric(engine, 'ussdgw_ussd_http_requests_total{account="local",outcome="repeated"}')
              is not None, "/metrics counts repeats of the local account")
        check(metric(engine, 'ussdgw_ussd_http_requests_total{account="-",outcome="unauthorized"}')
              == 2, "/metrics counts the two refused requests without an account")
        check(engine.alive(), "the engine still serves")
    finally:
        if sim.poll() is None:
            sim.kill()
            sim.wait()
        rc = engine.stop()
    check(rc == 0, "engine exited cleanly on SIGTERM (rc %d)" % rc)

    log = engine.log()
    check("event=http_ussd.refused" in log, "refusals are logged")
    for secret in filter(None, [password, "10010001", "12345678", AGG_PASSWORD, "wrong-password"]):
        check(secret not in log, "no secret in the engine log")
    check(audit(tmp, 375291000001, "access.closed") == 1,
          "the audit log shows one close for 375291000001 (repeats applied nothing)")
    check(audit(tmp, 375291000002, "access.closed") == 1,
          "the audit log shows one close for 375291000002 (SMPP), none from the late HTTP one")
    check(audit(tmp, 375291000001, "puk.wrong") == 1,
          "one wrong PUK1 counted (its repeat was not)")
    check(audit(tmp, 375291000001, "access.opened") == 1, "one reopening")
    rows = db_rows(tmp, "SELECT access_open FROM subscribers WHERE msisdn = 375291000001")
    check(rows == [(1,)], "375291000001's access is open again: %s" % rows)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
