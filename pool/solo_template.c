/* solo_template.c: getblocktemplate's result, checked field by field into owned memory. */
#include "pool/solo_template.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "pool/solo_block.h"
#include "synth/error.h"

struct rd {
  char *err;
  size_t err_len;
};

static int fail(struct rd *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct rd *r, int rc, const char *fmt, ...)
{
  if (r->err && r->err_len) {
    int n = snprintf(r->err, r->err_len, "template: ");
    if (n >= 0 && (size_t)n < r->err_len) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(r->err + n, r->err_len - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  return rc;
}

/* An integer field in [lo, hi]. */
static int get_int(struct rd *r, const json_t *o, const char *key, const char *name, json_int_t lo,
                   json_int_t hi, bool optional, int64_t *out)
{
  const json_t *v = json_object_get(o, key);
  if (!v) {
    if (optional) {
      *out = 0;
      return 0;
    }
    return fail(r, SYNTH_EINVAL, "%s: missing", name);
  }
  if (!json_is_integer(v))
    return fail(r, SYNTH_EINVAL, "%s: not an integer", name);
  json_int_t x = json_integer_value(v);
  if (x < lo || x > hi)
    return fail(r, SYNTH_ERANGE, "%s: %lld is outside %lld..%lld", name, (long long)x,
                (long long)lo, (long long)hi);
  *out = (int64_t)x;
  return 0;
}

/* A string field; NULL with 0 when optional and absent. */
static int get_str(struct rd *r, const json_t *o, const char *key, const char *name, bool optional,
                   const char **out, size_t *len)
{
  const json_t *v = json_object_get(o, key);
  *out = NULL;
  *len = 0;
  if (!v)
    return optional ? 0 : fail(r, SYNTH_EINVAL, "%s: missing", name);
  if (!json_is_string(v))
    return fail(r, SYNTH_EINVAL, "%s: not a string", name);
  *out = json_string_value(v);
  *len = json_string_length(v);
  if (strlen(*out) != *len)
    return fail(r, SYNTH_EINVAL, "%s: contains a NUL", name);
  return 0;
}

/* 64 hex digits, byte-reversed to digest order. */
static int get_hash(struct rd *r, const json_t *o, const char *key, const char *name,
                    uint8_t out[32])
{
  const char *s;
  size_t n;
  int rc = get_str(r, o, key, name, false, &s, &n);
  if (rc)
    return rc;
  if (n != 64 || synth__solo_hash_from_rpc(s, out) != 0)
    return fail(r, SYNTH_EINVAL, "%s: not 64 hex digits", name);
  return 0;
}

/* Even-length hex of at most @max decoded bytes (@n chars) is fine. */
static int check_hex(struct rd *r, const char *s, size_t n, size_t max, const char *name)
{
  if (n % 2)
    return fail(r, SYNTH_EINVAL, "%s: odd number of hex digits", name);
  if (n / 2 > max)
    return fail(r, SYNTH_ERANGE, "%s: %zu bytes, more than %zu", name, n / 2, max);
  for (size_t i = 0; i < n; i++)
    if (synth__hex_digit(s[i]) < 0)
      return fail(r, SYNTH_EINVAL, "%s: not hex at character %zu", name, i);
  return 0;
}

/* A hex string decoded into fresh memory (*out NULL for an empty string). */
static int get_hex_bytes(struct rd *r, const char *s, size_t n, size_t max, const char *name,
                         uint8_t **out, size_t *len)
{
  int rc = check_hex(r, s, n, max, name);
  if (rc)
    return rc;
  *out = NULL;
  *len = n / 2;
  if (!*len)
    return 0;
  *out = malloc(*len);
  if (!*out)
    return fail(r, SYNTH_ENOMEM, "%s: out of memory", name);
  synth__unhex(s, *out, *len);
  return 0;
}

static int read_tx(struct rd *r, const json_t *tx, size_t i, struct synth__solo_template *t,
                   size_t *total)
{
  char name[48];
  if (!json_is_object(tx))
    return fail(r, SYNTH_EINVAL, "transactions[%zu]: not an object", i);
  const char *data;
  size_t n;
  snprintf(name, sizeof name, "transactions[%zu].data", i);
  int rc = get_str(r, tx, "data", name, false, &data, &n);
  if (rc)
    return rc;
  if (n == 0)
    return fail(r, SYNTH_EINVAL, "%s: empty", name);
  if ((rc = check_hex(r, data, n, SYNTH__SOLO_TEMPLATE_TX_MAX, name)) != 0)
    return rc;
  if (n / 2 > SYNTH__SOLO_TEMPLATE_TX_MAX - *total)
    return fail(r, SYNTH_ERANGE, "transactions: more than %u bytes together",
                SYNTH__SOLO_TEMPLATE_TX_MAX);
  *total += n / 2;
  snprintf(name, sizeof name, "transactions[%zu].txid", i);
  if ((rc = get_hash(r, tx, "txid", name, t->txids[i])) != 0)
    return rc;
  snprintf(name, sizeof name, "transactions[%zu].hash", i);
  if ((rc = get_hash(r, tx, "hash", name, t->wtxids[i])) != 0)
    return rc;
  snprintf(name, sizeof name, "transactions[%zu].fee", i);
  if ((rc = get_int(r, tx, "fee", name, 0, SYNTH__SOLO_MAX_COINBASE_VALUE, false, &t->fees[i])) !=
      0)
    return rc;
  snprintf(name, sizeof name, "transactions[%zu].weight", i);
  if ((rc = get_int(r, tx, "weight", name, 1, 4 * (json_int_t)SYNTH__SOLO_TEMPLATE_TX_MAX, false,
                    &t->weights[i])) != 0)
    return rc;
  const json_t *dep = json_object_get(tx, "depends");
  if (dep) {
    snprintf(name, sizeof name, "transactions[%zu].depends", i);
    if (!json_is_array(dep))
      return fail(r, SYNTH_EINVAL, "%s: not an array", name);
    if (json_array_size(dep) > i)
      return fail(r, SYNTH_ERANGE, "%s: more entries than earlier transactions", name);
    for (size_t k = 0; k < json_array_size(dep); k++) {
      const json_t *d = json_array_get(dep, k);
      if (!json_is_integer(d))
        return fail(r, SYNTH_EINVAL, "%s[%zu]: not an integer", name, k);
      json_int_t x = json_integer_value(d);
      if (x < 1 || (uint64_t)x > i) /* 1-based: an earlier transaction */
        return fail(r, SYNTH_ERANGE, "%s[%zu]: %lld names no earlier transaction", name, k,
                    (long long)x);
    }
  }
  t->tx_data[i] = strdup(data);
  if (!t->tx_data[i])
    return fail(r, SYNTH_ENOMEM, "%s: out of memory", name);
  return 0;
}

static int read_txs(struct rd *r, const json_t *res, struct synth__solo_template *t)
{
  const json_t *a = json_object_get(res, "transactions");
  if (!a)
    return fail(r, SYNTH_EINVAL, "transactions: missing");
  if (!json_is_array(a))
    return fail(r, SYNTH_EINVAL, "transactions: not an array");
  size_t n = json_array_size(a);
  if (n > SYNTH__SOLO_TEMPLATE_MAX_TXS)
    return fail(r, SYNTH_ERANGE, "transactions: %zu entries, more than %u", n,
                SYNTH__SOLO_TEMPLATE_MAX_TXS);
  if (!n)
    return 0;
  t->tx_data = calloc(n, sizeof *t->tx_data);
  t->txids = calloc(n, 32);
  t->wtxids = calloc(n, 32);
  t->fees = calloc(n, sizeof *t->fees);
  t->weights = calloc(n, sizeof *t->weights);
  if (!t->tx_data || !t->txids || !t->wtxids || !t->fees || !t->weights)
    return fail(r, SYNTH_ENOMEM, "transactions: out of memory");
  t->ntx = n;
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    int rc = read_tx(r, json_array_get(a, i), i, t, &total);
    if (rc)
      return rc;
  }
  return 0;
}

/* An array of strings, each non-empty and at most 64 characters; copied when @out is set. */
static int read_strings(struct rd *r, const json_t *res, const char *key, bool optional,
                        char ***out, size_t *count, const json_t **arr)
{
  const json_t *a = json_object_get(res, key);
  *arr = a;
  if (!a)
    return optional ? 0 : fail(r, SYNTH_EINVAL, "%s: missing", key);
  if (!json_is_array(a))
    return fail(r, SYNTH_EINVAL, "%s: not an array", key);
  size_t n = json_array_size(a);
  if (n > SYNTH__SOLO_TEMPLATE_RULES_MAX)
    return fail(r, SYNTH_ERANGE, "%s: %zu entries, more than %u", key, n,
                SYNTH__SOLO_TEMPLATE_RULES_MAX);
  for (size_t i = 0; i < n; i++) {
    const json_t *s = json_array_get(a, i);
    if (!json_is_string(s))
      return fail(r, SYNTH_EINVAL, "%s[%zu]: not a string", key, i);
    size_t l = json_string_length(s);
    if (l == 0 || l > 64 || strlen(json_string_value(s)) != l)
      return fail(r, SYNTH_EINVAL, "%s[%zu]: not 1..64 characters", key, i);
  }
  if (!out || !n)
    return 0;
  *out = calloc(n, sizeof **out);
  if (!*out)
    return fail(r, SYNTH_ENOMEM, "%s: out of memory", key);
  *count = n;
  for (size_t i = 0; i < n; i++)
    if (!((*out)[i] = strdup(json_string_value(json_array_get(a, i)))))
      return fail(r, SYNTH_ENOMEM, "%s: out of memory", key);
  return 0;
}

static int read_mutable(struct rd *r, const json_t *res, struct synth__solo_template *t)
{
  const json_t *a;
  int rc = read_strings(r, res, "mutable", false, NULL, NULL, &a);
  if (rc)
    return rc;
  int64_t req;
  if ((rc = get_int(r, res, "vbrequired", "vbrequired", 0, UINT32_MAX, true, &req)) != 0)
    return rc;
  t->vbrequired = (uint32_t)req;
  bool may = false;
  for (size_t i = 0; i < json_array_size(a); i++) {
    const char *s = json_string_value(json_array_get(a, i));
    may |= strcmp(s, "version/force") == 0 || strcmp(s, "version") == 0;
  }
  t->version_rolling = may && (t->vbrequired & 0x1fffe000u) == 0;
  return 0;
}

static int read_aux(struct rd *r, const json_t *res, struct synth__solo_template *t)
{
  const json_t *o = json_object_get(res, "coinbaseaux");
  if (!o)
    return 0;
  if (!json_is_object(o))
    return fail(r, SYNTH_EINVAL, "coinbaseaux: not an object");
  uint8_t buf[SYNTH__SOLO_TEMPLATE_AUX_MAX];
  size_t len = 0;
  const char *key;
  const json_t *v;
  char name[96];
  json_object_foreach((json_t *)o, key, v)
  {
    snprintf(name, sizeof name, "coinbaseaux.%.64s", key);
    if (!json_is_string(v))
      return fail(r, SYNTH_EINVAL, "%s: not a string", name);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    int rc = check_hex(r, s, n, SYNTH__SOLO_TEMPLATE_AUX_MAX, name);
    if (rc)
      return rc;
    if (n / 2 > sizeof buf - len)
      return fail(r, SYNTH_ERANGE, "coinbaseaux: more than %u bytes together",
                  SYNTH__SOLO_TEMPLATE_AUX_MAX);
    synth__unhex(s, buf + len, n / 2);
    len += n / 2;
  }
  if (!len)
    return 0;
  if (!(t->aux = malloc(len)))
    return fail(r, SYNTH_ENOMEM, "coinbaseaux: out of memory");
  memcpy(t->aux, buf, len);
  t->aux_len = len;
  return 0;
}

static int parse(struct rd *r, const json_t *res, struct synth__solo_template *t)
{
  if (!json_is_object(res))
    return fail(r, SYNTH_EINVAL, "result: not an object");
  int64_t v;
  int rc;
  if ((rc = get_int(r, res, "version", "version", 0, UINT32_MAX, false, &v)) != 0)
    return rc;
  t->version = (uint32_t)v;
  if ((rc = get_hash(r, res, "previousblockhash", "previousblockhash", t->prev)) != 0)
    return rc;
  if ((rc = read_txs(r, res, t)) != 0)
    return rc;
  if ((rc = get_int(r, res, "coinbasevalue", "coinbasevalue", 0, SYNTH__SOLO_MAX_COINBASE_VALUE,
                    false, &v)) != 0)
    return rc;
  t->coinbasevalue = (uint64_t)v;
  if ((rc = get_hash(r, res, "target", "target", t->target)) != 0)
    return rc;
  const char *s;
  size_t n;
  if ((rc = get_str(r, res, "bits", "bits", false, &s, &n)) != 0)
    return rc;
  uint8_t b[4];
  if (n != 8 || synth__unhex(s, b, 4) != 0)
    return fail(r, SYNTH_EINVAL, "bits: not 8 hex digits");
  t->bits = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
  if ((rc = get_int(r, res, "curtime", "curtime", 0, UINT32_MAX, false, &t->curtime)) != 0)
    return rc;
  if ((rc = get_int(r, res, "mintime", "mintime", 0, UINT32_MAX, false, &t->mintime)) != 0)
    return rc;
  if ((rc = get_int(r, res, "height", "height", 1, INT32_MAX, false, &v)) != 0)
    return rc;
  t->height = (uint32_t)v;
  if ((rc = read_mutable(r, res, t)) != 0)
    return rc;
  if ((rc = get_str(r, res, "longpollid", "longpollid", true, &s, &n)) != 0)
    return rc;
  if (s) {
    if (n > SYNTH__SOLO_TEMPLATE_LONGPOLL_MAX)
      return fail(r, SYNTH_ERANGE, "longpollid: %zu characters, more than %u", n,
                  SYNTH__SOLO_TEMPLATE_LONGPOLL_MAX);
    if (!(t->longpollid = strdup(s)))
      return fail(r, SYNTH_ENOMEM, "longpollid: out of memory");
  }
  if ((rc = get_str(r, res, "default_witness_commitment", "default_witness_commitment", true, &s,
                    &n)) != 0)
    return rc;
  if (s) {
    if (n == 0)
      return fail(r, SYNTH_EINVAL, "default_witness_commitment: empty");
    if ((rc = get_hex_bytes(r, s, n, 80, "default_witness_commitment", &t->default_commitment,
                            &t->default_commitment_len)) != 0)
      return rc;
  }
  if ((rc = read_aux(r, res, t)) != 0)
    return rc;
  const json_t *a;
  if ((rc = read_strings(r, res, "rules", false, &t->rules, &t->nrules, &a)) != 0)
    return rc;
  if ((rc = get_int(r, res, "sizelimit", "sizelimit", 1, INT32_MAX, true, &t->sizelimit)) != 0)
    return rc;
  if ((rc = get_int(r, res, "weightlimit", "weightlimit", 1, INT32_MAX, true, &t->weightlimit)) !=
      0)
    return rc;
  return 0;
}

int synth__solo_template_parse(const json_t *result, struct synth__solo_template *t, char *err,
                               size_t err_len)
{
  struct rd r = {err, err_len};
  if (err && err_len)
    err[0] = '\0';
  if (!t)
    return SYNTH_EINVAL;
  memset(t, 0, sizeof *t);
  if (!result)
    return fail(&r, SYNTH_EINVAL, "result: missing");
  int rc = parse(&r, result, t);
  if (rc)
    synth__solo_template_free(t);
  return rc;
}

int synth__solo_template_parse_text(const char *text, size_t len, struct synth__solo_template *t,
                                    char *err, size_t err_len)
{
  struct rd r = {err, err_len};
  if (t)
    memset(t, 0, sizeof *t);
  if (!text || !t)
    return fail(&r, SYNTH_EINVAL, "no text");
  json_error_t je;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!root)
    return fail(&r, SYNTH_EINVAL, "not JSON: %s (line %d)", je.text, je.line);
  int rc = synth__solo_template_parse(root, t, err, err_len);
  json_decref(root);
  return rc;
}

void synth__solo_template_free(struct synth__solo_template *t)
{
  if (!t)
    return;
  for (size_t i = 0; t->tx_data && i < t->ntx; i++)
    free(t->tx_data[i]);
  for (size_t i = 0; t->rules && i < t->nrules; i++)
    free(t->rules[i]);
  free(t->tx_data);
  free(t->txids);
  free(t->wtxids);
  free(t->fees);
  free(t->weights);
  free(t->longpollid);
  free(t->default_commitment);
  free(t->aux);
  free(t->rules);
  memset(t, 0, sizeof *t);
}
