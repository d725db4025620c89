/* latency_spec.c: parses --target-latency: "MS" for every device, or "cpu=MS,gpu=MS". */
#include "latency_spec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_MS 60000.0

/* One number of milliseconds, the whole of [s, end). */
static int number(const char *s, const char *end, double *out)
{
  char buf[32];
  size_t n = (size_t)(end - s);
  if (n == 0 || n >= sizeof buf)
    return -1;
  memcpy(buf, s, n);
  buf[n] = 0;
  char *stop;
  double v = strtod(buf, &stop);
  if (*stop || !isfinite(v) || v < 0.1 || v > MAX_MS)
    return -1;
  *out = v;
  return 0;
}

int latency_spec_parse(const char *command, const char *spec, double *cpu_ms, double *gpu_ms)
{
  double v;
  if (!strchr(spec, '=')) {
    if (number(spec, spec + strlen(spec), &v) != 0)
      goto bad;
    *cpu_ms = *gpu_ms = v;
    return 0;
  }
  for (const char *p = spec; *p;) {
    const char *comma = strchr(p, ',');
    const char *end = comma ? comma : p + strlen(p);
    const char *eq = memchr(p, '=', (size_t)(end - p));
    if (!eq || number(eq + 1, end, &v) != 0)
      goto bad;
    size_t klen = (size_t)(eq - p);
    if (klen == 3 && memcmp(p, "cpu", 3) == 0)
      *cpu_ms = v;
    else if (klen == 3 && memcmp(p, "gpu", 3) == 0)
      *gpu_ms = v;
    else
      goto bad;
    p = comma ? comma + 1 : end;
    if (comma && !*p)
      goto bad;
  }
  return 0;
bad:
  cli_say("synthminer %s: --target-latency %s: expected milliseconds (0.1 to 60000) for every "
          "device, or cpu=MS,gpu=MS\n",
          command, spec);
  return 2;
}
