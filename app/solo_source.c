/* solo_source.c: `run` mining solo from a node: flags, config keys, the client, its figures. */
#include "solo_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text_clean.h"

static int bad(const char *what, const char *why)
{
  cli_say("synthminer run: %s%s\n", what, why);
  return CLI_EXIT_USAGE;
}

static int set(char **dst, const char *value)
{
  free(*dst);
  *dst = value ? strdup(value) : NULL;
  return value && !*dst ? 1 : 0;
}

bool solo_url(const char *url)
{
  return url && (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0);
}

static const char *const keys[] = {"rpc_cookie",     "coinbase_addr", "coinbase_tag",    "zmq",
                                   "check_template", "no_longpoll",   "template_refresh"};

bool solo_config_key(const char *key)
{
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (strcmp(key, keys[i]) == 0)
      return true;
  return false;
}

int solo_config_load(struct solo_source *ss, json_t *root, const char *what)
{
  const char *const strings[] = {"rpc_cookie", "coinbase_addr", "coinbase_tag", "zmq"};
  char **dst[] = {&ss->cookie, &ss->address, &ss->tag, &ss->zmq};
  for (size_t i = 0; i < 4; i++) {
    json_t *v = json_object_get(root, strings[i]);
    if (!v)
      continue;
    if (!json_is_string(v) || !json_string_length(v))
      return bad(what, "rpc_cookie, coinbase_addr, coinbase_tag and zmq are non-empty strings");
    if (set(dst[i], json_string_value(v)))
      return 1;
  }
  json_t *check = json_object_get(root, "check_template"),
         *nolp = json_object_get(root, "no_longpoll"),
         *refresh = json_object_get(root, "template_refresh");
  if ((check && !json_is_boolean(check)) || (nolp && !json_is_boolean(nolp)))
    return bad(what, "check_template and no_longpoll are true or false");
  if (refresh && (!json_is_integer(refresh) || json_integer_value(refresh) < 1 ||
                  json_integer_value(refresh) > 3600))
    return bad(what, "template_refresh is whole seconds, 1..3600");
  ss->check_template = json_is_true(check);
  ss->no_longpoll = json_is_true(nolp);
  ss->refresh_s = refresh ? (unsigned)json_integer_value(refresh) : 0;
  return 0;
}

int solo_source_finish(struct solo_source *ss, const struct solo_flags *f, char *const *urls,
                       unsigned count, const char *user, bool has_password)
{
  int rc = 0;
  if ((f->rpc_cookie && set(&ss->cookie, f->rpc_cookie)) ||
      (f->coinbase_addr && set(&ss->address, f->coinbase_addr)) ||
      (f->coinbase_tag && set(&ss->tag, f->coinbase_tag)) || (f->zmq && set(&ss->zmq, f->zmq)))
    return 1;
  ss->check_template |= f->check_template;
  ss->no_longpoll |= f->no_longpoll;
  if (f->template_refresh_s)
    ss->refresh_s = f->template_refresh_s;
  unsigned nodes = 0;
  for (unsigned i = 0; i < count; i++)
    nodes += solo_url(urls[i]);
  ss->on = nodes > 0;
  bool solo_flags = ss->cookie || ss->address || ss->tag || ss->zmq || ss->check_template ||
                    ss->no_longpoll || ss->refresh_s;
  if (!ss->on && solo_flags)
    rc = bad("--coinbase-addr, --rpc-cookie, --zmq and the other solo settings need a node: ",
             "-o http://HOST:PORT");
  else if (ss->on && count > 1)
    rc = bad("solo mining takes one node (-o http://HOST:PORT): ",
             nodes == count ? "several were given" : "pools and a node do not mix");
  else if (ss->on && !ss->address)
    rc = bad("solo mining needs the address blocks pay to: ", "--coinbase-addr ADDR");
  else if (ss->on && ss->cookie && user)
    rc = bad("the node's credentials: ", "-u/-p or --rpc-cookie, not both");
  else if (ss->on && !ss->cookie && (!user || !has_password))
    rc = bad("the node needs RPC credentials: ",
             "-u USER with -p/--pass-file, or --rpc-cookie FILE (e.g. ~/.bitcoin/.cookie)");
  else if (ss->on && ss->tag && strlen(ss->tag) > SYNTH_SOLO_TAG_MAX)
    rc = bad("--coinbase-tag: ", "at most 40 bytes");
  return rc;
}

int solo_source_start(struct solo_source *ss, synth_runtime *rt, struct cli_log *log,
                      const char *url, const char *user, const char *password, bool tls_insecure,
                      const char *tls_ca, unsigned timeout_ms)
{
  struct synth_solo_config cfg = {
      .url = url,
      .user = ss->cookie ? NULL : user,
      .password = ss->cookie ? NULL : password,
      .cookie_file = ss->cookie,
      .coinbase_address = ss->address,
      .coinbase_tag = ss->tag,
      .zmq_url = ss->zmq,
      .longpoll_off = ss->no_longpoll,
      .check_template = ss->check_template,
      .tls_insecure = tls_insecure,
      .tls_ca_file = tls_ca,
      .rpc_timeout_ms = timeout_ms ? 6 * timeout_ms : 0,
      .refresh_ms = ss->refresh_s * 1000,
      .log_fn = cli_log_message,
      .log_user = log,
      .log_level = log->level,
  };
  int rc = synth_solo_create(&ss->client, rt, &cfg);
  if (rc == 0)
    rc = synth_solo_start(ss->client);
  if (rc != 0) {
    if (!atomic_load(&log->error_seen))
      fprintf(stderr, "synthminer run: solo client: %s\n", synth_strerror(rc));
    return rc == SYNTH_EINVAL || rc == SYNTH_ENOTSUP ? CLI_EXIT_USAGE : 1;
  }
  return 0;
}

