#!/usr/bin/env python3
"""End to end: the real ussdgw binary on its shipped configuration (paths and ports moved to a
temporary directory) with the demo subscribers, against the local network simulator
(scripts/node/netsim.js, an SMSC + USSD centre built on the npm `smpp` package). A subscriber
dials *141*0# and gets a password by SMS (with a delivery receipt back), closes cabinet access
with *141*3*6#, enters a wrong PUK1 (counted), reopens with the right one; a suspended
subscriber is refused at *141*3*6# (SPEC 2.9); an English subscriber gets English screens
(in GSM 7-bit with the link's data_coding, 0x0F here) and an English password SMS. Checks the
USSD screens, its_session_info echo, the SMS, the stored state, that no secret reaches the
logs, and a clean unbind on SIGTERM.

usage: cabinet_e2e_test.py PATH/TO/ussdgw
"""
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from ussdgw_harness import (check, db_rows, free_port, import_demo, run_script,  # noqa: E402
                            shipped_config, summary)


def main():
    ussdgw = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="ussdgw-e2e-")
    port = free_port()
    # Screens in the GSM alphabet go with data_coding 0x0F on this network.
    cfg = shipped_config(tmp, port, subs=[("gsm7_data_coding = 0x00", "gsm7_data_coding = 0x0F")])

    imp = import_demo(ussdgw, cfg)
    check(imp.returncode == 0, "demo subscribers import: " + imp.stdout.strip()[-120:])

    sim, events, rc, log = run_script(ussdgw, cfg, tmp, port, [
        "375291000001 *141*0#",
        "expect-sms 375291000001",
        "375291000001 *141*3*6#",
        "375291000001 1",
        "375291000001 1",
        "375291000001 *141*3*6#",
        "375291000001 1",
        "375291000001 12345678",
        "375291000001 10010001",
        "375299999999 *141*0#",
        "375291000004 *141*3*6#",
        "375291000003 *141*0#",
        "expect-sms 375291000003",
    ])
    print(sim.stdout)
    check(sim.returncode == 0, "netsim script ran to its end (rc %d) %s" % (sim.returncode, sim.stderr[-300:]))
    check(rc == 0, "engine exited cleanly on SIGTERM (rc %d)" % rc)

    ussd = [e for e in events if e["event"] == "ussd"]
    sms = [e for e in events if e["event"] == "sms"]
    texts = [e["text"] for e in ussd]
    check(len(ussd) == 11, "eleven USSD screens (got %d)" % len(ussd))
    if len(ussd) == 11:
        check(ussd[0]["end"] and "SMS" in texts[0], "*141*0# ends with 'sent by SMS': " + texts[0])
        check(ussd[0]["op"] == 17 and ussd[0]["service_type"] == "USSD", "final reply op 17, USSD")
        check(ussd[0]["data_coding"] == 8, "Cyrillic screen in UCS2")
        check(ussd[0]["its_session_info"] and ussd[0]["its_session_info"][1] & 1 == 1,
              "its_session_info echoed with the end bit on the final reply")
        check(not ussd[1]["end"] and ussd[1]["op"] == 2 and "открыт" in texts[1],
              "*141*3*6# shows access open and continues (op 2): " + texts[1])
        check(ussd[1]["its_session_info"][1] & 1 == 0, "no end bit while the dialogue goes on")
        check("?" in texts[2], "closing asks for confirmation: " + texts[2])
        check(ussd[3]["end"] and "закрыт" in texts[3], "access closed: " + texts[3])
        check("закрыт" in texts[4], "state now closed: " + texts[4])
        check("PUK1" in texts[5], "opening asks for PUK1: " + texts[5])
        check("2" in texts[6] and not ussd[6]["end"], "wrong PUK1 counted, 2 tries left: " + texts[6])
        check(ussd[7]["end"] and "открыт" in texts[7], "right PUK1 opens access: " + texts[7])
        check(ussd[8]["end"], "an unknown number gets a final refusal: " + texts[8])
        check(ussd[9]["end"] and "обслуживание номера приостановлено" in texts[9],
              "a suspended subscriber is refused at *141*3*6#, no way to close: " + texts[9])
        check(ussd[10]["end"] and texts[10] == "A new cabinet password has been sent to you by SMS",
              "an English subscriber gets English screens: " + texts[10])
        check(ussd[10]["data_coding"] == 0x0F, "in GSM 7-bit with the link's data_coding 0x0F")
    english = [e for e in sms if e["msisdn"] == "375291000003"]
    sms = [e for e in sms if e["msisdn"] == "375291000001"]
    check(len(english) == 1 and re.match(r"^Password for the self-service cabinet: \S+$",
                                         english[0]["text"]) is not None,
          "the English subscriber's password SMS is in English")
    check(len(sms) == 1, "one SMS (got %d)" % len(sms))
    password = None
    if sms:
        m = re.match(r"^Пароль для входа в Личный кабинет: (\S+)$", sms[0]["text"])
        check(m is not None, "the password SMS text: " + sms[0]["text"].split(":")[0])
        check(sms[0]["data_coding"] == 8 and sms[0]["registered_delivery"] & 1 == 1,
              "SMS in UCS2 with a delivery receipt requested")
        password = m.group(1) if m else None
    check("event=sms.receipt" in log and "state=delivered" in log,
          "the delivery receipt marked the SMS delivered")
    for secret in filter(None, [password, "10010001", "12345678"]):
        check(secret not in log, "no secret in the engine log")
    check("event=smpp.bound" in log and "event=engine.stop" in log, "bound, then stopped")

    suspended = db_rows(tmp, "SELECT access_open FROM subscribers WHERE msisdn = 375291000004")
    check(suspended == [(1,)], "the suspended subscriber's access is unchanged: %s" % suspended)

    show = subprocess.run([ussdgw, "-c", cfg, "subscribers", "show", "375291000001"],
                          capture_output=True, text=True, timeout=30)
    out = show.stdout
    print(out)
    check(show.returncode == 0, "subscribers show")
    check(password is None or password not in out, "show prints no password")
    check("10010001" not in out, "show prints no PUK1")

    return summary()


if __name__ == "__main__":
    sys.exit(main())
