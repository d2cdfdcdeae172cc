#!/usr/bin/env python3
"""The cabinet API over real HTTP (curl, one run per request) against the real ussdgw binary with a
real SQLite file and the local network simulator (npm smpp) as SMSC and USSD centre: every rule
of issue 9 as a subscriber, an administrator and the operator's staff would meet it. The loop
the product exists for (*141*0#, the password from the SMS, the login), each refusal code,
lockouts and their expiry, no enumeration, per-address limits, cookie sessions and CSRF,
sessions ended by logout, a password change and closings by USSD, by a manager and by the
operator, one-time codes (tries, expiry), registration and recovery, service requests
(prepaid, suspended, applied by the scheduler, refused at application, annulled with their
session), step-up before call details, the organisation's isolation, the operator's routes,
token kinds, bad input on every route of the contract, the contract's routes against the
server's both ways, restart survival of pending requests, and a grep of the whole run's log
for every secret used.

One file over 500 lines on purpose: its scenarios run in order against one engine start (each
leaves state the next uses: passwords, sessions, closed accesses), and the final log grep must
see the whole run; a second file would start and seed a second engine in CI for no new check.

usage: cabinet_api_test.py PATH/TO/ussdgw
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from ussdgw_harness import ROOT, Engine, check, free_port, shipped_config, summary  # noqa: E402
from cabinet_api_client import Client, Netsim, code_in, password_in  # noqa: E402

import yaml  # noqa: E402  (python3-yaml)

SECRETS = set()  # every password, PUK1, code and token used: none may reach the log
API = "/api/v1"


def remember(*values):
    for v in values:
        if v:
            SECRETS.add(v)


def config(tmp, smsc_port, staff_lines, idle="30s"):
    conf = shipped_config(tmp, smsc_port, sections={
        "api": {"session_idle_timeout": json.dumps(idle), "trusted_proxies": '["127.0.0.1"]',
                "login_failures_per_address": "6", "code_requests_per_address": "6",
                "address_window": '"60s"', "code_ttl": '"5s"', "code_max_tries": "3",
                "code_resend_interval": '"0s"', "step_up_validity": '"4s"',
                "service_apply_delay": '"2s"'},
        "storage": {"password_max_wrong": "3", "password_lockout": '"3s"',
                    "password_sms_per_hour": "8", "password_sms_per_day": "20"},
        "log": {"level": '"debug"'}})
    with open(conf, "a", encoding="utf-8") as f:
        f.write("\n" + staff_lines)
    return conf


def login(c, msisdn, password=None, puk1=None):
    body = {"msisdn": msisdn}
    if password is not None:
        body["password"] = password
    if puk1 is not None:
        body["puk1"] = puk1
    a = c.post(API + "/login", body)
    if a.status == 200:
        remember(a.json["token"], a.json["csrf_token"])
    return a


def bearer(port, answer, xff=None):
    return Client(port, token=answer.json["token"], xff=xff)


def sms_code(sim, msisdn, mark):
    text = sim.sms_after(msisdn, mark)
    code = code_in(text)
    remember(code)
    return code, text


# --- the scenarios ---------------------------------------------------------------------------

def the_loop(port, sim):
    """*141*0# through the simulator, the password from the SMS, the login."""
    mark = sim.mark()
    screens = sim.dial("375291000001", "*141*0#")
    check(screens[0] is not None and "SMS" in screens[0], "*141*0# says the password went by SMS")
    text = sim.sms_after("375291000001", mark)
    password = password_in(text)
    remember(password)
    check(password is not None, "the password SMS carries it after ': '")
    c = Client(port, xff="10.0.1.1")
    a = login(c, "375291000001", password=password)
    check(a.status == 200 and a.json["method"] == "password" and a.json["msisdn"] == "375291000001",
          "THE LOOP: logged in with the password from the SMS (%d)" % a.status)
    me = bearer(port, a).get(API + "/me")
    check(me.status == 200 and me.json["balance"] == 1540 and me.json["currency"] == "BYN" and
          me.json["has_password"] and me.json["access"]["open"] and
          me.json["tariff_plan"] == "Комфорт", "GET /me: the account %r" % me)
    audit = bearer(port, a).get(API + "/me/audit?limit=1")
    check(audit.status == 200 and [e["action"] for e in audit.json["items"]] == ["login.ok"] and
          audit.json["items"][0]["channel"] == "web" and audit.json["next_before"] is not None,
          "the audit trail, paged: %r" % audit)
    page2 = bearer(port, a).get(API + "/me/audit?limit=5&before=%d" % audit.json["next_before"])
    check(page2.status == 200 and [e["action"] for e in page2.json["items"]] == ["password.issued"]
          and page2.json["items"][0]["channel"] == "ussd" and page2.json["next_before"] is None,
          "the next page holds the older entry, *141*0# by USSD %r" % page2)
    return password


