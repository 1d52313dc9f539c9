// replay_main - run a fuzz target over every file of a corpus folder and of further folders
// when they exist (fuzz/regressions/NAME); no libFuzzer needed (the gcc build's fuzz tests).
// Prints "N passed, 0 failed" when every input ran without a crash.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// replay_folder - feed each regular file under `folder` to the target; returns how many ran.
int replay_folder(const std::filesystem::path& folder) {
  int count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ++count;
  }
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [DIR...]  (later folders may be missing)\n", argv[0]);
    return 64;
  }
  if (!std::filesystem::is_directory(argv[1])) {
    std::fprintf(stderr, "%s: no corpus folder %s\n", argv[0], argv[1]);
    return 1;
  }
  int count = 0;
  for (int i = 1; i < argc; ++i) {
    if (i > 1 && !std::filesystem::is_directory(argv[i])) continue;
    count += replay_folder(argv[i]);
  }
  std::printf("%d passed, 0 failed\n", count);
  return count > 0 ? 0 : 1;
}
