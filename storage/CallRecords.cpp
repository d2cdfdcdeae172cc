#include "storage/CallRecords.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>

#include "storage/CsvFields.hpp"

namespace ussdgw::storage {

namespace {
constexpr std::array<std::string_view, 5> kDirections = {"out", "in", "sms_out", "sms_in", "data"};
constexpr std::string_view kColumnNames = "msisdn,started_at,direction,other_party,duration,cost";

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

std::optional<std::int64_t> parse_utc_time(std::string_view t) {
    // YYYY-MM-DDTHH:MM:SSZ
    if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
        t[16] != ':' || t[19] != 'Z')
        return std::nullopt;
    auto num = [&](std::size_t pos, std::size_t len) -> int {
        std::string_view s = t.substr(pos, len);
        return all_digits(s) ? std::stoi(std::string(s)) : -1;
    };
    std::tm tm{};
    tm.tm_year = num(0, 4) - 1900;
    tm.tm_mon = num(5, 2) - 1;
    tm.tm_mday = num(8, 2);
    tm.tm_hour = num(11, 2);
    tm.tm_min = num(14, 2);
    tm.tm_sec = num(17, 2);
    if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 ||
        tm.tm_sec > 60)
        return std::nullopt;
    std::tm copy = tm;
    std::time_t secs = timegm(&copy);
    if (copy.tm_mday != tm.tm_mday || copy.tm_mon != tm.tm_mon) return std::nullopt;  // 31 Feb
    return static_cast<std::int64_t>(secs) * 1000;
}

Result<CallRecord> parse_call_line(std::string_view line) {
    auto fields = split_csv(line);
    if (!fields) return Failure{fields.error()};
    auto& f = *fields;
    if (f.size() != 6)
        return fail("csv.columns",
                    fmt::format("expected 6 columns ({}), found {}", kColumnNames, f.size()));
    CallRecord r;
    auto m = Msisdn::parse(f[0]);
    if (!m) return fail("csv.msisdn", fmt::format("msisdn '{}': {}", f[0], m.error().message));
    r.msisdn = *m;
    auto at = parse_utc_time(f[1]);
    if (!at)
        return fail("csv.started_at",
                    fmt::format("started_at '{}' is not UTC like 2026-11-20T10:15:00Z", f[1]));
    r.started_at_ms = *at;
    if (std::find(kDirections.begin(), kDirections.end(), f[2]) == kDirections.end())
        return fail("csv.direction",
                    fmt::format("direction '{}' is not out, in, sms_out, sms_in or data", f[2]));
    r.direction = f[2];
    if (f[3].empty() || f[3].size() > 32)
        return fail("csv.other_party", "other_party must be 1 to 32 characters");
    r.other_party = f[3];
    if (!all_digits(f[4]) || f[4].size() > 9)
        return fail("csv.duration", fmt::format("duration '{}' is not whole seconds", f[4]));
    r.duration_s = std::stoll(f[4]);
    auto cost = parse_money("cost", f[5]);
    if (!cost) return fail("csv.cost", cost.error().message);
    r.cost_minor = *cost;
    return r;
}

Result<std::vector<CallRecord>> CallRecords::page(Msisdn msisdn, std::int64_t before, int limit) {
    auto q = db_.query(
        "SELECT id, started_at, direction, other_party, duration, cost FROM call_records "
        "WHERE msisdn = ?1 AND (?2 = 0 OR (started_at, id) < (SELECT started_at, id FROM "
        "call_records WHERE id = ?2)) ORDER BY started_at DESC, id DESC LIMIT ?3");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, before).bind(3, limit);
    std::vector<CallRecord> out;
    for (;;) {
        auto row = q->step();
        if (!row) return Failure{row.error()};
        if (!*row) return out;
        CallRecord r;
        r.id = q->int64(0);
        r.msisdn = msisdn;
        r.started_at_ms = q->int64(1);
        r.direction = q->text(2);
        r.other_party = q->text(3);
        r.duration_s = q->int64(4);
        r.cost_minor = q->int64(5);
        out.push_back(std::move(r));
    }
}

Result<ImportSummary> CallRecords::import(std::istream& in, const ImportOptions& options) {
    ImportSummary sum;
    auto add_error = [&](std::size_t line, std::string msg) {
        ++sum.rejected;
        if (sum.errors.size() < 1000) sum.errors.push_back({line, std::move(msg)});
    };
    std::vector<std::pair<std::size_t, CallRecord>> rows;
    std::string line;
    std::size_t n = 0;
    CsvDataLines lines(in);
    while (lines.next(line, n)) {
        ++sum.rows;
        auto r = parse_call_line(line);
        if (!r)
            add_error(n, r.error().message);
        else
            rows.emplace_back(n, std::move(*r));
    }
    if (lines.failed()) return fail("import.read", "error reading the input");
    if (sum.rejected > 0 && !options.partial) return sum;

    WriteScope tx(db_);
    if (!tx.begun()) return Failure{tx.begun().error()};
    for (const auto& [line_no, r] : rows) {
        bool exists = false;
        {
            auto known = db_.query("SELECT 1 FROM subscribers WHERE msisdn = ?");
            if (!known) return Failure{known.error()};
            known->bind(1, r.msisdn.number());
            auto row = known->step();
            if (!row) return Failure{row.error()};
            exists = *row;
        }
        if (!exists) {
            add_error(line_no, fmt::format("msisdn {} is not a subscriber", r.msisdn.text()));
            continue;
        }
        auto ins = db_.query(
            "INSERT INTO call_records (msisdn, started_at, direction, other_party, duration, "
            "cost) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        if (!ins) return Failure{ins.error()};
        ins->bind(1, r.msisdn.number())
            .bind(2, r.started_at_ms)
            .bind(3, r.direction)
            .bind(4, r.other_party)
            .bind(5, r.duration_s)
            .bind(6, r.cost_minor);
        if (auto st = ins->run(); !st) return Failure{st.error()};
        if (db_.changes() > 0)
            ++sum.inserted;
        else
            ++sum.unchanged;
    }
    if (sum.rejected > 0 && !options.partial) {
        sum.inserted = sum.unchanged = 0;
        return sum;  // the transaction rolls back
    }
    if (auto st = tx.commit(); !st) return Failure{st.error()};
    sum.written = true;
    return sum;
}

}  // namespace ussdgw::storage
