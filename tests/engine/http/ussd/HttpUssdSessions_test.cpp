#include "engine/http/ussd/HttpUssdSessions.hpp"

#include <doctest/doctest.h>

namespace http_ussd_sessions_test {

using namespace ussdgw;
using namespace ussdgw::http;
using namespace std::chrono_literals;
using Outcome = HttpUssdSessions::Outcome;

namespace {

std::string notice_text(HttpUssdNotice n, const std::string& subscriber) {
    return (n == HttpUssdNotice::try_later ? "try later " : "invalid ") + subscriber;
}

HttpUssdRequest req(std::string session, std::string text, std::string phone = "375291000001",
                    std::string code = "*141*3*6#") {
    return {std::move(session), std::move(code), std::move(phone), "25701", std::move(text)};
}

struct Fixture {
    HttpUssdLimits limits{9s, 60s, 20s, 4};
    HttpUssdSessions sessions{"http:agg", limits, notice_text};
    UssdTime t0{};
    UssdTime now = t0;
    HttpUssdSessions::RequestId next_id = 1;
    HttpUssdSessions::Actions out;

    HttpUssdSessions::RequestId send(HttpUssdRequest r) {
        auto id = next_id++;
        sessions.on_request(id, std::move(r), now, out);
        return id;
    }
    void screen(std::string session, std::string text, bool final = false) {
        sessions.on_screen({{"http:agg", std::move(session)}, std::move(text), final}, now, out);
    }
    HttpUssdSessions::Actions take() { return std::exchange(out, {}); }
};

template <typename T>
const T& event(const HttpUssdSessions::Actions& a, std::size_t i) {
    REQUIRE(i < a.to_core.size());
    REQUIRE(std::holds_alternative<T>(a.to_core[i]));
    return std::get<T>(a.to_core[i]);
}

}  // namespace

TEST_CASE("http ussd fields: required, '+' dropped, bad values named") {
    Fields f{{"sessionId", "s1"},
             {"serviceCode", "*141#"},
             {"phoneNumber", "+375291000001"},
             {"networkCode", "25701"},
             {"text", ""}};
    auto r = read_http_ussd_request(f);
    REQUIRE(r);
    CHECK(r->phone_number == "375291000001");
    CHECK(r->text == "");

    Fields no_text(f.begin(), f.end() - 1);
    CHECK(read_http_ussd_request(no_text));  // an absent text is the first request

    for (auto name : {"sessionId", "serviceCode", "phoneNumber"}) {
        Fields g;
        for (auto& kv : f)
            if (kv.first != name) g.push_back(kv);
        auto e = read_http_ussd_request(g);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == "ussd.missing_field");
        CHECK(e.error().message.find(name) != std::string::npos);
    }
    auto with = [&](std::string name, std::string value) {
        Fields g = f;
        for (auto& kv : g)
            if (kv.first == name) kv.second = value;
        return read_http_ussd_request(g);
    };
    CHECK(with("phoneNumber", "12ab").error().message.find("phoneNumber") != std::string::npos);
    CHECK_FALSE(with("phoneNumber", "+"));
    CHECK_FALSE(with("phoneNumber", "1234567890123456"));
    CHECK_FALSE(with("sessionId", ""));
    CHECK_FALSE(with("sessionId", "a b"));
    CHECK_FALSE(with("serviceCode", "*141#;drop"));
    CHECK_FALSE(with("text", "1\n2"));
    CHECK_FALSE(with("text", std::string(1025, '1')));
    CHECK(with("text", "1*Привет*2"));
}

TEST_CASE("http ussd: a dialogue of three steps, CON then END") {
    Fixture f;
    auto a = f.send(req("s1", ""));
    auto out = f.take();
    CHECK(out.replies.empty());
    auto& b = event<ussd::UssdBegin>(out, 0);
    CHECK(b.key == ussd::IngressKey{"http:agg", "s1"});
    CHECK(b.subscriber == "375291000001");
    CHECK(b.service_code == "*141*3*6#");
    CHECK(b.text == "*141*3*6#");

    f.now += 100ms;
    f.screen("s1", "Access is open\n1 Close");
    out = f.take();
    REQUIRE(out.replies.size() == 1);
    CHECK(out.replies[0].request == a);
    CHECK(out.replies[0].body == "CON Access is open\n1 Close");
    CHECK(out.replies[0].outcome == Outcome::continued);

    f.send(req("s1", "1"));
    out = f.take();
    CHECK(event<ussd::UssdAnswer>(out, 0).text == "1");
    f.screen("s1", "Close?\n1 Yes\n2 No");
    CHECK(f.take().replies.at(0).body == "CON Close?\n1 Yes\n2 No");

    auto c = f.send(req("s1", "1*2"));
    out = f.take();
    CHECK(event<ussd::UssdAnswer>(out, 0).text == "2");
    f.screen("s1", "Cancelled", true);
    out = f.take();
    REQUIRE(out.replies.size() == 1);
    CHECK(out.replies[0].request == c);
    CHECK(out.replies[0].body == "END Cancelled");
    CHECK(out.replies[0].outcome == Outcome::ended);
    CHECK(f.sessions.size() == 1);  // kept for repeats
    f.now += 20s;
    f.sessions.on_timer(f.now, f.out);
    CHECK(f.take().to_core.empty());  // ended: nothing to release
    CHECK(f.sessions.size() == 0);
}

