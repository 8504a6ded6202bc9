// The private extension sala._sala; the package sala/ re-exports it.
#include "common.hpp"

namespace sala::python {
void bind_webhooks(py::module_& m);  // bind_webhooks.cpp
}

PYBIND11_MODULE(_sala, m) {
    m.doc() =
        "sala: webinar rooms from a pool of licensed Zoom hosts (private extension; import sala).";
    using namespace sala::python;
    bind_error(m);
    bind_ids(m);
    bind_time(m);
    bind_interval(m);
    bind_settings(m);
    bind_room(m);
    bind_request(m);
    bind_schedule(m);
    bind_policy(m);
    bind_clock(m);
    bind_platform(m);
    bind_conferencing(m);
    bind_mailer(m);
    bind_templates(m);
    bind_credentials(m);
    bind_lifecycle(m);
    bind_fakes(m);
    bind_adapters(m);
    bind_stores(m);
    bind_history(m);
    bind_views(m);
    bind_webhooks(m);
}
