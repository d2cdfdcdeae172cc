// CsvFields: the operator's CSV conventions (quoted fields, trimming, money with up to two
// decimals, BOM, CRLF, comments, blank lines and the header skipped).
#include "storage/CsvFields.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace csv_fields_test {

using namespace ussdgw::storage;
using Fields = std::vector<std::string>;

TEST_CASE("split_csv: commas, quotes, doubled quotes, trimming") {
    CHECK(*split_csv("a,b,c") == Fields{"a", "b", "c"});
    CHECK(*split_csv(" a , b\t,c ") == Fields{"a", "b", "c"});
    CHECK(*split_csv("") == Fields{""});
    CHECK(*split_csv("a,,") == Fields{"a", "", ""});
    CHECK(*split_csv(R"("Иванов, Иван",42)") == Fields{"Иванов, Иван", "42"});
    CHECK(*split_csv(R"("say ""hi""",x)") == Fields{R"(say "hi")", "x"});
    CHECK(*split_csv(R"("",x)") == Fields{"", "x"});
    // A quote inside an unquoted field is kept as it is.
    CHECK(*split_csv(R"(ab"c,d)") == Fields{R"(ab"c)", "d"});
    // Text after the closing quote stays in the field.
    CHECK(*split_csv(R"("ab"c,d)") == Fields{"abc", "d"});
    auto bad = split_csv(R"(a,"unterminated)");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == "csv.syntax");
}

TEST_CASE("parse_money: roubles to minor units, refusals name the field") {
    CHECK(*parse_money("balance", "12.50") == 1250);
    CHECK(*parse_money("balance", "12.5") == 1250);
    CHECK(*parse_money("balance", "12") == 1200);
    CHECK(*parse_money("balance", "0") == 0);
    CHECK(*parse_money("balance", "-1.20") == -120);
    CHECK(*parse_money("balance", "+3.01") == 301);
    CHECK(*parse_money("balance", "12.") == 1200);
    CHECK(*parse_money("balance", "999999999999.99") == 99999999999999);
    for (const char* bad :
         {"", "-", ".5", "1,50", "12.345", "abc", "1 000", "1e3", "1000000000000"}) {
        INFO(bad);
        auto r = parse_money("balance", bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "csv.value");
        CHECK(r.error().message.find("balance") != std::string::npos);
    }
}

TEST_CASE("CsvDataLines: BOM, CRLF, comments, blank lines and the header skipped") {
    std::istringstream in(
        "\xEF\xBB\xBFmsisdn,client_id\r\n"
        "\r\n"
        "# a comment\n"
        "375291000001,P1\r\n"
        "   \t\n"
        "  # an indented comment\n"
        "375291000002,P2\n"
        "375291000003,P3");
    CsvDataLines lines(in);
    std::string line;
    std::size_t n = 0;
    std::vector<std::pair<std::size_t, std::string>> got;
    while (lines.next(line, n))
        got.emplace_back(n, line);
    CHECK(got == std::vector<std::pair<std::size_t, std::string>>{
                     {4, "375291000001,P1"}, {7, "375291000002,P2"}, {8, "375291000003,P3"}});
    CHECK_FALSE(lines.failed());
    // A BOM on a data line that is not the first is data.
    std::istringstream bom2(
        "a\n\xEF\xBB\xBF"
        "b\n");
    CsvDataLines l2(bom2);
    REQUIRE(l2.next(line, n));
    REQUIRE(l2.next(line, n));
    CHECK(line ==
          "\xEF\xBB\xBF"
          "b");
}

}  // namespace csv_fields_test
