/* stratum_msg.c: one line from a Stratum V1 pool, checked field by field into a typed message.
 *
 * Everything here is untrusted input: every field's JSON type, hex digits and length are
 * checked before use, sizes are bounded by the fixed buffers of struct stratum_notify, and the
 * reason for a refusal is said in one line (the caller logs it and drops the message). */
#include "stratum_msg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"

int stratum_fail(char *why, size_t size, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, size, fmt, ap);
  va_end(ap);
  return -1;
}

int stratum_unhex(const char *hex, uint8_t *out, size_t n)
{
  if (strlen(hex) != 2 * n)
    return -1;
  return synth__unhex(hex, out, n);
}

/* A hex string of any even length up to max bytes. */
static int hex_bytes(json_t *v, uint8_t *out, size_t max, size_t *len)
{
  const char *s = json_string_value(v);
  if (!s)
    return -1;
  size_t n = json_string_length(v);
  if (n % 2 || n / 2 > max || strlen(s) != n) /* an embedded NUL is not hex either */
    return -1;
  *len = n / 2;
  return stratum_unhex(s, out, n / 2);
}

/* An 8-digit big-endian hex number, as Stratum sends version, nbits and ntime. */
static int hex_u32(json_t *v, uint32_t *out)
{
  uint8_t b[4];
  const char *s = json_string_value(v);
  if (!s || stratum_unhex(s, b, 4) != 0)
    return -1;
  *out = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
  return 0;
}

/* Job ids: 1..SYNTH_JOB_ID_MAX printable ASCII characters (they are sent back verbatim). */
static int job_id(json_t *v, char *out)
{
  const char *s = json_string_value(v);
  size_t n = s ? json_string_length(v) : 0;
  if (!s || n == 0 || n > SYNTH_JOB_ID_MAX || strlen(s) != n)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x21 || s[i] > 0x7e)
      return -1;
  memcpy(out, s, n + 1);
  return 0;
}

static int parse_notify(json_t *params, struct stratum_msg *msg, char *why, size_t ws)
{
  if (!json_is_array(params) || json_array_size(params) < 9)
    return stratum_fail(why, ws, "mining.notify: expected 9 parameters");
  struct stratum_notify *n = calloc(1, sizeof *n);
  if (!n)
    return stratum_fail(why, ws, "out of memory");
  msg->u.notify = n;
  uint8_t prev[32];
  json_t *branches = json_array_get(params, 4);
  const char *bad = NULL;
  if (job_id(json_array_get(params, 0), n->job_id) != 0)
    bad = "job id";
  else if (!json_string_value(json_array_get(params, 1)) ||
           stratum_unhex(json_string_value(json_array_get(params, 1)), prev, 32) != 0)
    bad = "prevhash";
  else if (hex_bytes(json_array_get(params, 2), n->coinb1, SYNTH_COINBASE_MAX, &n->coinb1_len))
    bad = "coinb1";
  else if (hex_bytes(json_array_get(params, 3), n->coinb2, SYNTH_COINBASE_MAX, &n->coinb2_len))
    bad = "coinb2";
  else if (n->coinb1_len + n->coinb2_len > SYNTH_COINBASE_MAX)
    bad = "coinbase length";
  else if (!json_is_array(branches) || json_array_size(branches) > SYNTH_MERKLE_BRANCHES_MAX)
    bad = "merkle branch list";
  else if (hex_u32(json_array_get(params, 5), &n->version) ||
           hex_u32(json_array_get(params, 6), &n->nbits) ||
           hex_u32(json_array_get(params, 7), &n->ntime))
    bad = "version, nbits or ntime";
  else if (!json_is_boolean(json_array_get(params, 8)))
    bad = "clean_jobs";
  if (!bad) {
    n->nbranches = json_array_size(branches);
    for (size_t i = 0; i < n->nbranches && !bad; i++) {
      const char *b = json_string_value(json_array_get(branches, i));
      if (!b || stratum_unhex(b, n->branches[i], 32) != 0)
        bad = "merkle branch";
    }
  }
  if (bad) {
    free(n);
    msg->u.notify = NULL;
    return stratum_fail(why, ws, "mining.notify: bad %s", bad);
  }
  /* Stratum's prevhash is the header's bytes with every 4-byte word reversed. */
  for (int w = 0; w < 8; w++)
    for (int k = 0; k < 4; k++)
      n->prevhash[4 * w + k] = prev[4 * w + 3 - k];
  n->clean = json_is_true(json_array_get(params, 8));
  return 0;
}

