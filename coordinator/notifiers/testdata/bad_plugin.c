/* Deliberately broken plugins for plugin_loader_test, one per BAD_KIND:
 *   1  reports ABI version 99
 *   2  exports no entry point
 *   3  takes the name of a built-in ("slack")
 */
#include "coordinator/notifiers/plugin_abi.h"

#if BAD_KIND != 2
static int32_t validate(const uptime_kv_t* c, size_t n, uptime_plugin_result_t* r) {
  (void)c;
  (void)n;
  return r->code = UPTIME_PLUGIN_OK;
}
static void* create(const uptime_kv_t* c, size_t n, uptime_plugin_result_t* r) {
  (void)c;
  (void)n;
  (void)r;
  return (void*)1;
}
static void destroy(void* p) { (void)p; }
static int32_t send_alert(void* p, const char* j, size_t n, uptime_plugin_result_t* r) {
  (void)p;
  (void)j;
  (void)n;
  return r->code = UPTIME_PLUGIN_OK;
}

static const uptime_notifier_plugin_v1_t kPlugin = {
#if BAD_KIND == 1
    .abi_version = 99,
    .name = "future_plugin",
#else
    .abi_version = UPTIME_NOTIFIER_ABI_VERSION,
    .name = "slack",
#endif
    .secret_keys = 0,
    .validate = validate,
    .create = create,
    .destroy = destroy,
    .send = send_alert,
};

const uptime_notifier_plugin_v1_t* uptime_notifier_plugin_v1(void) { return &kPlugin; }
#else
int uptime_not_a_plugin(void) { return 42; }
#endif
