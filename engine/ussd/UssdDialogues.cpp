#include "engine/ussd/UssdDialogues.hpp"

#include "engine/base/Log.hpp"

namespace ussdgw::ussd {

const char* outcome_name(DialogueOutcome o) {
    switch (o) {
        case DialogueOutcome::completed:
            return "completed";
        case DialogueOutcome::timeout:
            return "timeout";
        case DialogueOutcome::released:
            return "released";
        case DialogueOutcome::shutdown:
            return "shutdown";
        case DialogueOutcome::ingress_gone:
            return "ingress_gone";
    }
    return "unknown";
}

UssdDialogues::UssdDialogues(MenuSource menus, menus::DialogueSettings settings,
                             LanguageOf language_of)
    : menus_(std::move(menus)),
      settings_(std::move(settings)),
      language_of_(std::move(language_of)) {}

void UssdDialogues::erase(Entry& e) {
    if (e.deadline) deadlines_.erase({*e.deadline, e.id});
    by_key_.erase(view(e.key));
    auto [first, last] = by_subscriber_.equal_range({e.key.ingress, e.subscriber});
    for (auto it = first; it != last; ++it) {
        if (it->second == e.id) {
            by_subscriber_.erase(it);
            break;
        }
    }
    --stats_of(e.key.ingress).active;
    dialogues_.erase(e.id);
}

void UssdDialogues::annul(Entry& e, std::uint64_t request, Actions& out) {
    if (!e.pending || e.pending->cancel()) {
        out.annulled.push_back(request);
        ++stats_of(e.key.ingress).annulled;
        log::info("ussd.action_annulled", "ingress", e.key.ingress, "dialogue", e.id, "request",
                  request);
    } else {
        // Storage had begun writing it: it will be written (or refused) all the same.
        log::warn("ussd.action_not_annulled", "ingress", e.key.ingress, "dialogue", e.id, "request",
                  request, "reason", "storage had begun writing it");
    }
    e.pending.reset();
}

void UssdDialogues::final_screen(const IngressKey& key, const std::string& text, Actions& out) {
    out.screens.push_back(UssdScreen{key, text, true});
}

void UssdDialogues::apply(Entry& e, menus::DialogueOutput&& o, DialogueOutcome how, TimePoint now,
                          Actions& out) {
    if (o.annul_action) annul(e, *o.annul_action, out);
    if (o.has_screen) out.screens.push_back(UssdScreen{e.key, o.text, o.end});
    if (o.has_screen && e.step_began) {
        auto [it, _] = steps_.try_emplace(e.key.ingress, metrics::latency_buckets());
        it->second.observe(std::chrono::duration<double>(now - *e.step_began).count());
        e.step_began.reset();
    }
    if (o.action) {
        o.action->cancellation = std::make_shared<Cancellation>();
        e.pending = o.action->cancellation;
        e.awaiting_write = false;
        out.performs.push_back(Perform{e.id, std::move(*o.action)});
    }
    if (e.deadline) deadlines_.erase({*e.deadline, e.id});
    e.deadline = o.deadline;
    if (o.end || e.dialogue.ended()) {
        ++stats_of(e.key.ingress).ended[static_cast<int>(how)];
        erase(e);
        return;
    }
    if (e.deadline) deadlines_.insert({*e.deadline, e.id});
}

void UssdDialogues::end_silently(Entry& e, DialogueOutcome how, TimePoint now, Actions& out) {
    auto o = e.dialogue.release(now);
    o.has_screen = false;
    o.end = true;
    apply(e, std::move(o), how, now, out);
}

void UssdDialogues::begin(const UssdBegin& event, TimePoint now, Actions& out) {
    // A phone holds one USSD session at a time: a new dial ends the subscriber's other
    // dialogues on this ingress (the same key included: the network started over), and the
    // changes they were waiting for must not be written.
    std::vector<std::uint64_t> others;
    auto [first, last] = by_subscriber_.equal_range({event.key.ingress, event.subscriber});
    for (auto it = first; it != last; ++it)
        others.push_back(it->second);
    if (auto same = by_key_.find(view(event.key)); same != by_key_.end())
        others.push_back(same->second);
    for (std::uint64_t id : others) {
        auto it = dialogues_.find(id);
        if (it == dialogues_.end()) continue;
        log::info("ussd.release", "ingress", event.key.ingress, "dialogue", id, "reason",
                  "new_dial");
        end_silently(it->second, DialogueOutcome::released, now, out);
    }
    menus::MenuSetPtr set = menus_();
    if (!set) {
        log::error("ussd.no_menus", "ingress", event.key.ingress);
        return;
    }
    IngressStats& stats = stats_of(event.key.ingress);
    ++stats.begun;
    ++stats.active;
    std::uint64_t id = next_id_++;
    auto [it, _] = dialogues_.emplace(
        id, Entry{id, event.key, event.subscriber, menus::UssdDialogue(std::move(set), settings_),
                  std::nullopt, nullptr, false, now});
    Entry& e = it->second;
    by_key_.emplace(view(e.key), id);
    by_subscriber_.emplace(SubscriberKey{e.key.ingress, e.subscriber}, id);
    log::info("ussd.begin", "ingress", event.key.ingress, "dialogue", id, "code", event.text);
    std::string language = language_of_ ? language_of_(event.subscriber) : "";
    apply(e, e.dialogue.begin(event.subscriber, event.text, language, now),
          DialogueOutcome::completed, now, out);
}

void UssdDialogues::answer(const UssdAnswer& event, TimePoint now, Actions& out) {
    auto found = by_key_.find(view(event.key));
    IngressStats& stats = stats_of(event.key.ingress);
    if (found == by_key_.end()) {
        ++stats.orphan_answers;
        if (auto set = menus_())
            final_screen(event.key, set->messages.timeout.at(set->default_language), out);
        return;
    }
    ++stats.answers;
    Entry& e = dialogues_.at(found->second);
    e.step_began = now;
    apply(e, e.dialogue.answer(event.text, now), DialogueOutcome::completed, now, out);
}

void UssdDialogues::release(const UssdRelease& event, TimePoint now, Actions& out) {
    auto found = by_key_.find(view(event.key));
    if (found == by_key_.end()) return;
    Entry& e = dialogues_.at(found->second);
    log::info("ussd.release", "ingress", e.key.ingress, "dialogue", e.id);
    apply(e, e.dialogue.release(now), DialogueOutcome::released, now, out);
}

void UssdDialogues::refuse(const IngressKey& key, TimePoint now, Actions& out) {
    ++stats_of(key.ingress).refused;
    if (auto found = by_key_.find(view(key)); found != by_key_.end())
        end_silently(dialogues_.at(found->second), DialogueOutcome::released, now, out);
    if (auto set = menus_())
        final_screen(key, set->messages.invalid_request.at(set->default_language), out);
}

void UssdDialogues::end_ingress(const std::string& ingress, TimePoint now, Actions& out) {
    std::vector<std::uint64_t> ids;  // the oldest first
    for (const auto& [id, e] : dialogues_)
        if (e.key.ingress == ingress) ids.push_back(id);
    for (std::uint64_t id : ids) {
        log::info("ussd.release", "ingress", ingress, "dialogue", id, "reason", "ingress_gone");
        end_silently(dialogues_.at(id), DialogueOutcome::ingress_gone, now, out);
    }
}

void UssdDialogues::on_action_result(std::uint64_t dialogue, std::uint64_t request_id,
                                     const menus::ActionResult& result, TimePoint now,
                                     Actions& out) {
    auto it = dialogues_.find(dialogue);
    if (it == dialogues_.end()) {
        // Ended meanwhile: either the request was annulled (nothing written) or storage had
        // begun writing it before the end (the log says what became of it).
        if (result.outcome != menus::outcome::annulled)
            log::info("ussd.outcome_after_end", "dialogue", dialogue, "request", request_id,
                      "outcome", result.outcome);
        return;
    }
    Entry& e = it->second;
    if (e.dialogue.pending_action() == request_id) e.pending.reset();
    apply(e, e.dialogue.action_result(request_id, result, now), DialogueOutcome::completed, now,
          out);
}

void UssdDialogues::on_timer(TimePoint now, Actions& out) {
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
        std::uint64_t id = deadlines_.begin()->second;
        deadlines_.erase(deadlines_.begin());
        auto it = dialogues_.find(id);
        if (it == dialogues_.end()) continue;
        Entry& e = it->second;
        e.deadline.reset();
        if (e.pending && !e.awaiting_write && !e.pending->cancel()) {
            // Too late to annul: storage is writing the change. Show its outcome when it
            // comes rather than a timeout that would suggest that nothing was done.
            e.awaiting_write = true;
            log::info("ussd.awaiting_outcome", "ingress", e.key.ingress, "dialogue", id);
            apply(e, e.dialogue.await_result(now, now + kOutcomeWait), DialogueOutcome::timeout,
                  now, out);
            continue;
        }
        log::info("ussd.timeout", "ingress", e.key.ingress, "dialogue", id);
        apply(e, e.dialogue.timeout(now), DialogueOutcome::timeout, now, out);
    }
}

void UssdDialogues::shutdown(TimePoint now, Actions& out) {
    while (!dialogues_.empty()) {
        Entry& e = dialogues_.begin()->second;
        // The subscriber is told the service is unavailable (in the dialogue's language);
        // a pending action is annulled.
        auto o = e.dialogue.release(now);
        const menus::LocalText& text = e.dialogue.menus().messages.service_unavailable;
        auto lang = text.find(e.dialogue.language());
        if (lang == text.end()) lang = text.find(e.dialogue.menus().default_language);
        if (lang != text.end()) {
            o.has_screen = true;
            o.text = lang->second;
        }
        o.end = true;
        apply(e, std::move(o), DialogueOutcome::shutdown, now, out);
    }
}

std::optional<TimePoint> UssdDialogues::next_deadline() const {
    if (deadlines_.empty()) return std::nullopt;
    return deadlines_.begin()->first;
}

}  // namespace ussdgw::ussd