TEST_CASE("http ussd: a first text is a shortcut; an answer may hold '*'") {
    Fixture f;
    f.send(req("s1", "3*6", "375291000001", "*141#"));
    auto out = f.take();
    CHECK(event<ussd::UssdBegin>(out, 0).text == "*141*3*6#");
    CHECK(event<ussd::UssdBegin>(out, 0).service_code == "*141#");
    f.screen("s1", "menu");
    f.take();
    f.send(req("s1", "3*6*12*34", "375291000001", "*141#"));
    CHECK(event<ussd::UssdAnswer>(f.take(), 0).text == "12*34");
}

TEST_CASE("http ussd: repeats get the same answer and apply nothing, also while pending") {
    Fixture f;
    auto a = f.send(req("s1", ""));
    auto a2 = f.send(req("s1", ""));  // the aggregator resent before the answer
    auto out = f.take();
    CHECK(out.to_core.size() == 1);
    CHECK(out.replies.empty());
    f.screen("s1", "menu");
    out = f.take();
    REQUIRE(out.replies.size() == 2);
    CHECK(out.replies[0].request == a);
    CHECK(out.replies[0].outcome == Outcome::continued);
    CHECK(out.replies[1].request == a2);
    CHECK(out.replies[1].outcome == Outcome::repeated);
    CHECK(out.replies[1].body == "CON menu");

    auto a3 = f.send(req("s1", ""));  // after the answer: at once, nothing to the core
    out = f.take();
    CHECK(out.to_core.empty());
    REQUIRE(out.replies.size() == 1);
    CHECK(out.replies[0].request == a3);
    CHECK(out.replies[0].body == "CON menu");

    f.send(req("s1", "1"));
    f.screen("s1", "done", true);
    f.take();
    f.send(req("s1", "1"));  // a repeat of the final step
    out = f.take();
    CHECK(out.to_core.empty());
    CHECK(out.replies.at(0).body == "END done");
    CHECK(out.replies.at(0).outcome == Outcome::repeated);
    // A new step on an ended session: refused, nothing to the core.
    f.send(req("s1", "1*1"));
    out = f.take();
    CHECK(out.to_core.empty());
    CHECK(out.replies.at(0).body == "END invalid 375291000001");
    CHECK(out.replies.at(0).outcome == Outcome::out_of_order);
}

TEST_CASE("http ussd: a text that does not extend the last one ends the session") {
    Fixture f;
    f.send(req("s1", ""));
    f.screen("s1", "menu");
    f.send(req("s1", "1"));
    f.screen("s1", "sub");
    f.take();
    auto x = f.send(req("s1", "2*1"));
    auto out = f.take();
    REQUIRE(out.to_core.size() == 1);
    CHECK(event<ussd::UssdRelease>(out, 0).key.session == "s1");
    REQUIRE(out.replies.size() == 1);
    CHECK(out.replies[0].request == x);
    CHECK(out.replies[0].body == "END invalid 375291000001");
    CHECK(out.replies[0].outcome == Outcome::out_of_order);
    f.send(req("s1", "2*1"));  // its repeat: the same END
    CHECK(f.take().replies.at(0).outcome == Outcome::repeated);

    // A shorter text than the last one: END as well.
    f.send(req("s3", "", "375291000003"));
    f.screen("s3", "menu");
    f.send(req("s3", "1", "375291000003"));
    f.screen("s3", "sub");
    f.take();
    f.send(req("s3", "2", "375291000003"));  // not "1*..." and no longer than "1"
    CHECK(f.take().replies.at(0).outcome == Outcome::out_of_order);
    // A new step while the previous one is pending: both requests get the END.
    f.send(req("s2", "", "375291000002"));
    auto p = f.send(req("s2", "1", "375291000002"));
    out = f.take();
    CHECK(std::holds_alternative<ussd::UssdRelease>(out.to_core.at(1)));
    REQUIRE(out.replies.size() == 2);
    CHECK(out.replies[1].request == p);
    f.screen("s2", "late");
    CHECK(f.take().replies.empty());
}

