#include "engine/sms/ClientReceiptQueue.hpp"

#include <algorithm>

namespace ussdgw::sms {

void ClientReceiptQueue::maybe_load(const std::string& name, Account& a, TimePoint now,
                                    Actions& out) {
    if (!a.up || now < a.next_load) return;
    if (a.loading) {
        a.again = true;
        return;
    }
    a.loading = true;
    a.again = false;
    Action act;
    act.kind = Action::Kind::load;
    act.account = name;
    // Rows still unanswered or being acked come back too: room for the window beside them.
    act.limit = static_cast<int>(s_.window + a.sent.size() + a.acking.size());
    out.push_back(std::move(act));
}

ClientReceiptQueue::Actions ClientReceiptQueue::bound(const std::string& account, bool up,
                                                      TimePoint now) {
    Actions out;
    Account& a = accounts_[account];
    a.up = up;
    if (up) {
        a.next_load = std::max(now, a.retry_until);
        maybe_load(account, a, now, out);
    }
    return out;
}

ClientReceiptQueue::Actions ClientReceiptQueue::due(const std::string& account, TimePoint now) {
    Actions out;
    for (auto& [name, a] : accounts_) {
        if (!account.empty() && name != account) continue;
        a.next_load = std::max(now, a.retry_until);
        maybe_load(name, a, now, out);
    }
    return out;
}

ClientReceiptQueue::Actions ClientReceiptQueue::loaded(const std::string& account,
                                                       std::vector<storage::ClientReceipt> rows,
                                                       bool ok, TimePoint now) {
    Actions out;
    Account& a = accounts_[account];
    a.loading = false;
    if (!ok) {
        a.retry_until = now + s_.retry;
        a.next_load = a.retry_until;
        return out;
    }
    for (auto& r : rows) {
        if (!a.up || a.sent.size() >= s_.window) break;
        if (a.sent.contains(r.id) || a.acking.contains(r.id)) continue;
        a.sent.insert(r.id);
        Action act;
        act.kind = Action::Kind::send;
        act.account = account;
        act.receipt = std::move(r);
        out.push_back(std::move(act));
    }
    a.next_load = std::max(now + s_.poll, a.retry_until);
    if (a.again) {
        a.next_load = std::max(now, a.retry_until);
        maybe_load(account, a, now, out);
    }
    return out;
}

ClientReceiptQueue::Actions ClientReceiptQueue::answered(const std::string& account,
                                                         std::int64_t id, bool ok, TimePoint now) {
    Actions out;
    Account& a = accounts_[account];
    if (!a.sent.erase(id)) return out;
    if (ok) {
        a.acking.insert(id);
        Action act;
        act.kind = Action::Kind::ack;
        act.account = account;
        act.receipt.id = id;
        act.receipt.account = account;
        out.push_back(std::move(act));
        return out;
    }
    // Read again (and so sent again) only after a pause: the session may be gone.
    a.retry_until = now + s_.retry;
    a.next_load = std::max(a.next_load, a.retry_until);
    return out;
}

ClientReceiptQueue::Actions ClientReceiptQueue::acked(const std::string& account, std::int64_t id,
                                                      bool ok, TimePoint now) {
    Actions out;
    Account& a = accounts_[account];
    a.acking.erase(id);
    if (!ok) {
        a.retry_until = now + s_.retry;
        a.next_load = std::max(a.next_load, a.retry_until);
        return out;
    }
    // The window had no room for more: read what is left at once.
    if (a.sent.empty() && a.acking.empty()) {
        a.next_load = std::max(now, a.retry_until);
        maybe_load(account, a, now, out);
    }
    return out;
}

ClientReceiptQueue::Actions ClientReceiptQueue::tick(TimePoint now) {
    Actions out;
    for (auto& [name, a] : accounts_)
        maybe_load(name, a, now, out);
    return out;
}

std::optional<ClientReceiptQueue::TimePoint> ClientReceiptQueue::next_deadline() const {
    std::optional<TimePoint> t;
    for (const auto& [name, a] : accounts_)
        if (a.up && !a.loading && (!t || a.next_load < *t)) t = a.next_load;
    return t;
}

std::size_t ClientReceiptQueue::in_flight() const {
    std::size_t n = 0;
    for (const auto& [name, a] : accounts_)
        n += a.sent.size();
    return n;
}

}  // namespace ussdgw::sms
