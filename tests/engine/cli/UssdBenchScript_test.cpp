// The bench's simulated subscriber: what it sends and how strictly it checks each screen.
#include "engine/cli/UssdBenchScript.hpp"

#include <doctest/doctest.h>

#include "engine/base/GsmText.hpp"
#include "engine/cli/BenchPopulation.hpp"

namespace ussd_bench_script_test {

using namespace ussdgw;
using namespace ussdgw::cli;
using namespace ussdgw::cli::ussdbench;

namespace {

// The screen an engine that behaves would send for the dialogue's current step.
Screen good_screen(const SubscriberDialogue& d, std::string text, bool final) {
    Screen s;
    s.op = final ? 17 : 2;
    s.service_type = "USSD";
    s.text = std::move(text);
    auto its = d.request().its_session_info;
    its[1] = static_cast<std::uint8_t>(its[1] | (final ? 1 : 0));
    s.its_session_info = its;
    return s;
}

}  // namespace

TEST_CASE("toggle on an open access: dial, close, confirm; the subscriber ends closed") {
    SubscriberDialogue d(Scenario::toggle, 42, true, 7);
    CHECK(d.request().op == 1);
    CHECK(d.request().text == "*141*3*6#");
    CHECK(d.request().its_session_info == std::array<std::uint8_t, 2>{7, 0});
    auto v = d.on_screen(good_screen(d, "Доступ в Личный кабинет открыт\n1 Закрыть доступ", false));
    REQUIRE(v.kind == Verdict::Kind::next);
    CHECK(d.request().op == 18);
    CHECK(d.request().text == "1");
    CHECK(d.request().its_session_info == std::array<std::uint8_t, 2>{7, 2});
    v = d.on_screen(good_screen(d, "Закрыть доступ в Личный кабинет?\n1 Да\n2 Нет", false));
    REQUIRE(v.kind == Verdict::Kind::next);
    CHECK(d.request().text == "1");
    v = d.on_screen(
        good_screen(d, "Доступ в Личный кабинет закрыт. Открыть: *141*3*6# и код PUK1", true));
    CHECK(v.kind == Verdict::Kind::done);
    CHECK(d.finished());
    CHECK_FALSE(d.access_open_after());
}

TEST_CASE("a closed access is reopened with the subscriber's PUK1") {
    SubscriberDialogue d(Scenario::cancel, 1234, false, 1);
    REQUIRE(d.on_screen(good_screen(d, "Доступ в Личный кабинет закрыт\n1 Открыть доступ", false))
                .kind == Verdict::Kind::next);
    REQUIRE(d.on_screen(good_screen(d,
                                    "Для открытия доступа необходимо указать код PUK1 "
                                    "используемой SIM-карты:",
                                    false))
                .kind == Verdict::Kind::next);
    CHECK(d.request().text == population::puk1(1234));
    CHECK(d.on_screen(good_screen(d, "Доступ в Личный кабинет открыт", true)).kind ==
          Verdict::Kind::done);
    CHECK(d.access_open_after());
}

TEST_CASE("a wrong op, session echo, end bit, service type or text is a wrong verdict") {
    const std::string open_menu = "Доступ в Личный кабинет открыт\n1 Закрыть доступ";
    SubscriberDialogue d(Scenario::cancel, 5, true, 9);

    auto s = good_screen(d, open_menu, false);
    s.op = 17;  // ends where it should continue
    CHECK(d.on_screen(s).kind == Verdict::Kind::wrong);

    s = good_screen(d, open_menu, false);
    s.its_session_info = std::array<std::uint8_t, 2>{8, 0};  // another session
    CHECK(d.on_screen(s).why.find("its_session_info") != std::string::npos);

    s = good_screen(d, open_menu, false);
    (*s.its_session_info)[1] |= 1;  // end bit on a continuing screen
    CHECK(d.on_screen(s).kind == Verdict::Kind::wrong);

    s = good_screen(d, open_menu, false);
    s.its_session_info.reset();
    CHECK(d.on_screen(s).kind == Verdict::Kind::wrong);

    s = good_screen(d, open_menu, false);
    s.service_type = "";
    CHECK(d.on_screen(s).kind == Verdict::Kind::wrong);

    s = good_screen(d, "Доступ в Личный кабинет открыт", false);
    CHECK(d.on_screen(s).why.find("text") != std::string::npos);

    CHECK(d.step() == 0);  // nothing wrong moved it on
    CHECK(d.on_screen(good_screen(d, open_menu, false)).kind == Verdict::Kind::next);
}

TEST_CASE("the cancel scenario answers 2 and changes nothing") {
    SubscriberDialogue d(Scenario::cancel, 3, true, 2);
    d.on_screen(good_screen(d, "Доступ в Личный кабинет открыт\n1 Закрыть доступ", false));
    d.on_screen(good_screen(d, "Закрыть доступ в Личный кабинет?\n1 Да\n2 Нет", false));
    CHECK(d.request().text == "2");
    CHECK(d.on_screen(good_screen(d, "Доступ не изменен", true)).kind == Verdict::Kind::done);
    CHECK(d.access_open_after());
}

TEST_CASE("screens are read from submit_sm: UCS2, GSM 7-bit, message_payload") {
    smpp::SubmitSm sm;
    sm.service_type = "USSD";
    sm.data_coding = 0x08;
    sm.short_message = gsm::to_ucs2("Доступ не изменен");
    sm.tlvs.ussd_service_op = 17;
    sm.tlvs.its_session_info = std::array<std::uint8_t, 2>{3, 5};
    auto s = screen_of(sm);
    REQUIRE(s);
    CHECK(s->text == "Доступ не изменен");
    CHECK(s->op == 17);
    CHECK(s->its_session_info == std::array<std::uint8_t, 2>{3, 5});

    sm.data_coding = 0x00;
    sm.short_message.clear();
    sm.tlvs.message_payload = *gsm::to_gsm7("Cabinet access is open");
    REQUIRE(screen_of(sm));
    CHECK(screen_of(sm)->text == "Cabinet access is open");

    sm.data_coding = 0x04;  // 8-bit data: not a screen
    CHECK_FALSE(screen_of(sm));
    sm.tlvs.ussd_service_op.reset();
    CHECK_FALSE(screen_of(sm));
}

TEST_CASE("the population's numbers and PUK1 codes") {
    CHECK(population::msisdn(0) == "375200000000");
    CHECK(population::index_of("375200000123", 1000) == 123);
    CHECK(population::index_of("375200001000", 1000) == -1);
    CHECK(population::index_of("37520000012x", 1000) == -1);
    CHECK(population::puk1(1) == "00007919");
    CHECK(population::csv_line(1, {"Комфорт"}).find(",00007919,") != std::string::npos);
}

TEST_CASE("a password dialogue: one step, each valid final screen counted by kind") {
    struct Case {
        const char* text;
        PasswordAnswer answer;
    };
    for (const Case& c : {
             Case{"Новый пароль для входа в Личный кабинет отправлен вам по SMS",
                  PasswordAnswer::sent},
             Case{"Сервис временно недоступен. Повторите запрос позже", PasswordAnswer::try_later},
             Case{"Лимит запросов пароля исчерпан. Повторите запрос позже", PasswordAnswer::limit},
         }) {
        SubscriberDialogue d(Scenario::password, 42, true, 3);
        CHECK(d.is_password());
        CHECK(d.steps() == 1);
        CHECK(d.request().op == 1);
        CHECK(d.request().text == "*141*0#");
        CHECK(d.on_screen(good_screen(d, c.text, true)).kind == Verdict::Kind::done);
        CHECK(d.password_answer() == c.answer);
        CHECK_FALSE(d.changes_access());
    }
    // "Access closed by you" is right only where the access is closed.
    const char* closed = "Доступ в Личный кабинет закрыт вами. Открыть доступ: *141*3*6#";
    SubscriberDialogue open(Scenario::password, 42, true, 3);
    CHECK(open.on_screen(good_screen(open, closed, true)).kind == Verdict::Kind::wrong);
    SubscriberDialogue shut(Scenario::password, 42, false, 3);
    CHECK(shut.on_screen(good_screen(shut, closed, true)).kind == Verdict::Kind::done);
    CHECK(shut.password_answer() == PasswordAnswer::access_closed);
    // Anything else, or a screen that continues, is wrong.
    SubscriberDialogue other(Scenario::password, 42, true, 3);
    auto v = other.on_screen(good_screen(other, "Личный кабинет", true));
    CHECK(v.kind == Verdict::Kind::wrong);
    CHECK(v.why.find("instead of") != std::string::npos);
    SubscriberDialogue menu(Scenario::password, 42, true, 3);
    CHECK(menu.on_screen(
                  good_screen(menu, "Сервис временно недоступен. Повторите запрос позже", false))
              .kind == Verdict::Kind::wrong);
}

}  // namespace ussd_bench_script_test
