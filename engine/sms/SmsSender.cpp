#include "engine/sms/SmsSender.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/base/GsmText.hpp"
#include "engine/base/Log.hpp"
#include "engine/sms/IntegratorSms.hpp"

namespace ussdgw::sms {

namespace {

// message_state TLV values (SMPP 3.4 5.3.2.35) as receipt stat words.
const char* stat_of_state(std::uint8_t state) {
    switch (state) {
        case 1:
            return "ENROUTE";
        case 2:
            return "DELIVRD";
        case 3:
            return "EXPIRED";
        case 4:
            return "DELETED";
        case 5:
            return "UNDELIV";
        case 6:
            return "ACCEPTD";
        case 8:
            return "REJECTD";
        default:
            return "UNKNOWN";
    }
}

// The value after `key` in the classic receipt text ("id:123 sub:001 ... stat:DELIVRD").
std::optional<std::string> receipt_field(std::string_view text, std::string_view key) {
    std::size_t pos = 0;
    while ((pos = text.find(key, pos)) != std::string_view::npos) {
        bool at_word = pos == 0 || text[pos - 1] == ' ';
        std::size_t start = pos + key.size();
        if (at_word && start < text.size() && text[start] == ':') {
            ++start;
            std::size_t end = text.find(' ', start);
            return std::string(
                text.substr(start, end == std::string_view::npos ? end : end - start));
        }
        pos = start;
    }
    return std::nullopt;
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<Receipt> parse_receipt(const smpp::ShortMessage& sm) {
    // esm_class bits 5..2: 0001 SMSC delivery receipt, 0010 SME ack, 0100 SME manual ack,
    // 1000 intermediate notification.
    std::uint8_t type = (sm.esm_class >> 2) & 0x0F;
    if (type != 0x01 && type != 0x08) return std::nullopt;
    Receipt r;
    std::string_view text =
        sm.tlvs.message_payload ? std::string_view(*sm.tlvs.message_payload) : sm.short_message;
    if (sm.tlvs.receipted_message_id)
        r.message_id = *sm.tlvs.receipted_message_id;
    else if (auto id = receipt_field(text, "id"))
        r.message_id = *id;
    if (sm.tlvs.message_state)
        r.stat = stat_of_state(*sm.tlvs.message_state);
    else if (auto stat = receipt_field(text, "stat"))
        r.stat = *stat;
    else
        r.stat = "UNKNOWN";
    if (r.message_id.empty()) return std::nullopt;
    return r;
}

std::string relative_validity(std::chrono::seconds period) {
    if (period.count() <= 0) return {};
    auto s = period.count();
    return fmt::format("0000{:02}{:02}{:02}{:02}000R", std::min<long long>(s / 86400, 99),
                       (s / 3600) % 24, (s / 60) % 60, s % 60);
}

std::vector<smpp::SubmitSm> build_parts(const SmsConfig& cfg, const std::string& msisdn,
                                        const std::string& text, std::uint8_t ref) {
    gsm::SmsSplit split = gsm::split_sms(text, ref);
    std::vector<smpp::SubmitSm> out;
    out.reserve(split.parts.size());
    for (const gsm::SmsPart& part : split.parts) {
        smpp::SubmitSm sm;
        sm.service_type = cfg.service_type;
        sm.source.address = cfg.source_address;
        if (all_digits(cfg.source_address)) {
            sm.source.ton = 1;
            sm.source.npi = 1;
        } else {
            sm.source.ton = 5;  // alphanumeric
            sm.source.npi = 0;
        }
        sm.destination = smpp::Address{1, 1, msisdn};
        sm.esm_class = part.udh.empty() ? 0x00 : 0x40;  // UDHI
        sm.registered_delivery = cfg.request_receipts ? 0x01 : 0x00;
        sm.validity_period = relative_validity(cfg.validity_period);
        sm.data_coding = gsm::data_coding(split.encoding);
        sm.short_message = part.short_message();
        out.push_back(std::move(sm));
    }
    return out;
}

bool is_permanent(std::uint32_t status) {
    switch (status) {
        case smpp::status::invsrcadr:
        case smpp::status::invdstadr:
        case smpp::status::invesmclass:
        case smpp::status::invsertyp:
        case smpp::status::invsrcton:
        case smpp::status::invsrcnpi:
        case smpp::status::invdstton:
        case smpp::status::invdstnpi:
        case smpp::status::invmsglen:
            return true;
        default:
            return false;
    }
}

SmsSender::SmsSender(SmsConfig cfg, storage::Storage& storage, Submit submit, Now now)
    : cfg_(std::move(cfg)), storage_(storage), submit_(std::move(submit)), now_(std::move(now)) {}

bool SmsSender::paused() const {
    return now_() < paused_until_;
}

void SmsSender::poll() {
    if (claiming_ || paused() || in_flight_ >= cfg_.max_in_flight) return;
    int limit = std::min(cfg_.batch, cfg_.max_in_flight - in_flight_);
    claiming_ = true;
    storage_.with_outbox<std::vector<storage::OutboxMessage>>(
        [limit](storage::SmsOutbox& outbox, std::int64_t now_ms) {
            return outbox.claim_due(now_ms, limit);
        },
        [this](Result<std::vector<storage::OutboxMessage>> claimed) {
            claiming_ = false;
            if (!claimed) {
                log::error("sms.claim_failed", "error", claimed.error().message);
                return;
            }
            stats_.claimed += claimed->size();
            for (auto& m : *claimed) {
                // Its lease ran out while its parts still wait for answers (a slow link):
                // it is still being sent, not to be sent twice.
                if (sending_.contains(m.id)) continue;
                send(std::move(m));
            }
            // More may be due than one batch held.
            if (claimed->size() == static_cast<std::size_t>(cfg_.batch)) poll();
        });
}

Result<std::vector<smpp::SubmitSm>> SmsSender::parts_of(const storage::OutboxMessage& m) const {
    auto ref = static_cast<std::uint8_t>(m.id & 0xFF);
    if (m.kind != storage::kIntegratorKind) return build_parts(cfg_, m.msisdn.text(), m.text, ref);
    auto sms = decode_body(m.text);
    if (!sms) return Failure{sms.error()};
    return integrator_parts(cfg_, *sms, ref);
}

void SmsSender::send(storage::OutboxMessage m) {
    auto built = parts_of(m);
    if (!built || built->empty()) {
        // Nothing the SMSC could ever take: final at once (not retried).
        ++in_flight_;
        Sending s;
        s.id = m.id;
        s.worst = PartOutcome{PartOutcome::Kind::refused, smpp::status::invmsglen, {}, {}};
        log::warn("sms.unsendable", "outbox_id", m.id, "kind", m.kind, "error",
                  built ? std::string("no parts") : built.error().code);
        finish(std::move(s));
        return;
    }
    auto parts = std::move(*built);
    Sending s;
    s.id = m.id;
    s.ids.resize(parts.size());
    // Parts the SMSC accepted in an earlier attempt are not sent again (the split of a text
    // and its concatenation reference never change, so the phone joins old and new parts).
    std::vector<bool> accepted(parts.size(), false);
    if (m.part_ids.size() <= parts.size()) {
        for (std::size_t i = 0; i < m.part_ids.size(); ++i) {
            if (!m.part_ids[i]) continue;
            s.ids[i] = *m.part_ids[i];
            accepted[i] = true;
        }
    }
    int to_send = static_cast<int>(std::count(accepted.begin(), accepted.end(), false));
    s.waiting = to_send;
    ++in_flight_;
    log::info("sms.submit", "outbox_id", m.id, "kind", m.kind, "parts", parts.size(), "sending",
              to_send, "attempt", m.attempts + 1);
    if (to_send == 0) {  // every part was accepted before the attempt was reported (a crash)
        finish(std::move(s));
        return;
    }
    sending_[m.id] = std::move(s);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (accepted[i]) continue;
        submit_(m.id, std::move(parts[i]),
                [this, id = m.id, i](PartOutcome o) { part_done(id, i, std::move(o)); });
    }
}

void SmsSender::part_done(std::int64_t id, std::size_t index, PartOutcome outcome) {
    auto it = sending_.find(id);
    if (it == sending_.end()) return;
    Sending& s = it->second;
    if (outcome.kind == PartOutcome::Kind::accepted) {
        s.ids[index] = outcome.message_id;
        // Durable at once: the part's receipt may come before the other parts are answered.
        storage_.with_outbox<Ok>(
            [id, part = static_cast<int>(index + 1), parts = static_cast<int>(s.ids.size()),
             smpp_id = outcome.message_id](storage::SmsOutbox& o, std::int64_t now) {
                return o.record_part(id, part, parts, smpp_id, now);
            },
            [id](Status st) {
                if (!st)
                    log::error("sms.record_failed", "outbox_id", id, "what", "part", "error",
                               st.error().message);
            });
    } else if (!s.worst) {
        s.worst = std::move(outcome);
    }
    if (--s.waiting > 0) return;
    Sending done = std::move(s);
    sending_.erase(it);
    finish(std::move(done));
}

void SmsSender::finish(Sending s) {
    std::int64_t id = s.id;
    auto after = [this, id](const char* what) {
        return [this, id, what](Status st) {
            --in_flight_;
            if (!st)
                log::error("sms.record_failed", "outbox_id", id, "what", what, "error",
                           st.error().message);
            poll();
        };
    };
    if (!s.worst) {
        ++stats_.submitted;
        log::info("sms.submitted", "outbox_id", id, "parts", s.ids.size());
        storage_.with_outbox<storage::ReceiptOutcome>(
            [id, ids = std::move(s.ids)](storage::SmsOutbox& o, std::int64_t now) {
                return o.mark_submitted(id, ids, now);
            },
            // Final at once when every part's receipt came before the last response.
            [this, done = after("submitted")](Result<storage::ReceiptOutcome> r) {
                if (r) count_final(*r);
                done(r ? ok_status() : Status(Failure{r.error()}));
            });
        return;
    }
    const PartOutcome& w = *s.worst;
    bool throttled = w.kind == PartOutcome::Kind::refused &&
                     (w.status == smpp::status::throttled || w.status == smpp::status::msgqful);
    if (throttled) {
        ++stats_.deferred;
        paused_until_ = now_() + cfg_.throttle_pause;
        log::warn("sms.throttled", "outbox_id", id, "status", fmt::format("0x{:08x}", w.status),
                  "pause_ms", cfg_.throttle_pause.count());
        storage_.with_outbox<Ok>(
            [id, d = cfg_.throttle_pause](storage::SmsOutbox& o, std::int64_t now) {
                return o.defer(id, d, now);
            },
            after("deferred"));
        return;
    }
    bool permanent = w.kind == PartOutcome::Kind::refused && is_permanent(w.status);
    std::string error = w.kind == PartOutcome::Kind::refused
                            ? fmt::format("command_status 0x{:08x}", w.status)
                            : (w.detail.empty() ? std::string("no answer") : w.detail);
    ++stats_.failed;
    log::warn("sms.attempt_failed", "outbox_id", id, "error", error, "permanent", permanent);
    // The outbox decides whether the message is retried; its state after the update tells.
    storage_.with_outbox<storage::OutboxState>(
        [id, error, permanent](storage::SmsOutbox& o,
                               std::int64_t now) -> Result<storage::OutboxState> {
            if (auto st = o.mark_failed(id, error, permanent, now); !st) return Failure{st.error()};
            auto status = o.status(id);
            if (!status) return Failure{status.error()};
            return *status ? (*status)->state : storage::OutboxState::failed;
        },
        [this, done = after("failed")](Result<storage::OutboxState> state) {
            if (state) ++(*state == storage::OutboxState::failed ? stats_.gave_up : stats_.retried);
            if (state && *state == storage::OutboxState::failed && on_final_) on_final_();
            done(state ? ok_status() : Status(Failure{state.error()}));
        });
}

void SmsSender::count_final(const storage::ReceiptOutcome& r) {
    if (!r.became_final) return;
    ++(r.message_state == storage::OutboxState::delivered ? stats_.delivered : stats_.undelivered);
    if (on_final_) on_final_();
}

bool SmsSender::on_receipt(const smpp::ShortMessage& sm) {
    auto r = parse_receipt(sm);
    if (!r) return false;
    ++stats_.receipts;
    storage_.with_outbox<storage::ReceiptOutcome>(
        [r = *r](storage::SmsOutbox& o, std::int64_t now) {
            return o.apply_receipt(r.message_id, r.stat, now);
        },
        [this, id = r->message_id, stat = r->stat](Result<storage::ReceiptOutcome> res) {
            if (res) count_final(*res);
            if (res && res->held)
                log::info("sms.receipt_held", "smpp_id", id, "stat", stat, "reason",
                          "no part has this id yet");
            else if (res)
                log::info("sms.receipt", "smpp_id", id, "stat", stat, "outbox_id", res->message_id,
                          "state", storage::to_text(res->message_state));
            else
                log::warn("sms.receipt_unmatched", "smpp_id", id, "stat", stat, "error",
                          res.error().code);
        });
    return true;
}

}  // namespace ussdgw::sms