def login_refusals(port):
    c = Client(port, xff="10.0.2.1")
    # The PUK1 login counts on the login counter; a lockout, then its expiry.
    wrong = [login(c, "375291000003", puk1="99999999") for _ in range(3)]
    check([w.status for w in wrong] == [401, 401, 423], "wrong PUK1 x3: 401, 401, 423 %r" % wrong)
    check(wrong[0].code == "password.wrong" and wrong[0].error.get("tries_left") == 2 and
          wrong[1].error.get("tries_left") == 1, "password.wrong with tries_left 2 then 1")
    check(wrong[2].code == "password.locked" and "locked_until" in wrong[2].error,
          "password.locked with locked_until")
    right = login(c, "375291000003", puk1="10030003")
    check(right.status == 423 and right.code == "password.locked",
          "the right PUK1 during the lockout is refused too (told before checking)")
    time.sleep(3.3)
    right = login(c, "375291000003", puk1="10030003")
    check(right.status == 200 and right.json["method"] == "puk", "after the lockout: PUK1 login")
    # No enumeration: an unknown number is answered like a wrong password, then locked.
    unknown = [login(c, "375299999990", password="guess-1") for _ in range(3)]
    known = login(Client(port, xff="10.0.2.2"), "375291000002", password="guess-1")
    check([u.status for u in unknown] == [401, 401, 423] and
          unknown[0].error.get("tries_left") == 2 and unknown[2].code == "password.locked",
          "an unknown number: 401 tries 2, 401, 423 %r" % unknown)
    check(known.status == unknown[0].status and sorted(known.error) == sorted(unknown[0].error) and
          known.error["message"] == unknown[0].error["message"],
          "a subscriber without a password is answered exactly like an unknown number")
    # PUK1 login where not allowed: told only with the right PUK1.
    c3 = Client(port, xff="10.0.2.3")
    a = login(c3, "375291000002", puk1="10020002")
    check(a.status == 403 and a.code == "puk.login_not_allowed", "PUK1 not allowed: 403 %r" % a)
    a = login(c3, "375291000002", puk1="10020009")
    check(a.status == 401 and a.code == "password.wrong", "a wrong PUK1 there: password.wrong")
    # The per-address limit: one address, many numbers.
    c4 = Client(port, xff="10.0.2.4")
    for i in range(6):
        login(c4, "3752999900%02d" % i, password="Summer2026")
    a = login(c4, "375299990099", password="Summer2026")
    check(a.status == 429 and a.code == "login.rate_limited" and a.error.get("retry_after", 0) > 0 and
          a.headers.get("retry-after") == str(a.error.get("retry_after")),
          "the 7th wrong login from one address: 429 with retry_after and Retry-After %r" % a)
    a = login(Client(port, xff="10.0.2.5"), "375299990099", password="Summer2026")
    check(a.status == 401, "another address is not limited")
    # Bad bodies.
    for body, ctype, code, field in [
            ('{"msisdn": "375291000001"', "application/json", "request.bad_json", None),
            ('{"msisdn": "375291000001", "password": "x", "extra": 1}', "application/json",
             "request.unknown_field", "extra"),
            ('{"password": "x"}', "application/json", "request.missing_field", "msisdn"),
            ('{"msisdn": 375291000001, "password": "x"}', "application/json",
             "request.invalid_field", "msisdn"),
            ('{"msisdn": "+375291000001", "password": "x"}', "application/json",
             "request.invalid_field", "msisdn"),
            ('{"msisdn": "375291000001"}', "application/json", "request.missing_field", "password"),
            ('{"msisdn": "375291000001", "password": "x", "puk1": "10010001"}', "application/json",
             "request.invalid_field", "puk1"),
            ('{"msisdn": "375291000001", "puk1": "1001"}', "application/json",
             "request.invalid_field", "puk1"),
            ('[1, 2]', "application/json", "request.bad_json", None),
            ('msisdn=375291000001&password=x', "application/x-www-form-urlencoded",
             "request.unsupported_media_type", None)]:
        a = Client(port, xff="10.0.2.6").post(API + "/login", raw=body, ctype=ctype)
        check(400 <= a.status < 500 and a.code == code and a.error.get("field") == field,
              "login %s -> %s %s" % (body[:40], code, field))


def cookies_and_tokens(port, staff_token):
    c = Client(port, xff="10.0.3.1")
    a = login(c, "375291000005", puk1="10050005")
    cookie = a.headers.get("set-cookie", "")
    check(a.status == 200 and "HttpOnly" in cookie and "SameSite=Strict" in cookie and
          "Path=/api/" in cookie and "Secure" not in cookie,
          "the session cookie: HttpOnly, SameSite=Strict, Path=/api/: %s" % cookie.split(";", 1)[1])
    token, csrf = a.json["token"], a.json["csrf_token"]
    jar = Client(port, cookie=token)
    check(jar.get(API + "/me").status == 200, "GET with the cookie")
    body = {"service": "roaming", "action": "connect"}
    r = jar.post(API + "/me/service-requests", body)
    check(r.status == 403 and r.code == "csrf.missing", "a change by cookie without CSRF: 403 %r" % r)
    r = Client(port, cookie=token, csrf="x" * 43).post(API + "/me/service-requests", body)
    check(r.status == 403 and r.code == "csrf.invalid", "with a wrong CSRF token: csrf.invalid")
    r = Client(port, cookie=token, csrf=csrf).post(API + "/me/service-requests", body)
    check(r.status == 201 and r.json["state"] == "created", "with the CSRF token: created %r" % r)
    s = jar.get(API + "/session")
    check(s.status == 200 and s.json["csrf_token"] == csrf and s.json["method"] == "puk",
          "GET /session gives the CSRF token back after a reload")
    b = Client(port, token=token).post(API + "/me/service-requests/%d/cancel" % r.json["id"])
    check(b.status == 200 and b.json["state"] == "annulled", "Bearer needs no CSRF; cancel annuls")
    # Token kinds.
    ops = Client(port, token=staff_token)
    check(ops.get(API + "/me").code == "auth.wrong_token_kind", "a staff token on /me: 403")
    check(Client(port, token=token).get(API + "/ops/subscribers/375291000005").code ==
          "auth.wrong_token_kind", "a subscriber token on /ops: 403")
    check(Client(port, cookie=token).get(API + "/ops/subscribers/375291000005").status == 403,
          "a subscriber cookie on /ops: 403")
    check(Client(port).get(API + "/me").code == "auth.required", "no token: 401 auth.required")
    check(Client(port, token="uss_" + "A" * 43).get(API + "/me").code == "auth.required",
          "an unknown token: 401 auth.required")
    check(Client(port, token="ops_" + "A" * 43).get(API + "/ops/subscribers/375291000005").code ==
          "auth.required", "an unknown staff token: 401")
    # PUK1 session without a password sets its first one without the current one.
    r = Client(port, token=token).post(API + "/me/password", {"new_password": "Lake-Naroch-7"})
    check(r.status == 204, "a PUK1 session sets the first password without the current one %r" % r)
    remember("Lake-Naroch-7")
    check(Client(port, token=token).get(API + "/me").code == "session.expired",
          "the password change ended that session too")
    a = login(c, "375291000005", password="Lake-Naroch-7")
    check(a.status == 200, "the new password logs in")
    r = bearer(port, a).post(API + "/me/password", {"new_password": "Braslav-Lakes-9"})
    check(r.status == 400 and r.code == "request.missing_field" and r.error["field"] ==
          "current_password", "with a password set, the current one is required")
    # Logout.
    r = bearer(port, a).post(API + "/logout")
    check(r.status == 204 and "Max-Age=0" in r.headers.get("set-cookie", ""), "logout: 204")
    check(bearer(port, a).get(API + "/me").code == "session.expired", "after logout: expired")