TEST_CASE("http ussd: another phone on a known session is refused and changes nothing") {
    Fixture f;
    f.send(req("s1", ""));
    f.take();
    f.send(req("s1", "", "375291000009"));
    auto out = f.take();
    CHECK(out.to_core.empty());
    CHECK(out.replies.at(0).outcome == Outcome::conflict);
    f.screen("s1", "menu");
    CHECK(f.take().replies.size() == 1);
}

TEST_CASE("http ussd: past the step deadline, END try later, released, late screen dropped") {
    Fixture f;
    auto a = f.send(req("s1", ""));
    f.take();
    CHECK(f.sessions.next_deadline() == f.t0 + 9s);
    f.now += 8999ms;
    f.sessions.on_timer(f.now, f.out);
    CHECK(f.take().replies.empty());
    f.now += 1ms;
    f.sessions.on_timer(f.now, f.out);
    auto out = f.take();
    CHECK(event<ussd::UssdRelease>(out, 0).key.session == "s1");
    REQUIRE(out.replies.size() == 1);
    CHECK(out.replies[0].request == a);
    CHECK(out.replies[0].body == "END try later 375291000001");
    CHECK(out.replies[0].outcome == Outcome::deadline);
    f.screen("s1", "too late");
    CHECK(f.take().replies.empty());
    f.send(req("s1", ""));  // the aggregator's repeat: the same END, nothing begun again
    out = f.take();
    CHECK(out.to_core.empty());
    CHECK(out.replies.at(0).body == "END try later 375291000001");
}

TEST_CASE("http ussd: idle sessions are released and forgotten") {
    Fixture f;
    f.send(req("s1", ""));
    f.screen("s1", "menu");
    f.take();
    CHECK(f.sessions.next_deadline() == f.t0 + 60s);
    f.now += 60s;
    f.sessions.on_timer(f.now, f.out);
    auto out = f.take();
    CHECK(event<ussd::UssdRelease>(out, 0).key.session == "s1");
    CHECK(f.sessions.size() == 0);
    CHECK_FALSE(f.sessions.next_deadline());
}

TEST_CASE("http ussd: a new session of the same phone ends its older one") {
    Fixture f;
    auto a = f.send(req("s1", ""));
    f.send(req("s2", ""));
    auto out = f.take();
    REQUIRE(out.to_core.size() == 3);
    CHECK(event<ussd::UssdRelease>(out, 1).key.session == "s1");
    CHECK(event<ussd::UssdBegin>(out, 2).key.session == "s2");
    REQUIRE(out.replies.size() == 1);
    CHECK(out.replies[0].request == a);
    CHECK(out.replies[0].body == "END try later 375291000001");
}

TEST_CASE("http ussd: bounded table: ended sessions make room, then refusal") {
    Fixture f;  // max 4
    for (int i = 0; i < 4; ++i)
        f.send(req("s" + std::to_string(i), "", "37529100000" + std::to_string(i)));
    f.screen("s0", "bye", true);
    f.take();
    f.send(req("s4", "", "375291000004"));  // s0 (ended) makes room
    auto out = f.take();
    CHECK(event<ussd::UssdBegin>(out, 0).key.session == "s4");
    CHECK(f.sessions.size() == 4);
    f.send(req("s5", "", "375291000005"));
    out = f.take();
    CHECK(out.to_core.empty());
    CHECK(out.replies.at(0).outcome == Outcome::refused);
    CHECK(out.replies.at(0).body == "END try later 375291000005");
}

TEST_CASE("http ussd: shutdown answers waiting requests and releases open dialogues") {
    Fixture f;
    f.send(req("s1", ""));
    f.send(req("s2", "", "375291000002"));
    f.screen("s2", "menu");
    f.take();
    f.sessions.shutdown(f.out);
    auto out = f.take();
    CHECK(out.to_core.size() == 2);
    REQUIRE(out.replies.size() == 1);
    CHECK(out.replies[0].outcome == Outcome::deadline);
    CHECK(f.sessions.size() == 0);
}

}  // namespace http_ussd_sessions_test
