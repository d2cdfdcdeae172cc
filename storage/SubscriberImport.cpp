#include "storage/SubscriberImport.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_map>

#include "storage/CabinetRules.hpp"
#include "storage/SubscriberStore.hpp"

namespace ussdgw::storage {

namespace {

// The last column, language, is optional (files written for ten columns stay valid).
constexpr std::size_t kColumns = 11;
constexpr std::size_t kRequiredColumns = 10;
constexpr std::array<std::string_view, kColumns> kNames = {
    "msisdn",    "client_id",     "client_kind", "role",    "tariff_plan", "puk1",
    "puk_login", "service_state", "payment",     "balance", "language"};

// Splits a CSV line; fields may be double-quoted ("" is a quote inside).
Result<std::vector<std::string>> split_csv(std::string_view line) {
    std::vector<std::string> out;
    std::string cur;
    std::size_t i = 0;
    bool quoted = false, was_quoted = false;
    while (i < line.size()) {
        char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    cur += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                cur += c;
            }
        } else if (c == '"' && cur.empty() && !was_quoted) {
            quoted = was_quoted = true;
        } else if (c == ',') {
            out.push_back(std::move(cur));
            cur.clear();
            was_quoted = false;
        } else {
            cur += c;
        }
        ++i;
    }
    if (quoted) return fail("csv.syntax", "unterminated quoted field");
    out.push_back(std::move(cur));
    for (auto& f : out) {
        auto b = f.find_first_not_of(" \t");
        auto e = f.find_last_not_of(" \t");
        f = b == std::string::npos ? std::string() : f.substr(b, e - b + 1);
    }
    return out;
}

Result<std::int64_t> parse_balance(const std::string& t) {
    std::size_t i = 0;
    bool neg = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) neg = t[i++] == '-';
    std::int64_t whole = 0, frac = 0;
    int digits = 0, frac_digits = 0;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++digits) {
        if (digits >= 12) return fail("csv.value", "balance is too large");
        whole = whole * 10 + (t[i] - '0');
    }
    if (i < t.size() && t[i] == '.') {
        for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++frac_digits) {
            if (frac_digits >= 2) return fail("csv.value", "balance has more than 2 decimals");
            frac = frac * 10 + (t[i] - '0');
        }
        if (frac_digits == 1) frac *= 10;
    }
    if (digits == 0 || i != t.size())
        return fail("csv.value", fmt::format("balance '{}' is not a number like 12.50", t));
    std::int64_t v = whole * 100 + frac;
    return neg ? -v : v;
}

}  // namespace

