#include "engine/cli/UssdBenchScript.hpp"

#include <fmt/format.h>

#include "engine/base/GsmText.hpp"
#include "engine/cli/BenchPopulation.hpp"

namespace ussdgw::cli::ussdbench {

namespace {

// The screens of menus/cabinet/access.toml in Russian (the default language), rendered as
// the menu engine renders a menu: the text, then one "key label" line per option.
constexpr std::string_view kOpenMenu = "Доступ в Личный кабинет открыт\n1 Закрыть доступ";
constexpr std::string_view kCloseConfirm = "Закрыть доступ в Личный кабинет?\n1 Да\n2 Нет";
constexpr std::string_view kClosedDone =
    "Доступ в Личный кабинет закрыт. Открыть: *141*3*6# и код PUK1";
constexpr std::string_view kNotChanged = "Доступ не изменен";
constexpr std::string_view kClosedMenu = "Доступ в Личный кабинет закрыт\n1 Открыть доступ";
constexpr std::string_view kPukPrompt =
    "Для открытия доступа необходимо указать код PUK1 используемой SIM-карты:";
constexpr std::string_view kOpened = "Доступ в Личный кабинет открыт";
// menus/cabinet/password.toml and the menus' "unavailable" screen (cabinet.toml).
constexpr std::string_view kPasswordSent =
    "Новый пароль для входа в Личный кабинет отправлен вам по SMS";
constexpr std::string_view kTryLater = "Сервис временно недоступен. Повторите запрос позже";
constexpr std::string_view kPasswordLimit =
    "Лимит запросов пароля исчерпан. Повторите запрос позже";
constexpr std::string_view kPasswordAccessClosed =
    "Доступ в Личный кабинет закрыт вами. Открыть доступ: *141*3*6#";

std::string shown(std::string_view text) {
    std::string out;
    for (char c : text)
        out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out;
}

}  // namespace

std::optional<Scenario> scenario_named(std::string_view name) {
    if (name == "toggle") return Scenario::toggle;
    if (name == "cancel") return Scenario::cancel;
    if (name == "password") return Scenario::password;
    return std::nullopt;
}

const char* name_of(Scenario s) {
    switch (s) {
        case Scenario::toggle:
            return "toggle";
        case Scenario::cancel:
            return "cancel";
        case Scenario::password:
            return "password";
    }
    return "?";
}

smpp::DeliverSm deliver_sm_of(const Request& request, const std::string& msisdn) {
    smpp::DeliverSm d;
    d.service_type = "USSD";
    d.source = {1, 1, msisdn};
    d.destination = {0, 1, "141"};
    d.data_coding = 0x00;  // SMSC default (GSM 7-bit): the texts are digits, * and #
    d.short_message = request.text;
    d.tlvs.ussd_service_op = request.op;
    d.tlvs.its_session_info = request.its_session_info;
    return d;
}

Result<Screen> screen_of(const smpp::SubmitSm& sm) {
    if (!sm.tlvs.ussd_service_op) return fail("bench.not_ussd", "no ussd_service_op");
    Screen s;
    s.op = *sm.tlvs.ussd_service_op;
    s.service_type = sm.service_type;
    s.its_session_info = sm.tlvs.its_session_info;
    const std::string& body = sm.tlvs.message_payload ? *sm.tlvs.message_payload : sm.short_message;
    switch (sm.data_coding) {
        case 0x08: {
            auto text = gsm::from_ucs2(body);
            if (!text) return Failure{text.error()};
            s.text = std::move(*text);
            break;
        }
        case 0x00:
        case 0x0F:
            s.text = gsm::from_gsm7(body);
            break;
        case 0x01:
            s.text = body;
            break;
        default:
            return fail("bench.data_coding", fmt::format("data_coding 0x{:02X}", sm.data_coding));
    }
    return s;
}

SubscriberDialogue::SubscriberDialogue(Scenario scenario, std::size_t subscriber, bool access_open,
                                       std::uint8_t session)
    : scenario_(scenario),
      subscriber_(subscriber),
      session_(session),
      access_before_(access_open),
      access_after_(access_open) {
    const std::string dial(kServiceCode);
    if (scenario == Scenario::password) {
        // Its final screen is checked against all the valid ones (password_answer_of); the
        // expected text shown when none matches is the one hoped for.
        script_ = {{std::string(kPasswordCode), kPasswordSent, true}};
    } else if (!access_open) {
        script_ = {{dial, kClosedMenu, false},
                   {"1", kPukPrompt, false},
                   {population::puk1(subscriber), kOpened, true}};
        access_after_ = true;
    } else if (scenario == Scenario::toggle) {
        script_ = {{dial, kOpenMenu, false}, {"1", kCloseConfirm, false}, {"1", kClosedDone, true}};
        access_after_ = false;
    } else {
        script_ = {{dial, kOpenMenu, false}, {"1", kCloseConfirm, false}, {"2", kNotChanged, true}};
    }
    prepare_request();
}

void SubscriberDialogue::prepare_request() {
    if (finished()) return;
    request_.op = step_ == 0 ? smpp::ussd_op::pssr_indication : smpp::ussd_op::ussr_confirm;
    request_.text = script_[step_].send;
    request_.its_session_info = {session_, static_cast<std::uint8_t>(step_ << 1)};
}

Verdict SubscriberDialogue::on_screen(const Screen& screen) {
    if (finished()) return {Verdict::Kind::wrong, "a screen after the final one"};
    const Step& step = script_[step_];
    const std::uint8_t want_op =
        step.final ? smpp::ussd_op::pssr_response : smpp::ussd_op::ussr_request;
    const std::array<std::uint8_t, 2> want_its{
        session_, static_cast<std::uint8_t>(request_.its_session_info[1] | (step.final ? 1 : 0))};
    auto wrong = [this](std::string what) {
        return Verdict{Verdict::Kind::wrong, fmt::format("step {}: {}", step_ + 1, what)};
    };
    if (screen.op != want_op) return wrong(fmt::format("op {} instead of {}", screen.op, want_op));
    if (screen.service_type != "USSD")
        return wrong(fmt::format("service_type '{}' instead of USSD", screen.service_type));
    if (!screen.its_session_info) return wrong("its_session_info not echoed");
    if (*screen.its_session_info != want_its)
        return wrong(fmt::format("its_session_info {:02X}{:02X} instead of {:02X}{:02X}",
                                 (*screen.its_session_info)[0], (*screen.its_session_info)[1],
                                 want_its[0], want_its[1]));
    if (scenario_ == Scenario::password) {
        answer_ = password_answer_of(screen.text);
        if (answer_ == PasswordAnswer::none)
            return wrong(fmt::format("text '{}' instead of '{}', '{}', '{}' or '{}'",
                                     shown(screen.text), kPasswordSent, kTryLater, kPasswordLimit,
                                     kPasswordAccessClosed));
    } else if (screen.text != step.expect) {
        return wrong(
            fmt::format("text '{}' instead of '{}'", shown(screen.text), shown(step.expect)));
    }
    ++step_;
    if (finished()) return {Verdict::Kind::done, {}};
    prepare_request();
    return {Verdict::Kind::next, {}};
}

PasswordAnswer SubscriberDialogue::password_answer_of(std::string_view text) const {
    if (text == kPasswordSent) return PasswordAnswer::sent;
    if (text == kTryLater) return PasswordAnswer::try_later;
    if (text == kPasswordLimit) return PasswordAnswer::limit;
    // Only where the bench believes the access closed would that screen be right.
    if (text == kPasswordAccessClosed && !access_before_) return PasswordAnswer::access_closed;
    return PasswordAnswer::none;
}

}  // namespace ussdgw::cli::ussdbench
