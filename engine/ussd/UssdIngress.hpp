// engine/ussd: the seam between the transport-neutral USSD core and its ingresses.
//
// An ingress (SMPP client link, SMPP listener account, HTTP aggregator account) translates
// what its transport carries into these neutral events and hands them to `UssdService`
// (`begin`, `answer`, `release`); the core answers every begin/answer with exactly one
// `UssdScreen` through the `ScreenSink` the ingress registered under its name
// (`register_ingress`), possibly later since actions run asynchronously, unless the
// dialogue was released. Ingress names are unique across kinds ("smpp:<link>",
// "smpp-server:<account>", "http:<account>"), so dialogues of two ingresses never share a
// table entry and the same subscriber may hold a dialogue on each. Screens are UTF-8; the
// ingress chooses the coding its transport needs.
#pragma once

#include <compare>
#include <functional>
#include <string>

namespace ussdgw::ussd {

// Which dialogue: the ingress name ("smpp:<link>", "smpp-server:<account>", "http:<account>")
// and the ingress's own session key. Two ingresses never share an entry by accident.
struct IngressKey {
    std::string ingress;
    std::string session;
    auto operator<=>(const IngressKey&) const = default;
};

// What a subscriber did on an ingress, transport-neutral.
struct UssdBegin {
    IngressKey key;
    std::string subscriber;
    std::string service_code;
    std::string text;
};
struct UssdAnswer {
    IngressKey key;
    std::string text;
};
struct UssdRelease {
    IngressKey key;
};

// What the core answers: a screen, final or not (UTF-8; the ingress chooses the coding).
struct UssdScreen {
    IngressKey key;
    std::string text;
    bool final = false;
};

// An ingress registers a sink for its name; the core calls it for every screen of its
// dialogues.
using ScreenSink = std::function<void(const UssdScreen&)>;

}  // namespace ussdgw::ussd
