/* pool_source.c: `run` mining for a Stratum pool: flags, the JSON config file, the client. */
#include "pool_source.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_snapshot.h"
#include "cli.h"
#include "run_settings.h"
#include "text_clean.h"

/* "synthminer run: " what why, on one line; the usage exit status. */
static int bad(const char *what, const char *why)
{
  cli_say("synthminer run: %s%s\n", what, why);
  return CLI_EXIT_USAGE;
}

static int set(char **dst, const char *value)
{
  free(*dst);
  *dst = value ? strdup(value) : NULL;
  return value && !*dst ? -1 : 0;
}

/* Frees a password, wiped first. */
static void drop_secret(char **p)
{
  if (*p)
    explicit_bzero(*p, strlen(*p));
  free(*p);
  *p = NULL;
}

/* A string field of the config, or NULL; *ok false when it is there but not a string. */
static const char *field(json_t *root, const char *name, bool *ok)
{
  json_t *v = json_object_get(root, name);
  if (v && !json_is_string(v))
    *ok = false;
  return json_string_value(v);
}

/*
 * Whether value fits the client's limit; else prints "WHAT: a KIND is at most MAX bytes" and,
 * unless the value is secret, its length. Returns 0 or CLI_EXIT_USAGE.
 */
static int check_length(const char *what, const char *value, size_t max, const char *kind,
                        bool secret)
{
  size_t len = value ? strlen(value) : 0;
  if (len <= max)
    return 0;
  if (secret)
    cli_say("synthminer run: %s: a %s is at most %zu bytes\n", what, kind, max);
  else
    cli_say("synthminer run: %s: a %s is at most %zu bytes (this one has %zu)\n", what, kind, max,
            len);
  return CLI_EXIT_USAGE;
}

/*
 * The first line of the file at path (without its newline, or a "\r\n") into *out, malloc'd.
 * Returns 0, or prints one line starting with what (never the password) and returns
 * CLI_EXIT_USAGE: the file cannot be read, its first line is empty, has a NUL byte or is
 * longer than SYNTH_POOL_PASSWORD_MAX; 1 when memory ran out.
 */
static int read_pass_file(const char *what, const char *path, char **out)
{
  char buf[SYNTH_POOL_PASSWORD_MAX + 2]; /* one byte over, and the NUL */
  char why[96] = "";
  size_t n = 0;
  int c = EOF, err = 0, rc = 0;
  bool nul = false;
  FILE *f = fopen(path, "re");
  if (!f) {
    err = errno;
  } else {
    while ((c = getc(f)) != EOF && c != '\n' && n < sizeof buf - 1) {
      nul |= c == '\0';
      buf[n++] = (char)c;
    }
    if (ferror(f))
      err = errno;
    fclose(f);
  }
  if (n > 0 && buf[n - 1] == '\r' && (c == '\n' || c == EOF))
    n--;
  buf[n] = '\0';
  if (err)
    cli_say("synthminer run: %s %s: cannot read it: %s\n", what, path, strerror(err));
  else if (n == 0)
    snprintf(why, sizeof why, "its first line, the password, is empty");
  else if (nul)
    snprintf(why, sizeof why, "the password has a NUL byte");
  else if (n > SYNTH_POOL_PASSWORD_MAX)
    snprintf(why, sizeof why, "a password is at most %d bytes", SYNTH_POOL_PASSWORD_MAX);
  if (why[0])
    cli_say("synthminer run: %s %s: %s\n", what, path, why);
  if (err || why[0])
    rc = CLI_EXIT_USAGE;
  else if (set(out, buf) != 0)
    rc = 1;
  explicit_bzero(buf, sizeof buf);
  return rc;
}

/* The config's "pools": every entry a URL within the client's limit. */
static int config_pools(struct pool_source *ps, json_t *pools, const char *what)
{
  if (pools && (!json_is_array(pools) || json_array_size(pools) > CLI_LIST_MAX))
    return bad(what, "expected an object with \"pools\": a list of URLs");
  size_t i;
  json_t *item;
  json_array_foreach(pools, i, item)
  {
    /* "stratum+tcp://..." or {"url": "stratum+tcp://..."} */
    bool ok = true;
    const char *url = json_is_object(item) ? field(item, "url", &ok) : json_string_value(item);
    if (!url || !ok)
      return bad(what, "each pool is a URL string or {\"url\": ...}");
    char where[600];
    snprintf(where, sizeof where, "%s\"pools\" entry %zu", what, i + 1);
    if (check_length(where, url, SYNTH_POOL_URL_MAX, "pool URL", false) != 0)
      return CLI_EXIT_USAGE;
    if (set(&ps->urls[ps->count], url) != 0)
      return 1;
    ps->count++;
  }
  return 0;
}

