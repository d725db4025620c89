/* pu_list.c: parses processing-unit lists such as "0,2-3" strictly. */
#include "devices/cpu/pu_list.h"

#include <stdbool.h>

#include "synth/error.h"

#define PU_MAX 65535u

/* Reads a decimal number at *p (digits only). Returns false when there is none or it is too
 * large. */
static bool read_number(const char **p, unsigned *value)
{
  const char *s = *p;
  unsigned v = 0;
  if (*s < '0' || *s > '9')
    return false;
  while (*s >= '0' && *s <= '9') {
    v = v * 10 + (unsigned)(*s - '0');
    if (v > PU_MAX)
      return false;
    s++;
  }
  *p = s;
  *value = v;
  return true;
}

static bool seen_before(const unsigned *out, size_t n, unsigned v)
{
  for (size_t i = 0; i < n; i++) {
    if (out[i] == v)
      return true;
  }
  return false;
}

int synth__pu_list_parse(const char *text, unsigned *out, size_t max, size_t *count)
{
  const char *p = text;
  size_t n = 0;
  if (!p || !*p)
    return SYNTH_EINVAL;
  for (;;) {
    unsigned lo, hi;
    if (!read_number(&p, &lo))
      return SYNTH_EINVAL;
    hi = lo;
    if (*p == '-') {
      p++;
      if (!read_number(&p, &hi) || hi < lo)
        return SYNTH_EINVAL;
    }
    for (unsigned v = lo; v <= hi; v++) {
      if (n == max || seen_before(out, n, v))
        return SYNTH_EINVAL;
      out[n++] = v;
    }
    if (*p == '\0')
      break;
    if (*p++ != ',')
      return SYNTH_EINVAL;
  }
  *count = n;
  return 0;
}
