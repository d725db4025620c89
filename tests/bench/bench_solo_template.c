/* bench_solo_template.c: the solo client's work on a full 4 MWU block: a getblocktemplate
 * answer's JSON text parsed into a template, the template built into a job (coinbase, merkle
 * branches, the witness commitment from the wtxids), and, for a found nonce, the block and its
 * hex as submitblock sends it. Parse + build is the time from a template's arrival to a job the
 * devices can hash.
 *
 * Two blocks of Bitcoin Core's shape, generated in memory (random bytes: the reader checks hex,
 * not transaction structure), without default_witness_commitment so that the client computes
 * the commitment itself (the more work):
 *   legacy:  2,495 non-witness transactions of 400 bytes (weight 1,600): 3,992,000 WU, ~1 MB;
 *   witness: 3,070 transactions of 1,000 bytes, 900 of them witness (weight 1,300): 3,991,000
 *            WU, ~3 MB, the byte-heaviest realistic block of 4 MWU.
 * Both leave 8,000 WU for the coinbase and the header, as Core's block assembler does.
 *
 * Every repetition checks what it timed, untimed: the parsed txids and wtxids are the generated
 * ones, the job's branches fold to synth__solo_merkle_root over the template's txids, the block
 * has that root in its header, the expected size and the expected commitment. Any mismatch
 * exits 1, so a broken build is never timed. Apart from the steps, the table gives the part of
 * parse that is jansson's: the same text loaded and freed alone, after the timed steps.
 *
 *   bench_solo_template [legacy|witness] [--reps N] [--warmup N] [--json]
 *   defaults:            both             15         2
 * The shapes alternate within each repetition, their order swapped every repetition.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "pool/solo_address.h"
#include "pool/solo_block.h"
#include "pool/solo_job.h"
#include "pool/solo_template.h"
#include "sha256d/merkle.h"
#include "support/harness.h"

#define MAX_REPS 1000
#define RESERVED_WEIGHT 8000 /* Core's default block_reserved_weight: coinbase and header */

struct shape {
  const char *name;
  size_t ntx;
  size_t tx_bytes;      /* each transaction's serialized size */
  size_t witness_bytes; /* of which witness data (weight = 4 * (size - witness) + witness) */
};

static const struct shape shapes[] = {
    {"legacy", 2495, 400, 0},
    {"witness", 3070, 1000, 900},
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

/* STEP_JSON is jansson alone (json_loadb and json_decref of the same text), timed apart after
 * the others: the part of parse that is JSON, not the template reader. */
enum step { STEP_PARSE, STEP_JSON, STEP_BUILD, STEP_BLOCK, STEP_SUM, NSTEPS };
static const char *const step_names[NSTEPS] = {"parse", "  of it JSON", "build", "block+hex",
                                               "parse+build"};
static const char *const step_keys[NSTEPS] = {"parse", "json", "build", "block", "parse_build"};

/* One shape's template text and what its parse must give. */
struct gen {
  const struct shape *shape;
  char *text;
  size_t len;
  uint8_t (*txids)[32], (*wtxids)[32]; /* digest order */
  size_t tx_total;                     /* bytes of every transaction together */
  int64_t tx_weight;
  size_t block_len, block_weight; /* of the last block built */
  double ms[NSTEPS][MAX_REPS];
};

/* splitmix64 with a fixed seed: the same blocks on every run. */
static uint64_t rng_state = 0x5eed5eed5eed5eedull;

static uint64_t rnd(void)
{
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void fill(uint8_t *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)rnd();
}

/* The block's bytes as submitblock's hex, into a fresh buffer (NULL when out of memory): what the
 * solo worker does between synth__solo_job_block and the RPC. */
static char *to_hex(const uint8_t *b, size_t n)
{
  char *h = malloc(2 * n + 1);
  if (h)
    synth__hex_encode(b, n, h);
  return h;
}

/* An output buffer sized up front; exits when the estimate was wrong (a bug here). */
struct buf {
  char *p;
  size_t len, cap;
};

static char *room(struct buf *b, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    fprintf(stderr, "bench_solo_template: text buffer too small\n");
    exit(1);
  }
  return b->p + b->len;
}

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= b->cap - b->len) {
    fprintf(stderr, "bench_solo_template: text buffer too small\n");
    exit(1);
  }
  b->len += (size_t)n;
}

static void put_hex(struct buf *b, const uint8_t *p, size_t n)
{
  synth__hex_encode(p, n, room(b, 2 * n));
  b->len += 2 * n;
}

/* A hash in digest order as RPC writes it: byte-reversed hex. */
static void put_rpc_hash(struct buf *b, const uint8_t h[32])
{
  uint8_t r[32];
  for (int i = 0; i < 32; i++)
    r[i] = h[31 - i];
  put_hex(b, r, 32);
}