def password_change_ends_sessions(port, password):
    c = Client(port, xff="10.0.4.1")
    one, two = login(c, "375291000001", password=password), login(c, "375291000001",
                                                                   password=password)
    r = bearer(port, one).post(API + "/me/password", {"current_password": "not-it",
                                                      "new_password": "Mir-Castle-1527"})
    check(r.status == 401 and r.code == "password.wrong" and r.error.get("tries_left") == 2,
          "a wrong current password is counted: %r" % r)
    for new, code in [("abc", "password.too_short"), ("375291000001", "password.too_weak"),
                      ("qwerty", "password.too_weak"), ("aaaaaaaa", "password.too_weak"),
                      (password, "password.same")]:
        r = bearer(port, one).post(API + "/me/password", {"current_password": password,
                                                          "new_password": new})
        check(r.status == 400 and r.code == code, "new password %r: %s %r" % (new, code, r))
    r = bearer(port, one).post(API + "/me/password", {"current_password": password,
                                                      "new_password": "Mir-Castle-1527"})
    remember("Mir-Castle-1527")
    check(r.status == 204, "password changed")
    check(bearer(port, one).get(API + "/me").code == "session.expired" and
          bearer(port, two).get(API + "/me").code == "session.expired",
          "every session of the subscriber ended")
    check(login(c, "375291000001", password=password).code == "password.wrong",
          "the old password is refused")
    a = login(c, "375291000001", password="Mir-Castle-1527")
    check(a.status == 200, "the new password logs in")
    return "Mir-Castle-1527"


def closings_end_sessions(port, sim, staff_token, password):
    c = Client(port, xff="10.0.5.1")
    a = login(c, "375291000001", password=password)
    screens = sim.dial("375291000001", "*141*3*6#", "1", "1")
    check(screens[-1] is not None and "закрыт" in screens[-1], "access closed by USSD")
    check(bearer(port, a).get(API + "/me").code == "session.expired",
          "closing by USSD ended the web session")
    r = login(c, "375291000001", password=password)
    check(r.status == 403 and r.code == "access.closed_by_subscriber",
          "the right password is told why: access.closed_by_subscriber")
    r = login(c, "375291000001", password="wrong-one")
    check(r.status == 401 and r.code == "password.wrong", "a wrong one is not told it is closed")
    screens = sim.dial("375291000001", "*141*3*6#", "1", "10010001")
    check(screens[-1] is not None and "открыт" in screens[-1], "reopened by USSD with PUK1")
    check(login(c, "375291000001", password=password).status == 200, "logs in again")
    # The operator closes for a lost SIM.
    a = login(c, "375291000001", password=password)
    ops = Client(port, token=staff_token)
    r = ops.post(API + "/ops/subscribers/375291000001/access/close", {"reason": "lost-sim"})
    check(r.status == 200 and r.json["access"]["closed_by"] == "operator_lost_sim",
          "staff: closed for a lost SIM %r" % r)
    check(bearer(port, a).get(API + "/me").code == "session.expired",
          "the operator's closing ended the session")
    check(login(c, "375291000001", password=password).code == "access.closed_lost_sim",
          "login: access.closed_lost_sim")
    r = ops.post(API + "/ops/subscribers/375291000001/access/close", {"reason": "restriction"})
    check(r.status == 409 and r.code == "access.already_closed", "an equal closing: 409")
    r = ops.post(API + "/ops/subscribers/375291000001/access/open")
    check(r.status == 200 and r.json["access"]["open"], "staff: opened")
    r = ops.post(API + "/ops/subscribers/375291000001/access/open")
    check(r.status == 409 and r.code == "access.already_open", "open twice: 409")
    r = ops.post(API + "/ops/subscribers/375291000002/access/close", {"reason": "organisation"})
    check(r.status == 400 and r.code in ("access.kind_not_allowed", "role.needs_legal_entity"),
          "an individual's access is not closed at an organisation's request: %r" % r)
    log = ops.get(API + "/ops/subscribers/375291000001/audit?limit=5")
    staff_entries = [e for e in log.json["items"] if e["actor"]["kind"] == "operator_staff"]
    check(log.status == 200 and staff_entries and staff_entries[0]["actor"]["id"] == "helpdesk" and
          staff_entries[0]["channel"] == "web", "the audit names the staff member, channel web")


