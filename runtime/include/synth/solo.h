/* solo.h: solo mining against a Bitcoin node (Bitcoin Core's JSON-RPC): getblocktemplate,
 * long polling or ZMQ for new blocks, submitblock for what the runtime finds. */
#ifndef SYNTH_SOLO_H
#define SYNTH_SOLO_H

#include <stddef.h>
#include <stdint.h>

#include "synth/export.h"
#include "synth/job.h"
#include "synth/log.h"
#include "synth/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct synth_solo synth_solo;

#define SYNTH_SOLO_URL_MAX 255
#define SYNTH_SOLO_TAG_MAX 40 /* the coinbase tag, bytes: the scriptSig holds at most 100 */

/* Zero-initialise, then set what you need: every zero field means its default. */
struct synth_solo_config {
  /* The node's RPC: "http://HOST[:PORT][/PATH]" or "https://..." (port 8332 / 443 when none). */
  const char *url;
  /* RPC credentials: user and password, or a cookie file (Bitcoin Core's .cookie, read again
   * on every reconnect since the node rewrites it when it restarts). Never logged. */
  const char *user;
  const char *password;
  const char *cookie_file;
  const char *coinbase_address; /* bech32, bech32m, P2SH or legacy; checked for the node's chain */
  const char *coinbase_tag;     /* in the scriptSig: NULL "/synthminer/" */
  const char *zmq_url;          /* "tcp://HOST:PORT" of the node's zmqpubhashblock; NULL: none */
  int longpoll_off;             /* 1: no BIP 22 long polling */
  /* BIP 23: every template is proposed back to the node before it is mined; a template the
   * node finds invalid is not mined (logged, counted in proposals_rejected). */
  int check_template;
  int tls_insecure;
  const char *tls_ca_file;
  unsigned rpc_timeout_ms; /* each RPC call but the long poll: 30000 */
  unsigned refresh_ms;     /* a new template for new transactions this often: 30000 */
  unsigned retry_min_ms;   /* first back-off after a failed call, doubled per failure: 1000 */
  unsigned retry_max_ms;   /* 60000 */
  synth_log_fn log_fn;     /* NULL: nothing is logged */
  void *log_user;
  enum synth_log_level log_level;
};

/* Figures; fields are only ever appended: pass sizeof(struct synth_solo_stats). */
struct synth_solo_stats {
  char url[SYNTH_SOLO_URL_MAX + 1]; /* the node, without credentials */
  char chain[16];                   /* "main", "test", ... once the node said */
  char state[32]; /* "connecting", "warming up", "initial block download", "waiting for a
                   * template", "mining", "backing off", "stopped", "failed" */
  int failed;     /* a fatal setup error (the address is for another chain): the client stopped */
  char last_error[160];
  uint32_t height;          /* of the template being mined */
  uint64_t template_age_ms; /* since the node gave it */
  size_t transactions;      /* in the template, besides the coinbase */
  uint64_t coinbase_value;
  char job_id[SYNTH_JOB_ID_MAX + 1];
  uint64_t templates;  /* getblocktemplate answers taken */
  uint64_t longpolls;  /* long polls answered with a new template */
  uint64_t zmq_blocks; /* hashblock messages */
  uint64_t rpc_errors; /* failed calls of any kind */
  uint64_t proposals, proposals_rejected;
  /* Every share the runtime hands over ends in one count: found = submitted + duplicates +
   * unsent + queued; submitted = accepted + rejected + inconclusive + duplicate_answers +
   * unanswered. */
  uint64_t found;
  uint64_t submitted;
  uint64_t accepted;          /* submitblock answered null */
  uint64_t rejected;          /* a reason string (high-hash, bad-txnmrklroot, ...) */
  uint64_t inconclusive;      /* "inconclusive" */
  uint64_t duplicate_answers; /* "duplicate", "duplicate-invalid", "duplicate-inconclusive" */
  uint64_t unanswered;        /* sent, but the call failed before an answer */
  uint64_t duplicates;        /* not sent: the same block was sent before */
  uint64_t stale;  /* not sent: a block was accepted on its template's previous block already */
  uint64_t unsent; /* not sent: below the block target, unknown job, build failed */
  uint64_t queued; /* waiting to be sent */
  char last_result[64]; /* "accepted" or the node's words */
  char last_block[65];  /* hash of the last accepted block, as explorers show it */
#define SYNTH_SOLO_RESULTS 8
  struct {
    char result[48];
    uint64_t count;
  } results[SYNTH_SOLO_RESULTS]; /* non-null answers by string; the last one collects the rest */
  unsigned result_kinds;
  /* From the new block's news (the first line of a long poll's answer; a hashblock message,
   * then a getblocktemplate call) to every device hashing the new template, per source. */
  uint64_t switches_longpoll, switches_zmq;
  double switch_longpoll_p50_ms, switch_longpoll_max_ms;
  double switch_zmq_p50_ms, switch_zmq_max_ms;
  double template_build_ms; /* the last template: parse, coinbase, branches */
  double difficulty;        /* the template target's, as pools count difficulty */
};

/* A client for rt (which must outlive it): nothing is called until synth_solo_start(). The
 * runtime's share callback must hand every share to synth_solo_submit(). Returns 0 and *out,
 * or SYNTH_EINVAL (a malformed URL, address or config, logged), SYNTH_ENOMEM, SYNTH_ENOTSUP (a ZMQ
 * URL in a build without ZMQ). */
SYNTH_EXTERN int synth_solo_create(synth_solo **out, synth_runtime *rt,
                                   const struct synth_solo_config *cfg);

/* Starts the client's threads. Returns 0 or SYNTH_ESYSTEM. */
SYNTH_EXTERN int synth_solo_start(synth_solo *solo);

/* Queues a share; never blocks on the network. Thread-safe. */
SYNTH_EXTERN void synth_solo_submit(synth_solo *solo, const struct synth_share *share);

/* Copies the figures. Returns 0 or SYNTH_EINVAL. Thread-safe. */
SYNTH_EXTERN int synth_solo_stats(synth_solo *solo, struct synth_solo_stats *out, size_t out_size);

/* Stops the threads: a submitblock under way is waited for, and blocks still queued are sent,
 * within rpc_timeout_ms; the figures are final after it. Stop the runtime first, so that no
 * share comes after. Idempotent; NULL is ignored. */
SYNTH_EXTERN void synth_solo_stop(synth_solo *solo);

/* Stops and frees. NULL is ignored. */
SYNTH_EXTERN void synth_solo_destroy(synth_solo *solo);

#ifdef __cplusplus
}
#endif

#endif
