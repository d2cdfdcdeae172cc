// The routes of those who manage other numbers: administrators and supervisors of a legal
// entity (/api/v1/org, within their client: another client's number is answered exactly
// like an unknown one) and the operator's staff (/api/v1/ops, named tokens; the name goes
// into the audit log).
#include "engine/api/CabinetApi.hpp"
#include "engine/base/Log.hpp"

namespace ussdgw::api {

namespace {

ApiResult<storage::Msisdn> path_msisdn(const HttpRequest& req) {
    return read_msisdn(req.param("msisdn").value_or(""), "msisdn");
}

bool is_csv(std::string_view content_type) {
    std::string t(content_type.substr(0, content_type.find(';')));
    for (auto& c : t)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!t.empty() && t.back() == ' ')
        t.pop_back();
    return t == "text/csv";
}

}  // namespace

void CabinetApi::add_org_routes(http::Router& router) {
    router.add(
        Verb::get, "/api/v1/org/subscribers", [this](const HttpRequest& req, HttpResponder r) {
            auto s = manager(req, r);
            if (!s) return;
            auto q = read_query(req, {"prefix", "access", "limit", "after"});
            if (!q) return r.send(error_response(q.error()));
            storage::OrgFilter f;
            if (auto prefix = query_value(*q, "prefix")) {
                bool ok = !prefix->empty() && prefix->size() <= 15 &&
                          std::all_of(prefix->begin(), prefix->end(),
                                      [](char c) { return c >= '0' && c <= '9'; });
                if (!ok)
                    return r.send(error_response(field_error("request.invalid_query", "prefix",
                                                             "prefix is 1 to 15 digits")));
                f.prefix = *prefix;
            }
            if (auto access = query_value(*q, "access")) {
                if (*access != "open" && *access != "closed")
                    return r.send(error_response(field_error("request.invalid_query", "access",
                                                             "access is open or closed")));
                f.access_open = *access == "open";
            }
            auto limit = query_int(*q, "limit", 50, 1, 200);
            if (!limit) return r.send(error_response(limit.error()));
            f.limit = static_cast<int>(*limit);
            if (auto after = query_value(*q, "after")) {
                auto m = storage::Msisdn::parse(*after);
                if (!m)
                    return r.send(error_response(
                        field_error("request.invalid_query", "after", m.error().message)));
                f.after = m->number();
            }
            auto page = web_->client_subscribers(s->ctx.record.subscriber.client_id, f);
            if (!page) return refuse(r, page.error());
            Json items = Json::array();
            for (const auto& rec : page->items)
                items.push_back(org_subscriber_json(rec));
            r.send(
                json_ok({{"items", items},
                         {"next_after", page->next ? Json(std::to_string(*page->next)) : Json()}}));
        });

    router.add(Verb::get, "/api/v1/org/subscribers/{msisdn}",
               [this](const HttpRequest& req, HttpResponder r) {
                   auto s = manager(req, r);
                   if (!s) return;
                   if (auto q = read_query(req, {}); !q) return r.send(error_response(q.error()));
                   auto m = path_msisdn(req);
                   if (!m) return r.send(error_response(m.error()));
                   auto rec = web_->managed(s->ctx, *m);
                   if (!rec) return refuse(r, rec.error());
                   r.send(json_ok(org_subscriber_json(*rec)));
               });

    for (bool open : {false, true}) {
        router.add(Verb::post,
                   open ? "/api/v1/org/subscribers/{msisdn}/access/open"
                        : "/api/v1/org/subscribers/{msisdn}/access/close",
                   [this, open](const HttpRequest& req, HttpResponder r) {
                       auto s = manager(req, r);
                       if (!s) return;
                       if (auto b = read_no_body(req); !b) return r.send(error_response(b.error()));
                       auto m = path_msisdn(req);
                       if (!m) return r.send(error_response(m.error()));
                       // Another client's number: exactly like an unknown one, before any rule.
                       if (auto rec = web_->managed(s->ctx, *m); !rec)
                           return refuse(r, rec.error());
                       web_->manager_set_access(s->ctx, *m, open,
                                                answer<storage::SubscriberRecord>(
                                                    r, [r](const storage::SubscriberRecord& rec) {
                                                        r.send(json_ok(org_subscriber_json(rec)));
                                                    }));
                   });
    }
}