/* One transaction of Core's shape: data, txid, hash, depends, fee, sigops, weight. */
static void put_tx(struct buf *b, struct gen *g, size_t i, uint8_t *scratch, int64_t fee)
{
  const struct shape *s = g->shape;
  fill(scratch, s->tx_bytes);
  /* Version 2 and, with a witness, BIP 144's marker and flag: only for a reader's eye. */
  memcpy(scratch, "\x02\x00\x00\x00\x00\x01", s->witness_bytes ? 6 : 4);
  fill(g->txids[i], 32);
  if (s->witness_bytes)
    fill(g->wtxids[i], 32);
  else
    memcpy(g->wtxids[i], g->txids[i], 32);
  int64_t weight = (int64_t)(4 * (s->tx_bytes - s->witness_bytes) + s->witness_bytes);
  put(b, "%s{\"data\":\"", i ? "," : "");
  put_hex(b, scratch, s->tx_bytes);
  put(b, "\",\"txid\":\"");
  put_rpc_hash(b, g->txids[i]);
  put(b, "\",\"hash\":\"");
  put_rpc_hash(b, g->wtxids[i]);
  put(b, "\",\"depends\":[],\"fee\":%lld,\"sigops\":%d,\"weight\":%lld}", (long long)fee,
      s->witness_bytes ? 1 : 4, (long long)weight);
  g->tx_total += s->tx_bytes;
  g->tx_weight += weight;
}

/* The getblocktemplate result for @s, in Core's field order. Returns 0, or -1 out of memory. */
static int generate(struct gen *g, const struct shape *s)
{
  memset(g, 0, sizeof *g);
  g->shape = s;
  struct buf b = {.cap = s->ntx * (2 * s->tx_bytes + 320) + 4096};
  b.p = malloc(b.cap);
  g->txids = malloc(s->ntx * 32);
  g->wtxids = malloc(s->ntx * 32);
  uint8_t *scratch = malloc(s->tx_bytes);
  if (!b.p || !g->txids || !g->wtxids || !scratch) {
    free(b.p);
    free(scratch);
    return -1;
  }
  uint8_t prev[32];
  fill(prev, 32);
  memset(prev + 24, 0, 8); /* a hash that meets a mainnet target ends in zero bytes */
  put(&b, "{\"capabilities\":[\"proposal\"],\"version\":536870912,"
          "\"rules\":[\"csv\",\"!segwit\",\"taproot\"],\"vbavailable\":{},\"vbrequired\":0,"
          "\"previousblockhash\":\"");
  put_rpc_hash(&b, prev);
  put(&b, "\",\"transactions\":[");
  int64_t fees = 0;
  for (size_t i = 0; i < s->ntx; i++) {
    int64_t fee = 2000 + (int64_t)(rnd() % 20000);
    put_tx(&b, g, i, scratch, fee);
    fees += fee;
  }
  put(&b, "],\"coinbaseaux\":{},\"coinbasevalue\":%lld,\"longpollid\":\"", 312500000ll + fees);
  put_rpc_hash(&b, prev);
  put(&b, "123\",\"target\":\"000000000000000000026ecf0000000000000000000000000000000000000000\","
          "\"mintime\":1733200000,\"mutable\":[\"time\",\"transactions\",\"prevblock\"],"
          "\"noncerange\":\"00000000ffffffff\",\"sigoplimit\":80000,\"sizelimit\":4000000,"
          "\"weightlimit\":4000000,\"curtime\":1733203000,\"bits\":\"17026ecf\","
          "\"height\":872500}");
  free(scratch);
  g->text = b.p;
  g->len = b.len;
  return 0;
}

static void gen_free(struct gen *g)
{
  free(g->text);
  free(g->txids);
  free(g->wtxids);
}

static int bad(const struct gen *g, const char *what)
{
  fprintf(stderr, "bench_solo_template: %s: %s\n", g->shape->name, what);
  return -1;
}

static size_t compact_size_len(size_t n)
{
  return n < 253 ? 1 : n <= 0xffff ? 3 : 5;
}

/* Whether @cb's outputs carry BIP 141's commitment to @c. */
static bool has_commitment(const struct synth__solo_coinbase *cb, const uint8_t c[32])
{
  uint8_t script[38] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
  memcpy(script + 6, c, 32);
  for (size_t i = 0; i + sizeof script <= cb->base_len; i++)
    if (memcmp(cb->base + i, script, sizeof script) == 0)
      return true;
  return false;
}

/* What the repetition timed is right: the parse gave the generated ids, the job's branches fold
 * to the template's merkle root, the block starts with a header holding that root, is as long as
 * its parts and commits to the wtxids. Returns 0, or -1 with the reason on stderr. */
