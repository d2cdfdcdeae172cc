// SmppService: the client links and the listener of one configuration, reporting to one
// application. An in-test SMSC (SmppServer) for the service's client link to bind to, and an
// in-test ESME (SmppClientLink) binding to the service's listener, all on one io_context
// driven by the test thread (every wait bounded).
#include "smpp/SmppService.hpp"

#include <doctest/doctest.h>

#include "SmppNetTestSupport.hpp"

namespace smpp_service_test {

using namespace ussdgw;
using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;
using namespace std::chrono_literals;

namespace {

// What the service's application heard.
struct RecordingApp : SmppApplication {
    std::vector<std::pair<std::string, bool>> link_states;
    std::vector<std::pair<std::string, bool>> server_binds;
    std::vector<std::string> link_requests;    // "link:short_message"
    std::vector<std::string> server_requests;  // "account:short_message"

    void on_link_request(const PeerInfo& p, const Pdu& r, SmppReply reply) override {
        link_requests.push_back(p.link + ":" + std::get<DeliverSm>(r.body).short_message);
        reply.accept();
    }
    void on_link_state(const std::string& link, bool bound) override {
        link_states.emplace_back(link, bound);
    }
    void on_server_request(const PeerInfo& p, const Pdu& r, SmppReply reply) override {
        server_requests.push_back(p.link + ":" + std::get<SubmitSm>(r.body).short_message);
        reply.accept("svc-1");
    }
    void on_server_bind(const PeerInfo& p, BindType, bool bound) override {
        server_binds.emplace_back(p.link, bound);
    }
};

}  // namespace

TEST_CASE("service: links and listener report to one application; stop unbinds everything") {
    asio::io_context io;
    TestApp smsc_app;
    auto smsc = SmppServer::create(io, test_server_config(), smsc_app);
    smsc->start();

    SmppConfig cfg;
    auto link = test_link_config("ussdc", smsc->port());
    link.roles = {"ussd", "sms"};
    cfg.clients.push_back(link);
    cfg.server = test_server_config();
    RecordingApp app;
    SmppService service(io, cfg, app);
    REQUIRE(service.server() != nullptr);
    service.start();
    REQUIRE(run_until(io, [&] { return service.link("ussdc")->bound(); }));
    CHECK(app.link_states == std::vector<std::pair<std::string, bool>>{{"ussdc", true}});
    CHECK(service.link("nope") == nullptr);
    CHECK(service.link_for_role("sms") == service.link("ussdc"));
    CHECK(service.link_for_role("mms") == nullptr);

    // The SMSC delivers on the service's client link: on_link_request, with the link's name.
    DeliverSm d;
    d.short_message = "*141#";
    std::optional<RequestOutcome> delivered;
    REQUIRE(smsc->send_to("esme", d, [&](RequestOutcome& o) { delivered = o; }).ok());
    REQUIRE(run_until(io, [&] { return delivered.has_value(); }));
    CHECK(delivered->ok());
    CHECK(app.link_requests == std::vector<std::string>{"ussdc:*141#"});

    // An ESME binds to the service's listener and submits: on_server_bind, on_server_request.
    SmppApplication esme_app;
    auto esme = SmppClientLink::create(io, test_link_config("to-service", service.server()->port()),
                                       esme_app);
    esme->start();
    REQUIRE(run_until(io, [&] { return esme->bound() && !app.server_binds.empty(); }));
    std::optional<RequestOutcome> submitted;
    esme->submit(test_submit("hi"), [&](RequestOutcome& o) { submitted = o; });
    REQUIRE(run_until(io, [&] { return submitted.has_value(); }));
    CHECK(submitted->message_id() == "svc-1");
    CHECK(app.server_requests == std::vector<std::string>{"esme:hi"});

    // Stop: the client link unbinds, the listener unbinds the ESME; done runs once.
    int done = 0;
    service.stop([&] { ++done; });
    REQUIRE(run_until(io, [&] { return done == 1; }));
    CHECK(app.link_states.back() == std::pair<std::string, bool>{"ussdc", false});
    CHECK(app.server_binds ==
          std::vector<std::pair<std::string, bool>>{{"esme", true}, {"esme", false}});
    REQUIRE(run_until(io, [&] { return smsc->connection_count() == 0; }));
    bool esme_stopped = false, smsc_stopped = false;
    esme->stop([&] { esme_stopped = true; });
    smsc->stop([&] { smsc_stopped = true; });
    REQUIRE(run_until(io, [&] { return esme_stopped && smsc_stopped; }));
}

TEST_CASE("service: nothing configured, no listener; stop still finishes") {
    asio::io_context io;
    SmppApplication app;
    SmppService service(io, SmppConfig{}, app);
    CHECK(service.server() == nullptr);
    CHECK(service.links().empty());
    service.start();
    bool done = false;
    service.stop([&] { done = true; });
    CHECK_FALSE(done);  // never before stop returns
    REQUIRE(run_until(io, [&] { return done; }));
}

}  // namespace smpp_service_test
