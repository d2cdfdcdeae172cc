#include "engine/EngineMetrics.hpp"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <tuple>

#include "engine/Engine.hpp"

namespace ussdgw {

namespace {

using metrics::Exposition;
using metrics::Labels;

// The ingress label is the kind of ingress ("smpp" for client links, "smpp-server" for the
// listener's accounts, "http"): the part of the ingress name before ':'.
std::string ingress_kind(const std::string& name) {
    return name.substr(0, name.find(':'));
}

// Every loop's USSD counters, summed by ingress kind.
void ussd_metrics(Exposition& out, const std::vector<UssdStats>& loops) {
    struct Sums {
        ussd::UssdDialogues::IngressStats stats;
        metrics::Histogram::Snapshot steps;
        bool has_steps = false;
    };
    std::map<std::string, Sums> by_kind;
    for (const auto& loop : loops) {
        for (const auto& name : loop.ingresses)
            by_kind[ingress_kind(name)];
        for (const auto& [name, s] : loop.dialogues) {
            auto& sum = by_kind[ingress_kind(name)].stats;
            sum.begun += s.begun;
            sum.active += s.active;
            for (std::size_t i = 0; i < s.ended.size(); ++i)
                sum.ended[i] += s.ended[i];
        }
        for (const auto& [name, snap] : loop.steps) {
            auto& sum = by_kind[ingress_kind(name)];
            if (!sum.has_steps) {
                sum.steps = snap;
                sum.has_steps = true;
            } else {  // the same buckets (latency_buckets) for every ingress
                for (std::size_t i = 0; i < snap.cumulative.size(); ++i)
                    sum.steps.cumulative[i] += snap.cumulative[i];
                sum.steps.sum += snap.sum;
            }
        }
    }
    const char* ended_help =
        "USSD dialogues ended, by ingress and outcome (completed: the menu ended it; "
        "timeout; released by the network, a new dial or the ingress; shutdown; ingress_gone).";
    for (auto& [kind, sum] : by_kind) {
        out.counter("ussd_dialogues_begun_total", "USSD dialogues begun, by ingress.",
                    {{"ingress", kind}}, static_cast<double>(sum.stats.begun));
        for (auto outcome : ussd::kDialogueOutcomes)
            out.counter("ussd_dialogues_ended_total", ended_help,
                        {{"ingress", kind}, {"outcome", ussd::outcome_name(outcome)}},
                        static_cast<double>(sum.stats.ended_as(outcome)));
        out.gauge("ussd_dialogues_active", "USSD dialogues open now, by ingress.",
                  {{"ingress", kind}}, static_cast<double>(sum.stats.active));
        if (!sum.has_steps) {
            sum.steps.bounds = metrics::latency_buckets();
            sum.steps.cumulative.assign(sum.steps.bounds.size() + 1, 0);
        }
        out.histogram("ussd_step_duration_seconds",
                      "Time from a USSD request (dial or answer) to the screen answering it, by "
                      "ingress.",
                      {{"ingress", kind}}, sum.steps);
    }
}

// PDUs of one link or listener, summed by their labels (several unknown command_ids all
// read "unknown").
void pdu_metrics(Exposition& out, const std::string& link, const smpp::PduTally& tally) {
    std::map<std::tuple<bool, std::string, std::string>, std::uint64_t> sums;
    for (const auto& c : tally.counts())
        sums[{c.out, smpp::command_name(c.command_id), fmt::format("0x{:08x}", c.status)}] +=
            c.count;
    if (tally.overflow() > 0) sums[{false, "other", "other"}] += tally.overflow();
    for (const auto& [key, n] : sums) {
        const auto& [sent, command, status] = key;
        out.counter("smpp_pdus_total",
                    "SMPP PDUs by link (\"server\" for the listener), direction, command and "
                    "command_status.",
                    {{"link", link},
                     {"direction", sent ? "out" : "in"},
                     {"command", command},
                     {"status", status}},
                    static_cast<double>(n));
    }
}

// The client links (the main loop's and the link loops') and the listener.
void smpp_metrics(Exposition& out, const std::vector<LinkLoop::LinkStats>& links,
                  smpp::SmppService& smpp) {
    for (const auto& link : links) {
        out.gauge("smpp_link_bound", "1 while the SMPP client link is bound, else 0.",
                  {{"link", link.name}}, link.bound ? 1 : 0);
        pdu_metrics(out, link.name, link.tally);
    }
    if (auto* server = smpp.server()) {
        out.gauge("smpp_server_connections", "Connections open on the SMPP listener.", {},
                  static_cast<double>(server->connection_count()));
        pdu_metrics(out, "server", server->pdu_tally());
    }
}

void sms_metrics(Exposition& out, const sms::SmsService& service, storage::Storage& storage) {
    const auto& s = service.sender().stats();
    for (const auto& [route, n] : service.parts_sent())
        out.counter("sms_parts_answered_total",
                    "SMS parts sent and answered (or given up on), by the way they left.",
                    {{"via", sms::route_kind_name(route.kind)}, {"name", route.name}},
                    static_cast<double>(n));
    out.counter("sms_parts_held_total",
                "SMS parts left without an answer (connection lost, or response timeout), held "
                "until their first send could no longer be answered before being sent again.",
                {}, static_cast<double>(service.stats().held));
    out.counter("sms_parts_late_answers_total",
                "SMS parts answered after their response timeout, within the late window (the "
                "answer is taken and the part is not sent again).",
                {}, static_cast<double>(service.stats().late_answers));
    out.counter("sms_submitted_total", "SMS whose every part the SMSC accepted.", {},
                static_cast<double>(s.submitted));
    out.counter("sms_delivered_total", "SMS that delivery receipts reported delivered.", {},
                static_cast<double>(s.delivered));
    const char* failed_help =
        "SMS that ended failed, by stage (submit: refused for good or out of attempts; "
        "delivery: a receipt said undeliverable).";
    out.counter("sms_failed_total", failed_help, {{"stage", "submit"}},
                static_cast<double>(s.gave_up));
    out.counter("sms_failed_total", failed_help, {{"stage", "delivery"}},
                static_cast<double>(s.undelivered));
    out.counter("sms_retried_total", "SMS attempts that failed and were scheduled again.", {},
                static_cast<double>(s.retried));
    out.counter("sms_throttled_total",
                "SMS deferred by throttling answers (ESME_RTHROTTLED, ESME_RMSGQFUL).", {},
                static_cast<double>(s.deferred));
    auto depth = storage.outbox_depth();
    if (!depth) return;
    const char* depth_help = "SMS in the outbox not yet final, by state.";
    out.gauge("sms_outbox_messages", depth_help, {{"state", "pending"}},
              static_cast<double>(depth->pending));
    out.gauge("sms_outbox_messages", depth_help, {{"state", "sending"}},
              static_cast<double>(depth->sending));
    out.gauge("sms_outbox_messages", depth_help, {{"state", "submitted"}},
              static_cast<double>(depth->submitted));
    double age = 0;
    if (depth->oldest_pending_created_ms)
        age = std::max<double>(
            0, static_cast<double>(storage.now() - *depth->oldest_pending_created_ms) / 1000.0);
    out.gauge("sms_outbox_oldest_pending_age_seconds",
              "Age of the oldest pending SMS in the outbox (0 when none is pending).", {}, age);
}

void integrator_metrics(Exposition& out, const sms::SmppSmsIngress& ingress) {
    const auto& s = ingress.stats();
    const char* help =
        "Integrators' SMS requests on the listener (sms role), by outcome (accepted: committed "
        "to the outbox; throttled: sms_throughput; queue_full: sms_max_queued; refused: "
        "anything else).";
    out.counter("sms_integrator_requests_total", help, {{"outcome", "accepted"}},
                static_cast<double>(s.accepted));
    out.counter("sms_integrator_requests_total", help, {{"outcome", "throttled"}},
                static_cast<double>(s.throttled));
    out.counter("sms_integrator_requests_total", help, {{"outcome", "queue_full"}},
                static_cast<double>(s.queue_full));
    out.counter("sms_integrator_requests_total", help, {{"outcome", "refused"}},
                static_cast<double>(s.refused));
    out.counter("sms_integrator_receipts_sent_total",
                "Delivery receipts sent to integrators as deliver_sm (resends included).", {},
                static_cast<double>(s.receipts_sent));
    out.counter("sms_integrator_receipts_acked_total",
                "Delivery receipts integrators acknowledged (each once).", {},
                static_cast<double>(s.receipts_acked));
}

void storage_metrics(Exposition& out, storage::Storage& storage) {
    out.gauge("storage_hash_queue_depth", "Password hashing tasks waiting for a worker.", {},
              static_cast<double>(storage.hasher().queue_depth()));
    const auto refused = storage.hasher().refusals();
    const char* refused_help =
        "Password hashing requests refused with storage.busy, by reason: queue_full "
        "(hash_queue_limit), wait_estimate (estimated wait over hash_max_wait) and expired "
        "(waited past hash_max_wait, not run).";
    out.counter("storage_hash_refused_total", refused_help, {{"reason", "queue_full"}},
                static_cast<double>(refused.queue_full));
    out.counter("storage_hash_refused_total", refused_help, {{"reason", "wait_estimate"}},
                static_cast<double>(refused.wait_estimate));
    out.counter("storage_hash_refused_total", refused_help, {{"reason", "expired"}},
                static_cast<double>(refused.expired));
    out.counter("storage_hash_rest_seconds_total",
                "Time the hash workers rested after hashes on a busy engine "
                "(hash_duty_percent), added up.",
                {}, std::chrono::duration<double>(storage.hasher().rested()).count());
    out.histogram("storage_commit_batch_size", "Changes per group-commit transaction.", {},
                  storage.committer().batch_sizes().snapshot());
    out.histogram("storage_commit_duration_seconds",
                  "Time of one group-commit transaction, BEGIN to the end of COMMIT (its work "
                  "and the fsync).",
                  {}, storage.committer().commit_seconds().snapshot());
    const auto checkpoints = storage.committer().checkpoint_stats();
    const char* checkpoints_help =
        "WAL checkpoints run, by who ran them: the checkpointer thread, or the writer in a "
        "commit once the WAL reached its backstop (storage/WalCheckpointer.hpp).";
    out.counter("storage_checkpoints_total", checkpoints_help, {{"by", "checkpointer"}},
                static_cast<double>(checkpoints.checkpoints));
    out.counter("storage_checkpoints_total", checkpoints_help, {{"by", "writer"}},
                static_cast<double>(checkpoints.by_writer));
    out.gauge("storage_wal_pages", "Pages in the database's WAL after the last commit.", {},
              static_cast<double>(checkpoints.wal_pages));
}

}  // namespace

void add_engine_metrics(metrics::Registry& registry, Engine& engine) {
    registry
        .gauge("build_info", "The running ussdgw's version (always 1).",
               {{"version", USSDGW_VERSION}})
        .set(1);
    registry.add_collector([&engine](Exposition& out) {
        std::vector<UssdStats> ussd{engine.ussd_stack().stats()};
        std::vector<LinkLoop::LinkStats> links;
        for (const auto& link : engine.smpp().links())
            links.push_back({link->name(), link->bound(), link->pdu_tally()});
        for (const auto& loop : engine.link_loops()) {
            auto s = loop->stats();
            ussd.push_back(std::move(s.ussd));
            links.insert(links.end(), s.links.begin(), s.links.end());
        }
        ussd_metrics(out, ussd);
        smpp_metrics(out, links, engine.smpp());
        sms_metrics(out, engine.sms(), engine.storage());
        integrator_metrics(out, engine.sms_ingress());
        storage_metrics(out, engine.storage());
    });
}

}  // namespace ussdgw