def codes_and_registration(port, sim):
    c = Client(port, xff="10.0.6.1")
    mark = sim.mark()
    r = c.post(API + "/password/code", {"msisdn": "375291000007", "purpose": "register"})
    check(r.status == 202 and r.json["expires_in_seconds"] == 5, "a registration code %r" % r)
    code, text = sms_code(sim, "375291000007", mark)
    check(code is not None and "{code}" not in text and "рэгістрацыі" in text,
          "the code SMS in the subscriber's language (be) with one 6-digit code")
    same = c.post(API + "/password/code", {"msisdn": "375299999991", "purpose": "register"})
    check(same.status == r.status and same.json == r.json,
          "an unknown number gets the same answer (and no SMS)")
    wrong = "000000" if code != "000000" else "111111"
    r = c.post(API + "/password/reset", {"msisdn": "375291000007", "code": wrong,
                                        "password": "Lake-Naroch-7"})
    check(r.status == 401 and r.code == "otp.wrong" and r.error.get("tries_left") == 2,
          "a wrong code: otp.wrong with tries_left %r" % r)
    r = c.post(API + "/password/reset", {"msisdn": "375291000007", "code": code, "password": "ab"})
    check(r.status == 400 and r.code == "password.too_short" and r.error.get("min_length") == 5,
          "a short password: password.too_short with min_length")
    r = c.post(API + "/password/reset", {"msisdn": "375291000007", "code": code,
                                        "password": "Lake-Naroch-7"})
    check(r.status == 200 and r.json["method"] == "code", "registered and logged in %r" % r)
    remember(r.json.get("token"), r.json.get("csrf_token"))
    a = login(c, "375291000007", password="Lake-Naroch-7")
    check(a.status == 200, "the chosen password logs in")
    actions = [e["action"] for e in bearer(port, a).get(API + "/me/audit").json["items"]]
    check("password.registered" in actions and "code.sent" in actions,
          "audited: code.sent, password.registered %s" % actions)
    r = c.post(API + "/password/reset", {"msisdn": "375291000007", "code": code,
                                        "password": "Other-Pass-8"})
    check(r.code == "otp.expired", "a code is spent by its first right entry")
    # Tries run out.
    mark = sim.mark()
    c.post(API + "/password/code", {"msisdn": "375291000006", "purpose": "recover"})
    code, text = sms_code(sim, "375291000006", mark)
    check("восстановления" in (text or ""), "the recovery SMS wording (ru)")
    wrong = "000000" if code != "000000" else "111111"
    tries = [c.post(API + "/password/reset", {"msisdn": "375291000006", "code": wrong,
                                             "password": "Nesvizh-Castle-3"}) for _ in range(3)]
    check([t.error.get("tries_left") for t in tries] == [2, 1, 0], "tries left 2, 1, 0")
    r = c.post(API + "/password/reset", {"msisdn": "375291000006", "code": code,
                                        "password": "Nesvizh-Castle-3"})
    check(r.status == 401 and r.code == "otp.expired", "after the last try the code is spent")
    # Expiry.
    mark = sim.mark()
    c2 = Client(port, xff="10.0.6.2")
    c2.post(API + "/password/code", {"msisdn": "375291000006", "purpose": "recover"})
    code, _ = sms_code(sim, "375291000006", mark)
    time.sleep(5.3)
    r = c2.post(API + "/password/reset", {"msisdn": "375291000006", "code": code,
                                         "password": "Nesvizh-Castle-3"})
    check(r.status == 401 and r.code == "otp.expired", "an expired code: otp.expired %r" % r)
    mark = sim.mark()
    c2.post(API + "/password/code", {"msisdn": "375291000006", "purpose": "recover"})
    code, _ = sms_code(sim, "375291000006", mark)
    r = c2.post(API + "/password/reset", {"msisdn": "375291000006", "code": code,
                                         "password": "Nesvizh-Castle-3"})
    remember("Nesvizh-Castle-3")
    check(r.status == 200, "recovered with a fresh code")
    actions = [e["action"] for e in Client(port, token=r.json["token"]).get(
        API + "/me/audit").json["items"]]
    check(actions[0] == "password.reset", "audited as password.reset: %s" % actions[:2])
    # The SMS limits (shared with the password SMS): 8 per hour in this test.
    c3 = Client(port, xff="10.0.6.3")
    answers = []
    for i in range(9):
        cl = Client(port, xff="10.0.7.%d" % i)  # beyond the per-address limit of 6
        answers.append(cl.post(API + "/password/code", {"msisdn": "375292000004",
                                                        "purpose": "register"}))
    check([a.status for a in answers[:8]] == [202] * 8 and answers[8].status == 429 and
          answers[8].code == "sms.rate_limited" and answers[8].error.get("retry_after", 0) > 0,
          "the 9th code within the hour: 429 sms.rate_limited %r" % answers[8])
    limited = [c3.post(API + "/password/code", {"msisdn": "375299999992", "purpose": "recover"})
               for _ in range(7)]
    check(limited[6].status == 429 and limited[6].code == "login.rate_limited",
          "code requests per address: the 7th is 429 login.rate_limited")
    r = c.post(API + "/password/code", {"msisdn": "375291000001", "purpose": "reset"})
    check(r.status == 400 and r.error.get("field") == "purpose", "a bad purpose: 400")


