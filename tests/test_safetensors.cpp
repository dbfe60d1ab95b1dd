#include "engine/safetensors.h"

#include "engine/error.h"
#include "tests/testing.h"

namespace rgeval {
namespace {

using testing::TempDir;

// A safetensors file from a header JSON and a data area.
std::string make_file(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string error_of(const std::string& bytes) {
  TempDir t;
  const std::string p = t.file("m.safetensors");
  testing::write_file(p, bytes);
  try {
    SafetensorsFile f(p);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Safetensors, ReadsValidFile) {
  TempDir t;
  const std::string p = t.file("ok.safetensors");
  std::string data(8, '\0');
  const float vals[2] = {1.5f, -2.f};
  std::memcpy(data.data(), vals, 8);
  testing::write_file(p, make_file(R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", data));
  SafetensorsFile f(p);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  const auto ts = f.tensors();
  ASSERT_EQ(ts.count("w"), 1u);
  EXPECT_EQ(ts.at("w").shape, (std::vector<int64_t>{2}));
  EXPECT_FLOAT_EQ(element_f32(ts.at("w"), 1), -2.f);
}

TEST(Safetensors, RejectsBadInputWithClearMessages) {
  EXPECT_NE(error_of("abc").find("truncated"), std::string::npos);
  EXPECT_NE(error_of(make_file("{}", "").substr(0, 8) + "{").find("larger than the file"), std::string::npos);
  EXPECT_NE(error_of(make_file(R"({"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}})", "abcd")).find("unknown dtype 'Q4'"), std::string::npos);
  EXPECT_NE(error_of(make_file(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "abcd")).find("shape x dtype size"), std::string::npos);
  EXPECT_NE(error_of(make_file(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "abcd")).find("beyond the data area"), std::string::npos);
  EXPECT_NE(error_of(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::string(8, 'x'))).find("overlap"), std::string::npos);
  EXPECT_NE(error_of(make_file("{not json", "")).find("not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace rgeval
