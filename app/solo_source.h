/* solo_source.h: `run` mining solo from a node (an http:// or https:// -o): its flags and
 * config keys, the client, its figures. The pool settings (URL, user, password, TLS) are
 * pool_source's; this adds what only a node needs. */
#ifndef SYNTH_CLI_SOLO_SOURCE_H
#define SYNTH_CLI_SOLO_SOURCE_H

#include <stdbool.h>

#include <jansson.h>
#include <synth/solo.h>
#include <synth/synth.h>

struct cli_log;

struct solo_flags {
  const char *rpc_cookie;      /* --rpc-cookie FILE */
  const char *coinbase_addr;   /* --coinbase-addr ADDR */
  const char *coinbase_tag;    /* --coinbase-tag TEXT */
  const char *zmq;             /* --zmq tcp://HOST:PORT */
  bool check_template;         /* --check-template */
  bool no_longpoll;            /* --no-longpoll */
  unsigned template_refresh_s; /* --template-refresh S */
};

/* clang-format off */
#define SOLO_OPTIONS(f)                                                                    \
  {"--coinbase-addr", 0, CLI_STRING, &(f).coinbase_addr, 0, 0, "ADDR",                     \
   "solo (-o http://NODE:PORT): the address blocks pay to, checked for the node's chain"}, \
  {"--rpc-cookie", 0, CLI_STRING, &(f).rpc_cookie, 0, 0, "FILE",                           \
   "solo: the node's RPC cookie file (instead of -u/-p), e.g. ~/.bitcoin/.cookie"},       \
  {"--coinbase-tag", 0, CLI_STRING, &(f).coinbase_tag, 0, 0, "TEXT",                       \
   "solo: text in the coinbase scriptSig (default /synthminer/)"},                         \
  {"--zmq", 0, CLI_STRING, &(f).zmq, 0, 0, "URL",                                           \
   "solo: the node's zmqpubhashblock (tcp://HOST:PORT): new blocks at once"},              \
  {"--check-template", 0, CLI_FLAG, &(f).check_template, 0, 0, NULL,                       \
   "solo: have the node validate each template's block (BIP 23) before mining it"},        \
  {"--no-longpoll", 0, CLI_FLAG, &(f).no_longpoll, 0, 0, NULL,                             \
   "solo: no BIP 22 long polling (new blocks by --zmq and the refresh only)"},             \
  {"--template-refresh", 0, CLI_UINT, &(f).template_refresh_s, 1, 3600, "S",               \
   "solo: a new template for new transactions every S seconds (default 30)"}
/* clang-format on */

/* The solo settings after the config file is merged under the flags. */
struct solo_source {
  bool on; /* the URL is a node's */
  char *cookie, *address, *tag, *zmq;
  bool check_template, no_longpoll;
  unsigned refresh_s;
  synth_solo *client;
};

/* Whether url names a node (http:// or https://) rather than a Stratum pool. */
bool solo_url(const char *url);

/* The config keys only a node takes. */
bool solo_config_key(const char *key);

/* Reads them from the config's root (what: "--config FILE: "). Returns 0 or the exit status
 * (a line printed). */
int solo_config_load(struct solo_source *ss, json_t *root, const char *what);

/* Merges the flags over the config and checks the whole: solo flags need a node, a node needs
 * one URL, an address and credentials. urls: the pools in force; user/has_password: the
 * credentials given. Returns 0 or the exit status (a line printed). */
int solo_source_finish(struct solo_source *ss, const struct solo_flags *f, char *const *urls,
                       unsigned count, const char *user, bool has_password);

/* Creates and starts the client. Returns 0, or prints why and returns 1 or 2. */
int solo_source_start(struct solo_source *ss, synth_runtime *rt, struct cli_log *log,
                      const char *url, const char *user, const char *password, bool tls_insecure,
                      const char *tls_ca, unsigned timeout_ms);

/* Whether a and b are the same node settings (clients not compared). */
bool solo_source_same(const struct solo_source *a, const struct solo_source *b);

/* 1 when the client gave up for good (its address is for another chain): the run ends. */
int solo_source_failed(struct solo_source *ss);

/* One line on stderr: the node's answers to this run's blocks. */
void solo_source_report(struct solo_source *ss);

/* The API's picture of the node: {"url", "chain", "state", "height", ...}. New reference. */
json_t *solo_source_json(synth_solo *client);

void solo_source_free(struct solo_source *ss);

#endif
