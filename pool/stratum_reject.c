/* stratum_reject.c: a pool's reject answer, in whatever shape, becomes one reason line. */
#include "stratum_reject.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A code as pools send it: an integer, a real (a huge one read as such), or nothing. */
static bool code_of(json_t *v, long long *code)
{
  if (json_is_integer(v)) {
    *code = json_integer_value(v);
    return true;
  }
  if (json_is_real(v) && isfinite(json_real_value(v))) {
    double d = json_real_value(v);
    *code = d > 9e18 ? 9000000000000000000LL : d < -9e18 ? -9000000000000000000LL : (long long)d;
    return true;
  }
  return false;
}

/* Copies text, control and non-ASCII bytes as '?', after an optional "CODE ". */
static void put(char *buf, size_t size, bool has_code, long long code, const char *text)
{
  size_t k = 0;
  if (has_code) {
    int n = snprintf(buf, size, "%lld ", code);
    k = n > 0 && (size_t)n < size ? (size_t)n : 0;
  }
  for (const char *c = text; *c && k + 1 < size; c++)
    buf[k++] = *c >= 0x20 && *c < 0x7f ? *c : '?';
  buf[k < size ? k : size - 1] = 0;
}

bool stratum_reject_reason(json_t *root, json_t *result, json_t *error, char *buf, size_t size)
{
  long long code = 0;
  bool has_code = false;
  const char *text = NULL;
  if (json_is_array(error)) {
    has_code = code_of(json_array_get(error, 0), &code);
    text = json_string_value(json_array_get(error, 1));
  } else if (json_is_object(error)) {
    has_code = code_of(json_object_get(error, "code"), &code);
    text = json_string_value(json_object_get(error, "message"));
  } else if (json_is_string(error)) {
    text = json_string_value(error);
  }
  /* ckpool: {"result": false, "error": null, "reject-reason": "..."} */
  const char *ck = json_string_value(json_object_get(root, "reject-reason"));
  if (!text && ck)
    text = ck;
  if (!text)
    text = json_is_false(result) || json_is_null(result) || !result ? "no reason given"
                                                                    : "unexpected result";
  put(buf, size, has_code, code, text);
  return (has_code && code == 21) || strcasestr(text, "stale") ||
         strcasestr(text, "job not found") || strcasestr(text, "unknown job") ||
         strcasestr(text, "old job");
}