int solo_source_failed(struct solo_source *ss)
{
  struct synth_solo_stats s;
  return ss->client && synth_solo_stats(ss->client, &s, sizeof s) == 0 && s.failed;
}

void solo_source_report(struct solo_source *ss)
{
  struct synth_solo_stats s;
  if (!ss->client || synth_solo_stats(ss->client, &s, sizeof s) != 0)
    return;
  char url[sizeof s.url], last[sizeof s.last_result];
  text_clean(url, sizeof url, s.url, false);
  text_clean(last, sizeof last, s.last_result, false);
  fprintf(stderr,
          "synthminer run: node %s: %llu blocks found, %llu submitted, %llu accepted, %llu "
          "rejected%s%s%s, %llu stale, height %u\n",
          url, (unsigned long long)s.found, (unsigned long long)s.submitted,
          (unsigned long long)s.accepted, (unsigned long long)s.rejected,
          last[0] ? " (last answer: " : "", last, last[0] ? ")" : "", (unsigned long long)s.stale,
          s.height);
}

static json_t *text(const char *s)
{
  char clean[256];
  text_clean(clean, sizeof clean, s, false);
  return json_string(clean);
}

json_t *solo_source_json(synth_solo *client)
{
  struct synth_solo_stats s;
  json_t *o = json_object();
  if (!o || synth_solo_stats(client, &s, sizeof s) != 0)
    return o;
  json_object_set_new(o, "url", text(s.url));
  json_object_set_new(o, "chain", text(s.chain));
  json_object_set_new(o, "state", text(s.state));
  json_object_set_new(o, "last_error", text(s.last_error));
  json_object_set_new(o, "height", json_integer(s.height));
  json_object_set_new(o, "template_age_s", json_real((double)s.template_age_ms / 1000));
  json_object_set_new(o, "transactions", json_integer((json_int_t)s.transactions));
  json_object_set_new(o, "coinbase_value", json_integer((json_int_t)s.coinbase_value));
  json_object_set_new(o, "job_id", text(s.job_id));
  json_object_set_new(o, "templates", json_integer((json_int_t)s.templates));
  json_object_set_new(o, "longpolls", json_integer((json_int_t)s.longpolls));
  json_object_set_new(o, "zmq_blocks", json_integer((json_int_t)s.zmq_blocks));
  json_object_set_new(o, "rpc_errors", json_integer((json_int_t)s.rpc_errors));
  json_t *b = json_object();
  const struct {
    const char *name;
    uint64_t v;
  } blocks[] = {{"found", s.found},
                {"submitted", s.submitted},
                {"accepted", s.accepted},
                {"rejected", s.rejected},
                {"inconclusive", s.inconclusive},
                {"duplicate_answers", s.duplicate_answers},
                {"unanswered", s.unanswered},
                {"duplicates", s.duplicates},
                {"stale", s.stale},
                {"unsent", s.unsent},
                {"queued", s.queued}};
  for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
    json_object_set_new(b, blocks[i].name, json_integer((json_int_t)blocks[i].v));
  json_object_set_new(b, "last_result", text(s.last_result));
  json_object_set_new(b, "last_block", text(s.last_block));
  json_t *results = json_object();
  for (unsigned i = 0; i < s.result_kinds && i < SYNTH_SOLO_RESULTS; i++) {
    char key[64];
    text_clean(key, sizeof key, s.results[i].result, false);
    json_object_set_new(results, key, json_integer((json_int_t)s.results[i].count));
  }
  json_object_set_new(b, "results", results);
  json_object_set_new(o, "blocks", b);
  json_t *sw = json_pack(
      "{s:{s:I,s:f,s:f},s:{s:I,s:f,s:f}}", "longpoll", "count", (json_int_t)s.switches_longpoll,
      "p50_ms", s.switch_longpoll_p50_ms, "max_ms", s.switch_longpoll_max_ms, "zmq", "count",
      (json_int_t)s.switches_zmq, "p50_ms", s.switch_zmq_p50_ms, "max_ms", s.switch_zmq_max_ms);
  json_object_set_new(o, "job_switch", sw);
  json_object_set_new(o, "template_build_ms", json_real(s.template_build_ms));
  return o;
}

bool solo_source_same(const struct solo_source *a, const struct solo_source *b)
{
  return a->on == b->on && text_same(a->cookie, b->cookie) && text_same(a->address, b->address) &&
         text_same(a->tag, b->tag) && text_same(a->zmq, b->zmq) &&
         a->check_template == b->check_template && a->no_longpoll == b->no_longpoll &&
         a->refresh_s == b->refresh_s;
}

void solo_source_free(struct solo_source *ss)
{
  synth_solo_destroy(ss->client);
  free(ss->cookie);
  free(ss->address);
  free(ss->tag);
  free(ss->zmq);
  memset(ss, 0, sizeof *ss);
}