static int parse_reconnect(json_t *params, struct stratum_msg *msg, char *why, size_t ws)
{
  /* [host, port, wait], each optional. */
  memset(&msg->u.reconnect, 0, sizeof msg->u.reconnect);
  if (!json_is_array(params))
    return stratum_fail(why, ws, "client.reconnect: parameters are not a list");
  json_t *host = json_array_get(params, 0), *port = json_array_get(params, 1),
         *wait = json_array_get(params, 2);
  if (host && !json_is_null(host)) {
    const char *h = json_string_value(host);
    size_t n = h ? json_string_length(host) : 0;
    if (!h || n >= STRATUM_HOST_MAX || strlen(h) != n)
      return stratum_fail(why, ws, "client.reconnect: bad host");
    for (size_t i = 0; i < n; i++)
      if (!(h[i] == '.' || h[i] == '-' || h[i] == ':' || (h[i] >= '0' && h[i] <= '9') ||
            (h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z')))
        return stratum_fail(why, ws, "client.reconnect: bad host");
    memcpy(msg->u.reconnect.host, h, n + 1);
  }
  if (port && !json_is_null(port)) {
    json_int_t p = json_is_integer(port) ? json_integer_value(port) : -1;
    const char *ps = json_string_value(port);
    if (ps) {
      char *end;
      long v = strtol(ps, &end, 10);
      p = *ps && !*end ? v : -1;
    }
    if (p < 1 || p > 65535)
      return stratum_fail(why, ws, "client.reconnect: bad port");
    msg->u.reconnect.port = (unsigned)p;
  }
  if (wait && !json_is_null(wait)) {
    json_int_t w = json_is_integer(wait) ? json_integer_value(wait) : -1;
    if (w < 0 || w > 3600)
      return stratum_fail(why, ws, "client.reconnect: bad wait");
    msg->u.reconnect.wait_s = (unsigned)w;
  }
  return 0;
}

static int parse_request(json_t *root, const char *method, json_t *params, struct stratum_msg *msg,
                         char *why, size_t ws)
{
  json_t *p0 = json_is_array(params) ? json_array_get(params, 0) : NULL;
  if (strcmp(method, "mining.notify") == 0) {
    msg->kind = STRATUM_NOTIFY;
    return parse_notify(params, msg, why, ws);
  }
  if (strcmp(method, "mining.set_difficulty") == 0) {
    msg->kind = STRATUM_SET_DIFFICULTY;
    double d = json_is_number(p0) ? json_number_value(p0) : -1;
    if (!isfinite(d) || d <= 0 || d > 1e30)
      return stratum_fail(why, ws, "mining.set_difficulty: not a positive number");
    msg->u.difficulty = d;
    return 0;
  }
  if (strcmp(method, "mining.set_extranonce") == 0) {
    msg->kind = STRATUM_SET_EXTRANONCE;
    json_t *size = json_is_array(params) ? json_array_get(params, 1) : NULL;
    json_int_t n2 = json_is_integer(size) ? json_integer_value(size) : -1;
    if (hex_bytes(p0, msg->u.extranonce.extranonce1, SYNTH_EXTRANONCE_MAX,
                  &msg->u.extranonce.extranonce1_len) != 0 ||
        n2 < 1 || n2 > SYNTH_EXTRANONCE_MAX)
      return stratum_fail(why, ws, "mining.set_extranonce: bad extranonce1 or extranonce2 size");
    msg->u.extranonce.extranonce2_size = (size_t)n2;
    return 0;
  }
  if (strcmp(method, "mining.set_version_mask") == 0) {
    msg->kind = STRATUM_SET_VERSION_MASK;
    if (hex_u32(p0, &msg->u.version_mask) != 0)
      return stratum_fail(why, ws, "mining.set_version_mask: bad mask");
    return 0;
  }
  if (strcmp(method, "client.reconnect") == 0) {
    msg->kind = STRATUM_RECONNECT;
    return parse_reconnect(params, msg, why, ws);
  }
  if (strcmp(method, "client.show_message") == 0) {
    msg->kind = STRATUM_SHOW_MESSAGE;
    const char *text = json_string_value(p0);
    if (!text)
      return stratum_fail(why, ws, "client.show_message: no text");
    /* Printable ASCII only, so a pool cannot write control sequences to a terminal. */
    size_t k = 0, n = json_string_length(p0);
    for (size_t i = 0; i < n && k + 1 < sizeof msg->u.message; i++)
      msg->u.message[k++] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
    msg->u.message[k] = 0;
    return 0;
  }
  if (strcmp(method, "client.get_version") == 0) {
    msg->kind = STRATUM_GET_VERSION;
    return 0;
  }
  (void)root;
  msg->kind = STRATUM_UNKNOWN;
  return 0;
}

int stratum_msg_parse(const char *line, size_t len, struct stratum_msg *msg, char *why,
                      size_t why_size)
{
  memset(msg, 0, sizeof *msg);
  if (len > STRATUM_LINE_MAX)
    return stratum_fail(why, why_size, "line of %zu bytes is longer than %d", len,
                        STRATUM_LINE_MAX);
  json_error_t err;
  json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
  /* An integer past 64 bits (a pool's huge error code) is still a message: read numbers as
   * reals then, rather than lose the answer to a share. */
  if (!root && json_error_code(&err) == json_error_numeric_overflow)
    root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &err);
  if (!root)
    return stratum_fail(why, why_size, "not JSON: %s", err.text);
  if (!json_is_object(root)) {
    json_decref(root);
    return stratum_fail(why, why_size, "not a JSON object");
  }
  msg->root = root;
  json_t *id = json_object_get(root, "id");
  if (json_is_integer(id)) {
    msg->has_id = true;
    msg->id = json_integer_value(id);
  } else if (json_is_real(id) && fabs(json_real_value(id)) < 0x1p53 &&
             json_real_value(id) == floor(json_real_value(id))) { /* read as a real, above */
    msg->has_id = true;
    msg->id = (int64_t)json_real_value(id);
  }
  json_t *method = json_object_get(root, "method");
  int rc;
  if (method && !json_is_null(method)) {
    const char *m = json_string_value(method);
    if (!m || json_string_length(method) >= sizeof msg->method || strlen(m) == 0) {
      rc = stratum_fail(why, why_size, "bad method name");
    } else {
      memcpy(msg->method, m, strlen(m) + 1);
      json_t *params = json_object_get(root, "params");
      if (params && !json_is_array(params))
        rc = stratum_fail(why, why_size, "%s: parameters are not a list", m);
      else
        rc = parse_request(root, m, params, msg, why, why_size);
    }
  } else if (msg->has_id && (json_object_get(root, "result") || json_object_get(root, "error"))) {
    msg->kind = STRATUM_RESPONSE;
    msg->result = json_object_get(root, "result");
    json_t *e = json_object_get(root, "error");
    msg->error = json_is_null(e) ? NULL : e;
    rc = 0;
  } else {
    rc = stratum_fail(why, why_size, "neither a request nor a response to one of ours");
  }
  if (rc != 0)
    stratum_msg_free(msg);
  return rc;
}

void stratum_msg_free(struct stratum_msg *msg)
{
  if (msg->kind == STRATUM_NOTIFY)
    free(msg->u.notify);
  json_decref(msg->root);
  memset(msg, 0, sizeof *msg);
}

int stratum_subscribe_result(json_t *result, uint8_t extranonce1[SYNTH_EXTRANONCE_MAX],
                             size_t *extranonce1_len, size_t *extranonce2_size, char *why,
                             size_t why_size)
{
  json_t *size = json_is_array(result) ? json_array_get(result, 2) : NULL;
  json_int_t n2 = json_is_integer(size) ? json_integer_value(size) : -1;
  if (!json_is_array(result) ||
      hex_bytes(json_array_get(result, 1), extranonce1, SYNTH_EXTRANONCE_MAX, extranonce1_len) ||
      n2 < 1 || n2 > SYNTH_EXTRANONCE_MAX)
    return stratum_fail(why, why_size,
                        "mining.subscribe: expected [subscriptions, extranonce1 (up to %d bytes), "
                        "extranonce2 size (1..%d)]",
                        SYNTH_EXTRANONCE_MAX, SYNTH_EXTRANONCE_MAX);
  *extranonce2_size = (size_t)n2;
  return 0;
}

int stratum_configure_result(json_t *result, bool *rolling, uint32_t *mask, char *why,
                             size_t why_size)
{
  *rolling = false;
  *mask = 0;
  if (!json_is_object(result))
    return stratum_fail(why, why_size, "mining.configure: result is not an object");
  json_t *on = json_object_get(result, "version-rolling");
  if (!json_is_true(on))
    return 0;
  if (hex_u32(json_object_get(result, "version-rolling.mask"), mask) != 0)
    return stratum_fail(why, why_size, "mining.configure: bad version-rolling.mask");
  *rolling = *mask != 0;
  return 0;
}
