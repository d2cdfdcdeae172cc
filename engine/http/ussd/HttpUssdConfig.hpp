// The settings of the HTTP USSD ingress: one aggregator account per [[ussd.http]] entry in
// conf/ussdgw.toml (parsed and validated by engine/config/UssdHttpSection; every key is
// documented there). A request is the account's when it comes from one of its allowed
// addresses and/or carries its HTTP basic credentials; the password is held only as its
// SHA-256 digest (the config gives that digest, or a file holding the password).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "engine/http/ussd/HttpUssdSessions.hpp"

namespace ussdgw::http {

struct HttpUssdAccount {
    std::string name;                            // the ingress is "http:<name>"
    std::string path = "/ussd";                  // POST route (accounts may share one)
    std::vector<std::string> allowed_addresses;  // peer IPs, normalised; empty = any
    std::string user;                            // HTTP basic user; "" = no credentials
    std::array<unsigned char, 32> password_sha256{};
    HttpUssdLimits limits;
};

}  // namespace ussdgw::http
