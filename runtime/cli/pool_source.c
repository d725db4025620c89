/* pool_source.c: `run` mining for a Stratum pool: flags, the JSON config file, the client. */
#include "pool_source.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_snapshot.h"
#include "cli.h"

/* "synthminer run: " what why, on one line; the usage exit status. */
static int bad(const char *what, const char *why)
{
  fprintf(stderr, "synthminer run: %s%s\n", what, why);
  return CLI_EXIT_USAGE;
}

static int set(char **dst, const char *value)
{
  free(*dst);
  *dst = value ? strdup(value) : NULL;
  return value && !*dst ? -1 : 0;
}

/* A string field of the config, or NULL; *ok false when it is there but not a string. */
static const char *field(json_t *root, const char *name, bool *ok)
{
  json_t *v = json_object_get(root, name);
  if (v && !json_is_string(v))
    *ok = false;
  return json_string_value(v);
}

static int load_config(struct pool_source *ps, const char *path)
{
  json_error_t e;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
  char what[512];
  snprintf(what, sizeof what, "--config %s: ", path);
  if (!root) {
    char where[256];
    snprintf(where, sizeof where, "line %d: %.160s", e.line, e.text);
    return bad(what, e.line > 0 ? where : e.text);
  }
  int rc = 0;
  bool ok = json_is_object(root);
  json_t *pools = json_object_get(root, "pools"), *item;
  const char *known[] = {"pools", "user", "pass", "tls_insecure", "tls_ca"};
  const char *key;
  json_t *value;
  json_object_foreach(root, key, value)
  {
    bool found = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
      found |= strcmp(key, known[i]) == 0;
    if (!found) {
      char why[128];
      snprintf(why, sizeof why, "unknown key \"%.64s\"", key);
      rc = bad(what, why);
      goto out;
    }
  }
  if (!ok || (pools && (!json_is_array(pools) || json_array_size(pools) > CLI_LIST_MAX))) {
    rc = bad(what, "expected an object with \"pools\": a list of URLs");
    goto out;
  }
  size_t i;
  json_array_foreach(pools, i, item)
  {
    /* "stratum+tcp://..." or {"url": "stratum+tcp://..."} */
    const char *url = json_is_object(item) ? field(item, "url", &ok) : json_string_value(item);
    if (!url || !ok || set(&ps->urls[ps->count], url) != 0) {
      rc = bad(what, "each pool is a URL string or {\"url\": ...}");
      goto out;
    }
    ps->count++;
  }
  const char *user = field(root, "user", &ok), *pass = field(root, "pass", &ok),
             *ca = field(root, "tls_ca", &ok);
  json_t *insecure = json_object_get(root, "tls_insecure");
  if (!ok || (insecure && !json_is_boolean(insecure))) {
    rc = bad(what, "user, pass and tls_ca are strings, tls_insecure true or false");
    goto out;
  }
  if (set(&ps->user, user) || set(&ps->password, pass) || set(&ps->tls_ca, ca)) {
    rc = 1;
    goto out;
  }
  ps->tls_insecure = json_is_true(insecure);
out:
  json_decref(root);
  return rc;
}

int pool_source_load(struct pool_source *ps, const struct pool_flags *f)
{
  memset(ps, 0, sizeof *ps);
  if (f->config) {
    int rc = load_config(ps, f->config);
    if (rc != 0)
      return rc;
  }
  if (f->urls.count > 0) { /* flags win over the file */
    for (unsigned i = 0; i < ps->count; i++)
      free(ps->urls[i]);
    ps->count = 0;
    for (unsigned i = 0; i < f->urls.count; i++)
      if (set(&ps->urls[ps->count++], f->urls.items[i]) != 0)
        return 1;
  }
  if ((f->user && set(&ps->user, f->user)) || (f->password && set(&ps->password, f->password)) ||
      (f->tls_ca && set(&ps->tls_ca, f->tls_ca)))
    return 1;
  ps->tls_insecure |= f->tls_insecure;
  if (ps->count > 0 && (!ps->user || !*ps->user))
    return bad("a pool needs a worker name: -u USER (or \"user\" in --config)", "");
  if (ps->count == 0 && (f->user || f->password || f->tls_insecure || f->tls_ca))
    return bad("-u, -p and the TLS flags need a pool: -o URL", "");
  return 0;
}

int pool_source_start(struct pool_source *ps, synth_runtime *rt, struct cli_log *log)
{
  struct synth_pool_config cfg = {
      .urls = (const char *const *)ps->urls,
      .url_count = ps->count,
      .user = ps->user,
      .password = ps->password,
      .tls_insecure = ps->tls_insecure,
      .tls_ca_file = ps->tls_ca,
      .log_fn = cli_log_message,
      .log_user = log,
      .log_level = log->level,
  };
  int rc = synth_pool_create(&ps->pool, rt, &cfg);
  if (rc == 0)
    rc = synth_pool_start(ps->pool);
  if (rc != 0) {
    if (!atomic_load(&log->error_seen))
      fprintf(stderr, "synthminer run: pool client: %s\n", synth_strerror(rc));
    return rc == SYNTH_EINVAL ? CLI_EXIT_USAGE : 1;
  }
  return 0;
}

void pool_source_tick(struct pool_source *ps, struct api_state *api)
{
  struct synth_pool_stats s;
  if (synth_pool_stats(ps->pool, &s, sizeof s) == 0 && s.job_id[0])
    api_state_set_job(api, s.job_id, "pool", s.difficulty);
}

void pool_source_report(struct pool_source *ps)
{
  struct synth_pool_stats s;
  if (synth_pool_stats(ps->pool, &s, sizeof s) != 0)
    return;
  fprintf(stderr,
          "synthminer run: pool %s: %llu accepted, %llu rejected%s%s%s, %llu stale, %llu "
          "reconnects\n",
          s.url[0] ? s.url : ps->urls[0], (unsigned long long)s.accepted,
          (unsigned long long)s.rejected, s.last_reject[0] ? " (last: " : "", s.last_reject,
          s.last_reject[0] ? ")" : "", (unsigned long long)s.stale,
          (unsigned long long)s.reconnects);
}

void pool_source_free(struct pool_source *ps)
{
  synth_pool_destroy(ps->pool);
  for (unsigned i = 0; i < ps->count; i++)
    free(ps->urls[i]);
  if (ps->password)
    memset(ps->password, 0, strlen(ps->password));
  free(ps->password);
  free(ps->user);
  free(ps->tls_ca);
  memset(ps, 0, sizeof *ps);
}
