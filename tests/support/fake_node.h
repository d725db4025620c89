/* fake_node.h: a loopback fake Bitcoin Core node (JSON-RPC over HTTP, optional ZMQ) for the
 * solo-mining client's tests, on its own threads. */
#ifndef SYNTH_TESTS_FAKE_NODE_H
#define SYNTH_TESTS_FAKE_NODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The node serves JSON-RPC 1.0 over HTTP/1.1 on 127.0.0.1 and an ephemeral port, to any number
 * of connections at once (one thread each): keep-alive unless the request says
 * "Connection: close" (or is HTTP/1.0 without keep-alive), Content-Length bodies only, a body
 * over 16 MB refused with 413, "Expect: 100-continue" answered. Replies are Core's: 200 with
 * {"result", "error": null, "id"}; an RPC error is HTTP 500 with {"result": null, "error":
 * {"code", "message"}, "id"}, except -32601 "Method not found" (404) and -32600 (400); bad or
 * missing Basic auth is 401 with an empty body and WWW-Authenticate; not POST is 405. A JSON
 * array is a batch (200, an array of replies).
 *
 * Methods: getblockchaininfo, getblockcount, getbestblockhash, getnetworkinfo,
 * getblocktemplate (template, long poll and proposal modes), submitblock. Every call first
 * meets, in order: a scripted failure (fake_node_fail_next), warm-up (-28 "Loading block
 * index..."), then the method. getblocktemplate refuses a call without "segwit" in its rules
 * (-8, Core's message) and, with cfg.ibd, answers -10 "Bitcoin Core is in initial sync and
 * waiting for blocks...".
 *
 * The chain: the template builds on the configured real block's parent: its height, its
 * transactions but the coinbase (in order), coinbasevalue = the real coinbase's output total;
 * curtime is the wall clock at start (Core's is its clock, so a miner's own passes
 * time-too-new), mintime = curtime - 3600. Fees are not known from a block alone, so
 * each transaction's "fee" is an equal share of (real total - subsidy at that height), and a
 * template with fewer transactions has a coinbasevalue lowered by their fees. A new tip (an
 * accepted block, or fake_node_new_block) raises height by one, curtime and mintime by 600 and
 * offers the whole transaction list again (the fake has no mempool to empty).
 *
 * Verdicts (submitblock, in Core's order; proposal mode runs the same checks without the proof
 * of work, prev == tip first, as Core's TestBlockValidity):
 *   hex of odd length or not hex, or bytes that do not parse (no transaction included)
 *                                                              -22 "Block decode failed"
 *   hash above the target of the block's own bits              "high-hash"
 *   merkle root of the txids differs                           "bad-txnmrklroot"
 *   the first transaction is not a coinbase                    "bad-cb-missing"
 *   a second coinbase                                          "bad-cb-multiple"
 *   coinbase scriptSig outside 2..100 bytes                    "bad-cb-length"
 *   the same block accepted before                             "duplicate"
 *   the same block refused before by a check below             "duplicate-invalid"
 *   prev is an earlier tip (a stale block: Core keeps it on a side branch and does not check
 *   it further; a second submit of it is "duplicate")          "inconclusive"
 *   prev is a block this node refused                          "bad-prevblk"
 *   prev unknown                                               "prev-blk-not-found"
 *   bits not the template's                                    "bad-diffbits"
 *   time below mintime / above curtime + 7200                  "time-too-old" / "time-too-new"
 *   version below 4                                            "bad-version(0x%08x)"
 *   scriptSig not starting with the BIP 34 push of the height  "bad-cb-height"
 *   a commitment output (the last 6a24aa21a9ed one) with a coinbase witness other than one
 *   32-byte item                                               "bad-witness-nonce-size"
 *   ... whose commitment does not match the wtxids             "bad-witness-merkle-match"
 *   witness data but no commitment output                      "unexpected-witness"
 *   a transaction the node never offered (Core: its inputs are not in the UTXO set)
 *                                                              "bad-txns-inputs-missingorspent"
 *   not exactly the transactions of a template this node gave out on this tip, in order (our
 *   own strictness: Core takes any valid subset)               "bad-txns-not-template"
 *   coinbase outputs above that template's coinbasevalue       "bad-cb-amount"
 *   with cfg.payout_script, a non-commitment output paying elsewhere, or those outputs not
 *   adding up to all of coinbasevalue (our own strictness: Core does not look at the payee)
 *                                                              "bad-cb-payee"
 * Proposal mode also answers "duplicate", "duplicate-invalid", "duplicate-inconclusive" (a
 * stale block submitted before) and "inconclusive-not-best-prevblk" (prev is not the tip).
 * A valid submitted block becomes the tip (as fake_node_new_block, with its own hash).
 *
 * Long poll: a getblocktemplate whose longpollid is the current one waits until the template
 * changes (new tip or new transactions) or the node is destroyed; any other longpollid gets
 * the current template at once. longpollid is the tip's hash (RPC hex) and a counter.
 *
 * Every function below is thread-safe; those that change the chain return once every long poll
 * that was waiting has taken the new template (it may still be writing it).
 */

struct fake_node;

struct fake_node_config {
  const char *user, *password; /* Basic auth checked when user is set: wrong → 401, empty body */
  const char *chain;           /* getblockchaininfo "chain": NULL → the block's chain ("main") */
  size_t block; /* index into synth_test_real_blocks: its transactions (all but the coinbase) */
  /* 32 bytes little-endian (as struct synth_job's share_target); NULL: 0x7fffff << 232 (bits
   * 207fffff: about every second hash). The template's target and bits are its compact form
   * (the target rounded down to 3 significant bytes), as Core shows them. */
  const uint8_t *target;
  /* When set, a coinbase must pay all of coinbasevalue to this script ("bad-cb-payee"). */
  const uint8_t *payout_script;
  size_t payout_len;
  int ibd;               /* initialblockdownload true; getblocktemplate -10 */
  unsigned warmup_calls; /* the first N calls of any method answer -28 */
  int zmq;               /* publish hashblock on a ZMQ PUB socket, tcp://127.0.0.1:<port> */
  int version_rolling;   /* template "mutable" has "version/force" */
  /* After the real block's transactions, this many made-up legacy ones of filler_bytes each
   * (100..100000; one input, one P2PKH output, fee 0): a template as full as a busy block's,
   * e.g. 2,495 of 400 bytes for 3,992,000 WU. */
  size_t filler_txs, filler_bytes;
};

/* Starts a node; cfg may be NULL (all defaults, block 0). Returns 0 and *out, or -1 (bad block
 * index, a block that does not parse, socket, ZMQ or thread failure) and *out = NULL. */
int fake_node_start(struct fake_node **out, const struct fake_node_config *cfg);

/* The TCP port of the RPC server. */
unsigned fake_node_port(struct fake_node *n);

/* "tcp://127.0.0.1:<port>" of the ZMQ PUB socket, or NULL without cfg.zmq. Valid until
 * destroy. */
const char *fake_node_zmq_url(struct fake_node *n);

/* The chain moves on: a fresh random tip hash, height + 1, curtime + 600; long polls answered;
 * hashblock published (topic "hashblock", the 32-byte hash in RPC order, a 4-byte
 * little-endian sequence number from 0, as Core sends it). */
void fake_node_new_block(struct fake_node *n);

/* Same tip, one transaction fewer (the last; nothing when none is left), new longpollid; long
 * polls answered. Blocks built on the earlier templates of this tip stay valid. */
void fake_node_new_transactions(struct fake_node *n);

/* The next submitblock answers @result (NULL: JSON null) after it has checked the block and
 * counted the real verdict. */
void fake_node_next_submit_result(struct fake_node *n, const char *result);

/* The next @times calls of @method (NULL: any method) fail, before warm-up and the method:
 * http_status 0 → the JSON error {rpc_code, message} with the status Core gives that code (500;
 * 404 for -32601, 400 for -32600); another status with rpc_code
 * != 0 → that status with the JSON error; status 200 with rpc_code 0 → the body "not json";
 * any other status with rpc_code 0 → that status, empty body. Scripts queue in call order. */
void fake_node_fail_next(struct fake_node *n, const char *method, int http_status, int rpc_code,
                         const char *message, unsigned times);

/* While on != 0, requests are still read and counted but never answered. */
void fake_node_stall(struct fake_node *n, int on);

struct fake_node_stats {
  unsigned requests;                              /* HTTP requests read */
  unsigned auth_failures;                         /* answered 401 */
  unsigned templates;                             /* templates sent (long poll answers included) */
  unsigned longpolls_waiting, longpolls_answered; /* waiting now; answered after waiting */
  unsigned proposals, submits;                    /* calls of each kind */
  /* Every submit and proposal counts in exactly one of these (decode errors as invalid). */
  unsigned blocks_valid; /* submitted blocks that became the tip */
  unsigned proposals_valid;
  unsigned blocks_invalid;     /* any refusal, with last_verdict */
  unsigned duplicates;         /* "duplicate", "duplicate-invalid", "duplicate-inconclusive" */
  unsigned inconclusive;       /* "inconclusive", "inconclusive-not-best-prevblk" */
  char last_verdict[64];       /* of the last submit or proposal: "" for valid */
  uint32_t height;             /* the template's (the next block's) height */
  uint8_t last_block_hash[32]; /* the tip: the template's previousblockhash, digest order */
  unsigned zmq_published;
  unsigned connections; /* accepted ever */
};

/* A consistent snapshot of the counters. */
void fake_node_stats(struct fake_node *n, struct fake_node_stats *out);

/* Wakes every waiting long poll, shuts every connection down, joins the threads and frees the
 * node. NULL-safe. Not concurrent with any other call on the same node. */
void fake_node_destroy(struct fake_node *n);

#endif