/* Every key of the config is one we know. */
static int config_keys(json_t *root, const char *what)
{
  static const char *const known[] = {"pools",     "user",         "pass",
                                      "pass_file", "tls_insecure", "tls_ca"};
  const char *key;
  json_t *value;
  json_object_foreach(root, key, value)
  {
    bool found = solo_config_key(key) || run_settings_key(key);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
      found |= strcmp(key, known[i]) == 0;
    if (!found) {
      char why[128];
      snprintf(why, sizeof why, "unknown key \"%.64s\"", key);
      return bad(what, why);
    }
  }
  return 0;
}

/* The config's "user", "pass" or "pass_file", "tls_ca" and "tls_insecure". */
static int config_settings(struct pool_source *ps, json_t *root, const char *what)
{
  bool ok = true;
  const char *user = field(root, "user", &ok), *pass = field(root, "pass", &ok),
             *pass_file = field(root, "pass_file", &ok), *ca = field(root, "tls_ca", &ok);
  json_t *insecure = json_object_get(root, "tls_insecure");
  if (!ok || (insecure && !json_is_boolean(insecure)))
    return bad(what, "user, pass, pass_file and tls_ca are strings, tls_insecure true or false");
  if (pass && pass_file)
    return bad(what, "\"pass\" and \"pass_file\" both give the password: keep one");
  char where[600];
  snprintf(where, sizeof where, "%s\"user\"", what);
  if (check_length(where, user, SYNTH_POOL_USER_MAX, "worker name", false) != 0)
    return CLI_EXIT_USAGE;
  snprintf(where, sizeof where, "%s\"pass\"", what);
  if (check_length(where, pass, SYNTH_POOL_PASSWORD_MAX, "password", true) != 0)
    return CLI_EXIT_USAGE;
  snprintf(where, sizeof where, "%s\"pass_file\"", what);
  int rc = pass_file ? read_pass_file(where, pass_file, &ps->password) : 0;
  if (rc != 0)
    return rc;
  if (set(&ps->user, user) || (pass && set(&ps->password, pass)) || set(&ps->tls_ca, ca))
    return 1;
  ps->tls_insecure = json_is_true(insecure);
  return 0;
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
  int rc = config_keys(root, what);
  if (rc == 0 && !json_is_object(root))
    rc = bad(what, "expected an object with \"pools\": a list of URLs");
  if (rc == 0)
    rc = config_pools(ps, json_object_get(root, "pools"), what);
  if (rc == 0)
    rc = config_settings(ps, root, what);
  if (rc == 0)
    rc = solo_config_load(&ps->solo, root, what);
  json_decref(root);
  return rc;
}

/* -o, -u, -p and --pass-file within the client's limits (--pass-file: read into *from_file). */
static int check_flags(const struct pool_flags *f, char **from_file)
{
  for (unsigned i = 0; i < f->urls.count; i++) {
    char what[64];
    if (f->urls.count == 1)
      snprintf(what, sizeof what, "-o");
    else
      snprintf(what, sizeof what, "-o (pool %u)", i + 1);
    if (check_length(what, f->urls.items[i], SYNTH_POOL_URL_MAX, "pool URL", false) != 0)
      return CLI_EXIT_USAGE;
  }
  if (check_length("-u", f->user, SYNTH_POOL_USER_MAX, "worker name", false) != 0 ||
      check_length("-p", f->password, SYNTH_POOL_PASSWORD_MAX, "password", true) != 0)
    return CLI_EXIT_USAGE;
  return f->pass_file ? read_pass_file("--pass-file", f->pass_file, from_file) : 0;
}

/* The password by precedence: -p, --pass-file, the config, the environment. */
static int choose_password(struct pool_source *ps, const struct pool_flags *f, char **from_file)
{
  if (f->password || *from_file) {
    drop_secret(&ps->password);
    if (f->password)
      return set(&ps->password, f->password);
    ps->password = *from_file;
    *from_file = NULL;
    return 0;
  }
  const char *env = getenv(POOL_PASS_ENV);
  if (ps->password || !env || !*env)
    return 0;
  if (check_length("$" POOL_PASS_ENV, env, SYNTH_POOL_PASSWORD_MAX, "password", true) != 0)
    return CLI_EXIT_USAGE;
  return set(&ps->password, env);
}