void CabinetApi::add_ops_routes(http::Router& router) {
    // After a change: the subscriber as the staff sees it.
    auto answer_record = [this](HttpResponder r, storage::Msisdn m, HttpStatus status) {
        auto rec = web_->subscriber(m);
        if (!rec) return refuse(r, rec.error());
        if (!*rec)
            return r.send(error_response(
                api_error(HttpStatus::not_found, "not_found", "no such subscriber")));
        r.send(json_ok(staff_subscriber_json(**rec, cfg_.currency, now()), status));
    };
    // A change's callback: the subscriber as it is after the change.
    auto then_record = [this, answer_record](HttpResponder r, storage::Msisdn m) {
        return answer<Ok>(r, [answer_record, r, m](Ok) { answer_record(r, m, HttpStatus::ok); });
    };
    // The staff's paged views of one subscriber: the number and the page asked for; an
    // unknown number is answered 404 (nullopt once an answer was sent).
    auto known_page =
        [this](const HttpRequest& req,
               const HttpResponder& r) -> std::optional<std::pair<storage::Msisdn, PageArgs>> {
        if (!staff(req, r)) return std::nullopt;
        auto m = path_msisdn(req);
        auto p = read_page(req);
        if (!m || !p) {
            r.send(error_response(!m ? m.error() : p.error()));
            return std::nullopt;
        }
        auto known = web_->subscriber(*m);
        if (!known || !*known) {
            if (!known)
                refuse(r, known.error());
            else
                r.send(error_response(
                    api_error(HttpStatus::not_found, "not_found", "no such subscriber")));
            return std::nullopt;
        }
        return std::pair{*m, *p};
    };

    router.add(Verb::post, "/api/v1/ops/subscribers/import",
               [this](const HttpRequest& req, HttpResponder r) {
                   auto who = staff(req, r);
                   if (!who) return;
                   auto q = read_query(req, {"partial"});
                   if (!q) return r.send(error_response(q.error()));
                   bool partial = false;
                   if (auto p = query_value(*q, "partial")) {
                       if (*p != "true" && *p != "false")
                           return r.send(error_response(field_error(
                               "request.invalid_query", "partial", "partial is true or false")));
                       partial = *p == "true";
                   }
                   if (!is_csv(req.header("Content-Type")))
                       return r.send(error_response(api_error(HttpStatus::unsupported_media_type,
                                                              "request.unsupported_media_type",
                                                              "the body must be text/csv")));
                   log::info("api.import", "staff", *who, "bytes", req.body().size(), "partial",
                             partial);
                   web_->import_subscribers(
                       req.body(), partial,
                       answer<storage::ImportSummary>(r, [r](const storage::ImportSummary& sum) {
                           Json errors = Json::array();
                           for (const auto& e : sum.errors)
                               errors.push_back({{"line", e.line}, {"message", e.message}});
                           r.send(json_ok({{"rows", sum.rows},
                                           {"inserted", sum.inserted},
                                           {"updated", sum.updated},
                                           {"unchanged", sum.unchanged},
                                           {"rejected", sum.rejected},
                                           {"written", sum.written},
                                           {"errors", errors}}));
                       }));
               });

    router.add(Verb::get, "/api/v1/ops/subscribers/{msisdn}",
               [this, answer_record](const HttpRequest& req, HttpResponder r) {
                   if (!staff(req, r)) return;
                   if (auto q = read_query(req, {}); !q) return r.send(error_response(q.error()));
                   auto m = path_msisdn(req);
                   if (!m) return r.send(error_response(m.error()));
                   answer_record(r, *m, HttpStatus::ok);
               });

    router.add(
        Verb::put, "/api/v1/ops/subscribers/{msisdn}",
        [this, answer_record](const HttpRequest& req, HttpResponder r) {
            auto who = staff(req, r);
            if (!who) return;
            auto m = path_msisdn(req);
            if (!m) return r.send(error_response(m.error()));
            auto body = read_object(req, {{"client_id", FieldKind::string},
                                          {"client_kind", FieldKind::string},
                                          {"role", FieldKind::string},
                                          {"tariff_plan", FieldKind::string},
                                          {"puk1", FieldKind::string, false},
                                          {"puk_login", FieldKind::boolean, false},
                                          {"service_state", FieldKind::string},
                                          {"payment", FieldKind::string},
                                          {"balance", FieldKind::integer},
                                          {"language", FieldKind::string, false}});
            if (!body) return r.send(error_response(body.error()));
            const Json& b = *body;
            storage::Subscriber s;
            s.msisdn = *m;
            auto invalid = [&r](const char* field, std::string message) {
                r.send(error_response(
                    field_error("request.invalid_field", field, std::move(message))));
            };
            s.client_id = b["client_id"].get<std::string>();
            if (auto st = storage::check_client_id(s.client_id); !st)
                return invalid("client_id", st.error().message);
            auto kind = storage::client_kind_from_text(b["client_kind"].get<std::string>());
            if (!kind) return invalid("client_kind", "client_kind is individual or legal_entity");
            s.client_kind = *kind;
            auto role = storage::role_from_text(b["role"].get<std::string>());
            if (!role) return invalid("role", "role is subscriber, supervisor or administrator");
            s.role = *role;
            if (auto st = storage::rules::check_role(s.client_kind, s.role); !st)
                return refuse(r, st.error());
            s.tariff_plan = b["tariff_plan"].get<std::string>();
            if (auto st = storage::check_tariff_plan(s.tariff_plan, storage_.config()); !st)
                return invalid("tariff_plan", st.error().message);
            std::optional<Secret> puk;
            if (b.contains("puk1")) {
                std::string p = b["puk1"].get<std::string>();
                if (!storage::is_puk1(p)) return invalid("puk1", "puk1 must be exactly 8 digits");
                puk = Secret(std::move(p));
            }
            s.puk_login_enabled = b.value("puk_login", false);
            auto service = storage::service_state_from_text(b["service_state"].get<std::string>());
            if (!service) return invalid("service_state", "service_state is active or suspended");
            s.service = *service;
            auto pay = storage::payment_from_text(b["payment"].get<std::string>());
            if (!pay) return invalid("payment", "payment is prepaid or postpaid");
            s.payment = *pay;
            s.balance_minor = b["balance"].get<std::int64_t>();
            s.language = b.value("language", std::string());
            if (auto st = storage::check_language(s.language); !st)
                return invalid("language", st.error().message);
            storage::Msisdn target = *m;
            web_->put_subscriber(
                std::move(s), std::move(puk), *who,
                lifetime_.guard([this, r, target, answer_record](Result<bool> created) {
                    if (!created) {
                        if (created.error().code == "puk1.required")
                            return r.send(
                                error_response(field_error("request.missing_field", "puk1",
                                                           "a new subscriber needs its PUK1")));
                        return refuse(r, created.error());
                    }
                    answer_record(r, target, *created ? HttpStatus::created : HttpStatus::ok);
                }));
        });

    router.add(Verb::post, "/api/v1/ops/subscribers/{msisdn}/access/close",
               [this, then_record](const HttpRequest& req, HttpResponder r) {
                   auto who = staff(req, r);
                   if (!who) return;
                   auto m = path_msisdn(req);
                   if (!m) return r.send(error_response(m.error()));
                   auto body = read_object(req, {{"reason", FieldKind::string}});
                   if (!body) return r.send(error_response(body.error()));
                   std::string reason = (*body)["reason"].get<std::string>();
                   storage::ClosedBy kind;
                   if (reason == "lost-sim")
                       kind = storage::ClosedBy::operator_lost_sim;
                   else if (reason == "restriction")
                       kind = storage::ClosedBy::operator_restriction;
                   else if (reason == "organisation")
                       kind = storage::ClosedBy::organisation;
                   else
                       return r.send(error_response(
                           field_error("request.invalid_field", "reason",
                                       "reason is lost-sim, restriction or organisation")));
                   web_->staff_close(*m, kind, *who, then_record(r, *m));
               });

    router.add(Verb::post, "/api/v1/ops/subscribers/{msisdn}/access/open",
               [this, then_record](const HttpRequest& req, HttpResponder r) {
                   auto who = staff(req, r);
                   if (!who) return;
                   if (auto b = read_no_body(req); !b) return r.send(error_response(b.error()));
                   auto m = path_msisdn(req);
                   if (!m) return r.send(error_response(m.error()));
                   web_->staff_open(*m, *who, then_record(r, *m));
               });

    router.add(Verb::put, "/api/v1/ops/subscribers/{msisdn}/puk-login",
               [this, then_record](const HttpRequest& req, HttpResponder r) {
                   auto who = staff(req, r);
                   if (!who) return;
                   auto m = path_msisdn(req);
                   if (!m) return r.send(error_response(m.error()));
                   auto body = read_object(req, {{"enabled", FieldKind::boolean}});
                   if (!body) return r.send(error_response(body.error()));
                   web_->set_puk_login(*m, (*body)["enabled"].get<bool>(), *who,
                                       then_record(r, *m));
               });

    router.add(Verb::get, "/api/v1/ops/subscribers/{msisdn}/audit",
               [this, known_page](const HttpRequest& req, HttpResponder r) {
                   auto k = known_page(req, r);
                   if (!k) return;
                   auto page = web_->audit(k->first, k->second.before, k->second.limit);
                   if (!page) return refuse(r, page.error());
                   r.send(json_ok(page_json(*page, audit_json)));
               });

    router.add(Verb::get, "/api/v1/ops/subscribers/{msisdn}/sms",
               [this, known_page](const HttpRequest& req, HttpResponder r) {
                   auto k = known_page(req, r);
                   if (!k) return;
                   auto page = web_->sms(k->first, k->second.before, k->second.limit);
                   if (!page) return refuse(r, page.error());
                   r.send(json_ok(page_json(*page, sms_json)));
               });
}

}  // namespace ussdgw::api
