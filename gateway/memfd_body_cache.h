// MemfdBodyCache: shared response bodies copied once into memory files
// (memfd_create), so that a plain-HTTP session sends a large cached body
// with sendfile(2), as a static file server sends a file: the kernel then
// references the file's pages instead of copying ~100 KB from user space
// into the socket for every response.
//
// A shared body is never modified (http_types.h), so its identity is its
// key. A body gets its file on its second send: one sent only once (the
// snapshot changes faster than it is read) is cheaper written from memory
// than copied into a file. Entries last while their body lives and are
// dropped once it is gone (the snapshot changed) or when more than
// `capacity` are held. A file stays open while any session sends it.
//
// Example:
//   std::shared_ptr<const MemFile> file = cache.FileFor(body);
//   if (file != nullptr) sendfile(socket, file->fd(), &offset, body->size());
//
// Thread-safety: not thread-safe; one per io thread.
#ifndef UPTIME_GATEWAY_MEMFD_BODY_CACHE_H_
#define UPTIME_GATEWAY_MEMFD_BODY_CACHE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace uptime::gateway {

// An open memory file; closed when the last holder lets go.
class MemFile {
 public:
  explicit MemFile(int fd) : fd_(fd) {}
  ~MemFile();
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  int fd() const { return fd_; }

 private:
  const int fd_;
};

class MemfdBodyCache {
 public:
  explicit MemfdBodyCache(size_t capacity = 8) : capacity_(capacity) {}

  // A memory file holding exactly *body, or null on its first send or when
  // none can be made (the caller then writes the body from memory).
  std::shared_ptr<const MemFile> FileFor(const std::shared_ptr<const std::string>& body);

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::weak_ptr<const std::string> body;
    const std::string* raw = nullptr;  // identity; valid while `body` is
    std::shared_ptr<const MemFile> file;  // null: seen once so far
    uint64_t used = 0;
  };

  const size_t capacity_;
  std::vector<Entry> entries_;
  uint64_t tick_ = 0;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_MEMFD_BODY_CACHE_H_