static int check(struct gen *g, const struct synth__solo_template *t,
                 const struct synth__solo_job *j, const uint8_t en2[4], const uint8_t *block,
                 size_t len, const char *hex)
{
  const struct shape *s = g->shape;
  if (t->ntx != s->ntx || memcmp(t->txids, g->txids, s->ntx * 32) != 0 ||
      memcmp(t->wtxids, g->wtxids, s->ntx * 32) != 0)
    return bad(g, "the parsed txids or wtxids are not the generated ones");
  uint8_t leaf[32], root[32], want[32];
  synth__coinbase_hash(j->job.coinb1, j->job.coinb1_len, j->job.extranonce1, j->job.extranonce1_len,
                       en2, 4, j->job.coinb2, j->job.coinb2_len, leaf);
  synth__merkle_fold(leaf, j->job.merkle_branches, j->job.merkle_count, root);
  if (synth__solo_merkle_root(leaf, (const uint8_t(*)[32])t->txids, t->ntx, want) != 0 ||
      memcmp(root, want, 32) != 0)
    return bad(g, "the job's merkle branches do not give the template's merkle root");
  if (memcmp(block + 36, want, 32) != 0)
    return bad(g, "the block's header does not hold the merkle root");
  size_t n1 = compact_size_len(1 + s->ntx);
  if (len != 80 + n1 + j->cb.full_len + g->tx_total || strlen(hex) != 2 * len)
    return bad(g, "the block or its hex is not as long as its parts");
  uint8_t c[32];
  if (s->witness_bytes &&
      (synth__solo_witness_commitment((const uint8_t(*)[32])t->wtxids, t->ntx, c) != 0 ||
       !j->cb.has_witness || !has_commitment(&j->cb, c)))
    return bad(g, "the coinbase does not commit to the template's wtxids");
  if (!s->witness_bytes && j->cb.has_witness)
    return bad(g, "a block without witnesses got a witness commitment");
  g->block_len = len;
  g->block_weight =
      4 * (80 + n1 + j->cb.base_len) + (j->cb.full_len - j->cb.base_len) + (size_t)g->tx_weight;
  if (g->block_weight > 4000000)
    return bad(g, "the block is heavier than 4,000,000 WU");
  return 0;
}

/* One repetition of @g: its three steps timed into slot @rep (when >= 0), then checked. Returns
 * 0, or -1 when a step failed or the check did. */
