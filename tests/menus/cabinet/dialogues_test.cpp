// Every path of the cabinet menus (menus/cabinet), driven as dialogues through FakeDomain.
#include <doctest/doctest.h>

#include "../MenuTestSupport.hpp"

namespace dialogues_test {

using namespace ussdgw;
using namespace ussdgw::menus;
using namespace ussdgw::menus::test;

namespace {
constexpr const char* kMe = "375291234567";
constexpr const char* kAdmin = "375290000001";
constexpr const char* kWorker = "375290000002";
constexpr const char* kStranger = "375290000003";

FakeDomain domain_with_org() {
    FakeDomain d;
    d.add(kMe);
    d.add(kAdmin, {"org", "administrator"});
    d.add(kWorker, {"org", "subscriber"});
    d.add(kStranger, {"other", "subscriber"});
    return d;
}
}  // namespace

TEST_CASE("*141# root menu is paged in Russian (UCS2) and fits one screen in English") {
    FakeDomain d = domain_with_org();
    Session s(d);
    s.begin(kMe, "*141#");
    REQUIRE(s.open());
    CHECK(s.last.encoding == gsm::Encoding::ucs2);
    CHECK(s.text().rfind("Личный кабинет\n0 Новый пароль по SMS", 0) == 0);
    CHECK(s.text().find("\n00 Далее") != std::string::npos);
    CHECK(s.text().find("9 Утеряна") == std::string::npos);
    s.answer("00");
    REQUIRE(s.open());
    CHECK(s.text().find("9 Утеряна SIM-карта") != std::string::npos);
    CHECK(s.text().find("Личный кабинет\n") == std::string::npos);  // header on page 1 only
    CHECK(s.text().find("00 Далее") == std::string::npos);          // last page
    s.answer("00");                                                 // no more pages: invalid
    REQUIRE(s.open());
    s.answer("9");
    CHECK(s.ended_with("звоните 411 или в центры продаж A1"));

    Session en(d);
    en.begin(kMe, "*141#", "en");
    REQUIRE(en.open());
    CHECK(en.last.encoding == gsm::Encoding::gsm7);
    CHECK(en.text() ==
          "Self-service cabinet\n0 New password by SMS\n3 Cabinet access\n1 How to log in\n4 Log "
          "in with PUK1\n9 Lost SIM card");
    en.answer("1");
    CHECK(en.ended_with("my.a1.by"));

    Session be(d);
    be.begin(kMe, "*141*4#", "be");
    CHECK(be.last.encoding == gsm::Encoding::ucs2);
    CHECK(be.ended_with("Уваход па PUK1"));
}

TEST_CASE("*141*0# issues a password by SMS, then explains every refusal") {
    FakeDomain d = domain_with_org();
    for (int i = 0; i < FakeDomain::kPasswordsPerDay; ++i) {
        Session s(d);
        s.begin(kMe, "*141*0#");
        CHECK(s.ended_with("Новый пароль для входа в Личный кабинет отправлен вам по SMS"));
    }
    CHECK(d.performed.size() == 3);
    CHECK(d.performed.back().kind == ActionKind::issue_password);
    CHECK(d.performed.back().msisdn == kMe);

    Session limited(d);
    limited.begin(kMe, "*141*0#");
    CHECK(limited.ended_with("Лимит запросов пароля исчерпан. Повторите запрос позже"));

    d.subscribers[kMe].passwords = 0;
    d.subscribers[kMe].access = "subscriber";
    Session self(d);
    self.begin(kMe, "*141*0#");
    CHECK(self.ended_with("закрыт вами. Открыть доступ: *141*3*6#"));

    d.subscribers[kMe].access = "organisation";
    Session org(d);
    org.begin(kMe, "*141*0#");
    CHECK(org.ended_with("закрыт по заявлению организации"));

    d.subscribers[kMe].access = "operator";
    Session op(d);
    op.begin(kMe, "*141*0#");
    REQUIRE(op.open());
    CHECK(op.text() == "Доступ в Личный кабинет закрыт компанией\n1 Как открыть");
    op.answer("1");
    CHECK(op.ended_with(
        "Обратитесь в справочно-информационную службу по номеру 411 или в центры продаж"));

    d.subscribers[kMe].access = "open";
    d.subscribers[kMe].suspended = true;
    Session susp(d);
    susp.begin(kMe, "*141*0#");
    CHECK(susp.ended_with("обслуживание номера приостановлено"));

    Session unknown(d);
    unknown.begin("375259999999", "*141*0#");
    CHECK(unknown.ended_with("недоступен для вашего номера"));

    d.fail_with = "error";
    Session err(d);
    err.begin(kMe, "*141*0#");
    CHECK(err.ended_with("Сервис временно недоступен"));

    Session en(d);
    en.begin(kMe, "*141*0#", "en");
    CHECK(en.ended_with("Service temporarily unavailable"));
}

TEST_CASE("*141*0# in English and Belarusian") {
    FakeDomain d = domain_with_org();
    Session en(d);
    en.begin(kMe, "*141*0#", "en");
    CHECK(en.ended_with("A new cabinet password has been sent to you by SMS"));
    CHECK(en.last.encoding == gsm::Encoding::gsm7);
    Session be(d);
    be.begin(kMe, "*141*0#", "be");
    CHECK(be.ended_with("адпраўлены вам па SMS"));
    CHECK(be.last.encoding == gsm::Encoding::ucs2);
    Session other(d);
    other.begin(kMe, "*141*0#", "de");  // not available: the default, Russian
    CHECK(other.ended_with("отправлен вам по SMS"));
}

TEST_CASE("*141*3*6#: close access with confirmation, or keep it") {
    FakeDomain d = domain_with_org();
    Session keep(d);
    keep.begin(kMe, "*141*3*6#");
    REQUIRE(keep.open());
    CHECK(keep.text() == "Доступ в Личный кабинет открыт\n1 Закрыть доступ");
    keep.answer("1");
    CHECK(keep.text() == "Закрыть доступ в Личный кабинет?\n1 Да\n2 Нет");
    keep.answer("2");
    CHECK(keep.ended_with("Доступ не изменен"));
    CHECK(d.subscribers[kMe].access == "open");
    CHECK(d.performed.size() == 1);  // only the state lookup

    Session close(d);
    close.begin(kMe, "*141*3*6#");
    close.answer("1");
    close.answer("1");
    CHECK(close.ended_with("Доступ в Личный кабинет закрыт. Открыть: *141*3*6# и код PUK1"));
    CHECK(d.subscribers[kMe].access == "subscriber");
    CHECK(d.performed.back().kind == ActionKind::close_access);
}

TEST_CASE("*141*3*6#: open access with PUK1, malformed entries re-prompt") {
    FakeDomain d = domain_with_org();
    d.subscribers[kMe].access = "subscriber";
    Session s(d);
    s.begin(kMe, "*141*3*6#");
    CHECK(s.text() == "Доступ в Личный кабинет закрыт\n1 Открыть доступ");
    s.answer("1");
    CHECK(s.text() == "Для открытия доступа необходимо указать код PUK1 используемой SIM-карты:");
    s.answer("1234");
    REQUIRE(s.open());
    CHECK(s.text() == "PUK1 - это 8 цифр. Введите код PUK1 используемой SIM-карты:");
    s.answer("1234567a");
    REQUIRE(s.open());
    s.answer(" 12345678 ");
    CHECK(s.ended_with("Доступ в Личный кабинет открыт"));
    CHECK(d.subscribers[kMe].access == "open");
    REQUIRE(d.performed.back().kind == ActionKind::open_access);
    CHECK(d.performed.back().puk.reveal() == "12345678");
    CHECK(fmt::format("{}", d.performed.back().puk) == "***");
}

TEST_CASE("*141*3*6#: wrong PUK1 entries are counted down to a lockout") {
    FakeDomain d = domain_with_org();
    d.subscribers[kMe].access = "subscriber";
    Session s(d);
    s.begin(kMe, "*141*3*6#");
    s.answer("1");
    s.answer("11111111");
    CHECK(s.text() == "Неверный код PUK1. Осталось попыток: 2. Введите PUK1:");
    s.answer("22222222");
    CHECK(s.text() == "Неверный код PUK1. Осталось попыток: 1. Введите PUK1:");
    s.answer("33333333");
    CHECK(s.ended_with("Ввод PUK1 заблокирован до 2026-11-24 23:30. Справки по номеру 411"));
    CHECK(d.subscribers[kMe].access == "subscriber");

    // Locked: even the right PUK1 is refused until the domain lifts the lock.
    Session again(d);
    again.begin(kMe, "*141*3*6#");
    again.answer("1");
    again.answer("12345678");
    CHECK(again.ended_with("заблокирован до"));

    Session en(d);
    d.subscribers[kMe].wrong_puk = 1;
    en.begin(kMe, "*141*3*6#", "en");
    en.answer("1");
    CHECK(en.text() == "To open access enter the PUK1 code of the SIM card in use:");
    en.answer("00000000");
    CHECK(en.text() == "Wrong PUK1. Attempts left: 1. Enter PUK1:");
    en.answer("12345678");
    CHECK(en.ended_with("Cabinet access is open"));
}

TEST_CASE("*141*3*6#: three malformed answers end the dialogue") {
    FakeDomain d = domain_with_org();
    d.subscribers[kMe].access = "subscriber";
    Session s(d);
    s.begin(kMe, "*141*3*6#");
    s.answer("7");  // not an option: the menu again
    CHECK(s.text() == "Доступ в Личный кабинет закрыт\n1 Открыть доступ");
    s.answer("1");
    s.answer("x");
    s.answer("12");
    s.answer("");
    CHECK(s.ended_with("Слишком много ошибок ввода"));
    CHECK(d.performed.size() == 1);  // no PUK1 ever sent
}

TEST_CASE("*141*3*6#: access closed by the organisation or the operator cannot be reopened") {
    FakeDomain d = domain_with_org();
    d.subscribers[kMe].access = "organisation";
    Session org(d);
    org.begin(kMe, "*141*3*6#");
    CHECK(org.ended_with("Доступ в Личный кабинет закрыт по заявлению организации"));

    d.subscribers[kMe].access = "operator";
    Session op(d);
    op.begin(kMe, "*141*3*6#", "be");
    CHECK(op.text() == "Доступ у Асабісты кабінет закрыты кампаніяй\n1 Як адкрыць");
    op.answer("1");
    CHECK(op.ended_with("411"));

    // A race: closed by the organisation between the menu and the PUK1.
    d.subscribers[kMe].access = "subscriber";
    Session race(d);
    race.begin(kMe, "*141*3*6#");
    race.answer("1");
    d.subscribers[kMe].access = "organisation";
    race.answer("12345678");
    CHECK(race.ended_with("по заявлению организации"));

    d.subscribers[kMe].suspended = true;
    Session susp(d);
    susp.begin(kMe, "*141*3*6#");
    CHECK(susp.ended_with("приостановлено"));
}

TEST_CASE("*141# -> 3 -> 6 walks the same tree interactively") {
    FakeDomain d = domain_with_org();
    Session s(d);
    s.begin(kMe, "*141#");
    s.answer("3");
    CHECK(s.text() == "Доступ в Личный кабинет\n6 Мой доступ\n7 Доступ абонентов клиента");
    s.answer("6");
    CHECK(s.text() == "Доступ в Личный кабинет открыт\n1 Закрыть доступ");
    Session p(d);
    p.begin(kMe, "*141#");
    p.answer("0");
    CHECK(p.ended_with("отправлен вам по SMS"));
}

TEST_CASE("administrators open and close access of their client's subscribers") {
    FakeDomain d = domain_with_org();
    Session s(d);
    s.begin(kAdmin, "*141*3*7#");
    CHECK(s.text() == "Введите номер абонента вашего клиента, например 375291234567:");
    s.answer("12");
    CHECK(s.text() == "Номер - от 9 до 15 цифр, например 375291234567. Введите номер:");
    s.answer(kWorker);
    CHECK(s.text() == "Доступ абонента 375290000002 в Личный кабинет открыт\n1 Закрыть доступ");
    s.answer("1");
    CHECK(s.text() == "Закрыть доступ абонента 375290000002?\n1 Да\n2 Нет");
    s.answer("1");
    CHECK(s.ended_with("Доступ абонента 375290000002 в Личный кабинет закрыт"));
    CHECK(d.subscribers[kWorker].access == "organisation");
    CHECK(d.performed.back().kind == ActionKind::managed_close_access);
    CHECK(d.performed.back().target == kWorker);

    // The subscriber cannot reopen what the organisation closed...
    Session worker(d);
    worker.begin(kWorker, "*141*3*6#");
    CHECK(worker.ended_with("по заявлению организации"));
    // ...but the administrator can, with the number in the dialled string.
    Session reopen(d);
    reopen.begin(kAdmin, "*141*3*6*375290000002#");
    CHECK(reopen.text() ==
          "Доступ абонента 375290000002 в Личный кабинет закрыт\n1 Открыть доступ");
    reopen.answer("1");
    CHECK(reopen.text() == "Открыть доступ абонента 375290000002?\n1 Да\n2 Нет");
    reopen.answer("1");
    CHECK(reopen.ended_with("Доступ абонента 375290000002 в Личный кабинет открыт"));
    CHECK(d.subscribers[kWorker].access == "open");

    Session cancel(d);
    cancel.begin(kAdmin, "*141*3*7*375290000002#");
    cancel.answer("1");
    cancel.answer("2");
    CHECK(cancel.ended_with("Доступ не изменен"));
    CHECK(d.subscribers[kWorker].access == "open");

    d.add("375290000004", {"org", "supervisor"});
    Session sup(d);
    sup.begin("375290000004", "*141*3*7*375290000002#", "en");
    CHECK(sup.text() == "Cabinet access of 375290000002 is open\n1 Close access");
}

TEST_CASE("managing access is refused outside the manager's own client") {
    FakeDomain d = domain_with_org();
    Session plain(d);
    plain.begin(kWorker, "*141*3*7*375290000001#");
    CHECK(plain.ended_with("управляют администраторы и супервайзеры"));

    Session other(d);
    other.begin(kAdmin, "*141*3*7*375290000003#");
    CHECK(other.ended_with("Абонент 375290000003 не относится к вашему клиенту"));
    CHECK(d.subscribers[kStranger].access == "open");

    Session missing(d);
    missing.begin(kAdmin, "*141*3*7#");
    missing.answer("375440000000");
    CHECK(missing.ended_with("Абонент 375440000000 не найден"));

    d.subscribers[kWorker].access = "operator";
    Session op(d);
    op.begin(kAdmin, "*141*3*6*375290000002#");
    CHECK(op.ended_with("Доступ абонента 375290000002 закрыт компанией"));

    // Changed between the lookup and the confirmation: the action's own answer wins.
    d.subscribers[kWorker].access = "open";
    Session race(d);
    race.begin(kAdmin, "*141*3*7*375290000002#");
    race.answer("1");
    d.subscribers[kAdmin].role = "subscriber";
    race.answer("1");
    CHECK(race.ended_with("управляют администраторы"));
    CHECK(d.subscribers[kWorker].access == "open");
}

TEST_CASE("junk USSD strings get a clear final screen and touch nothing") {
    FakeDomain d = domain_with_org();
    for (const char* junk :
         {"*141*99#", "**", "*141**3#", "*14a1#", "141", "*141*3*6*12#", "*141*0*5#", "*141*3*6*1#",
          "*141*3*6*3752912345673752912345673752912345673752912345#", ""}) {
        Session s(d);
        s.begin(kMe, junk);
        CHECK_MESSAGE(s.ended_with("Неверный запрос. Личный кабинет: *141#"), junk);
    }
    Session unknown(d);
    unknown.begin(kMe, "*142#");
    CHECK(unknown.ended_with("Услуга недоступна"));
    Session en(d);
    en.begin(kMe, "*141*99#", "en");
    CHECK(en.ended_with("Invalid request. Self-service cabinet: *141#"));
    CHECK(en.last.encoding == gsm::Encoding::gsm7);
    CHECK(d.performed.empty());
}

}  // namespace dialogues_test
