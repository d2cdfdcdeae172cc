// `ussdgw menus check [DIR]` validates menu files; `ussdgw menus try MSISDN CODE [ANSWERS...]`
// walks a dialogue against the in-memory DemoDomain and prints every screen.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/cli/Commands.hpp"
#include "engine/config/EngineConfig.hpp"
#include "menus/DemoDomain.hpp"
#include "menus/MenuLoader.hpp"
#include "menus/ScreenText.hpp"
#include "menus/UssdDialogue.hpp"

namespace ussdgw::cli {

namespace {

struct MenuOptions {
    std::string directory;
    std::string language;
    std::string msisdn;
    std::string code;
    std::vector<std::string> answers;
};

// The [menus] section when the configuration file can be read, else the built-in defaults.
menus::MenuConfig menu_config(const CliContext& ctx) {
    std::error_code ec;
    if (std::filesystem::exists(ctx.config_path, ec))
        return config::load_engine_config(ctx.config_path).menus;
    return menus::MenuConfig{};
}

void print_screen(const menus::DialogueOutput& out) {
    if (!out.has_screen) {
        if (out.end) std::printf("<< (dialogue ended without a screen)\n");
        return;
    }
    auto fit = menus::measure_screen(out.text);
    std::printf("<< [%s %zu/%zu, %s]\n%s\n", gsm::to_string(out.encoding), fit.length, fit.limit,
                out.end ? "end" : "continue", out.text.c_str());
}

}  // namespace

menus::MenuSetPtr load_menus_or_report(const std::string& dir, CliContext& ctx) {
    auto set = menus::load_menu_directory(dir);
    if (set) return *set;
    for (const auto& e : set.error())
        std::fprintf(stderr, "%s\n", e.what());
    ctx.exit_code = 2;
    return nullptr;
}

void register_menu_commands(CLI::App& app, CliContext& ctx) {
    auto* menus_cmd = app.add_subcommand("menus", "USSD menus: check files, try a dialogue");
    menus_cmd->require_subcommand(1);
    auto opts = std::make_shared<MenuOptions>();

    auto* check = menus_cmd->add_subcommand(
        "check", "validate menu files (errors name file, line and key; exit 2 on error)");
    check->add_option("DIR", opts->directory, "menu directory (default: [menus].directory)");
    check->callback([&ctx, opts] {
        std::string dir = opts->directory.empty() ? menu_config(ctx).directory : opts->directory;
        menus::MenuSetPtr set = load_menus_or_report(dir, ctx);
        if (!set) return;
        std::printf("%s: ok (%zu screens, %zu service codes, languages:", dir.c_str(),
                    set->screens.size(), set->service_codes.size());
        for (const auto& l : set->languages)
            std::printf(" %s", l.c_str());
        std::printf(")\n");
    });

    auto* tryc = menus_cmd->add_subcommand(
        "try", "run a dialogue against an in-memory demo domain and print the screens");
    tryc->add_option("MSISDN", opts->msisdn, "the subscriber, e.g. 375291234567")->required();
    tryc->add_option("CODE", opts->code, "the dialled string, e.g. *141*3*6#")->required();
    tryc->add_option("ANSWERS", opts->answers, "the subscriber's answers, one per screen");
    tryc->add_option("-d,--dir", opts->directory, "menu directory (default: [menus].directory)");
    tryc->add_option("-l,--lang", opts->language, "the subscriber's preferred language");
    tryc->callback([&ctx, opts] {
        menus::MenuConfig cfg = menu_config(ctx);
        std::string dir = opts->directory.empty() ? cfg.directory : opts->directory;
        menus::MenuSetPtr set = load_menus_or_report(dir, ctx);
        if (!set) return;
        menus::DemoDomain domain;
        menus::UssdDialogue dialogue(set, cfg.dialogue);
        auto now = menus::SteadyClock::now();
        std::printf(">> %s\n", opts->code.c_str());
        auto out = menus::settle(
            dialogue, dialogue.begin(opts->msisdn, opts->code, opts->language, now), domain, now);
        print_screen(out);
        for (const auto& a : opts->answers) {
            if (dialogue.ended()) {
                std::printf("(dialogue ended; answer '%s' not sent)\n", a.c_str());
                ctx.exit_code = 1;
                return;
            }
            std::printf(">> %s\n", a.c_str());
            out = menus::settle(dialogue, dialogue.answer(a, now), domain, now);
            print_screen(out);
        }
    });
}

}  // namespace ussdgw::cli
