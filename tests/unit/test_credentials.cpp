// sala/lifecycle/credentials.hpp: R12 passwords (docs/zoom.md §4) and passcodes (§3).
#include "sala/lifecycle/credentials.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>

#include "sala/error.hpp"

TEST(Credentials, R12_RoomPasswordsMeetZoomRulesOverManySamples) {
    std::set<std::string> seen;
    for (int i = 0; i < 2000; ++i) {
        const auto p = sala::generate_room_password();
        EXPECT_EQ(p.size(), 16u);
        EXPECT_EQ(sala::room_password_problem(p), "") << p;
        seen.insert(p);
    }
    EXPECT_EQ(seen.size(), 2000u);  // 2000 draws, no repeat
    for (std::size_t len : {12u, 20u, 31u})
        EXPECT_TRUE(sala::meets_room_password_rules(sala::generate_room_password(len)));
    EXPECT_THROW(sala::generate_room_password(8), sala::invalid_argument);
    EXPECT_THROW(sala::generate_room_password(32), sala::invalid_argument);
}

TEST(Credentials, R12_TwoDrawsDiffer) {
    EXPECT_NE(sala::generate_room_password(), sala::generate_room_password());
    EXPECT_NE(sala::generate_webinar_passcode(), sala::generate_webinar_passcode());
}

TEST(Credentials, R12_RoomPasswordRulesRejectWhatZoomRejects) {
    EXPECT_NE(sala::room_password_problem("Ab1!"), "");                // 1124 too short
    EXPECT_NE(sala::room_password_problem("abcdefgh1!xy"), "");        // 1128 no upper
    EXPECT_NE(sala::room_password_problem("ABCDEFGH1!XY"), "");        // 1128 no lower
    EXPECT_NE(sala::room_password_problem("Abcdefgh!xyz"), "");        // 1126 no digit
    EXPECT_NE(sala::room_password_problem("Abcdefgh1xyz"), "");        // 1127 no special
    EXPECT_NE(sala::room_password_problem("Qx7!abcQx7!W"), "");        // 1131 sequence abc
    EXPECT_NE(sala::room_password_problem("Qx7!321Qx7!W"), "");        // descending 321
    EXPECT_NE(sala::room_password_problem("Qx7!aaaQx7!W"), "");        // repeats
    EXPECT_NE(sala::room_password_problem("Qx7! Qx7!Wzz"), "");        // space
    EXPECT_NE(sala::room_password_problem(std::string(32, 'a')), "");  // too long
    EXPECT_EQ(sala::room_password_problem("Qx7!Mp2#Wz9-"), "");
}

TEST(Credentials, R12_WebinarPasscodesMeetSection3) {
    for (int i = 0; i < 2000; ++i) {
        const auto p = sala::generate_webinar_passcode();
        ASSERT_LE(p.size(), 10u);
        EXPECT_EQ(sala::passcode_problem(p), "") << p;
        EXPECT_NE(p.find_first_of("0123456789"), std::string::npos);
    }
    EXPECT_NE(sala::passcode_problem("abcdefghijk"), "");  // 11 characters
    EXPECT_NE(sala::passcode_problem("abc#1"), "");        // '#' not allowed
    EXPECT_NE(sala::passcode_problem(""), "");
    EXPECT_EQ(sala::passcode_problem("aZ9@-_*!"), "");
    EXPECT_THROW(sala::generate_webinar_passcode(11), sala::invalid_argument);
}

TEST(Credentials, R12_SecureRandomCoversTheRangeWithoutBias) {
    std::array<int, 10> hist{};
    for (int i = 0; i < 20000; ++i) ++hist.at(sala::secure_random_below(10));
    for (int n : hist) {  // expected 2000 each; 6 sigma ~ 255
        EXPECT_GT(n, 1700);
        EXPECT_LT(n, 2300);
    }
    EXPECT_THROW(sala::secure_random_below(0), sala::invalid_argument);
}
