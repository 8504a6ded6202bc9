// Credentials at rest: AES-256-GCM through OpenSSL's EVP interface, a fresh
// 96-bit nonce per seal from the kernel's RNG, the record's identity as
// additional authenticated data (a sealed password copied to another record
// does not open). docs/lifecycle.md, "Credentials at rest".
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lifecycle/engine.hpp"
#include "sala/error.hpp"
#include "sala/lifecycle/credentials.hpp"

namespace sala::detail {

namespace {

constexpr std::size_t key_size = 32;
constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;
constexpr std::string_view prefix = "v1:";

constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::string& in) {
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                           (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out += b64[(v >> s) & 63];
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += b64[(v >> 18) & 63];
        out += b64[(v >> 12) & 63];
        out += i + 1 < in.size() ? b64[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> unbase64(std::string_view in) {
    if (in.size() % 4) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 4) {
        unsigned v = 0;
        int pad = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const char c = in[i + k];
            unsigned d = 0;
            if (c == '=' && i + 4 == in.size() && k >= 2) {
                ++pad;
            } else if (pad) {
                return std::nullopt;
            } else {
                const char* at = std::char_traits<char>::find(b64, 64, c);
                if (!at) return std::nullopt;
                d = static_cast<unsigned>(at - b64);
            }
            v = (v << 6) | d;
        }
        out += static_cast<char>((v >> 16) & 0xff);
        if (pad < 2) out += static_cast<char>((v >> 8) & 0xff);
        if (pad < 1) out += static_cast<char>(v & 0xff);
    }
    return out;
}

struct ctx_free {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, ctx_free>;

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
int len(std::size_t n) { return static_cast<int>(n); }

void check_key(std::string_view key) {
    if (key.size() != key_size) throw error("credentials sealing: the key is not 32 bytes");
}

}  // namespace

std::string parse_credentials_key(std::string_view hex) {
    const auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex.size() != 2 * key_size)
        throw invalid_argument("credentials_key", "must be 64 hexadecimal digits (32 bytes), not " +
                                                      std::to_string(hex.size()) + " characters");
    std::string key(key_size, '\0');
    for (std::size_t i = 0; i < key_size; ++i) {
        const int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            throw invalid_argument("credentials_key", "must hold hexadecimal digits only");
        key[i] = static_cast<char>(hi * 16 + lo);
    }
    return key;
}

std::string seal_secret(std::string_view key, std::string_view secret, std::string_view context) {
    check_key(key);
    std::string nonce(nonce_size, '\0');
    secure_random_bytes({bytes(nonce), nonce.size()});
    std::string out(secret.size() + tag_size, '\0');
    cipher_ctx c(EVP_CIPHER_CTX_new());
    int n = 0, m = 0;
    if (!c || EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, len(nonce_size), nullptr) != 1 ||
        EVP_EncryptInit_ex(c.get(), nullptr, nullptr, bytes(key), bytes(nonce)) != 1 ||
        EVP_EncryptUpdate(c.get(), nullptr, &n, bytes(context), len(context.size())) != 1 ||
        EVP_EncryptUpdate(c.get(), bytes(out), &n, bytes(secret), len(secret.size())) != 1 ||
        EVP_EncryptFinal_ex(c.get(), bytes(out) + n, &m) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, len(tag_size),
                            bytes(out) + secret.size()) != 1)
        throw error("credentials sealing: AES-256-GCM encryption failed (OpenSSL)");
    return std::string(prefix) + base64(nonce + out);
}

std::optional<std::string> open_secret(std::string_view key, std::string_view sealed,
                                       std::string_view context) {
    check_key(key);
    if (sealed.substr(0, prefix.size()) != prefix) return std::nullopt;
    auto raw = unbase64(sealed.substr(prefix.size()));
    if (!raw || raw->size() < nonce_size + tag_size) return std::nullopt;
    const std::string_view all(*raw);
    const std::string_view nonce = all.substr(0, nonce_size);
    const std::string_view body = all.substr(nonce_size, all.size() - nonce_size - tag_size);
    std::string tag(all.substr(all.size() - tag_size));
    std::string out(body.size(), '\0');
    cipher_ctx c(EVP_CIPHER_CTX_new());
    int n = 0, m = 0;
    if (!c || EVP_DecryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, len(nonce_size), nullptr) != 1 ||
        EVP_DecryptInit_ex(c.get(), nullptr, nullptr, bytes(key), bytes(nonce)) != 1 ||
        EVP_DecryptUpdate(c.get(), nullptr, &n, bytes(context), len(context.size())) != 1 ||
        EVP_DecryptUpdate(c.get(), bytes(out), &n, bytes(body), len(body.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, len(tag_size), bytes(tag)) != 1 ||
        EVP_DecryptFinal_ex(c.get(), bytes(out) + n, &m) != 1)
        return std::nullopt;  // wrong key, wrong record or altered: the tag does not match
    return out;
}

}  // namespace sala::detail
