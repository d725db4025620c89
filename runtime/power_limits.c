/* power_limits.c: reading the power_limit list. */
#include "runtime/power_limits.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth/error.h"

#define WATTS_MAX 100000.0

/* One item "KEY=W" or "W" at [@p, @end): its key (or "" for a bare number) and watts. */
static int item(const char *p, const char *end, char *key, size_t key_size, double *watts)
{
  const char *eq = memchr(p, '=', (size_t)(end - p));
  const char *num = eq ? eq + 1 : p;
  size_t klen = eq ? (size_t)(eq - p) : 0;
  if ((eq && klen == 0) || klen >= key_size || num >= end)
    return -1;
  memcpy(key, p, klen);
  key[klen] = '\0';
  char buf[32], *tail;
  size_t nlen = (size_t)(end - num);
  if (nlen >= sizeof buf)
    return -1;
  memcpy(buf, num, nlen);
  buf[nlen] = '\0';
  *watts = strtod(buf, &tail);
  if (*tail || !isfinite(*watts) || *watts <= 0 || *watts > WATTS_MAX)
    return -1;
  return 0;
}

static bool known_key(const char *key)
{
  static const char *const kinds[] = {"", "gpu", "cpu", "opencl", "vulkan"};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(key, kinds[i]) == 0)
      return true;
  /* a device id: kind:N */
  const char *colon = strchr(key, ':');
  if (!colon || !colon[1])
    return false;
  for (const char *c = colon + 1; *c; c++)
    if (*c < '0' || *c > '9')
      return false;
  size_t k = (size_t)(colon - key);
  return (k == 3 && strncmp(key, "cpu", 3) == 0) || (k == 6 && strncmp(key, "opencl", 6) == 0) ||
         (k == 6 && strncmp(key, "vulkan", 6) == 0);
}

int synth__power_limits_check(const char *spec, char *why, size_t why_size)
{
  if (!spec || !*spec)
    return 0;
  for (const char *p = spec;;) {
    const char *end = strchr(p, ',');
    if (!end)
      end = p + strlen(p);
    char key[32];
    double w;
    if (item(p, end, key, sizeof key, &w) != 0 || !known_key(key)) {
      snprintf(why, why_size,
               "power limit '%.*s': expected W or KIND=W or ID=W (KIND gpu, cpu, opencl, "
               "vulkan; ID like opencl:0), W a number of watts above 0",
               (int)(end - p), p);
      return SYNTH_EINVAL;
    }
    if (!*end)
      return 0;
    p = end + 1;
  }
}

/* How well @key names @desc: 3 its id, 2 its kind, 1 a bare number, 0 not at all. */
static int match(const char *key, const struct synth__device_desc *desc)
{
  if (!key[0])
    return 1;
  if (strcmp(key, desc->id) == 0)
    return 3;
  bool gpu =
      (desc->kind == SYNTH_DEVICE_OPENCL || desc->kind == SYNTH_DEVICE_VULKAN) && !desc->host_cpu;
  if ((strcmp(key, "gpu") == 0 && gpu) ||
      (strcmp(key, "cpu") == 0 && desc->kind == SYNTH_DEVICE_CPU) ||
      (strcmp(key, "opencl") == 0 && desc->kind == SYNTH_DEVICE_OPENCL) ||
      (strcmp(key, "vulkan") == 0 && desc->kind == SYNTH_DEVICE_VULKAN))
    return 2;
  return 0;
}

double synth__power_limit_of(const char *spec, const struct synth__device_desc *desc)
{
  if (!spec)
    return 0;
  double best_w = 0;
  int best = 0;
  for (const char *p = spec; *p;) {
    const char *end = strchr(p, ',');
    if (!end)
      end = p + strlen(p);
    char key[32];
    double w;
    if (item(p, end, key, sizeof key, &w) == 0) {
      int m = match(key, desc);
      if (m >= best && m > 0) {
        best = m;
        best_w = w;
      }
    }
    p = *end ? end + 1 : end;
  }
  return best_w;
}