def services(port, staff_token):
    c = Client(port, xff="10.0.8.1")
    a = login(c, "375291000003", puk1="10030003")
    s = bearer(port, a)
    r = s.post(API + "/me/service-requests", {"service": "internet_5gb", "action": "connect"})
    check(r.status == 422 and r.code == "balance.insufficient" and r.error.get("price") == 990 and
          r.error.get("balance") == 300 and r.error.get("currency") == "BYN",
          "prepaid with 3.00 asks for 9.90: 422 with price, balance, currency %r" % r)
    r = s.post(API + "/me/service-requests", {"service": "nonesuch", "action": "connect"})
    check(r.status == 404 and r.code == "service.unknown", "an unknown service: 404")
    r = s.post(API + "/me/service-requests", {"service": "antispam", "action": "disconnect"})
    check(r.status == 409 and r.code == "service.not_connected", "disconnect what is not there")
    r = s.post(API + "/me/service-requests", {"service": "antispam", "action": "connect"})
    check(r.status == 201 and r.json["state"] == "created" and r.json["price"] == 150,
          "connect antispam (1.50): created")
    rid = r.json["id"]
    again = s.post(API + "/me/service-requests", {"service": "antispam", "action": "connect"})
    check(again.status == 409 and again.code == "service.request_open", "one open request each")
    r = s.post(API + "/me/service-requests/%d/confirm" % rid)
    check(r.status == 200 and r.json["state"] == "pending" and r.json["effective_by"],
          "confirmed: pending until effective_by")
    r = s.post(API + "/me/service-requests/%d/confirm" % rid)
    check(r.status == 409 and r.code == "request.wrong_state" and r.error.get("state") == "pending",
          "confirming twice: request.wrong_state with state %r" % r)
    r = s.post(API + "/me/service-requests/%d/cancel" % rid)
    check(r.status == 409 and r.error.get("state") == "pending", "a pending one cannot be cancelled")
    time.sleep(3.0)
    r = s.get(API + "/me/service-requests/%d" % rid)
    check(r.status == 200 and r.json["state"] == "applied" and r.json["finished_at"],
          "the scheduler applied it after the delay %r" % r)
    me = s.get(API + "/me")
    check(me.json["balance"] == 150, "the price was charged: 3.00 - 1.50 = %s" % me.json["balance"])
    mine = s.get(API + "/me/services").json["items"]
    check([x["code"] for x in mine] == ["antispam"] and mine[0]["name"]["be"] == "Антыспам",
          "connected services list it, with names")
    other = Client(port, xff="10.0.8.2")
    b = login(other, "375291000005", password="Lake-Naroch-7")
    r = bearer(port, b).get(API + "/me/service-requests/%d" % rid)
    check(r.status == 404, "another subscriber's request: 404")
    # Refused at application: suspended before it was due.
    r = s.post(API + "/me/service-requests", {"service": "roaming", "action": "connect"})
    rid2 = r.json["id"]
    s.post(API + "/me/service-requests/%d/confirm" % rid2)
    ops = Client(port, token=staff_token)
    cur = ops.get(API + "/ops/subscribers/375291000003").json
    put = ops.put(API + "/ops/subscribers/375291000003", {
        "client_id": cur["client"]["id"], "client_kind": "individual", "role": "subscriber",
        "tariff_plan": cur["tariff_plan"], "puk_login": True, "service_state": "suspended",
        "payment": "prepaid", "balance": cur["balance"], "language": "en"})
    check(put.status == 200 and put.json["service_state"] == "suspended", "staff suspends it")
    time.sleep(3.0)
    r = ops.get(API + "/ops/subscribers/375291000003")  # the staff read does not end sessions
    c2 = Client(port, xff="10.0.8.3")
    d = login(c2, "375291000003", puk1="10030003")
    r = bearer(port, d).get(API + "/me/service-requests/%d" % rid2)
    check(r.status == 200 and r.json["state"] == "refused" and r.json["refusal"] ==
          "service.suspended", "refused at application while suspended %r" % r)
    r = bearer(port, d).post(API + "/me/service-requests", {"service": "ringback",
                                                            "action": "connect"})
    check(r.status == 403 and r.code == "service.suspended", "requests refused while suspended")
    listed = bearer(port, d).get(API + "/me/service-requests?limit=1")
    check(listed.status == 200 and len(listed.json["items"]) == 1 and listed.json["next_before"],
          "the requests, paged")


def step_up(port, sim):
    c = Client(port, xff="10.0.9.1")
    a = login(c, "375291000001", password=PASSWORDS["375291000001"])
    s = bearer(port, a)
    r = s.get(API + "/me/calls")
    check(r.status == 403 and r.code == "step_up.required", "call details need the step-up")
    mark = sim.mark()
    r = s.post(API + "/me/step-up/code")
    check(r.status == 202, "a step-up code is sent")
    code, text = sms_code(sim, "375291000001", mark)
    check(code and "детализации" in text, "the step-up SMS (ru)")
    wrong = "000000" if code != "000000" else "111111"
    r = s.post(API + "/me/step-up", {"code": wrong})
    check(r.status == 401 and r.code == "otp.wrong" and r.error.get("tries_left") == 2,
          "a wrong step-up code")
    r = s.post(API + "/me/step-up", {"code": code})
    check(r.status == 200 and r.json["elevated_until"], "elevated %r" % r)
    calls = s.get(API + "/me/calls?limit=2")
    check(calls.status == 200 and len(calls.json["items"]) == 2 and
          calls.json["items"][0]["started_at"] == "2026-11-22T19:02:55Z" and
          calls.json["next_before"], "the newest calls first, paged %r" % calls)
    rest = s.get(API + "/me/calls?limit=10&before=%d" % calls.json["next_before"])
    check(rest.status == 200 and len(rest.json["items"]) == 3 and rest.json["next_before"] is None,
          "the rest on the next page")
    other = login(Client(port, xff="10.0.9.2"), "375291000001",
                  password=PASSWORDS["375291000001"])
    check(bearer(port, other).get(API + "/me/calls").code == "step_up.required",
          "the elevation belongs to its session")
    time.sleep(4.3)
    r = s.get(API + "/me/calls")
    check(r.status == 403 and r.code == "step_up.expired", "after step_up_validity: expired")


