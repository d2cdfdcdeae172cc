#include "menus/UssdDialogue.hpp"

#include <algorithm>

#include "engine/base/Log.hpp"
#include "menus/ScreenText.hpp"
#include "menus/UssdString.hpp"

namespace ussdgw::menus {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

// Last line of defence: a rendered screen never exceeds the limit (texts are checked at
// load with the widest values, so this only cuts unexpected field values). Sets `encoding`
// to the one the screen's text fits in, from the same measure.
std::string clamp_screen(std::string text, gsm::Encoding& encoding) {
    ScreenFit fit = measure_screen(text);
    if (fit.fits()) {
        encoding = fit.encoding;
        return text;
    }
    auto cps = gsm::utf8_to_u32(text);
    std::string cut;  // the text does not fit, so it is not empty: the loop runs at least once
    while (!cps.empty() && !fit.fits()) {
        cps.pop_back();
        cut = gsm::u32_to_utf8(cps);
        fit = measure_screen(cut);
    }
    log::warn("menus.screen_cut", "length", text.size());
    encoding = fit.encoding;
    return cut;
}
}  // namespace

UssdDialogue::UssdDialogue(MenuSetPtr menus, DialogueSettings settings)
    : menus_(std::move(menus)), settings_(std::move(settings)) {}

const std::string& UssdDialogue::local(const LocalText& t) const {
    return menus_->local(t, language_);
}

void UssdDialogue::arm(TimePoint now) {
    deadline_ = std::min(now + settings_.step_timeout, started_ + settings_.dialogue_timeout);
}

std::optional<std::uint64_t> UssdDialogue::pending_action() const {
    if (phase_ != DialoguePhase::awaiting_result) return std::nullopt;
    return pending_id_;
}

// The answer to an event that changes nothing: the current state, the deadline while open.
DialogueOutput UssdDialogue::quiet() const {
    DialogueOutput out;
    out.end = phase_ == DialoguePhase::ended;
    if (phase_ == DialoguePhase::awaiting_answer || phase_ == DialoguePhase::awaiting_result)
        out.deadline = deadline_;
    return out;
}

void UssdDialogue::end() {
    phase_ = DialoguePhase::ended;
    secrets_.clear();
}

DialogueOutput UssdDialogue::screen_output(const std::string& text, bool end, TimePoint now) {
    DialogueOutput out;
    out.has_screen = true;
    out.text = clamp_screen(text, out.encoding);
    out.end = end;
    if (end) {
        this->end();
    } else {
        phase_ = DialoguePhase::awaiting_answer;
        arm(now);
        out.deadline = deadline_;
    }
    return out;
}

DialogueOutput UssdDialogue::finish(const LocalText& text, TimePoint now) {
    return screen_output(substitute(local(text), vars_), true, now);
}

DialogueOutput UssdDialogue::begin(const std::string& msisdn, std::string_view ussd_string,
                                   const std::string& preferred_language, TimePoint now) {
    if (phase_ != DialoguePhase::not_begun) return quiet();
    phase_ = DialoguePhase::awaiting_answer;
    started_ = now;
    arm(now);
    msisdn_ = msisdn;
    vars_["msisdn"] = msisdn;
    language_ = menus_->language_for(preferred_language, settings_.default_language);

    auto parts = parse_ussd_string(ussd_string);
    if (!parts) {
        log::info("menus.invalid_request", "reason", parts.error().code);
        return finish(menus_->messages.invalid_request, now);
    }
    std::size_t consumed = 0;
    const ServiceCode* sc = menus_->match(*parts, consumed);
    if (!sc) return finish(menus_->messages.unknown_service, now);
    if (!sc->language.empty()) language_ = sc->language;
    // Kept last part first, so that the next part is popped off the back.
    shortcut_.assign(parts->rbegin(), parts->rend() - static_cast<std::ptrdiff_t>(consumed));
    return enter(sc->start, now);
}

DialogueOutput UssdDialogue::enter(const std::string& first, TimePoint now) {
    std::string id = first;
    // Each pass either returns or consumes one shortcut part, so this ends.
    while (true) {
        const Screen* s = menus_->screen(id);
        if (!s) return finish(menus_->messages.service_unavailable, now);
        screen_id_ = id;
        page_ = 0;
        invalid_count_ = 0;
        if (shortcut_.empty()) {
            shortcut_.shrink_to_fit();  // nothing kept in an open dialogue
            if (s->kind == ScreenKind::action) return request(*s, now);
            return show_current(now, false);
        }
        std::string part = std::move(shortcut_.back());
        shortcut_.pop_back();
        if (s->kind == ScreenKind::menu) {
            auto it = std::find_if(s->options.begin(), s->options.end(),
                                   [&](const Option& o) { return o.key == part; });
            if (it != s->options.end()) {
                id = it->next;
                continue;
            }
        }
        if (s->kind == ScreenKind::input && s->shortcut && s->rule.accepts(part)) {
            vars_[s->save_as] = part;
            id = s->next;
            continue;
        }
        if ((s->kind == ScreenKind::menu || s->kind == ScreenKind::action) && s->argument &&
            s->argument->rule.accepts(part)) {
            vars_[s->argument->save_as] = part;
            id = s->argument->next;
            continue;
        }
        shortcut_.clear();
        return finish(menus_->messages.invalid_request, now);
    }
}

