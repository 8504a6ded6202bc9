// sala/text.hpp: one definition of acceptable text and addresses (the mail
// formatter's side is checked in tests/python/test_hostile_text.py).
#include "sala/text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sala/error.hpp"
#include "sala/request.hpp"

namespace {

std::string problem(std::string_view v, bool required = true) {
    return sala::text_problem(v, 200, required);
}

}  // namespace

TEST(text, plain_and_accented_text_is_accepted) {
    EXPECT_EQ(problem("Webinar turno mañanas"), "");
    EXPECT_EQ(problem("Taller 1, parte 2 \xE2\x80\x94 \xF0\x9F\x8E\x93"), "");  // em dash, emoji
    EXPECT_EQ(problem("", false), "");
}

TEST(text, c0_c1_del_and_line_separators_are_refused_with_their_code_point) {
    EXPECT_EQ(problem("a\r\nBcc: x"), "contains a line break (U+000D)");
    EXPECT_EQ(problem("tab\there"), "contains a control character (U+0009)");
    EXPECT_EQ(problem("del\x7F"), "contains a control character (U+007F)");
    EXPECT_EQ(problem("next\xC2\x85line"), "contains a line break (U+0085)");
    EXPECT_EQ(problem("csi\xC2\x9B"), "contains a control character (U+009B)");
    EXPECT_EQ(problem("ls\xE2\x80\xA8"), "contains a line break (U+2028)");
    EXPECT_EQ(problem("ps\xE2\x80\xA9"), "contains a line break (U+2029)");
    EXPECT_EQ(problem(std::string("nul\0x", 5)), "contains a control character (U+0000)");
}

TEST(text, bidirectional_overrides_are_refused) {
    EXPECT_EQ(problem("abc\xE2\x80\xAE"
                      "cba"),
              "contains a bidirectional control (U+202E)");
    EXPECT_EQ(problem("\xE2\x81\xA6x"), "contains a bidirectional control (U+2066)");
}

TEST(text, text_made_only_of_invisible_characters_is_empty) {
    EXPECT_EQ(problem(""), "is empty");
    EXPECT_EQ(problem("   "), "is empty (only blank or invisible characters)");
    EXPECT_EQ(problem("\xC2\xA0"), "is empty (only blank or invisible characters)");      // NBSP
    EXPECT_EQ(problem("\xE2\x80\x8B"), "is empty (only blank or invisible characters)");  // ZWSP
    EXPECT_EQ(problem("\xEF\xBB\xBF \xE3\x80\x80"),
              "is empty (only blank or invisible characters)");  // BOM, ideographic space
    EXPECT_EQ(problem("\xC2\xA0", false), "");                   // optional fields may be blank
    EXPECT_EQ(problem("a\xE2\x80\x8B"), "");                     // visible plus invisible
}

TEST(text, invalid_utf8_names_the_byte) {
    EXPECT_EQ(problem("ab\xFF"), "is not valid UTF-8 (byte 2)");
    EXPECT_EQ(problem("\xC0\xAF"), "is not valid UTF-8 (byte 0)");      // overlong '/'
    EXPECT_EQ(problem("\xED\xA0\x80"), "is not valid UTF-8 (byte 0)");  // a surrogate
    EXPECT_EQ(problem("\xE2\x82"), "is not valid UTF-8 (byte 0)");      // truncated
}

TEST(text, length_counts_characters_not_bytes) {
    EXPECT_EQ(sala::text_problem(std::string(200, 'a'), 200, true), "");
    EXPECT_EQ(sala::text_problem(std::string(201, 'a'), 200, true),
              "is longer than 200 characters");
    std::string n;
    for (int i = 0; i < 200; ++i) n += "\xC3\xB1";  // 200 x ñ, 400 bytes
    EXPECT_EQ(sala::text_problem(n, 200, true), "");
}

TEST(text, check_text_names_the_field) {
    try {
        sala::check_text("x\n", "organizer.name", 200, false);
        FAIL() << "accepted";
    } catch (const sala::invalid_argument& e) {
        EXPECT_EQ(e.field(), "organizer.name");
        EXPECT_NE(std::string(e.what()).find("line break"), std::string::npos);
    }
}

TEST(text, sanitize_turns_backend_text_into_acceptable_text) {
    EXPECT_EQ(sala::sanitize_text("Sala\r\n09\xFF", 200), "Sala 09\xEF\xBF\xBD");
    EXPECT_EQ(sala::sanitize_text("  a\x1B[31m  b \xC2\x85", 200), "a [31m b");
    EXPECT_EQ(sala::sanitize_text("abcdef", 3), "abc");
    EXPECT_EQ(sala::sanitize_text("\r\n", 10), "");
    for (const char* hostile : {"a\r\nb", "\xFF\xFE", "x\xE2\x80\xAEy", "\xC2\x9B\x07z"})
        EXPECT_EQ(sala::text_problem(sala::sanitize_text(hostile, 200), 200, false), "") << hostile;
}

TEST(text, addresses_follow_one_rule) {
    for (const char* ok : {"a@b", "support@symposium.events", "first.last+tag@sub.example.org",
                           "o'neil@example.ie", "x_y-z@a-b.c"})
        EXPECT_NO_THROW(sala::validate_email(ok, "email")) << ok;
    const auto reason = [](const char* a) {
        try {
            sala::validate_email(a, "organizer.email");
        } catch (const sala::invalid_argument& e) {
            EXPECT_EQ(e.field(), "organizer.email");
            return std::string(e.what());
        }
        return std::string("<accepted>");
    };
    EXPECT_NE(reason("jos\xC3\xA9@example.org").find("not ASCII"), std::string::npos);
    EXPECT_NE(reason("a@b@c").find("name@domain"), std::string::npos);
    EXPECT_NE(reason(".a@b").find("misplaced dot"), std::string::npos);
    EXPECT_NE(reason("a..b@c").find("misplaced dot"), std::string::npos);
    EXPECT_NE(reason("a b@c").find("not allowed"), std::string::npos);
    EXPECT_NE(reason("a@-b.c").find("'-'"), std::string::npos);
    EXPECT_NE(reason("a@b..c").find("empty label"), std::string::npos);
    EXPECT_NE(reason("a@b_c").find("in the domain"), std::string::npos);
    EXPECT_NE(reason("a@b\r\nBcc: x@y").find("line break"), std::string::npos);
    EXPECT_NE(reason((std::string(65, 'a') + "@b").c_str()).find("64"), std::string::npos);
}
