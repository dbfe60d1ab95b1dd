#include "engine/safetensors.h"

#include <limits>

#include "engine/config.h"
#include "engine/error.h"
#include "tests/st_raw.h"
#include "tests/testing.h"

namespace rgeval {
namespace {

using testing::st_bytes;
using testing::TempDir;

// Alias kept for the original tests below.
std::string make_file(const std::string& header, const std::string& data) { return st_bytes(header, data); }

// The message of the Error that opening `bytes` as a file raises, or "" when it loads.
// `path_out` receives the file's path (messages must name it).
std::string error_of(const std::string& bytes, std::string* path_out = nullptr) {
  static TempDir t;  // outlives every call; one file per call
  static int n = 0;
  std::string name = "m";  // (built step by step: GCC 12 -Wrestrict false positive on a + b + c)
  name += std::to_string(n++);
  name += ".safetensors";
  const std::string p = t.file(name);
  testing::write_file(p, bytes);
  if (path_out) *path_out = p;
  try {
    SafetensorsFile f(p);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Expects that loading `bytes` fails with a message naming the file and containing `problem`.
void expect_rejected(const std::string& bytes, const std::string& problem) {
  std::string path;
  const std::string msg = error_of(bytes, &path);
  ASSERT_FALSE(msg.empty()) << "accepted, expected: " << problem;
  EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << "message does not start with the file: " << msg;
  EXPECT_NE(msg.find(problem), std::string::npos) << "message: " << msg << "\nexpected: " << problem;
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

TEST(Safetensors, ReadsBf16F16AndScalarsAndEmptyTensors) {
  TempDir t;
  const std::string p = t.file("mixed.safetensors");
  // bf16 1.0 = 0x3f80, bf16 -2.5 = 0xc020; f16 1.5 = 0x3e00, f16 -0.25 = 0xb400; f32 scalar 7.
  const unsigned char bytes[] = {0x80, 0x3f, 0x20, 0xc0, 0x00, 0x3e, 0x00, 0xb4, 0, 0, 0xe0, 0x40};
  const std::string data(reinterpret_cast<const char*>(bytes), sizeof bytes);
  testing::write_file(p, make_file(R"({"b":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},)"
                                   R"("h":{"dtype":"F16","shape":[1,2],"data_offsets":[4,8]},)"
                                   R"("s":{"dtype":"F32","shape":[],"data_offsets":[8,12]},)"
                                   R"("e":{"dtype":"F32","shape":[0,5],"data_offsets":[12,12]}})",
                                   data));
  SafetensorsFile f(p);
  EXPECT_TRUE(f.metadata().empty());
  const auto ts = f.tensors();
  ASSERT_EQ(ts.size(), 4u);
  EXPECT_EQ(ts.at("b").dtype, DType::BF16);
  EXPECT_EQ(to_f32(ts.at("b")), (std::vector<float>{1.f, -2.5f}));
  EXPECT_EQ(ts.at("h").dtype, DType::F16);
  EXPECT_EQ(to_f32(ts.at("h")), (std::vector<float>{1.5f, -0.25f}));
  EXPECT_EQ(ts.at("s").numel(), 1);
  EXPECT_EQ(element_f32(ts.at("s"), 0), 7.f);
  EXPECT_EQ(ts.at("e").numel(), 0);
  EXPECT_EQ(ts.at("e").nbytes, 0u);
  // Header tensors are listed in offset order with data_offset = 8 + header length.
  const auto& h = f.header();
  ASSERT_EQ(h.tensors.size(), 4u);
  EXPECT_EQ(h.tensors[0].name, "b");
  EXPECT_EQ(h.tensors[1].name, "h");
  EXPECT_EQ(h.data_offset + 12, std::filesystem::file_size(p));
}

TEST(Safetensors, ParsesHeaderFromMemoryNamingTheSource) {
  const std::string bytes = make_file(R"({"x":{"dtype":"I32","shape":[2,1],"data_offsets":[0,8]}})", std::string(8, '\0'));
  const auto h = parse_safetensors_header(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size(), "mem");
  ASSERT_EQ(h.tensors.size(), 1u);
  EXPECT_EQ(h.tensors[0].dtype, DType::I32);
  EXPECT_EQ(h.tensors[0].shape, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(h.tensors[0].begin, 0u);
  EXPECT_EQ(h.tensors[0].end, 8u);
  try {
    parse_safetensors_header(reinterpret_cast<const std::byte*>(bytes.data()), 5, "somewhere.bin");
    FAIL() << "accepted 5 bytes";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("somewhere.bin: truncated", 0), 0u) << e.what();
  }
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

TEST(SafetensorsErrors, TruncatedFile) {
  expect_rejected("", "truncated: 0 bytes");
  expect_rejected("1234567", "truncated: 7 bytes");
}

TEST(SafetensorsErrors, HeaderLongerThanFile) {
  std::string b = make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "abcd");
  expect_rejected(b.substr(0, 20), "is larger than the file (20 bytes");
  // Length field claims 1000 bytes, 2 present.
  std::string c(8, '\0');
  c[0] = char(0xe8), c[1] = char(0x03);
  expect_rejected(c + "{}", "header length 1000 is larger than the file");
}

TEST(SafetensorsErrors, HeaderOverTheLimit) {
  std::string b(8, '\0');
  const uint64_t n = kMaxSafetensorsHeader + 1;
  for (int i = 0; i < 8; ++i) b[size_t(i)] = char((n >> (8 * i)) & 0xff);
  expect_rejected(b + "{}", "exceeds the limit of 104857600 bytes");
  std::string huge(8, char(0xff));  // 2^64-1: must not overflow into acceptance
  expect_rejected(huge + "{}", "exceeds the limit");
}

TEST(SafetensorsErrors, InvalidJsonHeader) {
  expect_rejected(make_file("{not json", ""), "header is not valid JSON");
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]})", "abcd"), "header is not valid JSON");
  expect_rejected(make_file(std::string("{\"\xff\xfe\":1}"), ""), "header is not valid JSON");  // bad UTF-8
}

TEST(SafetensorsErrors, NonObjectHeader) {
  expect_rejected(make_file("[1,2,3]", ""), "header is not a JSON object");
  expect_rejected(make_file("42", ""), "header is not a JSON object");
  expect_rejected(make_file(R"({"w":[1,2]})", ""), "tensor 'w': entry is not an object");
  expect_rejected(make_file(R"({"__metadata__":[1]})", ""), "__metadata__ is not an object");
  expect_rejected(make_file(R"({"__metadata__":{"k":1}})", ""), "__metadata__ value 'k' is not a string");
}

TEST(SafetensorsErrors, MissingOrMalformedFields) {
  expect_rejected(make_file(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", "abcd"), "tensor 'w': missing or non-string 'dtype'");
  expect_rejected(make_file(R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", "abcd"), "tensor 'w': missing or non-array 'shape'");
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[1]}})", "abcd"), "'data_offsets' must be an array of two integers");
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", "abcd"), "'data_offsets' must be an array of two integers");
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,"4"]}})", "abcd"), "data_offsets must be non-negative integers");
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", "abcd"), "data_offsets must be non-negative integers");
}

