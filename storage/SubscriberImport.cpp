#include "storage/SubscriberImport.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_map>

#include "storage/CabinetRules.hpp"
#include "storage/CsvFields.hpp"
#include "storage/SubscriberStore.hpp"

namespace ussdgw::storage {

namespace {

// The last column, language, is optional (files written for ten columns stay valid).
constexpr std::size_t kImportColumns = 11;
constexpr std::size_t kRequiredColumns = 10;
constexpr std::array<std::string_view, kImportColumns> kNames = {
    "msisdn",    "client_id",     "client_kind", "role",    "tariff_plan", "puk1",
    "puk_login", "service_state", "payment",     "balance", "language"};

}  // namespace

WriteScope::WriteScope(Database& db) : db_(db) {
    // Inside a transaction (a group-commit batch): a savepoint of its own; else BEGIN
    // IMMEDIATE, as a writer that must not wait to upgrade.
    nested_ = sqlite3_get_autocommit(db.handle()) == 0;
    begun_ = db.exec(nested_ ? "SAVEPOINT import" : "BEGIN IMMEDIATE");
    open_ = begun_.ok();
}

WriteScope::~WriteScope() {
    if (!open_) return;
    if (nested_) {
        (void)db_.exec("ROLLBACK TO import");
        (void)db_.exec("RELEASE import");
    } else {
        (void)db_.exec("ROLLBACK");
    }
}

Status WriteScope::commit() {
    if (!open_) return fail("storage.sqlite", "no transaction");
    auto s = db_.exec(nested_ ? "RELEASE import" : "COMMIT");
    if (s) open_ = false;
    return s;
}

Status check_client_id(const std::string& id) {
    if (id.empty() || id.size() > 64)
        return fail("client_id", "client_id must be 1 to 64 characters");
    return ok_status();
}

Status check_tariff_plan(const std::string& plan, const StorageConfig& cfg) {
    if (plan.empty()) return fail("tariff_plan", "tariff_plan is empty");
    if (!cfg.tariff_plans.empty() &&
        std::find(cfg.tariff_plans.begin(), cfg.tariff_plans.end(), plan) == cfg.tariff_plans.end())
        return fail("tariff_plan",
                    fmt::format("tariff_plan '{}' is not in storage.tariff_plans", plan));
    return ok_status();
}

Status check_language(const std::string& lang) {
    bool ok = lang.empty() ||
              (lang.size() == 2 &&
               std::all_of(lang.begin(), lang.end(), [](char c) { return c >= 'a' && c <= 'z'; }));
    if (!ok)
        return fail("language",
                    fmt::format("language '{}' is not a two-letter code such as ru, en, be", lang));
    return ok_status();
}

bool is_puk1(std::string_view text) {
    return text.size() == 8 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<ImportRow> parse_import_line(std::string_view line, const StorageConfig& cfg) {
    auto fields = split_csv(line);
    if (!fields) return Failure{fields.error()};
    auto& f = *fields;
    if (f.size() != kImportColumns && f.size() != kRequiredColumns)
        return fail("csv.columns",
                    fmt::format("expected {} columns ({}; language may be left out), found {}",
                                kImportColumns, fmt::join(kNames, ","), f.size()));
    ImportRow row;
    Subscriber& s = row.subscriber;
    auto m = Msisdn::parse(f[0]);
    if (!m) return fail("csv.msisdn", fmt::format("msisdn '{}': {}", f[0], m.error().message));
    s.msisdn = *m;
    if (auto st = check_client_id(f[1]); !st) return fail("csv.client_id", st.error().message);
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
    if (auto st = check_tariff_plan(f[4], cfg); !st)
        return fail("csv.tariff_plan", st.error().message);
    s.tariff_plan = f[4];
    if (!is_puk1(f[5]))
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
    auto bal = parse_money("balance", f[9].empty() ? "0" : f[9]);
    if (!bal) return fail("csv.balance", bal.error().message);
    s.balance_minor = *bal;
    if (f.size() == kImportColumns) {
        if (auto st = check_language(f[10]); !st) return fail("csv.language", st.error().message);
        s.language = f[10];
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
    CsvDataLines lines(in);
    while (lines.next(line, n)) {
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
    if (lines.failed()) return fail("import.read", "error reading the input");
    if (sum.rejected > 0 && !options.partial) return sum;

    // Pass 2: one transaction; a database-level conflict is a line error too. A large
    // page cache keeps a big import from spilling pages to the WAL before COMMIT.
    if (rows.size() > 10000) (void)db.exec("PRAGMA cache_size = -524288");
    WriteScope tx(db);
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
