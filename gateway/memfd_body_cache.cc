#include "gateway/memfd_body_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace uptime::gateway {

namespace {

// A sealed memory file with `data`, or -1.
int MakeFile(const std::string& data) {
  const int fd = memfd_create("uptime-gateway-body", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -1;
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  // Sealed: nothing can change what sessions are sending.
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

MemFile::~MemFile() { ::close(fd_); }

std::shared_ptr<const MemFile> MemfdBodyCache::FileFor(
    const std::shared_ptr<const std::string>& body) {
  // Bodies that are gone will never be asked for again.
  std::erase_if(entries_, [](const Entry& e) { return e.body.expired(); });
  ++tick_;
  for (Entry& e : entries_) {
    // Live entries only: a live body's address is not reused.
    if (e.raw != body.get()) continue;
    e.used = tick_;
    if (e.file == nullptr) {
      const int fd = MakeFile(*body);
      if (fd >= 0) e.file = std::make_shared<const MemFile>(fd);
    }
    return e.file;
  }
  if (entries_.size() >= capacity_) {
    entries_.erase(std::min_element(entries_.begin(), entries_.end(),
                                    [](const Entry& a, const Entry& b) { return a.used < b.used; }));
  }
  entries_.push_back(Entry{body, body.get(), nullptr, tick_});
  return nullptr;
}

}  // namespace uptime::gateway