int pool_source_load(struct pool_source *ps, const struct pool_flags *f)
{
  memset(ps, 0, sizeof *ps);
  bool flags = f->user || f->password || f->pass_file || f->tls_insecure || f->tls_ca ||
               f->timeout_ms || f->failover_after;
  char *from_file = NULL;
  int rc = 0;
  if (f->config && (rc = load_config(ps, f->config)) != 0)
    return rc;
  if (ps->count == 0 && f->urls.count == 0 && flags)
    return bad("-u, -p, --pass-file and the TLS flags need a pool: -o URL", "");
  if ((rc = check_flags(f, &from_file)) != 0)
    return rc;
  if (f->urls.count > 0) { /* flags win over the file */
    for (unsigned i = 0; i < ps->count; i++)
      free(ps->urls[i]);
    ps->count = 0;
    for (unsigned i = 0; i < f->urls.count && rc == 0; i++)
      rc = set(&ps->urls[ps->count++], f->urls.items[i]) != 0;
  }
  if (rc == 0 &&
      ((f->user && set(&ps->user, f->user)) || (f->tls_ca && set(&ps->tls_ca, f->tls_ca))))
    rc = 1;
  if (rc == 0 && ps->count > 0)
    rc = choose_password(ps, f, &from_file);
  drop_secret(&from_file);
  if (rc != 0)
    return rc;
  ps->tls_insecure |= f->tls_insecure;
  ps->timeout_ms = f->timeout_ms;
  ps->failover_after = f->failover_after;
  if ((rc = solo_source_finish(&ps->solo, &f->solo, ps->urls, ps->count, ps->user,
                               ps->password != NULL)) != 0)
    return rc;
  if (ps->count > 0 && !ps->solo.on && (!ps->user || !*ps->user))
    return bad("a pool needs a worker name: -u USER (or \"user\" in --config)", "");
  return 0;
}

int pool_source_start(struct pool_source *ps, synth_runtime *rt, struct cli_log *log, bool standby)
{
  if (ps->solo.on)
    return solo_source_start(&ps->solo, rt, log, ps->urls[0], ps->user, ps->password,
                             ps->tls_insecure, ps->tls_ca, ps->timeout_ms);
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
      .connect_timeout_ms = ps->timeout_ms,
      .tls_timeout_ms = ps->timeout_ms,
      .subscribe_timeout_ms = ps->timeout_ms,
      .authorize_timeout_ms = ps->timeout_ms,
      .first_job_timeout_ms = ps->timeout_ms,
      .reply_timeout_ms = 2 * ps->timeout_ms,
      .failover_after = ps->failover_after,
      .standby = standby,
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

int pool_source_tick(struct pool_source *ps, struct api_state *api)
{
  if (ps->solo.on) {
    struct synth_solo_stats ss;
    if (synth_solo_stats(ps->solo.client, &ss, sizeof ss) == 0 && ss.job_id[0])
      api_state_set_job(api, ss.job_id, "node", ss.difficulty);
    return solo_source_failed(&ps->solo);
  }
  struct synth_pool_stats s;
  if (synth_pool_stats(ps->pool, &s, sizeof s) == 0 && s.job_id[0])
    api_state_set_job(api, s.job_id, "pool", s.difficulty);
  return 0;
}

void pool_source_report(struct pool_source *ps)
{
  if (ps->solo.on) {
    solo_source_report(&ps->solo);
    return;
  }
  struct synth_pool_stats s;
  if (synth_pool_stats(ps->pool, &s, sizeof s) != 0)
    return;
  /* What the pool said, shown and not obeyed, whatever the client let through. */
  char url[sizeof s.url], reject[sizeof s.last_reject];
  text_clean(url, sizeof url, s.url[0] ? s.url : ps->urls[0], false);
  text_clean(reject, sizeof reject, s.last_reject, false);
  fprintf(stderr,
          "synthminer run: pool %s: %llu accepted, %llu rejected%s%s%s, %llu stale, %llu "
          "reconnects\n",
          url, (unsigned long long)s.accepted, (unsigned long long)s.rejected,
          reject[0] ? " (last: " : "", reject, reject[0] ? ")" : "", (unsigned long long)s.stale,
          (unsigned long long)s.reconnects);
}

bool pool_source_same(const struct pool_source *a, const struct pool_source *b)
{
  if (a->count != b->count || !text_same(a->user, b->user) ||
      !text_same(a->password, b->password) || !text_same(a->tls_ca, b->tls_ca) ||
      a->tls_insecure != b->tls_insecure || a->timeout_ms != b->timeout_ms ||
      a->failover_after != b->failover_after || !solo_source_same(&a->solo, &b->solo))
    return false;
  for (unsigned i = 0; i < a->count; i++)
    if (strcmp(a->urls[i], b->urls[i]) != 0)
      return false;
  return true;
}

int pool_source_copy_from(struct pool_source *dst, const struct pool_source *src, unsigned first)
{
  memset(dst, 0, sizeof *dst);
  for (unsigned i = 0; i < src->count; i++) {
    dst->urls[i] = strdup(src->urls[(first + i) % src->count]);
    if (!dst->urls[i])
      return -1;
    dst->count++;
  }
  if (set(&dst->user, src->user) || set(&dst->password, src->password) ||
      set(&dst->tls_ca, src->tls_ca))
    return -1;
  dst->tls_insecure = src->tls_insecure;
  dst->timeout_ms = src->timeout_ms;
  dst->failover_after = src->failover_after;
  return 0;
}

void pool_source_free(struct pool_source *ps)
{
  synth_pool_destroy(ps->pool);
  solo_source_free(&ps->solo);
  for (unsigned i = 0; i < ps->count; i++)
    free(ps->urls[i]);
  drop_secret(&ps->password);
  free(ps->user);
  free(ps->tls_ca);
  memset(ps, 0, sizeof *ps);
}
