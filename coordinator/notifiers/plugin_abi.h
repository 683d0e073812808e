/* The C ABI of third-party notifier plugins, version 1.
 *
 * A plugin is a shared object in the coordinator's plugin directory that
 * exports one function:
 *
 *   const uptime_notifier_plugin_v1_t* uptime_notifier_plugin_v1(void);
 *
 * returning a pointer to a static descriptor whose abi_version is
 * UPTIME_NOTIFIER_ABI_VERSION. The coordinator registers the plugin under
 * `name` as a channel type, next to the built-ins (a name already taken is
 * refused). Why C and JSON: a C ABI survives compiler and standard-library
 * differences between the coordinator and the plugin, and an alert passed
 * as JSON (the `webhook` schema, version 1, see alert_json.h) can gain fields
 * without a new ABI version. A future version 2 gets a new symbol,
 * uptime_notifier_plugin_v2, so one object may offer both.
 *
 * Contract:
 *  - Strings are NUL-terminated UTF-8. Pointers passed in are valid only for
 *    the duration of the call; the plugin copies what it keeps.
 *  - Results are written into a caller-owned uptime_plugin_result_t, so no
 *    memory crosses the boundary to be freed by the other side.
 *  - validate() and create() may be called from any thread at any time.
 *    send() is never called concurrently for one instance (the host
 *    serializes), but different instances may send in parallel.
 *    destroy() is called once per instance, after its last send().
 *  - send() may block (network I/O), but should finish within ~10 s.
 *  - Error messages must not contain secret config values: they are shown
 *    to API users and logged.
 *  - Plugins are never unloaded while the process runs.
 *
 * Example: coordinator/notifiers/example_plugin.c.
 */
#ifndef UPTIME_COORDINATOR_NOTIFIERS_PLUGIN_ABI_H_
#define UPTIME_COORDINATOR_NOTIFIERS_PLUGIN_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UPTIME_NOTIFIER_ABI_VERSION 1

/* The exported symbol's name, for dlsym(). */
#define UPTIME_NOTIFIER_PLUGIN_SYMBOL_V1 "uptime_notifier_plugin_v1"

/* One channel config entry (uptime.v1.Channel.config). */
typedef struct uptime_kv {
  const char* key;
  const char* value;
} uptime_kv_t;

/* Result codes. */
#define UPTIME_PLUGIN_OK 0
/* Try again later (network error, receiver overloaded): the sender retries
 * with backoff, waiting at least retry_after_ms when that is >= 0. */
#define UPTIME_PLUGIN_RETRY 1
/* Retrying cannot help (bad config, rejected message). */
#define UPTIME_PLUGIN_PERMANENT 2

#define UPTIME_PLUGIN_MESSAGE_SIZE 512

typedef struct uptime_plugin_result {
  int32_t code;           /* UPTIME_PLUGIN_OK / _RETRY / _PERMANENT */
  int64_t retry_after_ms; /* with RETRY: the receiver's minimum delay; -1: none */
  /* Why it failed; for validate(), start with the key: "config.path: ...". */
  char message[UPTIME_PLUGIN_MESSAGE_SIZE];
} uptime_plugin_result_t;

typedef struct uptime_notifier_plugin_v1_s {
  /* Must be UPTIME_NOTIFIER_ABI_VERSION (1). */
  uint32_t abi_version;
  /* Channel type name: 1..64 characters of [a-z0-9_-]. */
  const char* name;
  /* NULL-terminated list of config keys whose values are secret
   * (write-only in the API); NULL for none. */
  const char* const* secret_keys;
  /* Checks a config. The host passes a zeroed result with
   * retry_after_ms = -1; on error, set code = UPTIME_PLUGIN_PERMANENT and
   * the message. Returns result->code. */
  int32_t (*validate)(const uptime_kv_t* config, size_t config_len,
                      uptime_plugin_result_t* result);
  /* Makes an instance for a valid config, or returns NULL with the reason
   * in result. */
  void* (*create)(const uptime_kv_t* config, size_t config_len,
                  uptime_plugin_result_t* result);
  void (*destroy)(void* instance);
  /* Delivers one alert, given as a JSON document (alert_json.h, version 1)
   * of alert_json_len bytes (also NUL-terminated). Returns result->code. */
  int32_t (*send)(void* instance, const char* alert_json, size_t alert_json_len,
                  uptime_plugin_result_t* result);
} uptime_notifier_plugin_v1_t;

typedef const uptime_notifier_plugin_v1_t* (*uptime_notifier_plugin_v1_fn)(void);

/* What a plugin defines (and exports with default visibility). */
const uptime_notifier_plugin_v1_t* uptime_notifier_plugin_v1(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* UPTIME_COORDINATOR_NOTIFIERS_PLUGIN_ABI_H_ */
