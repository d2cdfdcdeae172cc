#include "engine/cabinet/CabinetBridge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <memory>

#include "storage/CabinetRules.hpp"
#include "storage/Storage.hpp"

namespace ussdgw::cabinet {

namespace o = menus::outcome;
namespace r = storage::rules;

namespace {

std::string local_time(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min);
}

menus::ActionResult result(std::string_view code) {
    return {std::string(code), {}};
}

}  // namespace

std::string outcome_for(const Error& e) {
    const std::string& c = e.code;
    if (c == r::kNotFound) return std::string(o::not_found);
    if (c == r::kServiceSuspended) return std::string(o::suspended);
    if (c == r::kClosedBySubscriber) return std::string(o::closed_by_subscriber);
    if (c == r::kClosedByOrganisation) return std::string(o::closed_by_organisation);
    if (c == r::kClosedLostSim || c == r::kClosedRestricted)
        return std::string(o::closed_by_operator);
    if (c == r::kPukWrong) return std::string(o::puk_wrong);
    if (c == r::kPukLocked) return std::string(o::puk_locked);
    if (c == r::kSmsRateLimited) return std::string(o::rate_limited);
    if (c == r::kRoleForbidden) return std::string(o::not_manager);
    if (c == r::kRoleOtherClient) return std::string(o::not_same_client);
    if (c == r::kAnnulled) return std::string(o::annulled);
    // A subscriber with no PUK1 on file cannot prove it: treated as a wrong entry is
    // misleading, so it is a service error the menus explain generically.
    return std::string(o::error);
}

std::string outcome_for(const storage::CabinetState& s) {
    if (s.access_open || !s.closed_by) return std::string(o::access_open);
    return outcome_for(Error{r::closed_code(*s.closed_by), {}});
}

void CabinetBridge::perform(const menus::ActionRequest& req, Done done) {
    auto msisdn = storage::Msisdn::parse(req.msisdn);
    if (!msisdn) {
        done(result(o::not_found));
        return;
    }
    const CancellationPtr& cancellation = req.cancellation;
    auto plain = [done](Status st) {
        done(st ? result(o::ok) : menus::ActionResult{outcome_for(st.error()), {}});
    };
    switch (req.kind) {
        case menus::ActionKind::issue_password:
            cabinet_.issue_password(
                *msisdn, channel_,
                [done](auto res) {
                    done(res ? result(o::ok) : menus::ActionResult{outcome_for(res.error()), {}});
                },
                cancellation);
            return;
        case menus::ActionKind::access_state:
            cabinet_.state(*msisdn, [done](Result<storage::SubscriberRecord> res) {
                done(res ? result(outcome_for(res->cabinet))
                         : menus::ActionResult{outcome_for(res.error()), {}});
            });
            return;
        case menus::ActionKind::close_access:
            cabinet_.close_own_access(
                *msisdn, channel_,
                [plain](Status st) {
                    // Closing an already closed cabinet changes nothing and is not an error.
                    if (!st && st.error().code == r::kAlreadyClosed) st = ok_status();
                    plain(std::move(st));
                },
                cancellation);
            return;
        case menus::ActionKind::open_access: {
            auto m = *msisdn;
            cabinet_.open_own_access(
                m, req.puk, channel_,
                [this, m, done](Status st) {
                    if (st || st.error().code == r::kAlreadyOpen) {
                        done(result(o::ok));
                        return;
                    }
                    menus::ActionResult out{outcome_for(st.error()), {}};
                    if (out.outcome == o::puk_wrong) {
                        // storage says "N tries left"
                        const std::string& msg = st.error().message;
                        int left = 0;
                        std::from_chars(msg.data(), msg.data() + msg.size(), left);
                        out.fields["attempts_left"] = std::to_string(left);
                        done(std::move(out));
                        return;
                    }
                    if (out.outcome == o::puk_locked) {
                        cabinet_.state(m, [done,
                                           out](Result<storage::SubscriberRecord> rec) mutable {
                            if (rec)
                                out.fields["until"] = local_time(rec->cabinet.puk_locked_until_ms);
                            done(std::move(out));
                        });
                        return;
                    }
                    done(std::move(out));
                },
                cancellation);
            return;
        }
        case menus::ActionKind::managed_access_state:
        case menus::ActionKind::managed_open_access:
        case menus::ActionKind::managed_close_access: {
            auto target = storage::Msisdn::parse(req.target);
            if (!target) {
                done(result(o::not_found));
                return;
            }
            if (req.kind == menus::ActionKind::managed_access_state) {
                managed_state(*msisdn, *target, std::move(done));
                return;
            }
            bool open = req.kind == menus::ActionKind::managed_open_access;
            cabinet_.manager_set_access(
                *msisdn, *target, open, channel_,
                [plain](Status st) {
                    if (!st && (st.error().code == r::kAlreadyOpen ||
                                st.error().code == r::kAlreadyClosed))
                        st = ok_status();
                    plain(std::move(st));
                },
                cancellation);
            return;
        }
    }
    done(result(o::error));
}

void CabinetBridge::managed_state(storage::Msisdn manager, storage::Msisdn target, Done done) {
    // Both records are read; the manager rule itself is CabinetRules' (may_manage).
    cabinet_.state(manager, [this, target, done](Result<storage::SubscriberRecord> mgr) {
        if (!mgr) {
            done({outcome_for(mgr.error()), {}});
            return;
        }
        cabinet_.state(target, [mgr = *mgr, done](Result<storage::SubscriberRecord> tgt) {
            if (!tgt) {
                done({outcome_for(tgt.error()), {}});
                return;
            }
            auto party = [](const storage::Subscriber& s) {
                return r::Party{s.client_id, s.client_kind, s.role};
            };
            if (auto st = r::may_manage(party(mgr.subscriber), party(tgt->subscriber)); !st) {
                done({outcome_for(st.error()), {}});
                return;
            }
            done({outcome_for(tgt->cabinet), {}});
        });
    });
}

}  // namespace ussdgw::cabinet
