#include "engine/base/GsmText.hpp"

#include <doctest/doctest.h>

#include <utility>
#include <vector>

namespace gsm_text_test {

using namespace ussdgw::gsm;

TEST_CASE("fits check and septet count, extension characters count two") {
    CHECK(septet_count("Hello") == 5u);
    CHECK(septet_count("") == 0u);
    CHECK(septet_count("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà") == 42u);
    CHECK(septet_count("€") == 2u);
    CHECK(septet_count("a{b}c[d]e~f|g^h\\") == 24u);
    CHECK_FALSE(fits_gsm7("Привет"));
    CHECK_FALSE(fits_gsm7("`"));  // backtick is not in GSM 03.38
    CHECK(choose_encoding("Password sent") == Encoding::gsm7);
    CHECK(choose_encoding("Пароль") == Encoding::ucs2);
    CHECK(data_coding(Encoding::gsm7) == 0);
    CHECK(data_coding(Encoding::ucs2) == 8);
}

TEST_CASE("UCS2 length counts UTF-16 code units") {
    CHECK(ucs2_length("Личный кабинет") == 14u);
    CHECK(ucs2_length("😀") == 2u);
    CHECK(length_in("ab€", Encoding::gsm7) == 4u);
    CHECK(length_in("ab€", Encoding::ucs2) == 3u);
}

TEST_CASE("GSM 7-bit round trip, unpacked and packed") {
    std::string text = "Hi {you} €5 @home";
    auto septets = to_gsm7(text);
    REQUIRE(septets);
    CHECK(septets->size() == *septet_count(text));
    CHECK(from_gsm7(*septets) == text);
    // The classic example: "hellohello" packs to E8 32 9B FD 46 97 D9 EC 37.
    auto packed = pack_septets(*to_gsm7("hellohello"));
    CHECK(packed == std::string("\xE8\x32\x9B\xFD\x46\x97\xD9\xEC\x37", 9));
    CHECK(from_gsm7(unpack_septets(packed, 10)) == "hellohello");
    for (unsigned fill = 0; fill < 7; ++fill) {
        auto p = pack_septets(*septets, fill);
        CHECK(from_gsm7(unpack_septets(p, septets->size(), fill)) == text);
    }
    CHECK_FALSE(to_gsm7("Да"));
}

TEST_CASE("UTF-8 <-> UCS2 big-endian, surrogate pairs and errors") {
    CHECK(to_ucs2("Aя") == std::string("\x00\x41\x04\x4F", 4));
    CHECK(to_ucs2("😀") == std::string("\xD8\x3D\xDE\x00", 4));
    auto back = from_ucs2(to_ucs2("Доступ 😀 open"));
    REQUIRE(back.ok());
    CHECK(*back == "Доступ 😀 open");
    CHECK_FALSE(from_ucs2(std::string("\x00", 1)).ok());
    CHECK(from_ucs2(std::string("\xD8\x3D", 2)).error().code == "ucs2.surrogate");
    CHECK(from_ucs2(std::string("\xDE\x00\x00\x41", 4)).error().code == "ucs2.surrogate");
    // Broken UTF-8 becomes U+FFFD instead of being dropped.
    CHECK(utf8_to_u32("a\xFF"
                      "b") == U"a\uFFFDb");
    CHECK(utf8_to_u32("\xD0") == U"\uFFFD");
    CHECK(u32_to_utf8(utf8_to_u32("Беларусь")) == "Беларусь");
}

TEST_CASE("code points are read one at a time, each malformed byte as U+FFFD") {
    auto read_all = [](std::string_view s) {
        std::u32string out;
        std::vector<std::size_t> ends;
        for (std::size_t i = 0; i < s.size();) {
            out.push_back(next_code_point(s, i));
            ends.push_back(i);
        }
        return std::pair{out, ends};
    };
    CHECK(read_all("aЖ€😀") ==
          std::pair{std::u32string(U"aЖ€😀"), std::vector<std::size_t>{1, 3, 6, 10}});
    // A lone continuation byte, an overlong '/', a surrogate, a truncated sequence at the end:
    // each bad lead byte is one U+FFFD, and what follows it is read afresh.
    CHECK(read_all("\x80"
                   "x") == std::pair{std::u32string(U"\uFFFDx"), std::vector<std::size_t>{1, 2}});
    CHECK(read_all("\xC0\xAF").first == U"\uFFFD\uFFFD");
    CHECK(read_all("\xED\xA0\x80").first == U"\uFFFD\uFFFD\uFFFD");
    CHECK(read_all("ok\xE2\x82").first == U"ok\uFFFD\uFFFD");
    CHECK(read_all("\xF4\x90\x80\x80").first == U"\uFFFD\uFFFD\uFFFD\uFFFD");  // > U+10FFFF
    // The same reading as utf8_to_u32, which the counting functions agree with.
    for (std::string_view s : {"a\xFF"
                               "b",
                               "Доступ 😀 open", "\xD0", "{[€]}^~|\\ @£"}) {
        CHECK(read_all(s).first == utf8_to_u32(s));
    }
    CHECK(septet_count("{[€]}^~|\\ @£") == 21u);
    CHECK(septet_count("`") == std::nullopt);         // ASCII, yet in neither GSM table
    CHECK(septet_count("\xC2\xA0") == std::nullopt);  // U+00A0: the escape's placeholder
    CHECK(ucs2_length("Да😀") == 4);
}

TEST_CASE("SMS split: single part at the limits, concatenated beyond") {
    CHECK(split_sms(std::string(160, 'a'), 1).parts.size() == 1);
    CHECK(split_sms(std::string(160, 'a'), 1).parts[0].udh.empty());
    auto two = split_sms(std::string(161, 'a'), 7);
    REQUIRE(two.parts.size() == 2);
    CHECK(two.encoding == Encoding::gsm7);
    CHECK(two.parts[0].body.size() == 153);
    CHECK(two.parts[1].body.size() == 8);
    CHECK(two.parts[0].udh == std::string("\x05\x00\x03\x07\x02\x01", 6));
    CHECK(two.parts[1].udh == std::string("\x05\x00\x03\x07\x02\x02", 6));
    CHECK(two.parts[1].short_message().size() == 6 + 8);

    std::string cyr;
    for (int i = 0; i < 70; ++i)
        cyr += "ж";
    CHECK(split_sms(cyr, 1).parts.size() == 1);
    auto u = split_sms(cyr + "ж", 1);
    CHECK(u.encoding == Encoding::ucs2);
    REQUIRE(u.parts.size() == 2);
    CHECK(u.parts[0].body.size() == 67 * 2);
    CHECK(u.parts[1].text == "жжжж");

    // An extension character at a part boundary moves whole to the next part.
    std::string s(152, 'a');
    s += "€";
    s += std::string(20, 'b');
    auto e = split_sms(s, 1);
    REQUIRE(e.parts.size() == 2);
    CHECK(e.parts[0].body.size() == 152);
    CHECK(e.parts[1].text.rfind("€", 0) == 0);
    std::string joined;
    for (const auto& p : e.parts)
        joined += p.text;
    CHECK(joined == s);
}

}  // namespace gsm_text_test