TEST(SafetensorsErrors, OffsetsOutOfRange) {
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "abcd"),
                  "tensor 'w': data_offsets end 8 is beyond the data area (4 bytes");
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", "abcdefgh"),
                  "tensor 'w': data_offsets begin 8 > end 4");
  expect_rejected(make_file(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,0]}})", "a"),
                  "data_offsets begin 18446744073709551615 > end 0");
}

TEST(SafetensorsErrors, OverlappingTensors) {
  const std::string d(16, 'x');
  expect_rejected(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", d),
                  "tensors 'a' and 'b' overlap in the data area");
  // One tensor containing another, listed in reverse order.
  expect_rejected(make_file(R"({"inner":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"outer":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", d),
                  "tensors 'outer' and 'inner' overlap");
  // Identical ranges.
  expect_rejected(make_file(R"({"p":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"q":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})", d),
                  "overlap");
  // Adjacent tensors and empty tensors anywhere are fine.
  EXPECT_EQ(error_of(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})", d)), "");
}

TEST(SafetensorsErrors, UnknownDtype) {
  expect_rejected(make_file(R"({"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}})", "abcd"), "tensor 'w': unknown dtype 'Q4'");
  expect_rejected(make_file(R"({"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}})", "abcd"), "unknown dtype 'f32'");
  expect_rejected(make_file(R"({"w":{"dtype":5,"shape":[1],"data_offsets":[0,4]}})", "abcd"), "missing or non-string 'dtype'");
}

TEST(SafetensorsErrors, ShapeByteMismatch) {
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "abcd"),
                  "tensor 'w': shape x dtype size = 8 bytes but data_offsets span 4 bytes");
  expect_rejected(make_file(R"({"w":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,4]}})", "abcd"),
                  "shape x dtype size = 8 bytes but data_offsets span 4 bytes");
}

TEST(SafetensorsErrors, NegativeOrNonIntegerDims) {
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "abcd"),
                  "tensor 'w': shape has a non-integer or negative dimension");
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", "abcd"),
                  "shape has a non-integer or negative dimension");
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}})", "abcd"),
                  "shape has a non-integer or negative dimension");
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[null],"data_offsets":[0,4]}})", "abcd"),
                  "shape has a non-integer or negative dimension");
}

