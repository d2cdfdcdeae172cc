// Commands of the cabinet API for the operator's staff: `ussdgw api token NAME` (a new named
// staff token and the config lines with its hash), `ussdgw api routes` (the routes the API
// serves, for the contract test), `ussdgw calls import FILE.csv [--partial]` (call details,
// the conventions of `subscribers import`).
#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "engine/api/CabinetApi.hpp"
#include "engine/base/Log.hpp"
#include "engine/cli/Commands.hpp"
#include "engine/config/EngineConfig.hpp"
#include "storage/CallRecords.hpp"
#include "storage/SessionStore.hpp"
#include "storage/Storage.hpp"

namespace ussdgw::cli {

namespace {

int run_token(const std::string& name) {
    if (name.empty() || name.size() > 64 || name.find_first_of(" \t\"\\") != std::string::npos) {
        std::fprintf(stderr, "ussdgw: a staff name is 1 to 64 characters, no spaces or quotes\n");
        return 2;
    }
    std::string token = storage::new_token("ops_");
    std::printf(
        "# The token for %s (shown only now; give it to them over a safe channel):\n"
        "#   %s\n"
        "# Add to conf/ussdgw.toml (the engine keeps only the hash) and restart:\n"
        "[[api.staff]]\nname = \"%s\"\ntoken_sha256 = \"%s\"\n",
        name.c_str(), token.c_str(), name.c_str(), storage::token_hash_hex(token).c_str());
    return 0;
}

// The routes as a running engine has them, built against a throwaway database.
int run_routes(config::EngineConfig cfg) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / fmt::format("ussdgw-routes-{}", ::getpid());
    std::error_code ec;
    fs::create_directories(dir, ec);
    cfg.storage.database_path = (dir / "routes.db").string();
    cfg.storage.key_file = (dir / "routes.key").string();
    int rc = 0;
    {
        auto storage = storage::Storage::open(cfg.storage);
        if (!storage) {
            std::fprintf(stderr, "ussdgw: %s\n", storage.error().message.c_str());
            rc = 1;
        } else {
            boost::asio::io_context io;
            api::CabinetApi cabinet(io, cfg.api, cfg.menus.dialogue.default_language, **storage,
                                    nullptr, nullptr);
            http::Router router;
            cabinet.add_routes(router);
            for (const auto& r : router.routes()) {
                auto v = http::bhttp::to_string(r->method);
                std::printf("%.*s %s\n", static_cast<int>(v.size()), v.data(), r->pattern.c_str());
            }
        }
    }
    fs::remove_all(dir, ec);
    return rc;
}

int run_calls_import(const storage::StorageConfig& cfg, const std::string& file, bool partial) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "ussdgw: %s: cannot open\n", file.c_str());
        return 1;
    }
    auto db = storage::open_write_connection(cfg);
    if (!db) {
        std::fprintf(stderr, "ussdgw: %s: %s\n", db.error().code.c_str(),
                     db.error().message.c_str());
        return 1;
    }
    storage::ImportOptions opts;
    opts.partial = partial;
    auto r = storage::CallRecords(**db).import(in, opts);
    if (!r) {
        std::fprintf(stderr, "ussdgw: %s: %s\n", r.error().code.c_str(), r.error().message.c_str());
        return 1;
    }
    for (const auto& e : r->errors)
        std::fprintf(stderr, "%s:%zu: %s\n", file.c_str(), e.line, e.message.c_str());
    if (r->rejected > r->errors.size())
        std::fprintf(stderr, "... and %zu more bad lines\n", r->rejected - r->errors.size());
    std::printf("%s: %zu rows: %zu inserted, %zu unchanged, %zu rejected%s\n", file.c_str(),
                r->rows, r->inserted, r->unchanged, r->rejected,
                r->written ? "" : "; nothing written (fix the lines above, or use --partial)");
    return r->rejected == 0 ? 0 : 1;
}

}  // namespace

void register_api_commands(CLI::App& app, CliContext& ctx) {
    auto* api = app.add_subcommand("api", "the cabinet API: staff tokens, routes");
    api->require_subcommand(1);
    auto name = std::make_shared<std::string>();
    auto* token = api->add_subcommand("token", "make a named token for the operator's staff");
    token->add_option("NAME", *name, "who the token is for (goes into the audit log)")->required();
    token->callback([&ctx, name] { ctx.exit_code = run_token(*name); });
    auto* routes = api->add_subcommand("routes", "print the routes the API serves");
    routes->callback([&ctx] {
        log::set_level(log::Level::warn);
        ctx.exit_code = run_routes(config::load_engine_config(ctx.config_path));
    });

    auto* calls = app.add_subcommand("calls", "call details for the cabinet");
    calls->require_subcommand(1);
    auto file = std::make_shared<std::string>();
    auto partial = std::make_shared<bool>(false);
    auto* imp = calls->add_subcommand("import",
                                      "add call records from a CSV file "
                                      "(see conf/demo-calls.csv)");
    imp->add_option("FILE", *file, "CSV file")->required();
    imp->add_flag("--partial", *partial, "write the good lines even when some lines are bad");
    imp->callback([&ctx, file, partial] {
        log::set_level(log::Level::warn);
        ctx.exit_code =
            run_calls_import(config::load_engine_config(ctx.config_path).storage, *file, *partial);
    });
}

}  // namespace ussdgw::cli
