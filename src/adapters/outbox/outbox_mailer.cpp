#include "sala/adapters/outbox_mailer.hpp"

#include <fstream>
#include <system_error>

#include "outbox_detail.hpp"
#include "sala/error.hpp"

namespace sala {

outbox_mailer::outbox_mailer(std::filesystem::path folder) : folder_(std::move(folder)) {
    std::error_code ec;
    std::filesystem::create_directories(folder_, ec);
    if (ec || !std::filesystem::is_directory(folder_))
        throw backend_error("outbox: cannot create folder " + folder_.string() + ": " +
                                (ec ? ec.message() : "not a directory"),
                            false);
}

std::filesystem::path outbox_mailer::path_for(const std::string& idempotency_key) const {
    detail::check_idempotency_key(idempotency_key);
    if (idempotency_key.empty())
        throw invalid_argument("idempotency_key", "is empty: no stable file name");
    return folder_ / (detail::encode_key(idempotency_key) + ".eml");
}

void outbox_mailer::send(const mail_message& m) {
    const std::string text = format_rfc5322(m);  // validates every field first
    const auto target = m.idempotency_key.empty()
                            ? folder_ / ("once-" + detail::random_hex() + ".eml")
                            : path_for(m.idempotency_key);
    // Write to a temp name then rename: a crash never leaves half a message
    // under the final name, and a resend replaces the file in one step.
    auto tmp = target;
    tmp += ".tmp-" + detail::random_hex();
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.flush();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(tmp, ignored);
            throw backend_error("outbox: cannot write " + tmp.string(), true);
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, target, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw backend_error("outbox: cannot rename to " + target.string() + ": " + ec.message(),
                            true);
    }
}

}  // namespace sala