TEST(SafetensorsErrors, HugeShapesDoNotOverflow) {
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[281474976710657],"data_offsets":[0,4]}})", "abcd"),
                  "shape is too large");
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}})", "abcd"),
                  "shape is too large");
  // 2^31 x 2^31 elements x 4 bytes = 2^64 bytes: must not wrap around to 0 and match an empty range.
  expect_rejected(make_file(R"({"w":{"dtype":"F32","shape":[2147483648,2147483648],"data_offsets":[0,0]}})", ""),
                  "tensor 'w': shape is too large");
  expect_rejected(make_file(R"({"w":{"dtype":"F64","shape":[65536,65536,65536,16384],"data_offsets":[0,0]}})", ""),
                  "tensor 'w': shape is too large");
}

TEST(SafetensorsErrors, MissingFileNamesThePath) {
  try {
    SafetensorsFile f("/nonexistent/dir/model.safetensors");
    FAIL() << "opened a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent/dir/model.safetensors: cannot open", 0), 0u) << e.what();
  }
  TempDir t;
  try {
    SafetensorsFile f(t.path.string());
    FAIL() << "opened a directory";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(t.path.string() + ": "), std::string::npos) << e.what();
  }
}

// Every golden model.safetensors: the engine's view of each tensor equals an independent raw read.
TEST(SafetensorsGolden, MatchesIndependentRawReader) {
  RGEVAL_REQUIRE_SHARED();
  for (const auto& m : testing::golden_models()) {
    SCOPED_TRACE(m.name);
    const std::string path = testing::golden(std::string(m.name) + "/model.safetensors");
    const auto raw = testing::raw_read(path);
    SafetensorsFile f(path);
    EXPECT_EQ(f.path(), path);
    EXPECT_EQ(f.header().data_offset, 8 + raw.header_len);
    ASSERT_TRUE(raw.metadata.is_object());
    EXPECT_EQ(f.metadata().at("format"), raw.metadata.at("format").get<std::string>());
    const auto ts = f.tensors();
    ASSERT_EQ(ts.size(), raw.tensors.size());
    ASSERT_GE(ts.size(), 20u);  // gemma-tiny-mha: 2 layers x 9 + 2
    for (const auto& [name, rt] : raw.tensors) {
      ASSERT_EQ(ts.count(name), 1u) << name;
      const TensorView& v = ts.at(name);
      EXPECT_EQ(std::string(dtype_name(v.dtype)), rt.dtype) << name;
      EXPECT_EQ(rt.dtype, m.dtype) << name;
      EXPECT_EQ(v.shape, rt.shape) << name;
      ASSERT_EQ(v.nbytes, rt.bytes.size()) << name;
      ASSERT_EQ(std::memcmp(v.data, rt.bytes.data(), v.nbytes), 0) << name;
      const int64_t n = v.numel();
      ASSERT_GT(n, 0) << name;
      for (int64_t i : {int64_t(0), int64_t(1), n / 2, n - 1}) {
        const float want = testing::raw_element(rt, size_t(i));
        EXPECT_EQ(element_f32(v, i), want) << name << "[" << i << "]";
      }
    }
    // A whole tensor through to_f32.
    const auto& emb = ts.at("model.embed_tokens.weight");
    const auto all = to_f32(emb);
    ASSERT_EQ(all.size(), size_t(512 * 128));
    const auto& raw_emb = raw.tensors.at("model.embed_tokens.weight");
    for (size_t i = 0; i < all.size(); i += 997) EXPECT_EQ(all[i], testing::raw_element(raw_emb, i)) << i;
    // Random weights: not all zero.
    EXPECT_NE(all[0], 0.f);
  }
}

// The BF16 folders hold the F32 weights rounded to nearest-even bf16.
TEST(SafetensorsGolden, Bf16FoldersAreRoundedF32) {
  RGEVAL_REQUIRE_SHARED();
  for (const std::string base : {"recurrentgemma-tiny", "gemma-tiny-mqa"}) {
    SafetensorsFile f32(testing::golden(base + "/model.safetensors"));
    SafetensorsFile b16(testing::golden(base + "-bf16/model.safetensors"));
    const auto a = f32.tensors(), b = b16.tensors();
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [name, v] : a) {
      ASSERT_EQ(b.count(name), 1u) << name;
      const auto& w = b.at(name);
      ASSERT_EQ(w.dtype, DType::BF16);
      ASSERT_EQ(w.shape, v.shape);
      const auto x = to_f32(v), y = to_f32(w);
      for (size_t i = 0; i < x.size(); ++i)
        ASSERT_EQ(round_to_bf16(x[i]), y[i]) << base << " " << name << "[" << i << "]";
    }
  }
}

}  // namespace
}  // namespace rgeval