static int run_once(struct gen *g, const struct synth__solo_job_spec *spec, int rep)
{
  static const uint8_t en2[4] = {0x01, 0x02, 0x03, 0x04};
  struct synth__solo_template t;
  struct synth__solo_job j;
  uint8_t header[80], *block = NULL;
  size_t len = 0;
  char *hex = NULL, err[200];
  int rc = -1;
  double t0 = synth_test_now_s();
  if (synth__solo_template_parse_text(g->text, g->len, &t, err, sizeof err) != 0) {
    fprintf(stderr, "bench_solo_template: %s: %s\n", g->shape->name, err);
    return -1;
  }
  double t1 = synth_test_now_s();
  if (synth__solo_job_build(&t, spec, &j, err, sizeof err) != 0) {
    fprintf(stderr, "bench_solo_template: %s: %s\n", g->shape->name, err);
    goto out;
  }
  double t2 = synth_test_now_s();
  if (synth__solo_job_block(&j, en2, j.job.ntime + 1, j.job.version, 0x12345678, header, &block,
                            &len) != 0 ||
      !(hex = to_hex(block, len))) {
    fprintf(stderr, "bench_solo_template: %s: the block cannot be built\n", g->shape->name);
    goto out;
  }
  double t3 = synth_test_now_s();
  if (check(g, &t, &j, en2, block, len, hex) != 0)
    goto out;
  double t4 = synth_test_now_s();
  json_t *root = json_loadb(g->text, g->len, JSON_REJECT_DUPLICATES, NULL);
  if (!root) {
    fprintf(stderr, "bench_solo_template: %s: jansson refused the text\n", g->shape->name);
    goto out;
  }
  json_decref(root);
  double t5 = synth_test_now_s();
  if (rep >= 0) {
    g->ms[STEP_JSON][rep] = (t5 - t4) * 1e3;
    g->ms[STEP_PARSE][rep] = (t1 - t0) * 1e3;
    g->ms[STEP_BUILD][rep] = (t2 - t1) * 1e3;
    g->ms[STEP_BLOCK][rep] = (t3 - t2) * 1e3;
    g->ms[STEP_SUM][rep] = (t2 - t0) * 1e3;
  }
  rc = 0;
out:
  free(hex);
  free(block);
  synth__solo_template_free(&t);
  return rc;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

struct summary {
  double median, min, max;
};

static struct summary summarize(const double *v, int n)
{
  double s[MAX_REPS];
  memcpy(s, v, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, cmp_double);
  double median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return (struct summary){median, s[0], s[n - 1]};
}

static void print_table(struct gen *gens, size_t ngen, int reps, int warmup)
{
  printf("solo template to job, %d repetitions after %d warm-ups, no default_witness_commitment\n",
         reps, warmup);
  printf("%-8s %6s %10s %10s %9s\n", "SHAPE", "TXS", "JSON MB", "BLOCK MB", "WEIGHT");
  for (size_t i = 0; i < ngen; i++)
    printf("%-8s %6zu %10.3f %10.3f %9zu\n", gens[i].shape->name, gens[i].shape->ntx,
           gens[i].len / 1e6, gens[i].block_len / 1e6, gens[i].block_weight);
  printf("\n%-8s %-12s %10s %10s %10s\n", "SHAPE", "STEP", "MEDIAN ms", "MIN ms", "MAX ms");
  for (size_t i = 0; i < ngen; i++)
    for (int k = 0; k < NSTEPS; k++) {
      struct summary s = summarize(gens[i].ms[k], reps);
      printf("%-8s %-12s %10.3f %10.3f %10.3f\n", gens[i].shape->name, step_names[k], s.median,
             s.min, s.max);
    }
}

static void print_json(struct gen *gens, size_t ngen, int reps, int warmup)
{
  printf("{\"reps\": %d, \"warmup\": %d, \"default_witness_commitment\": false, \"shapes\": [",
         reps, warmup);
  for (size_t i = 0; i < ngen; i++) {
    printf("%s{\"shape\": \"%s\", \"txs\": %zu, \"json_bytes\": %zu, \"block_bytes\": %zu, "
           "\"block_weight\": %zu",
           i ? ", " : "", gens[i].shape->name, gens[i].shape->ntx, gens[i].len, gens[i].block_len,
           gens[i].block_weight);
    for (int k = 0; k < NSTEPS; k++) {
      struct summary s = summarize(gens[i].ms[k], reps);
      printf(", \"%s_ms\": {\"median\": %.4f, \"min\": %.4f, \"max\": %.4f}", step_keys[k],
             s.median, s.min, s.max);
    }
    printf("}");
  }
  printf("]}\n");
}

static int usage(void)
{
  fprintf(stderr, "usage: bench_solo_template [legacy|witness] [--reps N] [--warmup N] [--json]\n");
  return 2;
}

int main(int argc, char **argv)
{
  int reps = 15, warmup = 2, json = 0;
  const char *only = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
      reps = atoi(argv[++i]);
    else if (strcmp(argv[i], "--warmup") == 0 && i + 1 < argc)
      warmup = atoi(argv[++i]);
    else if (strcmp(argv[i], "--json") == 0)
      json = 1;
    else if (!only && (strcmp(argv[i], "legacy") == 0 || strcmp(argv[i], "witness") == 0))
      only = argv[i];
    else
      return usage();
  }
  if (reps < 1 || reps > MAX_REPS || warmup < 0)
    return usage();

  /* A mainnet P2WPKH payout (BIP 173's example) and a tag, as `run --coinbase-addr` makes. */
  uint8_t script[SYNTH__SOLO_SCRIPT_MAX];
  size_t script_len;
  char err[200];
  if (synth__solo_address_script("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", SYNTH__SOLO_MAIN,
                                 script, &script_len, err, sizeof err) != 0) {
    fprintf(stderr, "bench_solo_template: payout address: %s\n", err);
    return 1;
  }
  static const uint8_t en1[4] = {0xde, 0xad, 0xbe, 0xef};
  const struct synth__solo_job_spec spec = {script, script_len, (const uint8_t *)"/synthminer/", 12,
                                            en1};

  static struct gen gens[NSHAPES];
  size_t ngen = 0;
  for (size_t i = 0; i < NSHAPES; i++) {
    if (only && strcmp(only, shapes[i].name) != 0)
      continue;
    if (generate(&gens[ngen], &shapes[i]) != 0) {
      fprintf(stderr, "bench_solo_template: out of memory\n");
      return 1;
    }
    ngen++;
  }
  int rc = 0;
  for (int r = 0; r < warmup + reps && rc == 0; r++)
    for (size_t k = 0; k < ngen && rc == 0; k++) {
      struct gen *g = &gens[r % 2 ? ngen - 1 - k : k];
      rc = run_once(g, &spec, r - warmup);
    }
  if (rc == 0) {
    if (json)
      print_json(gens, ngen, reps, warmup);
    else
      print_table(gens, ngen, reps, warmup);
  }
  for (size_t i = 0; i < ngen; i++)
    gen_free(&gens[i]);
  return rc == 0 ? 0 : 1;
}
