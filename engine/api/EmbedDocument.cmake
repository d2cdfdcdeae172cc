# Writes OUT, a C++ file whose openapi_document() returns the bytes of IN (the API contract,
# compiled into the binary so that the document served is the one it was built with).
# Bytes rather than a string literal: the document is longer than ISO C++ promises a literal.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}" "// Generated from engine/api/openapi.yaml by engine/api/EmbedDocument.cmake.
#include <string_view>
namespace ussdgw::api {
namespace {
const unsigned char kDocument[] = {
${bytes}};
}  // namespace
std::string_view openapi_document() {
    return {reinterpret_cast<const char*>(kDocument), sizeof kDocument};
}
}  // namespace ussdgw::api
")
