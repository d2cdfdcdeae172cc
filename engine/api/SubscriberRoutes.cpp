// The logged-in subscriber's routes: the session, the account and its audit trail, the
// password, closing access, step-up and call details, services and service requests.
#include "engine/api/CabinetApi.hpp"
#include "engine/api/PasswordPolicy.hpp"

namespace ussdgw::api {

namespace {

ApiResult<std::int64_t> request_id(const HttpRequest& req) {
    auto v = req.param("id").value_or("");
    bool ok = !v.empty() && v.size() <= 18 &&
              std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    std::int64_t id = ok ? std::stoll(std::string(v)) : 0;
    if (id < 1)
        return Unexpected<ApiError>{
            field_error("request.invalid_field", "id", "the request id is a positive integer")};
    return id;
}

}  // namespace

void CabinetApi::add_subscriber_routes(http::Router& router) {
    router.add(Verb::get, "/api/v1/session", [this](const HttpRequest& req, HttpResponder r) {
        if (auto q = read_query(req, {}); !q) return r.send(error_response(q.error()));
        auto s = subscriber(req, r);
        if (!s) return;
        r.send(json_ok(session_info(s->ctx, s->credentials)));
    });

    router.add(Verb::post, "/api/v1/logout", [this](const HttpRequest& req, HttpResponder r) {
        auto s = subscriber(req, r);
        if (!s) return;
        if (auto b = read_no_body(req); !b) return r.send(error_response(b.error()));
        activity_.erase(s->ctx.session.id);
        web_->end_session(s->ctx.session.id, "logout",
                          answer<bool>(r, [this, r](bool) { r.send(session_closed()); }));
    });

    router.add(Verb::get, "/api/v1/me", [this](const HttpRequest& req, HttpResponder r) {
        if (auto q = read_query(req, {}); !q) return r.send(error_response(q.error()));
        auto s = subscriber(req, r);
        if (!s) return;
        r.send(json_ok(account_json(s->ctx.record, cfg_.currency)));
    });

    router.add(Verb::get, "/api/v1/me/audit", [this](const HttpRequest& req, HttpResponder r) {
        auto s = subscriber(req, r);
        if (!s) return;
        auto p = read_page(req);
        if (!p) return r.send(error_response(p.error()));
        auto page = web_->audit(s->ctx.record.subscriber.msisdn, p->before, p->limit);
        if (!page) return refuse(r, page.error());
        r.send(json_ok(page_json(*page, audit_json)));
    });

    router.add(Verb::post, "/api/v1/me/password", [this](const HttpRequest& req, HttpResponder r) {
        auto s = subscriber(req, r);
        if (!s) return;
        auto body = read_object(req, {{"current_password", FieldKind::string, false},
                                      {"new_password", FieldKind::string}});
        if (!body) return r.send(error_response(body.error()));
        std::string next = (*body)["new_password"].get<std::string>();
        std::optional<Secret> current;
        if (body->contains("current_password")) {
            std::string c = (*body)["current_password"].get<std::string>();
            if (c == next)
                return r.send(error_response(field_error("password.same", "new_password",
                                                         "the new password is the current one")));
            current = Secret(std::move(c));
        }
        body->clear();
        const auto& rec = s->ctx.record;
        // Without the current password only a PUK1 session of a subscriber who has none.
        if (!current && (rec.cabinet.has_password || s->ctx.session.method != "puk"))
            return r.send(error_response(field_error("request.missing_field", "current_password",
                                                     "the current password is required")));
        if (auto bad = check_password(cfg_, next, rec.subscriber.msisdn.text(), "new_password"))
            return r.send(error_response(*bad));
        web_->change_password(s->ctx, std::move(current), Secret(std::move(next)),
                              answer<Ok>(r, [this, r](Ok) { r.send(session_closed()); }));
    });

    router.add(Verb::post, "/api/v1/me/access/close",
               [this](const HttpRequest& req, HttpResponder r) {
                   auto s = subscriber(req, r);
                   if (!s) return;
                   if (auto b = read_no_body(req); !b) return r.send(error_response(b.error()));
                   web_->close_own_access(
                       s->ctx, answer<Ok>(r, [this, r](Ok) { r.send(session_closed()); }));
               });

    router.add(
        Verb::post, "/api/v1/me/step-up/code", [this](const HttpRequest& req, HttpResponder r) {
            auto s = subscriber(req, r);
            if (!s) return;
            if (auto b = read_no_body(req); !b) return r.send(error_response(b.error()));
            web_->send_code(
                s->ctx.record.subscriber.msisdn, storage::CodePurpose::step_up, s->ctx.session.id,
                answer<storage::CodeStored>(r, [this, r](const storage::CodeStored&) {
                    if (sms_queued_) sms_queued_();
                    r.send(json_ok(
                        {{"expires_in_seconds", cfg_.code_ttl.count() / 1000},
                         {"resend_after_seconds", cfg_.code_resend_interval.count() / 1000}},
                        HttpStatus::accepted));
                }));
        });

    router.add(Verb::post, "/api/v1/me/step-up", [this](const HttpRequest& req, HttpResponder r) {
        auto s = subscriber(req, r);
        if (!s) return;
        auto body = read_object(req, {{"code", FieldKind::string}});
        if (!body) return r.send(error_response(body.error()));
        std::string code = (*body)["code"].get<std::string>();
        body->clear();
        if (code.size() != 6 ||
            !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return r.send(error_response(
                field_error("request.invalid_field", "code", "the code is 6 digits")));
        auto ctx = std::make_shared<Subscriber>(std::move(*s));
        web_->step_up(ctx->ctx, Secret(std::move(code)),
                      answer<std::int64_t>(r, [this, r, ctx](std::int64_t until) {
                          ctx->ctx.session.elevated_until_ms = until;
                          r.send(json_ok(session_info(ctx->ctx, ctx->credentials)));
                      }));
    });

    router.add(Verb::get, "/api/v1/me/calls", [this](const HttpRequest& req, HttpResponder r) {
        auto s = subscriber(req, r);
        if (!s) return;
        auto p = read_page(req);
        if (!p) return r.send(error_response(p.error()));
        std::int64_t until = s->ctx.session.elevated_until_ms;
        if (until <= now())
            return r.send(error_response(
                api_error(HttpStatus::forbidden, until > 0 ? "step_up.expired" : "step_up.required",
                          until > 0 ? "the extra SMS code ran out: ask for a new one"
                                    : "call details need an extra SMS code")));
        auto page = web_->calls(s->ctx.record.subscriber.msisdn, p->before, p->limit);
        if (!page) return refuse(r, page.error());
        r.send(json_ok(page_json(*page, call_json)));
    });
}

void CabinetApi::add_service_routes(http::Router& router) {
    auto names = [this](const std::string& code) {
        const ServiceOffer* o = offer(code);
        if (!o) return Json{{"ru", code}, {"en", code}, {"be", code}};
        return Json{{"ru", o->name_ru}, {"en", o->name_en}, {"be", o->name_be}};
    };

    router.add(Verb::get, "/api/v1/me/services",
               [this, names](const HttpRequest& req, HttpResponder r) {
                   if (auto q = read_query(req, {}); !q) return r.send(error_response(q.error()));
                   auto s = subscriber(req, r);
                   if (!s) return;
                   auto list = web_->connected_services(s->ctx.record.subscriber.msisdn);
                   if (!list) return refuse(r, list.error());
                   Json items = Json::array();
                   for (const auto& c : *list)
                       items.push_back({{"code", c.service},
                                        {"name", names(c.service)},
                                        {"since", utc_rfc3339(c.since_ms)}});
                   r.send(json_ok({{"items", items}}));
               });

    router.add(Verb::get, "/api/v1/me/service-requests",
               [this](const HttpRequest& req, HttpResponder r) {
                   auto s = subscriber(req, r);
                   if (!s) return;
                   auto p = read_page(req);
                   if (!p) return r.send(error_response(p.error()));
                   auto page =
                       web_->service_requests(s->ctx.record.subscriber.msisdn, p->before, p->limit);
                   if (!page) return refuse(r, page.error());
                   r.send(json_ok(page_json(*page, request_json)));
               });

    // Refusals of the rules carry their data: the price, balance and currency, the state.
    // balance.insufficient with what the subscriber needs to know: the price, the balance and
    // the currency.
    auto insufficient = [this](const Error& e, std::optional<std::int64_t> price,
                               std::int64_t balance) {
        ApiError a = api_error_from(e, now());
        if (price) a.data["price"] = *price;
        a.data["balance"] = balance;
        a.data["currency"] = cfg_.currency;
        return error_response(a);
    };
    auto request_answer = [this](HttpResponder r, HttpStatus ok_status, storage::Msisdn m,
                                 std::int64_t id) {
        return lifetime_.guard([this, r, ok_status, m, id](Result<storage::ServiceRequest> done) {
            if (done) return r.send(json_ok(request_json(*done), ok_status));
            ApiError e = api_error_from(done.error(), now());
            if (e.code == storage::rules::kWrongState && id != 0)
                if (auto cur = web_->service_request(m, id))
                    e.data["state"] = storage::to_text(cur->state);
            r.send(error_response(e));
        });
    };

    router.add(
        Verb::post, "/api/v1/me/service-requests",
        [this, request_answer, insufficient](const HttpRequest& req, HttpResponder r) {
            auto s = subscriber(req, r);
            if (!s) return;
            auto body =
                read_object(req, {{"service", FieldKind::string}, {"action", FieldKind::string}});
            if (!body) return r.send(error_response(body.error()));
            auto action = storage::service_action_from_text((*body)["action"].get<std::string>());
            if (!action)
                return r.send(error_response(field_error("request.invalid_field", "action",
                                                         "action is connect or disconnect")));
            std::string code = (*body)["service"].get<std::string>();
            const ServiceOffer* o = offer(code);
            if (!o)
                return r.send(error_response(
                    api_error(HttpStatus::not_found, "service.unknown", "no such service")));
            const auto& rec = s->ctx.record.subscriber;
            auto done = request_answer(r, HttpStatus::created, rec.msisdn, 0);
            web_->create_request(
                s->ctx, code, *action, *action == storage::ServiceAction::connect ? o->price : 0,
                lifetime_.guard([done, r, insufficient, price = o->price,
                                 balance =
                                     rec.balance_minor](Result<storage::ServiceRequest> created) {
                    if (!created && created.error().code == storage::rules::kBalanceInsufficient)
                        return r.send(insufficient(created.error(), price, balance));
                    done(std::move(created));
                }));
        });

    router.add(Verb::get, "/api/v1/me/service-requests/{id}",
               [this](const HttpRequest& req, HttpResponder r) {
                   auto s = subscriber(req, r);
                   if (!s) return;
                   if (auto q = read_query(req, {}); !q) return r.send(error_response(q.error()));
                   auto id = request_id(req);
                   if (!id) return r.send(error_response(id.error()));
                   auto got = web_->service_request(s->ctx.record.subscriber.msisdn, *id);
                   if (!got) return refuse(r, got.error());
                   r.send(json_ok(request_json(*got)));
               });

    router.add(Verb::post, "/api/v1/me/service-requests/{id}/confirm",
               [this, request_answer, insufficient](const HttpRequest& req, HttpResponder r) {
                   auto s = subscriber(req, r);
                   if (!s) return;
                   if (auto b = read_no_body(req); !b) return r.send(error_response(b.error()));
                   auto id = request_id(req);
                   if (!id) return r.send(error_response(id.error()));
                   auto done =
                       request_answer(r, HttpStatus::ok, s->ctx.record.subscriber.msisdn, *id);
                   web_->confirm_request(
                       s->ctx, *id,
                       lifetime_.guard([this, done, r, insufficient, rec = s->ctx.record,
                                        id = *id](Result<storage::ServiceRequest> c) {
                           if (c) arm_scheduler_soon();
                           if (!c && c.error().code == storage::rules::kBalanceInsufficient) {
                               auto cur = web_->service_request(rec.subscriber.msisdn, id);
                               return r.send(insufficient(
                                   c.error(), cur ? std::optional(cur->price) : std::nullopt,
                                   rec.subscriber.balance_minor));
                           }
                           done(std::move(c));
                       }));
               });

    router.add(Verb::post, "/api/v1/me/service-requests/{id}/cancel",
               [this, request_answer](const HttpRequest& req, HttpResponder r) {
                   auto s = subscriber(req, r);
                   if (!s) return;
                   if (auto b = read_no_body(req); !b) return r.send(error_response(b.error()));
                   auto id = request_id(req);
                   if (!id) return r.send(error_response(id.error()));
                   web_->cancel_request(
                       s->ctx, *id,
                       request_answer(r, HttpStatus::ok, s->ctx.record.subscriber.msisdn, *id));
               });
}

}  // namespace ussdgw::api