def organisation(port, sim):
    c = Client(port, xff="10.0.10.1")
    passwords = {}
    for m in ("375292000001", "375292000002", "375292000003"):
        mark = sim.mark()
        c.post(API + "/password/code", {"msisdn": m, "purpose": "register"})
        code, _ = sms_code(sim, m, mark)
        pw = "Org-Pass-%s" % m[-4:]
        r = c.post(API + "/password/reset", {"msisdn": m, "code": code, "password": pw})
        check(r.status == 200, "%s registered" % m)
        passwords[m] = pw
        remember(pw)
    admin = bearer(port, login(c, "375292000001", password=passwords["375292000001"]))
    member = bearer(port, login(c, "375292000003", password=passwords["375292000003"]))
    r = admin.get(API + "/org/subscribers")
    numbers = [x["msisdn"] for x in r.json["items"]]
    check(r.status == 200 and numbers == ["375292000001", "375292000002", "375292000003",
                                          "375292000004"], "the client's subscribers: %s" % numbers)
    r = admin.get(API + "/org/subscribers?limit=2")
    check(len(r.json["items"]) == 2 and r.json["next_after"] == "375292000002", "paged by number")
    r = admin.get(API + "/org/subscribers?limit=2&after=375292000002")
    check([x["msisdn"] for x in r.json["items"]] == ["375292000003", "375292000004"], "next page")
    r = admin.get(API + "/org/subscribers?prefix=3752920000&access=open")
    check(len(r.json["items"]) == 4, "prefix and access filters")
    foreign = admin.get(API + "/org/subscribers/375293000002")
    unknown = admin.get(API + "/org/subscribers/375299999999")
    check(foreign.status == 404 and foreign.text == unknown.text,
          "another client's number is answered exactly like an unknown one")
    r = admin.post(API + "/org/subscribers/375293000002/access/close")
    check(r.status == 404 and r.text == unknown.text, "and cannot be closed")
    r = admin.post(API + "/org/subscribers/375292000003/access/close")
    check(r.status == 200 and r.json["access"]["closed_by"] == "organisation", "closed by the org")
    check(member.get(API + "/me").code == "session.expired", "the member's session ended")
    r = login(c, "375292000003", password=passwords["375292000003"])
    check(r.status == 403 and r.code == "access.closed_by_organisation",
          "the member's login: access.closed_by_organisation")
    r = admin.get(API + "/org/subscribers?access=closed")
    check([x["msisdn"] for x in r.json["items"]] == ["375292000003"], "the closed filter")
    r = admin.post(API + "/org/subscribers/375292000003/access/close")
    check(r.status == 409, "closing twice: 409")
    r = admin.post(API + "/org/subscribers/375292000003/access/open")
    check(r.status == 200 and r.json["access"]["open"], "reopened by the administrator")
    sup = bearer(port, login(c, "375292000002", password=passwords["375292000002"]))
    r = sup.post(API + "/org/subscribers/375292000001/access/close")
    check(r.status == 403 and r.code == "role.forbidden", "a supervisor cannot close an admin")
    plain = bearer(port, login(c, "375292000003", password=passwords["375292000003"]))
    r = plain.get(API + "/org/subscribers")
    check(r.status == 403 and r.code == "role.forbidden", "a plain subscriber: role.forbidden")
    r = admin.get(API + "/org/subscribers?prefix=37a")
    check(r.status == 400 and r.code == "request.invalid_query", "a bad prefix: 400")


def operator(port, staff_token):
    ops = Client(port, token=staff_token)
    r = ops.get(API + "/ops/subscribers/375291000001")
    check(r.status == 200 and "puk_failures" in r.json and "puk1" not in r.json and
          "password_hash" not in r.text, "a lookup without secrets")
    check(ops.get(API + "/ops/subscribers/375299999999").status == 404, "unknown: 404")
    body = {"client_id": "IND-9001", "client_kind": "individual", "role": "subscriber",
            "tariff_plan": "Комфорт", "service_state": "active", "payment": "prepaid",
            "balance": 500}
    r = ops.put(API + "/ops/subscribers/375295000001", body)
    check(r.status == 400 and r.code == "request.missing_field" and r.error["field"] == "puk1",
          "creating needs the PUK1")
    r = ops.put(API + "/ops/subscribers/375295000001", dict(body, puk1="90010001"))
    check(r.status == 201 and r.json["balance"] == 500, "created: 201")
    r = ops.put(API + "/ops/subscribers/375295000001", dict(body, balance=700))
    check(r.status == 200 and r.json["balance"] == 700, "updated without the PUK1: 200")
    a = login(Client(port, xff="10.0.11.1"), "375295000001", puk1="90010001")
    check(a.code == "puk.login_not_allowed", "the PUK1 was kept (right, but not allowed)")
    r = ops.put(API + "/ops/subscribers/375295000001/puk-login", {"enabled": True})
    check(r.status == 200 and r.json["puk_login_enabled"] and r.json["puk_login_allowed"],
          "PUK1 login enabled by the staff")
    a = login(Client(port, xff="10.0.11.1"), "375295000001", puk1="90010001")
    check(a.status == 200, "now the PUK1 logs in")
    ops.put(API + "/ops/subscribers/375295000001/puk-login", {"enabled": False})
    for bad, field in [(dict(body, role="administrator"), None), (dict(body, client_kind="x"),
                       "client_kind"), (dict(body, tariff_plan="Nope"), "tariff_plan"),
                       (dict(body, balance="5"), "balance"), (dict(body, language="rus"),
                                                              "language"),
                       (dict(body, puk1="123"), "puk1"), (dict(body, colour="red"), "colour")]:
        r = ops.put(API + "/ops/subscribers/375295000001", bad)
        check(r.status == 400 and (field is None or r.error.get("field") == field),
              "PUT refused: %s %r" % (field or "administrator of an individual", r))
    csv = ("msisdn,client_id,client_kind,role,tariff_plan,puk1,puk_login,service_state,payment,"
           "balance\n375295000002,IND-9002,individual,subscriber,Комфорт,90020002,no,active,"
           "prepaid,1.00\n")
    r = ops.post(API + "/ops/subscribers/import", raw=csv, ctype="text/csv")
    check(r.status == 200 and r.json["inserted"] == 1 and r.json["written"], "a CSV upload")
    r = ops.post(API + "/ops/subscribers/import", raw=csv, ctype="text/csv")
    check(r.json["unchanged"] == 1, "idempotent: unchanged the second time")
    bad = csv + "375295000003,IND-9003,individual,subscriber,Комфорт,9003,no,active,prepaid,1\n"
    r = ops.post(API + "/ops/subscribers/import", raw=bad, ctype="text/csv")
    check(r.status == 200 and not r.json["written"] and r.json["rejected"] == 1 and
          r.json["errors"][0]["line"] == 3 and "puk1" in r.json["errors"][0]["message"],
          "a bad line: nothing written, the line named %r" % r)
    r = ops.post(API + "/ops/subscribers/import?partial=true", raw=bad, ctype="text/csv")
    check(r.json["written"] and r.json["rejected"] == 1, "partial: the good lines written")
    r = ops.post(API + "/ops/subscribers/import", raw=csv, ctype="application/json")
    check(r.status == 415, "the upload must be text/csv")
    sms = ops.get(API + "/ops/subscribers/375291000001/sms")
    kinds = [m["kind"] for m in sms.json["items"]]
    check(sms.status == 200 and "password" in kinds and "code" in kinds and
          all(set(m) <= {"id", "kind", "state", "attempts", "parts", "parts_delivered",
                         "created_at", "updated_at", "last_error"} for m in sms.json["items"]),
          "the SMS states, never the bodies: %s" % kinds)
    check(any(m["state"] == "delivered" for m in sms.json["items"]), "receipts were applied")


