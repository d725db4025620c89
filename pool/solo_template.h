/* solo_template.h: a strict reader of getblocktemplate's result, for solo mining. */
#ifndef SYNTH_POOL_SOLO_TEMPLATE_H
#define SYNTH_POOL_SOLO_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Bounds the reader enforces on top of the JSON types. */
#define SYNTH__SOLO_TEMPLATE_MAX_TXS 100000u   /* transactions[] entries */
#define SYNTH__SOLO_TEMPLATE_TX_MAX 4000000u   /* decoded bytes of one `data`, and of all */
#define SYNTH__SOLO_TEMPLATE_LONGPOLL_MAX 256u /* characters of longpollid */
#define SYNTH__SOLO_TEMPLATE_AUX_MAX 100u      /* decoded bytes of coinbaseaux, together */
#define SYNTH__SOLO_TEMPLATE_RULES_MAX 64u     /* rules[] and mutable[] entries */
#define SYNTH__SOLO_MAX_COINBASE_VALUE 2100000000000000ll /* 21e6 BTC in satoshis */

/* A template, owning all its memory (synth__solo_template_free). Hashes are in digest order
 * (the RPC hex byte-reversed, as synth__solo_hash_from_rpc gives them); the target is
 * little-endian, as struct synth_job's share_target. Transaction i is tx_data[i] (its hex, as
 * synth__solo_block_bytes takes it), txids[i], wtxids[i] (the template's `hash`), fees[i] and
 * weights[i]; `depends` is checked (integers 1..i, each naming an earlier transaction) but not
 * kept. Optional fields absent: NULL / 0. */
struct synth__solo_template {
  uint32_t version;
  uint8_t prev[32];
  size_t ntx;
  char **tx_data;
  uint8_t (*txids)[32];
  uint8_t (*wtxids)[32];
  int64_t *fees, *weights;
  uint64_t coinbasevalue;
  uint8_t target[32];
  uint32_t bits;
  int64_t curtime, mintime;
  uint32_t height;
  /* BIP 320 version rolling allowed: `mutable` lists "version/force" or "version" (the
   * server lets the miner change the version) and `vbrequired` (0 when absent) sets none of
   * the general-purpose bits 0x1fffe000 (bits the server requires set must not roll). */
  bool version_rolling;
  uint32_t vbrequired;
  char *longpollid;
  uint8_t *default_commitment; /* the script, decoded */
  size_t default_commitment_len;
  uint8_t *aux; /* coinbaseaux's values decoded and concatenated, in the object's key order */
  size_t aux_len;
  char **rules;
  size_t nrules;
  int64_t sizelimit, weightlimit; /* 0 when absent */
};

/* Reads getblocktemplate's @result object into @t. Returns 0; SYNTH_EINVAL for a missing
 * field, a wrong JSON type, bad hex or a wrong length, SYNTH_ERANGE for a value or count past
 * its bound, SYNTH_ENOMEM; on error @t is left empty (nothing to free) and @err (@err_len
 * bytes, NUL-ended, may be NULL) names the field: "template: transactions[3].txid: not 64 hex
 * digits". Thread-safe. */
int synth__solo_template_parse(const json_t *result, struct synth__solo_template *t, char *err,
                               size_t err_len);

/* The same from JSON text (@len bytes): the text must be one JSON object, the result. */
int synth__solo_template_parse_text(const char *text, size_t len, struct synth__solo_template *t,
                                    char *err, size_t err_len);

/* Frees what @t owns and empties it; an empty @t is fine. */
void synth__solo_template_free(struct synth__solo_template *t);

#endif
