// `ussdgw subscribers import|show`, `ussdgw access close|open` and `ussdgw bench storage`,
// run in-process against a temporary database.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/cli/CliTestSupport.hpp"
#include "storage/Storage.hpp"

namespace storage_commands_test {

using namespace ussdgw;
using namespace ussdgw::cli;
namespace fs = std::filesystem;

namespace {
struct CliFixture {
    fs::path dir = fs::temp_directory_path() / ("ussdgw-storagecli-" + std::to_string(getpid()));
    std::string config;
    CliFixture() {
        fs::remove_all(dir);
        fs::create_directories(dir);
        config = (dir / "u.toml").string();
        std::ofstream(config) << "[storage]\ndatabase = \"" << (dir / "t.db").string()
                              << "\"\nkey_file = \"" << (dir / "t.key").string()
                              << "\"\nargon2_opslimit = 1\nargon2_memlimit = 8192\n"
                                 "tariff_plans = [\"Комфорт\", \"Безлимит\", \"Бизнес\", "
                                 "\"Видеонаблюдение\", \"Спутниковый мониторинг\", \"Интернет\"]\n";
    }
    ~CliFixture() { fs::remove_all(dir); }
    int run(std::vector<std::string> args) {
        return test::run_cli(register_storage_commands, config, std::move(args));
    }
    storage::SubscriberRecord record(const char* m) {
        storage::StorageConfig c;
        c.database_path = (dir / "t.db").string();
        c.key_file = (dir / "t.key").string();
        auto st = storage::Storage::open(c);
        REQUIRE(st.ok());
        auto r = (*st)->find(*storage::Msisdn::parse(m));
        REQUIRE(r.ok());
        REQUIRE(r->has_value());
        return **r;
    }
};
}  // namespace

TEST_CASE("subscribers import and show; access close and open by the operator") {
    CliFixture f;
    std::string demo = USSDGW_SOURCE_DIR "/conf/demo-subscribers.csv";
    CHECK(f.run({"subscribers", "import", demo}) == 0);
    CHECK(f.run({"subscribers", "import", demo}) == 0);  // idempotent
    CHECK(f.run({"subscribers", "show", "375291000001"}) == 0);
    CHECK(f.run({"subscribers", "show", "375299999999"}) == 1);
    CHECK(f.run({"subscribers", "show", "+375291000001"}) == 1);
    CHECK(f.run({"access", "close", "375291000001", "--reason", "lost-sim", "--staff", "t1"}) == 0);
    CHECK(f.record("375291000001").cabinet.closed_by == storage::ClosedBy::operator_lost_sim);
    CHECK(f.run({"access", "close", "375291000002", "--reason", "organisation"}) ==
          1);  // individual
    CHECK(f.run({"access", "close", "375292000003", "--reason", "organisation"}) == 0);
    CHECK(f.run({"access", "open", "375291000001"}) == 0);
    CHECK(f.record("375291000001").cabinet.access_open);
    CHECK(f.run({"access", "open", "375291000001"}) == 1);  // already open

    std::string bad = (f.dir / "bad.csv").string();
    std::ofstream(bad) << "375291000099,X,individual,subscriber,Неизвестный,12345678,no,active,"
                          "prepaid,0\n";
    CHECK(f.run({"subscribers", "import", bad}) == 1);
    CHECK(f.run({"subscribers", "import", (f.dir / "missing.csv").string()}) == 1);
}

TEST_CASE("bench storage runs with a small data set") {
    CliFixture f;
    CHECK(f.run({"bench", "storage", "--subscribers", "2000", "--lookups", "2000", "--changes",
                 "500", "--concurrency", "50", "--dir", (f.dir / "bench").string()}) == 0);
}

}  // namespace storage_commands_test