def bad_input_everywhere(port, doc, tokens):
    """Every route of the contract with junk: a 4xx, never a crash."""
    sub, org, staff = tokens
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "delete"):
                continue
            url = path.replace("{msisdn}", "375292000003").replace("{id}", "1")
            who = staff if "/ops/" in path else org if "/org/" in path else sub
            c = Client(port, token=who, xff="10.0.12.1")
            answers = []
            if method in ("post", "put"):
                answers.append(c.request(method.upper(), url, raw="{not json", ctype="application/json"))
                answers.append(c.request(method.upper(), url, raw='{"zzz": 1}'))
                answers.append(c.request(method.upper(), url, raw="\xff\xfe", ctype="text/plain"))
            answers.append(c.request(method.upper(), url + "?zzz=1&zzz=2"))
            if "{msisdn}" in path:
                answers.append(c.request(method.upper(), path.replace("{msisdn}", "12ab")
                                         .replace("{id}", "1")))
            if "{id}" in path:
                answers.append(c.request(method.upper(), path.replace("{id}", "-1")))
            ok = all(400 <= a.status < 500 and a.code for a in answers)
            check(ok, "junk to %s %s: 4xx with a code %s" % (method.upper(), path,
                                                              [a.status for a in answers]))
    big = Client(port, xff="10.0.12.2").post(API + "/login", raw="{" + " " * 70000 + "}")
    check(big.status == 413, "an oversize body: 413")


def routes_both_ways(ussdgw, conf, port, doc):
    listed = subprocess.run([ussdgw, "-c", conf, "api", "routes"], capture_output=True, text=True,
                            timeout=60)
    served = {tuple(l.split(" ", 1)) for l in listed.stdout.split("\n") if l.startswith(("GET", "POST", "PUT", "DELETE"))}
    served = {(m, p) for m, p in served if p.startswith(API)}
    documented = {(m.upper(), p) for p, item in doc["paths"].items() for m in item
                  if m in ("get", "post", "put", "delete")}
    check(listed.returncode == 0 and served == documented,
          "the server's routes are the document's, both ways: only served %s, only documented %s"
          % (sorted(served - documented), sorted(documented - served)))
    # And the running server answers each (not the router's own 404 or 405).
    for method, path in sorted(documented):
        url = path.replace("{msisdn}", "375291000001").replace("{id}", "1")
        a = Client(port, xff="10.0.13.1").request(method, url)
        routed = not (a.status == 404 and a.error.get("message") == "no such resource") and \
            a.status != 405
        check(routed, "%s %s is answered by a route (%d)" % (method, path, a.status))
    doc_text = open(os.path.join(ROOT, "engine", "api", "openapi.yaml"), encoding="utf-8").read()
    served_doc = Client(port).get(API + "/openapi.yaml")
    check(served_doc.status == 200 and served_doc.text == doc_text and
          served_doc.headers.get("content-type", "").startswith("application/yaml"),
          "GET /api/v1/openapi.yaml serves the contract")


