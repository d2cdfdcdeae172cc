// fuzz_ussd_menus: a dialled string and answers (one per line) driven through the cabinet
// menus with an in-memory domain, plus GsmText round trips on the same bytes. Every screen
// must fit the USSD limits; valid UTF-8 must survive UCS2 and (when it fits) GSM 7-bit.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/base/GsmText.hpp"
#include "engine/base/Log.hpp"
#include "menus/DemoDomain.hpp"
#include "menus/MenuLoader.hpp"
#include "menus/ScreenText.hpp"
#include "menus/UssdDialogue.hpp"

using namespace ussdgw;

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}

void gsm_round_trips(std::string_view s) {
    std::string valid = gsm::u32_to_utf8(gsm::utf8_to_u32(s));
    auto back = gsm::from_ucs2(gsm::to_ucs2(valid));
    check(back.ok() && *back == valid);
    if (auto septets = gsm::to_gsm7(valid)) {
        check(gsm::from_gsm7(*septets) == valid);
        for (unsigned fill = 0; fill < 7; fill += 3)
            check(gsm::unpack_septets(gsm::pack_septets(*septets, fill), septets->size(), fill) ==
                  *septets);
    }
    auto split = gsm::split_sms(valid, 1);
    std::string joined;
    for (const auto& p : split.parts)
        joined += p.text;
    check(joined == valid);
    (void)gsm::from_ucs2(s);
    (void)gsm::from_gsm7(s);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const menus::MenuSetPtr set = [] {
        log::set_level(log::Level::off);
        auto r = menus::load_menu_directory(USSDGW_SOURCE_DIR "/menus/cabinet");
        if (!r) std::abort();
        return *r;
    }();
    std::string_view in(reinterpret_cast<const char*>(data), size);
    gsm_round_trips(in.substr(0, 512));

    menus::DemoDomain domain;
    menus::UssdDialogue d(set, menus::DialogueSettings{});
    auto now = menus::TimePoint{} + std::chrono::hours(1);
    auto line = [&in]() {
        auto nl = in.find('\n');
        std::string_view l = in.substr(0, nl);
        in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
        return l;
    };
    const char* langs[] = {"ru", "en", "be", ""};
    auto out = menus::settle(d, d.begin("375290000001", line(), langs[size % 4], now), domain, now);
    for (int i = 0; i < 32 && !in.empty(); ++i) {
        if (out.has_screen) check(menus::measure_screen(out.text).fits());
        now += std::chrono::seconds(1);
        std::string_view a = line();
        if (a == "!timeout") {
            out = d.timeout(now + std::chrono::minutes(5));
        } else if (a == "!release") {
            out = d.release(now);
        } else {
            out = menus::settle(d, d.answer(a, now), domain, now);
        }
    }
    if (out.has_screen) check(menus::measure_screen(out.text).fits());
    return 0;
}
