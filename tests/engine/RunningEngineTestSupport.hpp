// A whole Engine in the test process: the shipped configuration (conf/ussdgw.toml) with its
// files in a temporary directory, the HTTP and SMPP listeners on free ports, the client link
// pointed at a port where nothing listens, cheap Argon2id, the sample subscribers imported,
// and the engine's loop run on the test's thread.
#pragma once

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/Engine.hpp"
#include "engine/base/TomlReader.hpp"
#include "engine/config/EngineConfig.hpp"
#include "storage/StorageTestSupport.hpp"

namespace ussdgw::test {

inline std::string quoted(const std::string& s) {
    return "\"" + s + "\"";
}

// conf/ussdgw.toml for a test: files in `dir`, free ports, `subs` (exact text, each must apply).
inline std::string shipped_config_text(
    const storage::test::TempDir& dir, const std::string& menus_dir,
    const std::vector<std::pair<std::string, std::string>>& subs) {
    std::ifstream in(USSDGW_SOURCE_DIR "/conf/ussdgw.toml");
    std::stringstream text;
    text << in.rdbuf();
    std::string conf = text.str();
    auto replace = [&conf](const std::string& from, const std::string& to) {
        auto at = conf.find(from);
        REQUIRE_MESSAGE(at != std::string::npos, "config text not found: " << from);
        conf.replace(at, from.size(), to);
    };
    replace(quoted("var/ussdgw.db"), quoted(dir.file("ussdgw.db")));
    replace(quoted("var/storage.key"), quoted(dir.file("storage.key")));
    replace("directory = \"menus/cabinet\"", "directory = " + quoted(menus_dir));
    replace("listen = \"127.0.0.1:2776\"", "listen = \"127.0.0.1:0\"");
    replace("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\"");
    conf = std::regex_replace(conf, std::regex("\nport = 2775\n"), "\nport = 1\n");
    conf = std::regex_replace(conf, std::regex("\nargon2_memlimit = [0-9]+\n"),
                              "\nargon2_memlimit = 8388608\n");
    for (const auto& [from, to] : subs)
        replace(from, to);
    return conf;
}

struct RunningEngine {
    storage::test::TempDir dir;
    boost::asio::io_context io;
    std::unique_ptr<Engine> engine;

    // `prepare` may change the parsed configuration and add to the database before the
    // engine starts.
    explicit RunningEngine(std::vector<std::pair<std::string, std::string>> subs = {},
                           std::string menus_dir = USSDGW_SOURCE_DIR "/menus/cabinet",
                           const std::function<void(config::EngineConfig&)>& prepare = {}) {
        const std::string path = dir.file("ussdgw.toml");
        auto cfg = config::parse_engine_config(
            parse_toml(shipped_config_text(dir, menus_dir, subs), path));
        storage::test::import_csv(cfg.storage, storage::test::kSampleCsv);
        if (prepare) prepare(cfg);
        engine = std::make_unique<Engine>(io, std::move(cfg));
        engine->start();
    }
    ~RunningEngine() {
        stop();
        engine.reset();
        io.restart();
        io.poll();
    }
    // Stops the engine (once) and runs its loop until it has; false if it did not in time.
    bool stop() {
        if (stopped_) return *stopped_;
        auto closed = std::make_shared<bool>(false);
        engine->stop([closed] { *closed = true; });
        stopped_ = run_until([&] { return *closed; }, std::chrono::seconds(10));
        return *stopped_;
    }
    // Runs the engine's loop on the test thread until `done` holds (bounded in time).
    bool run_until(const std::function<bool()>& done,
                   std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            io.restart();
            io.run_for(std::chrono::milliseconds(5));
        }
        return true;
    }

  private:
    std::optional<bool> stopped_;
};

}  // namespace ussdgw::test
