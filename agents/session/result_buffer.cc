#include "agents/session/result_buffer.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace uptime::agent {

namespace {

ResultBufferOptions Normalize(ResultBufferOptions options) {
  options.batch_size = std::max<size_t>(options.batch_size, 1);
  options.max_results = std::max(options.max_results, options.batch_size);
  return options;
}

}  // namespace

ResultBuffer::ResultBuffer(ResultBufferOptions options) : options_(Normalize(options)) {}

void ResultBuffer::Add(std::vector<v1::CheckResult> results, absl::Time now) {
  if (results.empty()) return;
  if (pending_.empty()) oldest_pending_ = now;
  total_ += results.size();
  if (pending_.empty()) {
    pending_ = std::move(results);
  } else {
    pending_.insert(pending_.end(), std::make_move_iterator(results.begin()),
                    std::make_move_iterator(results.end()));
  }
  size_t start = 0;
  for (; pending_.size() - start >= options_.batch_size; start += options_.batch_size) {
    FormBatch(start, options_.batch_size);
  }
  // One erase for all batches formed: pending_ can hold thousands.
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(start));
  DropOldestIfFull();
}

void ResultBuffer::Flush(absl::Time now, bool force) {
  if (pending_.empty()) return;
  if (force || now >= oldest_pending_ + options_.batch_delay) {
    FormBatch(0, pending_.size());
    pending_.clear();
  }
}

std::optional<absl::Time> ResultBuffer::FlushDeadline() const {
  if (pending_.empty()) return std::nullopt;
  return oldest_pending_ + options_.batch_delay;
}

void ResultBuffer::FormBatch(size_t start, size_t count) {
  auto message = std::make_shared<v1::AgentMessage>();
  v1::ResultBatch* batch = message->mutable_results();
  const uint64_t sequence = next_sequence_++;
  batch->set_sequence(sequence);
  batch->mutable_results()->Reserve(static_cast<int>(count));
  for (size_t i = start; i < start + count; ++i) *batch->add_results() = std::move(pending_[i]);
  batches_.push_back(Batch{sequence, count, std::move(message)});
}

void ResultBuffer::DropOldestIfFull() {
  while (total_ > options_.max_results && !batches_.empty()) {
    total_ -= batches_.front().size;
    dropped_ += static_cast<int64_t>(batches_.front().size);
    batches_.pop_front();
    if (sent_ > 0) --sent_;
  }
  if (total_ > options_.max_results) {
    const size_t excess = total_ - options_.max_results;
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(excess));
    total_ -= excess;
    dropped_ += static_cast<int64_t>(excess);
  }
}

std::vector<ResultBuffer::Message> ResultBuffer::TakeUnsent() {
  std::vector<Message> out;
  for (; sent_ < batches_.size(); ++sent_) out.push_back(batches_[sent_].message);
  return out;
}

void ResultBuffer::Ack(uint64_t sequence) {
  acked_ = std::max(acked_, sequence);
  while (!batches_.empty() && batches_.front().sequence <= sequence) {
    total_ -= batches_.front().size;
    batches_.pop_front();
    if (sent_ > 0) --sent_;
  }
}

}  // namespace uptime::agent