Result<ImportRow> parse_import_line(std::string_view line, const StorageConfig& cfg) {
    auto fields = split_csv(line);
    if (!fields) return Failure{fields.error()};
    auto& f = *fields;
    if (f.size() != kColumns && f.size() != kRequiredColumns)
        return fail("csv.columns",
                    fmt::format("expected {} columns ({}; language may be left out), found {}",
                                kColumns, fmt::join(kNames, ","), f.size()));
    ImportRow row;
    Subscriber& s = row.subscriber;
    auto m = Msisdn::parse(f[0]);
    if (!m) return fail("csv.msisdn", fmt::format("msisdn '{}': {}", f[0], m.error().message));
    s.msisdn = *m;
    if (f[1].empty() || f[1].size() > 64)
        return fail("csv.client_id", "client_id must be 1 to 64 characters");
    s.client_id = f[1];
    auto kind = client_kind_from_text(f[2]);
    if (!kind)
        return fail("csv.client_kind",
                    fmt::format("client_kind '{}' is not individual or legal_entity", f[2]));
    s.client_kind = *kind;
    auto role = role_from_text(f[3]);
    if (!role)
        return fail("csv.role",
                    fmt::format("role '{}' is not subscriber, supervisor or administrator", f[3]));
    s.role = *role;
    if (auto st = rules::check_role(s.client_kind, s.role); !st)
        return fail("csv.role", fmt::format("role '{}': {}", f[3], st.error().message));
    if (f[4].empty()) return fail("csv.tariff_plan", "tariff_plan is empty");
    if (!cfg.tariff_plans.empty() &&
        std::find(cfg.tariff_plans.begin(), cfg.tariff_plans.end(), f[4]) == cfg.tariff_plans.end())
        return fail("csv.tariff_plan",
                    fmt::format("tariff_plan '{}' is not in storage.tariff_plans", f[4]));
    s.tariff_plan = f[4];
    if (f[5].size() != 8 ||
        !std::all_of(f[5].begin(), f[5].end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail("csv.puk1", "puk1 must be exactly 8 digits");  // never echo the value
    row.puk = Secret(f[5]);
    if (f[6] == "yes" || f[6] == "1" || f[6] == "true")
        s.puk_login_enabled = true;
    else if (f[6] == "no" || f[6] == "0" || f[6] == "false" || f[6].empty())
        s.puk_login_enabled = false;
    else
        return fail("csv.puk_login", fmt::format("puk_login '{}' is not yes or no", f[6]));
    auto service = service_state_from_text(f[7]);
    if (!service)
        return fail("csv.service_state",
                    fmt::format("service_state '{}' is not active or suspended", f[7]));
    s.service = *service;
    auto pay = payment_from_text(f[8]);
    if (!pay)
        return fail("csv.payment", fmt::format("payment '{}' is not prepaid or postpaid", f[8]));
    s.payment = *pay;
    auto bal = parse_balance(f[9].empty() ? "0" : f[9]);
    if (!bal) return fail("csv.balance", bal.error().message);
    s.balance_minor = *bal;
    if (f.size() == kColumns) {
        const std::string& lang = f[10];
        bool ok = lang.empty() ||
                  (lang.size() == 2 && std::all_of(lang.begin(), lang.end(),
                                                   [](char c) { return c >= 'a' && c <= 'z'; }));
        if (!ok)
            return fail(
                "csv.language",
                fmt::format("language '{}' is not a two-letter code such as ru, en, be", lang));
        s.language = lang;
    }
    for (auto& x : f)
        std::fill(x.begin(), x.end(), '\0');
    return row;
}

Result<ImportSummary> import_subscribers(Database& db, const StorageKey& key,
                                         const StorageConfig& cfg, std::istream& in,
                                         const ImportOptions& options, std::int64_t now_ms) {
    ImportSummary sum;
    auto add_error = [&](std::size_t line, std::string msg) {
        ++sum.rejected;
        if (sum.errors.size() < 1000) sum.errors.push_back({line, std::move(msg)});
    };

    // Pass 1: parse and validate every line, and the client kinds within the file.
    struct Parsed {
        std::size_t line;
        Subscriber s;
        std::string puk_hash;
    };
    std::vector<Parsed> rows;
    std::unordered_map<std::string, std::pair<ClientKind, std::size_t>> kinds;
    std::unordered_map<std::int64_t, std::size_t> seen;
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (n == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
        auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        if (line.compare(first, 6, "msisdn") == 0) continue;  // header
        ++sum.rows;
        auto r = parse_import_line(line, cfg);
        if (!r) {
            add_error(n, r.error().message);
            continue;
        }
        Subscriber& s = r->subscriber;
        auto [it, fresh] = kinds.try_emplace(s.client_id, s.client_kind, n);
        if (!fresh && it->second.first != s.client_kind) {
            add_error(n, fmt::format("client '{}' is {} here but {} on line {}", s.client_id,
                                     to_text(s.client_kind), to_text(it->second.first),
                                     it->second.second));
            continue;
        }
        auto [dup, first_time] = seen.try_emplace(s.msisdn.number(), n);
        if (!first_time) {
            add_error(n, fmt::format("msisdn {} already on line {}", s.msisdn.text(), dup->second));
            continue;
        }
        std::string hash = key.hash_puk(s.msisdn.text(), r->puk.reveal());
        rows.push_back({n, std::move(s), std::move(hash)});
    }
    if (in.bad()) return fail("import.read", "error reading the input");
    if (sum.rejected > 0 && !options.partial) return sum;

    // Pass 2: one transaction; a database-level conflict is a line error too. A large
    // page cache keeps a big import from spilling pages to the WAL before COMMIT.
    if (rows.size() > 10000) (void)db.exec("PRAGMA cache_size = -524288");
    Transaction tx(db);
    if (!tx.begun()) return Failure{tx.begun().error()};
    SubscriberStore store(db, cfg.puk_login_tariff_plans);
    std::unordered_map<std::string, bool> clients_ok;
    for (const auto& p : rows) {
        auto c = clients_ok.find(p.s.client_id);
        if (c == clients_ok.end()) {
            auto st = store.upsert_client(p.s.client_id, p.s.client_kind);
            if (!st && st.error().code.rfind("storage.", 0) == 0) return Failure{st.error()};
            if (!st) add_error(p.line, st.error().message);
            c = clients_ok.emplace(p.s.client_id, st.ok()).first;
            if (!st) continue;
        } else if (!c->second) {
            add_error(p.line,
                      fmt::format("client '{}' conflicts with the database", p.s.client_id));
            continue;
        }
        auto r = store.upsert(p.s, p.puk_hash, now_ms);
        if (!r) {
            if (r.error().code.rfind("storage.", 0) == 0 && r.error().code != "storage.constraint")
                return Failure{r.error()};
            add_error(p.line, r.error().message);
            continue;
        }
        switch (*r) {
            case UpsertOutcome::inserted:
                ++sum.inserted;
                break;
            case UpsertOutcome::updated:
                ++sum.updated;
                break;
            case UpsertOutcome::unchanged:
                ++sum.unchanged;
                break;
        }
    }
    if (sum.rejected > 0 && !options.partial) {
        sum.inserted = sum.updated = sum.unchanged = 0;
        return sum;  // the transaction rolls back
    }
    if (auto st = tx.commit(); !st) return Failure{st.error()};
    sum.written = true;
    return sum;
}

}  // namespace ussdgw::storage
