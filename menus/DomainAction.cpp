#include "menus/DomainAction.hpp"

#include <cassert>

namespace ussdgw::menus {

namespace {
using namespace outcome;

std::vector<std::string_view> with_common(std::vector<std::string_view> v) {
    v.push_back(not_found);
    v.push_back(suspended);
    v.push_back(error);
    return v;
}
}  // namespace

const std::vector<ActionSpec>& action_specs() {
    static const std::vector<ActionSpec> specs = {
        {ActionKind::issue_password,
         "issue_password",
         {},
         with_common(
             {ok, rate_limited, closed_by_subscriber, closed_by_organisation, closed_by_operator})},
        {ActionKind::access_state,
         "access_state",
         {},
         with_common(
             {access_open, closed_by_subscriber, closed_by_organisation, closed_by_operator})},
        {ActionKind::open_access,
         "open_access",
         {"puk"},
         with_common({ok, puk_wrong, puk_locked, closed_by_organisation, closed_by_operator})},
        {ActionKind::close_access,
         "close_access",
         {},
         with_common({ok, closed_by_organisation, closed_by_operator})},
        {ActionKind::managed_access_state,
         "managed_access_state",
         {"target"},
         with_common({access_open, closed_by_subscriber, closed_by_organisation, closed_by_operator,
                      not_manager, not_same_client})},
        {ActionKind::managed_open_access,
         "managed_open_access",
         {"target"},
         with_common({ok, closed_by_operator, not_manager, not_same_client})},
        {ActionKind::managed_close_access,
         "managed_close_access",
         {"target"},
         with_common({ok, closed_by_operator, not_manager, not_same_client})},
    };
    return specs;
}

const ActionSpec* find_action(std::string_view name) {
    for (const auto& s : action_specs())
        if (s.name == name) return &s;
    return nullptr;
}

const ActionSpec& spec_of(ActionKind kind) {
    for (const auto& s : action_specs())
        if (s.kind == kind) return s;
    assert(false);
    return action_specs().front();
}

std::string_view to_string(ActionKind kind) {
    return spec_of(kind).name;
}

const std::vector<TextField>& text_fields() {
    static const std::vector<TextField> fields = {
        {"msisdn", 15}, {"target", 15}, {"attempts_left", 3}, {"until", 16}, {"retry_after", 16}};
    return fields;
}

const TextField* find_text_field(std::string_view name) {
    for (const auto& f : text_fields())
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace ussdgw::menus
