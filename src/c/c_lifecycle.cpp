// include/sala/c/sala.h: the lifecycle's functions (R12-R16, R19, R20).
#include "c/c_api.hpp"
#include "sala/adapters/outbox_mailer.hpp"
#include "sala/durable/durable_lifecycle.hpp"
#include "sala/fakes/fake_conferencing.hpp"
#ifdef SALA_C_HAVE_ZOOM
#include "sala/adapters/zoom_rest.hpp"
#endif

using namespace sala;
using namespace sala::detail;

struct sala_lifecycle {
    std::shared_ptr<c_platform> platform;  // kept alive while the lifecycle is open
    std::unique_ptr<conferencing> conf;
    std::unique_ptr<outbox_mailer> mail;
    std::unique_ptr<durable_lifecycle> engine;
    ~sala_lifecycle() {
        engine.reset();  // before the ports it uses
        if (platform) platform->has_lifecycle = false;
    }
};

namespace {

durable_lifecycle& live(sala_lifecycle* l) {
    c_need(l, "lifecycle");
    return *l->engine;
}

std::unique_ptr<conferencing> make_conferencing(const std::string& kind,
                                                const std::shared_ptr<const sala::clock>& clk) {
    if (kind.empty() || kind == "fake")
        return std::make_unique<fake_conferencing>(std::vector<account_user>{}, clk);
    if (kind == "zoom") {
#ifdef SALA_C_HAVE_ZOOM
        return std::make_unique<zoom_rest>(zoom_config::from_env());
#else
        throw c_unsupported("this sala library was built without the Zoom adapter");
#endif
    }
    throw invalid_argument("conferencing", "must be \"fake\" or \"zoom\"");
}

}  // namespace

extern "C" {

SALA_C_API sala_status sala_lifecycle_open(sala_platform* p, const char* options_json,
                                           sala_lifecycle** out) {
    return c_call([&] {
        c_need(out, "out");
        *out = nullptr;
        c_need(p, "platform");
        if (p->impl->has_lifecycle)
            throw invalid_argument("platform", "already has a lifecycle open");
        const auto o = c_parse(options_json, "options_json");
        c_only(o, {"outbox", "conferencing", "credentials_key", "language"},
               "the lifecycle's options");
        lifecycle_options opt;
        // The key is checked by the engine; its value never appears in an error.
        opt.credentials_key = c_string(o, "credentials_key", false);
        if (o.contains("language")) {
            const auto lang = parse_enum<language>(c_string(o, "language"));
            if (!lang) throw invalid_argument("language", "must be \"es\" or \"en\"");
            opt.language = *lang;
        }
        auto l = std::make_unique<sala_lifecycle>();
        std::shared_ptr<const sala::clock> clk = p->impl->manual;
        l->conf = make_conferencing(c_string(o, "conferencing", false), clk);
        const std::string folder = c_string(o, "outbox");
        if (folder.empty()) throw invalid_argument("outbox", "must name a folder");
        l->mail = std::make_unique<outbox_mailer>(folder);
        l->engine = std::make_unique<durable_lifecycle>(*p->impl->durable, *l->conf, *l->mail,
                                                        std::move(opt));
        l->platform = p->impl;
        p->impl->has_lifecycle = true;
        *out = l.release();
    });
}

SALA_C_API void sala_lifecycle_close(sala_lifecycle* l) {
    try {
        delete l;
    } catch (...) {  // a destructor that threw: nothing the host can do
    }
}

SALA_C_API sala_status sala_tick(sala_lifecycle* l, int64_t now, size_t* steps) {
    return c_call([&] {
        durable_lifecycle& e = live(l);
        const std::size_t n = e.tick(c_instant(now, "now"));
        if (steps) *steps = n;
    });
}

SALA_C_API sala_status sala_about_to_start(sala_lifecycle* l, int64_t now,
                                           int32_t lookahead_minutes, char** entries_json) {
    return c_call([&] {
        durable_lifecycle& e = live(l);
        c_need(entries_json, "entries_json");
        const instant at = c_instant(now, "now");
        if (lookahead_minutes < 0 || lookahead_minutes > 7 * 24 * 60)
            throw invalid_argument("lookahead_minutes", "must be 0 to 10080");
        e.take_in();
        nlohmann::json j = nlohmann::json::array();
        for (const auto& a : e.engine().about_to_start(at, minutes{lookahead_minutes}))
            j.push_back({{"request", a.request.value},
                         {"title", a.title},
                         {"room", a.room.value},
                         {"start", c_unix(a.start)},
                         {"credentials_due", c_unix(a.credentials_due)},
                         {"status", a.status}});
        c_out(entries_json, j);
    });
}

SALA_C_API sala_status sala_generate_credentials(sala_lifecycle* l, uint64_t request, int64_t now,
                                                 int* mailed) {
    return c_call([&] {
        durable_lifecycle& e = live(l);
        const bool done = e.generate_credentials_now(request_id{request}, c_instant(now, "now"));
        if (mailed) *mailed = done ? 1 : 0;
    });
}

}  // extern "C"
