// EventBus: fans state changes and results out to WatchEvents streams.
//
// Publishers call Publish() in the order events happen; each sink receives
// the events it wants in that order. Sinks must not block in Deliver(): they
// queue (bounded) and write asynchronously. Thread-safe.
#ifndef UPTIME_COORDINATOR_HEALTH_EVENT_BUS_H_
#define UPTIME_COORDINATOR_HEALTH_EVENT_BUS_H_

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/map.h"
#include "uptime/v1/status.pb.h"

namespace uptime::coordinator {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Called under the bus lock: must be quick and must not call the bus.
  virtual bool WantsResults() const = 0;
  virtual void Deliver(const v1::Event& event,
                       const google::protobuf::Map<std::string, std::string>& labels) = 0;
};

class EventBus {
 public:
  // After Unsubscribe() returns, the sink receives nothing more.
  void Subscribe(EventSink* sink);
  void Unsubscribe(EventSink* sink);

  void Publish(const v1::Event& event, const google::protobuf::Map<std::string, std::string>& labels);

  // Lets publishers skip building result events nobody wants.
  bool HasResultSubscribers() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<EventSink*> sinks_ ABSL_GUARDED_BY(mu_);
  int result_sinks_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_HEALTH_EVENT_BUS_H_
