/* device_select.c: the --devices list ("all", "everything", "cpu", "opencl:1", ...) parsed and
 * applied. */
#include "runtime/device_select.h"

#include <stdio.h>
#include <string.h>

#include "base/logger.h"
#include "devices/device.h"
#include "synth/error.h"

#define INDEX_MAX 999

/* Parses one item of the list (len bytes at item). */
static int parse_item(const char *item, size_t len, struct synth__device_selection *sel,
                      const struct synth__logger *log)
{
  if (len == 3 && memcmp(item, "all", 3) == 0) {
    sel->all = true;
    return 0;
  }
  /* "all" leaves out OpenCL/Vulkan devices on the host CPU, which hash on the native CPU
   * backend's cores; "everything" takes them too, for whoever wants to measure or test them. */
  if (len == 10 && memcmp(item, "everything", 10) == 0) {
    sel->all = sel->host_cpu = true;
    return 0;
  }
  /* The kinds are the registry's backends: a new backend adds its word here by itself. */
  for (size_t k = 0; synth__device_backends[k]; k++) {
    const struct synth__device_ops *ops = synth__device_backends[k];
    size_t n = strlen(ops->name);
    if (len < n || memcmp(item, ops->name, n) != 0)
      continue;
    int index = -1;
    if (len > n) {
      if (item[n] != ':' || len == n + 1 || len > n + 4)
        break;
      if (ops->kind == SYNTH_DEVICE_CPU) {
        synth__log_error(log, "devices: 'cpu' takes no index; choose cores with the device "
                              "options cpu.threads or cpu.affinity");
        return SYNTH_EINVAL;
      }
      index = 0;
      for (size_t i = n + 1; i < len; i++) {
        if (item[i] < '0' || item[i] > '9')
          goto bad;
        index = index * 10 + (item[i] - '0');
      }
      if (index > INDEX_MAX)
        goto bad;
    }
    if (sel->n == SYNTH_SELECT_MAX) {
      synth__log_error(log, "devices: more than %d items", SYNTH_SELECT_MAX);
      return SYNTH_EINVAL;
    }
    sel->picks[sel->n++] = (struct synth__device_pick){ops->kind, index};
    return 0;
  }
bad:;
  char words[256] = "all, everything";
  for (size_t k = 0; synth__device_backends[k]; k++) {
    const struct synth__device_ops *ops = synth__device_backends[k];
    size_t used = strlen(words);
    snprintf(words + used, sizeof words - used,
             ops->kind == SYNTH_DEVICE_CPU ? ", %s" : ", %s, %s:N", ops->name, ops->name);
  }
  synth__log_error(log, "devices: '%.*s' is not a device; use %s", (int)len, item, words);
  return SYNTH_EINVAL;
}

int synth__device_selection_parse(const char *spec, struct synth__device_selection *sel,
                                  const struct synth__logger *log)
{
  memset(sel, 0, sizeof *sel);
  if (!spec || !*spec) {
    sel->all = true;
    return 0;
  }
  const char *p = spec;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len == 0) {
      synth__log_error(log, "devices '%s': empty item", spec);
      return SYNTH_EINVAL;
    }
    int rc = parse_item(p, len, sel, log);
    if (rc != 0)
      return rc;
    if (!comma)
      return 0;
    p = comma + 1;
  }
}

bool synth__device_selection_wants(const struct synth__device_selection *sel,
                                   enum synth_device_kind kind)
{
  if (sel->all)
    return true;
  for (size_t i = 0; i < sel->n; i++) {
    if (sel->picks[i].kind == kind)
      return true;
  }
  return false;
}

bool synth__device_selection_match(const struct synth__device_selection *sel,
                                   const struct synth__device_desc *desc, int kind_index)
{
  if (sel->all && (desc->selected || (sel->host_cpu && desc->host_cpu)))
    return true;
  for (size_t i = 0; i < sel->n; i++) {
    const struct synth__device_pick *p = &sel->picks[i];
    if (p->kind != desc->kind)
      continue;
    if (p->index < 0 ? desc->selected : p->index == kind_index)
      return true;
  }
  return false;
}

bool synth__device_selection_names(const struct synth__device_selection *sel,
                                   enum synth_device_kind kind, int kind_index)
{
  for (size_t i = 0; i < sel->n; i++) {
    if (sel->picks[i].kind == kind && sel->picks[i].index == kind_index)
      return true;
  }
  return false;
}