def idle_expiry_and_restart(ussdgw, tmp, smsc_port, staff_lines, sim, engine):
    """A pending request survives a restart; with a 2 s idle timeout an unconfirmed request is
    annulled with its session, whether the session is used again or left alone."""
    c = Client(engine.port, xff="10.0.14.1")
    a = login(c, "375291000005", password="Lake-Naroch-7")
    s = bearer(engine.port, a)
    r = s.post(API + "/me/service-requests", {"service": "ringback", "action": "connect"})
    rid = r.json["id"]
    s.post(API + "/me/service-requests/%d/confirm" % rid)
    check(engine.stop() == 0, "the engine stops cleanly with a request pending")
    log = engine.log()
    conf = config(tmp, smsc_port, staff_lines, idle="2s")
    engine2 = Engine(ussdgw, conf, tmp, name="engine2", run_for=120)
    try:
        c = Client(engine2.port, xff="10.0.14.2")
        time.sleep(2.5)
        a = login(c, "375291000005", password="Lake-Naroch-7")
        s2 = bearer(engine2.port, a)
        r = s2.get(API + "/me/service-requests/%d" % rid)
        check(r.status == 200 and r.json["state"] == "applied",
              "the request confirmed before the restart was applied after it %r" % r)
        # Used again after the idle timeout.
        r = s2.post(API + "/me/service-requests", {"service": "antispam", "action": "connect"})
        rid2 = r.json["id"]
        time.sleep(2.6)
        r = s2.get(API + "/me")
        check(r.status == 401 and r.code == "session.expired", "idle 2 s: session.expired %r" % r)
        # Left alone: the sweeper ends it.
        b = login(c, "375291000005", password="Lake-Naroch-7")
        r = bearer(engine2.port, b).post(API + "/me/service-requests",
                                         {"service": "internet_5gb", "action": "connect"})
        rid3 = r.json["id"]
        time.sleep(3.5)
        d = login(c, "375291000005", password="Lake-Naroch-7")
        states = [bearer(engine2.port, d).get(API + "/me/service-requests/%d" % i).json
                  for i in (rid2, rid3)]
        check(all(x["state"] == "annulled" and x["refusal"] == "session.ended" for x in states),
              "unconfirmed requests were annulled with their sessions %s" % states)
        check(bearer(engine2.port, b).get(API + "/me").code == "session.expired",
              "the swept session stays ended")
        # Activity keeps a session alive.
        e = bearer(engine2.port, login(c, "375291000005", password="Lake-Naroch-7"))
        alive = True
        for _ in range(5):
            time.sleep(0.8)
            alive = alive and e.get(API + "/me").status == 200
        check(alive, "a session in use outlives the idle timeout")
    finally:
        rc = engine2.stop()
    check(rc == 0, "the second engine stops cleanly")
    return log + engine2.log()


def security_headers(port):
    for a in (Client(port).get(API + "/services"), Client(port).get(API + "/me"),
              Client(port).post(API + "/login", raw="x")):
        h = a.headers
        check(h.get("x-content-type-options") == "nosniff" and h.get("x-frame-options") == "DENY" and
              "default-src 'self'" in h.get("content-security-policy", "") and
              h.get("cache-control") == "no-store", "security headers on a %d answer" % a.status)


PASSWORDS = {}


def main():
    ussdgw = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="ussdgw-api-")
    smsc_port = free_port()
    made = subprocess.run([ussdgw, "api", "token", "helpdesk"], capture_output=True, text=True,
                          timeout=30)
    staff_token = re.search(r"(ops_[A-Za-z0-9_-]{43})", made.stdout).group(1)
    remember(staff_token)
    staff_lines = "\n".join(l for l in made.stdout.splitlines() if not l.startswith("#")) + "\n"
    conf = config(tmp, smsc_port, staff_lines)
    for what, args in (("subscribers", ["subscribers", "import"]), ("calls", ["calls", "import"])):
        imp = subprocess.run([ussdgw, "-c", conf] + args + [
            os.path.join(ROOT, "conf", "demo-%s.csv" % what)], capture_output=True, text=True,
            timeout=60)
        check(imp.returncode == 0, "demo %s imported: %s" % (what, imp.stdout.strip()))
    remember(*["100%d000%d" % (i, i) for i in range(1, 8)], "20010001", "20010002", "20010003",
             "20010004", "30010001", "30010002", "90010001", "90020002")
    doc = yaml.safe_load(open(os.path.join(ROOT, "engine", "api", "openapi.yaml"), encoding="utf-8"))
    sim = Netsim(smsc_port)
    engine = Engine(ussdgw, conf, tmp, run_for=300)
    log = ""
    try:
        if not check(engine.port is not None and sim.wait(lambda e: e.get("event") == "bind", 20),
                     "the engine serves HTTP and bound to the simulator"):
            return summary()
        port = engine.port
        PASSWORDS["375291000001"] = the_loop(port, sim)
        login_refusals(port)
        cookies_and_tokens(port, staff_token)
        PASSWORDS["375291000001"] = password_change_ends_sessions(port, PASSWORDS["375291000001"])
        closings_end_sessions(port, sim, staff_token, PASSWORDS["375291000001"])
        codes_and_registration(port, sim)
        services(port, staff_token)
        step_up(port, sim)
        organisation(port, sim)
        operator(port, staff_token)
        security_headers(port)
        c = Client(port, xff="10.0.15.1")
        sub = login(c, "375291000001", password=PASSWORDS["375291000001"]).json["token"]
        org = login(c, "375292000001", password="Org-Pass-0001").json["token"]
        bad_input_everywhere(port, doc, (sub, org, staff_token))
        routes_both_ways(ussdgw, conf, port, doc)
        check(engine.alive(), "the engine is still running after all of it")
        log = idle_expiry_and_restart(ussdgw, tmp, smsc_port, staff_lines, sim, engine)
    finally:
        if engine.alive():
            engine.stop()
        sim.stop()
    log = log or engine.log()
    check("event=api.login" in log, "the log has the API's events")
    # A secret as a word of its own (a random 6-digit code may be part of a longer number).
    leaked = sorted(s for s in SECRETS if s and re.search(
        r"(?<![0-9A-Za-z_-])%s(?![0-9A-Za-z_-])" % re.escape(s), log))
    check(not leaked, "no password, PUK1, code or token in the log (%d secrets checked)%s"
          % (len(SECRETS), (": leaked " + ", ".join(x[:6] + "..." for x in leaked)) if leaked else ""))
    return summary()


if __name__ == "__main__":
    sys.exit(main())
