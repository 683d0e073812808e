/* An example notifier plugin (plugin_abi.h, version 1): appends every alert
 * as one JSON line to a file. Useful on its own (feed a log shipper) and as
 * the template for writing a plugin; the tests load it through the loader.
 *
 * Channel type: "jsonl_file". Config:
 *   path      (required) absolute path of the file to append to
 *   token     (optional, secret) unused; shows how secret keys are declared
 *   simulate  (optional) "retry" or "permanent": fail every send that way,
 *             to try out a channel's retry handling
 *
 * Build: cc -shared -fPIC -o jsonl_file.so example_plugin.c
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coordinator/notifiers/plugin_abi.h"

typedef struct {
  char* path;
  int simulate; /* 0, UPTIME_PLUGIN_RETRY or UPTIME_PLUGIN_PERMANENT */
} instance_t;

static const char* find(const uptime_kv_t* config, size_t n, const char* key) {
  for (size_t i = 0; i < n; ++i) {
    if (strcmp(config[i].key, key) == 0) return config[i].value;
  }
  return NULL;
}

static int32_t fail(uptime_plugin_result_t* result, int32_t code, const char* message) {
  result->code = code;
  snprintf(result->message, sizeof(result->message), "%s", message);
  return code;
}

static int32_t validate(const uptime_kv_t* config, size_t n, uptime_plugin_result_t* result) {
  for (size_t i = 0; i < n; ++i) {
    const char* key = config[i].key;
    if (strcmp(key, "path") != 0 && strcmp(key, "token") != 0 && strcmp(key, "simulate") != 0) {
      result->code = UPTIME_PLUGIN_PERMANENT;
      snprintf(result->message, sizeof(result->message),
               "config.%.64s: unknown key (known: path, token, simulate)", key);
      return result->code;
    }
  }
  const char* path = find(config, n, "path");
  if (path == NULL || path[0] == '\0') {
    return fail(result, UPTIME_PLUGIN_PERMANENT, "config.path: required");
  }
  if (path[0] != '/') {
    return fail(result, UPTIME_PLUGIN_PERMANENT, "config.path: must be an absolute path");
  }
  const char* simulate = find(config, n, "simulate");
  if (simulate != NULL && strcmp(simulate, "retry") != 0 && strcmp(simulate, "permanent") != 0) {
    return fail(result, UPTIME_PLUGIN_PERMANENT, "config.simulate: must be retry or permanent");
  }
  result->code = UPTIME_PLUGIN_OK;
  return UPTIME_PLUGIN_OK;
}

static void* create(const uptime_kv_t* config, size_t n, uptime_plugin_result_t* result) {
  if (validate(config, n, result) != UPTIME_PLUGIN_OK) return NULL;
  instance_t* instance = calloc(1, sizeof(instance_t));
  if (instance == NULL) {
    fail(result, UPTIME_PLUGIN_PERMANENT, "out of memory");
    return NULL;
  }
  instance->path = strdup(find(config, n, "path"));
  const char* simulate = find(config, n, "simulate");
  if (simulate != NULL) {
    instance->simulate =
        strcmp(simulate, "retry") == 0 ? UPTIME_PLUGIN_RETRY : UPTIME_PLUGIN_PERMANENT;
  }
  return instance;
}

static void destroy(void* p) {
  instance_t* instance = p;
  free(instance->path);
  free(instance);
}

static int32_t send_alert(void* p, const char* json, size_t len, uptime_plugin_result_t* result) {
  instance_t* instance = p;
  if (instance->simulate == UPTIME_PLUGIN_RETRY) {
    result->retry_after_ms = 1500;
    return fail(result, UPTIME_PLUGIN_RETRY, "simulated temporary failure");
  }
  if (instance->simulate == UPTIME_PLUGIN_PERMANENT) {
    return fail(result, UPTIME_PLUGIN_PERMANENT, "simulated permanent failure");
  }
  /* One write() per line with O_APPEND: concurrent writers (several
   * channels, several processes) never interleave within a line. */
  char* line = malloc(len + 1);
  if (line == NULL) return fail(result, UPTIME_PLUGIN_RETRY, "out of memory");
  memcpy(line, json, len);
  line[len] = '\n';
  int fd = open(instance->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    free(line);
    /* A missing directory or no permission will not fix itself. */
    const int32_t code = (err == ENOENT || err == EACCES || err == EISDIR)
                             ? UPTIME_PLUGIN_PERMANENT
                             : UPTIME_PLUGIN_RETRY;
    result->code = code;
    snprintf(result->message, sizeof(result->message), "cannot open the file: %s",
             strerror(err));
    return code;
  }
  const ssize_t written = write(fd, line, len + 1);
  const int err = errno;
  free(line);
  close(fd);
  if (written != (ssize_t)(len + 1)) {
    result->code = UPTIME_PLUGIN_RETRY;
    snprintf(result->message, sizeof(result->message), "short write: %s",
             written < 0 ? strerror(err) : "disk full?");
    return UPTIME_PLUGIN_RETRY;
  }
  result->code = UPTIME_PLUGIN_OK;
  return UPTIME_PLUGIN_OK;
}

static const char* const kSecretKeys[] = {"token", NULL};

static const uptime_notifier_plugin_v1_t kPlugin = {
    .abi_version = UPTIME_NOTIFIER_ABI_VERSION,
    .name = "jsonl_file",
    .secret_keys = kSecretKeys,
    .validate = validate,
    .create = create,
    .destroy = destroy,
    .send = send_alert,
};

const uptime_notifier_plugin_v1_t* uptime_notifier_plugin_v1(void) { return &kPlugin; }
