// A directory under $TMPDIR (or /tmp) owned by one fixture.
//
// Removed with everything in it when the TempDir is destroyed, unless the
// current GoogleTest test has failed: then it is kept and its path printed,
// so server logs and data survive for the person debugging the failure.

#ifndef UPTIME_TESTS_SUPPORT_TEMP_DIR_H_
#define UPTIME_TESTS_SUPPORT_TEMP_DIR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace uptime::testing {

class TempDir {
 public:
  // Creates a fresh directory named `prefix` + six random characters.
  static absl::StatusOr<TempDir> Create(absl::string_view prefix);

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  void Remove();

  std::string path_;  // Empty once moved from.
};

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_SUPPORT_TEMP_DIR_H_