DialogueOutput UssdDialogue::show_current(TimePoint now, bool invalid) {
    const Screen* s = menus_->screen(screen_id_);
    switch (s->kind) {
        case ScreenKind::menu: {
            const auto& pages = s->pages.at(language_);
            const Page& page = pages.at(std::min(page_, pages.size() - 1));
            std::string header = page_ == 0 ? substitute(local(s->text), vars_) : std::string();
            return screen_output(menu_page_text(header, s->options, page, language_,
                                                menus_->more_key, local(menus_->messages.more)),
                                 false, now);
        }
        case ScreenKind::input:
            return screen_output(substitute(local(invalid ? s->invalid : s->text), vars_), false,
                                 now);
        case ScreenKind::final_screen:
            return screen_output(substitute(local(s->text), vars_), true, now);
        case ScreenKind::action:
            break;
    }
    return finish(menus_->messages.service_unavailable, now);
}

DialogueOutput UssdDialogue::request(const Screen& s, TimePoint now) {
    ActionRequest req;
    req.id = next_action_id_++;
    req.kind = s.action;
    req.msisdn = msisdn_;
    if (auto it = s.with.find("target"); it != s.with.end()) req.target = vars_[it->second];
    if (auto it = s.with.find("puk"); it != s.with.end()) {
        auto sit = secrets_.find(it->second);
        if (sit != secrets_.end()) {
            req.puk = std::move(sit->second);
            secrets_.erase(sit);
        }
    }
    arm(now);
    phase_ = DialoguePhase::awaiting_result;
    pending_id_ = req.id;
    DialogueOutput out;
    out.action = std::move(req);
    out.deadline = deadline_;
    return out;
}

DialogueOutput UssdDialogue::invalid_answer(TimePoint now) {
    if (++invalid_count_ >= menus_->max_invalid_answers)
        return finish(menus_->messages.too_many_errors, now);
    return show_current(now, true);
}

DialogueOutput UssdDialogue::answer(std::string_view text, TimePoint now) {
    if (phase_ == DialoguePhase::not_begun || phase_ == DialoguePhase::ended) return quiet();
    if (now >= deadline_) return timeout(now);
    if (phase_ != DialoguePhase::awaiting_answer) return quiet();
    text = trim(text);
    const Screen* s = menus_->screen(screen_id_);
    if (s->kind == ScreenKind::menu) {
        const auto& pages = s->pages.at(language_);
        if (text == menus_->more_key && page_ < pages.size() && pages[page_].more) {
            ++page_;
            return show_current(now, false);
        }
        auto it = std::find_if(s->options.begin(), s->options.end(),
                               [&](const Option& o) { return o.key == text; });
        if (it != s->options.end()) return enter(it->next, now);
        return invalid_answer(now);
    }
    if (s->kind == ScreenKind::input) {
        if (!s->rule.accepts(text)) return invalid_answer(now);
        if (s->secret)
            secrets_[s->save_as] = Secret(std::string(text));
        else
            vars_[s->save_as] = std::string(text);
        return enter(s->next, now);
    }
    return quiet();
}

DialogueOutput UssdDialogue::action_result(std::uint64_t request_id, const ActionResult& result,
                                           TimePoint now) {
    if (phase_ != DialoguePhase::awaiting_result || pending_id_ != request_id) return quiet();
    if (now >= deadline_) return timeout(now);
    phase_ = DialoguePhase::awaiting_answer;  // until enter() shows or asks for what is next
    const Screen* s = menus_->screen(screen_id_);
    std::string next;
    if (auto it = s->outcomes.find(result.outcome); it != s->outcomes.end())
        next = it->second;
    else
        next = s->outcome_default;
    if (next.empty()) {
        log::warn("menus.outcome_unmapped", "action", to_string(s->action), "outcome",
                  result.outcome);
        return finish(menus_->messages.service_unavailable, now);
    }
    for (const auto& [k, v] : result.fields)
        if (find_text_field(k)) vars_[k] = v;
    return enter(next, now);
}

DialogueOutput UssdDialogue::timeout(TimePoint now) {
    if (phase_ == DialoguePhase::not_begun || phase_ == DialoguePhase::ended) return quiet();
    if (now < deadline_) return quiet();
    auto annul = pending_action();
    auto out = finish(menus_->messages.timeout, now);
    out.annul_action = annul;
    return out;
}

DialogueOutput UssdDialogue::await_result(TimePoint, TimePoint until) {
    if (phase_ != DialoguePhase::awaiting_result) return quiet();
    deadline_ = std::max(deadline_, until);
    return quiet();
}

DialogueOutput UssdDialogue::release(TimePoint) {
    if (phase_ == DialoguePhase::ended) return quiet();
    DialogueOutput out;
    out.annul_action = pending_action();
    end();
    out.end = true;
    return out;
}

DialogueOutput settle(UssdDialogue& dialogue, DialogueOutput out, ActionPerformer& domain,
                      TimePoint now) {
    for (int i = 0; i < 64 && out.action && !dialogue.ended(); ++i) {
        ActionResult r = domain.perform(*out.action);
        std::uint64_t id = out.action->id;
        out = dialogue.action_result(id, r, now);
    }
    return out;
}

}  // namespace ussdgw::menus
