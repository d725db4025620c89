/* fake_node.c: a loopback fake Bitcoin Core node for the solo-mining client's tests
 * (fake_node.h). */
#include "support/fake_node.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "base/hex.h"
#include "pool/solo_block.h"
#include "pool/solo_coinbase.h"
#include "pool/solo_template.h"
#include "precompute/sha256.h"
#include "support/harness.h"
#include "support/real_blocks.h"

/*
 * Synchronization: one mutex (lock) guards the chain, the counters, the scripts, the list of
 * connections and the ZMQ socket (libzmq sockets are not thread-safe: only a holder of the lock
 * sends on it). One condition variable (cond) is broadcast on every change: long polls wait on
 * it for a new template, and the changing call waits on it until those long polls have taken
 * theirs. Connection threads read and write their socket without the lock; destroy shuts the
 * sockets down so a thread blocked in recv or send returns.
 */

#define MAX_HEADER (64 * 1024)
#define MAX_BODY (16u * 1024 * 1024)
#define MAX_SCRIPTS 16
#define POLL_MS 50
#define TIME_WINDOW 7200 /* Core's MAX_FUTURE_BLOCK_TIME */
#define BLOCK_INTERVAL 600
#define WARMUP_MESSAGE "Loading block index..."
#define ONLY_POST "JSONRPC server handles only POST requests"

enum { KNOWN_VALID, KNOWN_INVALID, KNOWN_SIDE };

struct known_block {
  uint8_t hash[32];
  int state;
};

/* A template transaction: the real block's, with what getblocktemplate lists of it. */
struct tpl_tx {
  char *hex;
  uint8_t txid[32], wtxid[32];
  int64_t fee, sigops, weight;
  json_t *depends; /* 1-based indexes of earlier transactions it spends */
};

struct conn {
  pthread_t thread;
  int fd;
  atomic_bool done;
  struct fake_node *node;
  struct conn *next;
};

struct script {
  char method[64]; /* "" for any */
  int status, code;
  char message[256];
  unsigned times;
};

struct fake_node {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  pthread_t accept_thread;
  int listen_fd;
  atomic_bool stop;
  unsigned port;
  struct conn *conns;
  /* Configuration. */
  char *user, *password, *chain;
  uint8_t *payout;
  size_t payout_len;
  int ibd, version_rolling;
  unsigned warmup_left;
  /* ZMQ. */
  void *zctx, *zpub;
  char zurl[64];
  uint32_t zseq;
  /* The chain: the tip (digest order), the next block's height, times, target. */
  uint8_t tip[32];
  uint32_t height, bits;
  int64_t curtime, mintime;
  uint8_t target[32];
  int64_t fees_total;
  struct tpl_tx *txs;
  size_t ntx_all, ntx; /* the template has txs[0..ntx); [ntx, ntx_all] were offered on this tip */
  unsigned lp_counter;
  uint64_t generation;
  unsigned waiting_current, waiting_stale; /* long polls of this generation, of earlier ones */
  char *tpl_text;                          /* the current template's JSON, made on demand */
  uint64_t tpl_generation;
  struct known_block *known;
  size_t nknown, known_cap;
  uint8_t (*old_tips)[32];
  size_t nold, old_cap;
  struct script scripts[MAX_SCRIPTS];
  size_t nscripts;
  int has_next_result;
  char *next_result; /* NULL: null */
  int stalled;
  struct fake_node_stats stats;
};

/* ---- Bytes. ---- */

/* A digest-order hash as RPC shows it: byte-reversed hex. */
static void rpc_hex(const uint8_t h[32], char out[65])
{
  uint8_t r[32];
  for (int i = 0; i < 32; i++)
    r[i] = h[31 - i];
  synth__hex_encode(r, 32, out);
}

static int nibble(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = (char)tolower((unsigned char)c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex to a fresh buffer; NULL for odd length, a non-hex digit or no memory. */
static uint8_t *unhex_alloc(const char *s, size_t *len)
{
  size_t n = strlen(s);
  uint8_t *out = n % 2 ? NULL : malloc(n / 2 + 1);
  for (size_t i = 0; out && i < n / 2; i++) {
    int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      free(out);
      return NULL;
    }
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  *len = n / 2;
  return out;
}

/* Little-endian 256-bit comparison: a <= b. */
static int le256_at_most(const uint8_t a[32], const uint8_t b[32])
{
  for (int i = 31; i >= 0; i--)
    if (a[i] != b[i])
      return a[i] < b[i];
  return 1;
}

/* A little-endian target to its compact form, rounded down to 3 significant bytes. */
static uint32_t compact_of(const uint8_t t[32])
{
  int top = 31;
  while (top >= 0 && !t[top])
    top--;
  if (top < 0)
    return 0;
  uint32_t size = (uint32_t)top + 1, mant = 0;
  for (int k = 0; k < 3; k++)
    mant = mant << 8 | (top - k >= 0 ? t[top - k] : 0);
  if (mant & 0x800000) { /* the sign bit: one byte more, one digit less */
    mant >>= 8;
    size++;
  }
  return size << 24 | mant;
}

/* Compact to a little-endian target; -1 for a negative, zero or overflowing one. */
static int expand_compact(uint32_t bits, uint8_t t[32])
{
  uint32_t size = bits >> 24, mant = bits & 0x7fffff;
  memset(t, 0, 32);
  if ((bits & 0x800000) || !mant)
    return -1;
  for (int k = 0; k < 3; k++) {
    int at = (int)size - 3 + k;
    uint8_t byte = (uint8_t)(mant >> (8 * k));
    if (at >= 32 && byte)
      return -1;
    if (at >= 0 && at < 32)
      t[at] = byte;
  }
  return 0;
}

static int64_t subsidy(uint32_t height)
{
  unsigned halvings = height / 210000;
  return halvings >= 64 ? 0 : (int64_t)(5000000000ll >> halvings);
}

/* ---- A transaction reader: what the checks need beyond the block parser's txids. ---- */

struct rd {
  const uint8_t *p;
  size_t len, at;
  int bad;
};

static const uint8_t *rd_take(struct rd *r, size_t n)
{
  if (r->bad || n > r->len - r->at) {
    r->bad = 1;
    return NULL;
  }
  r->at += n;
  return r->p + r->at - n;
}

static uint64_t rd_le(struct rd *r, size_t n)
{
  const uint8_t *b = rd_take(r, n);
  uint64_t v = 0;
  for (size_t i = 0; b && i < n; i++)
    v |= (uint64_t)b[i] << (8 * i);
  return v;
}

static uint64_t rd_compact(struct rd *r)
{
  uint64_t v = rd_le(r, 1);
  if (v >= 0xfd)
    v = rd_le(r, v == 0xfd ? 2 : v == 0xfe ? 4 : 8);
  if (v > r->len) /* no count or length can pass the bytes there are */
    r->bad = 1;
  return r->bad ? 0 : v;
}

struct txview {
  size_t nin, nout;
  int coinbase;        /* one input, the null prevout */
  const uint8_t *ins;  /* the inputs, serialized */
  const uint8_t *outs; /* the outputs, serialized */
  size_t ins_len, outs_len;
  const uint8_t *sig; /* input 0's scriptSig */
  size_t sig_len;
  size_t wit_items;    /* input 0's witness stack */
  const uint8_t *wit0; /* its first item */
  size_t wit0_len;
  size_t base_len, total_len;
};

static void rd_script(struct rd *r, const uint8_t **p, size_t *n)
{
  *n = (size_t)rd_compact(r);
  *p = rd_take(r, *n);
}

/* Reads @raw (a transaction the block parser accepted); -1 when it does not read. */
static int tx_read(const uint8_t *raw, size_t len, struct txview *v)
{
  struct rd r = {raw, len, 0, 0};
  static const uint8_t null_prev[36] = {[32] = 0xff, 0xff, 0xff, 0xff};
  *v = (struct txview){.total_len = len};
  rd_take(&r, 4);
  int segwit = len > 6 && raw[4] == 0 && raw[5] == 1;
  if (segwit)
    rd_take(&r, 2);
  v->nin = (size_t)rd_compact(&r);
  v->ins = r.p + r.at;
  for (size_t i = 0; i < v->nin && !r.bad; i++) {
    const uint8_t *prev = rd_take(&r, 36), *sig;
    size_t sig_len;
    rd_script(&r, &sig, &sig_len);
    rd_take(&r, 4);
    if (i == 0 && !r.bad) {
      v->sig = sig;
      v->sig_len = sig_len;
      v->coinbase = v->nin == 1 && memcmp(prev, null_prev, 36) == 0;
    }
  }
  v->ins_len = (size_t)(r.p + r.at - v->ins);
  v->nout = (size_t)rd_compact(&r);
  v->outs = r.p + r.at;
  for (size_t i = 0; i < v->nout && !r.bad; i++) {
    const uint8_t *s;
    size_t n;
    rd_take(&r, 8);
    rd_script(&r, &s, &n);
  }
  v->outs_len = (size_t)(r.p + r.at - v->outs);
  size_t wit_at = r.at;
  for (size_t i = 0; segwit && i < v->nin && !r.bad; i++) {
    size_t items = (size_t)rd_compact(&r);
    for (size_t k = 0; k < items && !r.bad; k++) {
      const uint8_t *item;
      size_t n;
      rd_script(&r, &item, &n);
      if (i == 0 && k == 0) {
        v->wit0 = item;
        v->wit0_len = n;
      }
    }
    if (i == 0)
      v->wit_items = items;
  }
  size_t wit_len = r.at - wit_at;
  rd_take(&r, 4);
  if (r.bad || r.at != len)
    return -1;
  v->base_len = len - (segwit ? 2 + wit_len : 0);
  return 0;
}

/* Output @i of @v: its value and script. */
static void tx_output(const struct txview *v, size_t i, uint64_t *value, const uint8_t **script,
                      size_t *script_len)
{
  struct rd r = {v->outs, v->outs_len, 0, 0};
  for (size_t k = 0; k <= i; k++) {
    *value = rd_le(&r, 8);
    rd_script(&r, script, script_len);
  }
}

static int is_commitment(const uint8_t *s, size_t n)
{
  static const uint8_t head[6] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
  return n >= 38 && memcmp(s, head, 6) == 0;
}

/* ---- The template. ---- */

static size_t tx_index(const struct fake_node *n, const uint8_t txid[32], size_t below)
{
  for (size_t j = 0; j < below; j++)
    if (memcmp(n->txs[j].txid, txid, 32) == 0)
      return j;
  return SIZE_MAX;
}

/* The real block's transactions but the coinbase become the template's; -1 on failure. */
static int load_block(struct fake_node *n, const struct synth_test_real_block *b)
{
  size_t len;
  uint8_t *bytes = unhex_alloc(b->hex, &len);
  struct synth_test_parsed_block pb;
  struct txview cb;
  int rc = -1;
  memset(&pb, 0, sizeof pb);
  if (!bytes || synth_test_parse_block(bytes, len, &pb) != 0 || pb.ntx < 1 ||
      tx_read(pb.tx[0].raw, pb.tx[0].raw_len, &cb) != 0)
    goto out;
  uint64_t total = 0;
  for (size_t i = 0; i < cb.nout; i++) {
    uint64_t value;
    const uint8_t *s;
    size_t sl;
    tx_output(&cb, i, &value, &s, &sl);
    total += value;
  }
  memcpy(n->tip, pb.prev, 32);
  n->height = b->height;
  n->curtime = (int64_t)time(NULL); /* Core's curtime is its clock: a miner may use its own */
  n->mintime = n->curtime - 3600;
  n->fees_total = (int64_t)total - subsidy(b->height);
  if (n->fees_total < 0)
    n->fees_total = 0;
  n->ntx_all = n->ntx = pb.ntx - 1;
  if (n->ntx_all && !(n->txs = calloc(n->ntx_all, sizeof *n->txs)))
    goto out;
  for (size_t i = 0; i < n->ntx_all; i++) {
    const struct synth_test_parsed_tx *p = &pb.tx[i + 1];
    struct tpl_tx *t = &n->txs[i];
    struct txview v;
    if (tx_read(p->raw, p->raw_len, &v) != 0 || !(t->hex = malloc(2 * p->raw_len + 1)) ||
        !(t->depends = json_array()))
      goto out;
    synth__hex_encode(p->raw, p->raw_len, t->hex);
    memcpy(t->txid, p->txid, 32);
    memcpy(t->wtxid, p->wtxid, 32);
    t->fee =
        n->fees_total / (int64_t)n->ntx_all + (i == 0 ? n->fees_total % (int64_t)n->ntx_all : 0);
    t->weight = (int64_t)(3 * v.base_len + v.total_len);
    t->sigops = 4 * (int64_t)v.nin; /* an estimate: the fake counts no scripts */
    struct rd r = {v.ins, v.ins_len, 0, 0};
    for (size_t k = 0; k < v.nin; k++) {
      const uint8_t *prev = rd_take(&r, 36), *s;
      size_t sl;
      rd_script(&r, &s, &sl);
      rd_take(&r, 4);
      size_t j = prev ? tx_index(n, prev, i) : SIZE_MAX;
      if (j != SIZE_MAX)
        json_array_append_new(t->depends, json_integer((json_int_t)j + 1));
    }
  }
  rc = 0;
out:
  synth_test_parsed_block_free(&pb);
  free(bytes);
  return rc;
}

/* @count made-up legacy transactions of @bytes each (1 input, 1 output, fee 0), appended to
 * the real ones: a template as full as a busy mainnet block's. Deterministic bytes; -1 on
 * failure or a size outside 100..100000. */
static int add_fillers(struct fake_node *n, size_t count, size_t bytes)
{
  if (count == 0)
    return 0;
  if (bytes < 100 || bytes > 100000)
    return -1;
  /* 4 version, 1 nin, 36 prevout, CompactSize + scriptSig, 4 sequence, 1 nout, 8 value,
   * 1 + 25 P2PKH script, 4 locktime */
  size_t fixed = 4 + 1 + 36 + 4 + 1 + 8 + 1 + 25 + 4, script = bytes - fixed - 1;
  if (script >= 253)
    script = bytes - fixed - 3;
  struct tpl_tx *grown = realloc(n->txs, (n->ntx_all + count) * sizeof *grown);
  uint8_t *raw = malloc(bytes);
  if (!grown || !raw) {
    if (grown)
      n->txs = grown;
    free(raw);
    return -1;
  }
  n->txs = grown;
  uint64_t x = 0x9e3779b97f4a7c15u;
  for (size_t i = 0; i < count; i++) {
    size_t at = 0;
    memcpy(raw, "\x02\x00\x00\x00\x01", 5);
    at = 5;
    for (size_t k = 0; k < 36 + script + 3; k++) { /* prevout and script: xorshift bytes */
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      raw[at + k] = (uint8_t)x;
    }
    memset(raw + at + 32, 0, 4); /* output index 0 */
    at += 36;
    if (script >= 253) {
      raw[at++] = 0xfd;
      raw[at++] = (uint8_t)script;
      raw[at++] = (uint8_t)(script >> 8);
    } else {
      raw[at++] = (uint8_t)script;
    }
    at += script; /* the random bytes already there */
    memcpy(raw + at, "\xff\xff\xff\xff\x01\xe8\x03\x00\x00\x00\x00\x00\x00\x19\x76\xa9\x14", 17);
    at += 17;
    memset(raw + at, (int)(i & 0xff), 20);
    at += 20;
    memcpy(raw + at, "\x88\xac\x00\x00\x00\x00", 6);
    at += 6;
    struct tpl_tx *t = &n->txs[n->ntx_all];
    memset(t, 0, sizeof *t);
    if (at != bytes || !(t->hex = malloc(2 * bytes + 1)) || !(t->depends = json_array())) {
      free(t->hex);
      free(raw);
      return -1;
    }
    synth__hex_encode(raw, bytes, t->hex);
    synth__sha256d(raw, bytes, t->txid);
    memcpy(t->wtxid, t->txid, 32);
    t->weight = 4 * (int64_t)bytes;
    t->sigops = 4;
    n->ntx_all++;
  }
  n->ntx = n->ntx_all;
  free(raw);
  return 0;
}

static int64_t coinbasevalue(const struct fake_node *n, size_t ntx)
{
  int64_t v = subsidy(n->height);
  for (size_t i = 0; i < ntx; i++)
    v += n->txs[i].fee;
  return v;
}

static int any_witness(const struct fake_node *n, size_t ntx)
{
  for (size_t i = 0; i < ntx; i++)
    if (memcmp(n->txs[i].txid, n->txs[i].wtxid, 32) != 0)
      return 1;
  return 0;
}

static void longpollid(const struct fake_node *n, char *out, size_t cap)
{
  char tip[65];
  rpc_hex(n->tip, tip);
  snprintf(out, cap, "%s%u", tip, n->lp_counter);
}

static json_t *template_json(struct fake_node *n)
{
  char tip[65], target[65], bits[9], lp[96];
  uint8_t be[32];
  json_t *txs = json_array(), *mut = json_pack("[s,s,s]", "time", "transactions", "prevblock");
  for (size_t i = 0; i < n->ntx; i++) {
    char txid[65], hash[65];
    struct tpl_tx *t = &n->txs[i];
    rpc_hex(t->txid, txid);
    rpc_hex(t->wtxid, hash);
    json_array_append_new(txs, json_pack("{s:s,s:s,s:s,s:O,s:I,s:I,s:I}", "data", t->hex, "txid",
                                         txid, "hash", hash, "depends", t->depends, "fee",
                                         (json_int_t)t->fee, "sigops", (json_int_t)t->sigops,
                                         "weight", (json_int_t)t->weight));
  }
  if (n->version_rolling)
    json_array_append_new(mut, json_string("version/force"));
  rpc_hex(n->tip, tip);
  for (int i = 0; i < 32; i++)
    be[i] = n->target[31 - i];
  synth__hex_encode(be, 32, target);
  snprintf(bits, sizeof bits, "%08" PRIx32, n->bits);
  longpollid(n, lp, sizeof lp);
  json_t *t = json_pack(
      "{s:[s],s:i,s:[s,s,s],s:{},s:i,s:s,s:o,s:{},s:I,s:s,s:s,s:I,s:o,s:s,"
      "s:i,s:i,s:i,s:I,s:s,s:I}",
      "capabilities", "proposal", "version", 0x20000000, "rules", "csv", "!segwit", "taproot",
      "vbavailable", "vbrequired", 0, "previousblockhash", tip, "transactions", txs, "coinbaseaux",
      "coinbasevalue", (json_int_t)coinbasevalue(n, n->ntx), "longpollid", lp, "target", target,
      "mintime", (json_int_t)n->mintime, "mutable", mut, "noncerange", "00000000ffffffff",
      "sigoplimit", 80000, "sizelimit", 4000000, "weightlimit", 4000000, "curtime",
      (json_int_t)n->curtime, "bits", bits, "height", (json_int_t)n->height);
  if (t && any_witness(n, n->ntx)) {
    uint8_t(*w)[32] = malloc((n->ntx + 1) * 32), c[32],
    script[38] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
    char shown[77];
    for (size_t i = 0; w && i < n->ntx; i++)
      memcpy(w[i], n->txs[i].wtxid, 32);
    if (w && synth__solo_witness_commitment((const uint8_t(*)[32])w, n->ntx, c) == 0) {
      memcpy(script + 6, c, 32);
      synth__hex_encode(script, 38, shown);
      json_object_set_new(t, "default_witness_commitment", json_string(shown));
    }
    free(w);
  }
  return t;
}

/* The current template's text (cached per generation); NULL on no memory. Lock held. */
static const char *template_text(struct fake_node *n)
{
  if (!n->tpl_text || n->tpl_generation != n->generation) {
    json_t *t = template_json(n);
    free(n->tpl_text);
    n->tpl_text = t ? json_dumps(t, JSON_COMPACT) : NULL;
    n->tpl_generation = n->generation;
    json_decref(t);
  }
  return n->tpl_text;
}

/* ---- Chain changes (lock held). ---- */

static void remember_tip(struct fake_node *n)
{
  if (n->nold == n->old_cap) {
    size_t cap = n->old_cap ? 2 * n->old_cap : 16;
    uint8_t(*grown)[32] = realloc(n->old_tips, cap * 32);
    if (!grown)
      return;
    n->old_tips = grown;
    n->old_cap = cap;
  }
  memcpy(n->old_tips[n->nold++], n->tip, 32);
}

static void remember_block(struct fake_node *n, const uint8_t hash[32], int state)
{
  if (n->nknown == n->known_cap) {
    size_t cap = n->known_cap ? 2 * n->known_cap : 16;
    struct known_block *grown = realloc(n->known, cap * sizeof *grown);
    if (!grown)
      return;
    n->known = grown;
    n->known_cap = cap;
  }
  memcpy(n->known[n->nknown].hash, hash, 32);
  n->known[n->nknown++].state = state;
}

static const struct known_block *find_known(const struct fake_node *n, const uint8_t hash[32])
{
  for (size_t i = 0; i < n->nknown; i++)
    if (memcmp(n->known[i].hash, hash, 32) == 0)
      return &n->known[i];
  return NULL;
}

static int is_old_tip(const struct fake_node *n, const uint8_t hash[32])
{
  for (size_t i = 0; i < n->nold; i++)
    if (memcmp(n->old_tips[i], hash, 32) == 0)
      return 1;
  return 0;
}

/* The template changed: long polls of this generation are answered, and the caller waits until
 * each has taken its template (or the node stops). */
static void changed(struct fake_node *n)
{
  n->generation++;
  n->lp_counter++;
  n->waiting_stale += n->waiting_current;
  n->waiting_current = 0;
  pthread_cond_broadcast(&n->cond);
  while (n->waiting_stale && !atomic_load(&n->stop))
    pthread_cond_wait(&n->cond, &n->lock);
}

static void publish(struct fake_node *n)
{
  if (!n->zpub)
    return;
  uint8_t hash[32], seq[4];
  for (int i = 0; i < 32; i++)
    hash[i] = n->tip[31 - i];
  for (int i = 0; i < 4; i++)
    seq[i] = (uint8_t)(n->zseq >> (8 * i));
  if (zmq_send(n->zpub, "hashblock", 9, ZMQ_SNDMORE) == 9 &&
      zmq_send(n->zpub, hash, 32, ZMQ_SNDMORE) == 32 && zmq_send(n->zpub, seq, 4, 0) == 4) {
    n->zseq++;
    n->stats.zmq_published++;
  }
}

static void new_tip(struct fake_node *n, const uint8_t hash[32])
{
  remember_tip(n);
  memcpy(n->tip, hash, 32);
  n->height++;
  n->curtime += BLOCK_INTERVAL;
  n->mintime += BLOCK_INTERVAL;
  n->ntx = n->ntx_all;
  n->stats.height = n->height;
  memcpy(n->stats.last_block_hash, n->tip, 32);
  publish(n);
  changed(n);
}

/* ---- Block checks. ---- */

struct block {
  struct synth_test_parsed_block pb;
  struct txview cb;
  uint8_t hash[32];
};

/* Context-free checks (Core's CheckBlock): proof of work when @pow, merkle root, coinbase. */
static const char *check_context_free(const struct block *b, int pow)
{
  uint8_t target[32], root[32];
  if (pow && (expand_compact(b->pb.bits, target) != 0 || !le256_at_most(b->hash, target)))
    return "high-hash";
  uint8_t(*txids)[32] = malloc(b->pb.ntx * 32);
  if (!txids)
    return "rejected";
  for (size_t i = 1; i < b->pb.ntx; i++)
    memcpy(txids[i - 1], b->pb.tx[i].txid, 32);
  int rc =
      synth__solo_merkle_root(b->pb.tx[0].txid, (const uint8_t(*)[32])txids, b->pb.ntx - 1, root);
  free(txids);
  if (rc != 0 || memcmp(root, b->pb.merkle, 32) != 0)
    return "bad-txnmrklroot";
  if (!b->cb.coinbase)
    return "bad-cb-missing";
  for (size_t i = 1; i < b->pb.ntx; i++) {
    struct txview v;
    if (tx_read(b->pb.tx[i].raw, b->pb.tx[i].raw_len, &v) != 0 || v.coinbase)
      return "bad-cb-multiple";
  }
  if (b->cb.sig_len < SYNTH__SOLO_SCRIPTSIG_MIN || b->cb.sig_len > SYNTH__SOLO_SCRIPTSIG_MAX)
    return "bad-cb-length";
  return NULL;
}

/* Header against the tip (Core's ContextualCheckBlockHeader). */
static const char *check_header(const struct fake_node *n, const struct block *b, char *buf,
                                size_t cap)
{
  if (b->pb.bits != n->bits)
    return "bad-diffbits";
  if ((int64_t)b->pb.time < n->mintime)
    return "time-too-old";
  if ((int64_t)b->pb.time > n->curtime + TIME_WINDOW)
    return "time-too-new";
  if (b->pb.version < 4) {
    snprintf(buf, cap, "bad-version(0x%08" PRIx32 ")", b->pb.version);
    return buf;
  }
  return NULL;
}

/* BIP 34 and BIP 141 (Core's ContextualCheckBlock). */
static const char *check_contextual(const struct fake_node *n, const struct block *b)
{
  uint8_t push[SYNTH__SOLO_HEIGHT_PUSH_MAX];
  size_t push_len = synth__solo_height_push(n->height, push);
  if (b->cb.sig_len < push_len || memcmp(b->cb.sig, push, push_len) != 0)
    return "bad-cb-height";
  const uint8_t *commit = NULL;
  for (size_t i = 0; i < b->cb.nout; i++) {
    uint64_t value;
    const uint8_t *s;
    size_t sl;
    tx_output(&b->cb, i, &value, &s, &sl);
    if (is_commitment(s, sl))
      commit = s + 6; /* the last one counts, as in Core */
  }
  int witness = 0;
  for (size_t i = 0; i < b->pb.ntx; i++)
    witness |= b->pb.tx[i].has_witness;
  if (!commit)
    return witness ? "unexpected-witness" : NULL;
  if (b->cb.wit_items != 1 || b->cb.wit0_len != 32)
    return "bad-witness-nonce-size";
  uint8_t zero[32] = {0}, root[64], c[32];
  uint8_t(*w)[32] = malloc(b->pb.ntx * 32);
  if (!w)
    return "rejected";
  for (size_t i = 1; i < b->pb.ntx; i++)
    memcpy(w[i - 1], b->pb.tx[i].wtxid, 32);
  int rc = synth__solo_merkle_root(zero, (const uint8_t(*)[32])w, b->pb.ntx - 1, root);
  free(w);
  memcpy(root + 32, b->cb.wit0, 32);
  synth__sha256d(root, 64, c);
  return rc != 0 || memcmp(c, commit, 32) != 0 ? "bad-witness-merkle-match" : NULL;
}

/* Transactions and the coinbase's value (Core's ConnectBlock), and our own payee rule. */
static const char *check_connect(const struct fake_node *n, const struct block *b)
{
  size_t k = b->pb.ntx - 1;
  for (size_t i = 0; i < k; i++)
    if (tx_index(n, b->pb.tx[i + 1].txid, n->ntx_all) == SIZE_MAX)
      return "bad-txns-inputs-missingorspent";
  if (k < n->ntx || k > n->ntx_all)
    return "bad-txns-not-template";
  for (size_t i = 0; i < k; i++)
    if (memcmp(b->pb.tx[i + 1].txid, n->txs[i].txid, 32) != 0)
      return "bad-txns-not-template";
  uint64_t total = 0, paid = 0, value;
  int elsewhere = 0;
  for (size_t i = 0; i < b->cb.nout; i++) {
    const uint8_t *s;
    size_t sl;
    tx_output(&b->cb, i, &value, &s, &sl);
    if (value > SYNTH__SOLO_MAX_COINBASE_VALUE || total + value > SYNTH__SOLO_MAX_COINBASE_VALUE)
      return "bad-txns-vout-toolarge";
    total += value;
    if (is_commitment(s, sl))
      continue;
    if (sl == n->payout_len && memcmp(s, n->payout, sl) == 0)
      paid += value;
    else
      elsewhere = 1;
  }
  uint64_t allowed = (uint64_t)coinbasevalue(n, k);
  if (total > allowed)
    return "bad-cb-amount";
  if (n->payout && (elsewhere || paid != allowed))
    return "bad-cb-payee";
  return NULL;
}

/* Decodes and parses @hex into @b; -1 when it is not a block. */
static int block_decode(const char *hex, struct block *b)
{
  size_t len;
  uint8_t *bytes = unhex_alloc(hex, &len);
  memset(b, 0, sizeof *b);
  int rc = bytes ? synth_test_parse_block(bytes, len, &b->pb) : -1;
  free(bytes);
  if (rc == 0 && tx_read(b->pb.tx[0].raw, b->pb.tx[0].raw_len, &b->cb) != 0)
    rc = -1;
  if (rc == 0)
    synth__sha256d(b->pb.header, 80, b->hash);
  return rc;
}

static void verdict(struct fake_node *n, const char *v, unsigned *counter)
{
  (*counter)++;
  snprintf(n->stats.last_verdict, sizeof n->stats.last_verdict, "%s", v ? v : "");
}

/* submitblock's verdict in Core's order; NULL for a block that became the tip. Lock held. */
static const char *judge_submit(struct fake_node *n, const struct block *b, char *buf, size_t cap)
{
  const char *why = check_context_free(b, 1);
  const struct known_block *k = find_known(n, b->hash);
  if (!why && k) {
    why = k->state == KNOWN_INVALID ? "duplicate-invalid" : "duplicate";
    verdict(n, why, &n->stats.duplicates);
    return why;
  }
  if (!why && memcmp(b->pb.prev, n->tip, 32) != 0) {
    const struct known_block *prev = find_known(n, b->pb.prev);
    if (prev && prev->state == KNOWN_INVALID)
      why = "bad-prevblk";
    else if (is_old_tip(n, b->pb.prev) || prev) {
      remember_block(n, b->hash, KNOWN_SIDE);
      verdict(n, "inconclusive", &n->stats.inconclusive);
      return "inconclusive";
    } else
      why = "prev-blk-not-found";
  }
  if (!why && (why = check_header(n, b, buf, cap)) == NULL &&
      (why = check_contextual(n, b)) == NULL && (why = check_connect(n, b)) == NULL) {
    remember_block(n, b->hash, KNOWN_VALID);
    verdict(n, NULL, &n->stats.blocks_valid);
    new_tip(n, b->hash);
    return NULL;
  }
  if (strcmp(why, "high-hash") && strcmp(why, "bad-txnmrklroot") && strcmp(why, "bad-cb-missing") &&
      strcmp(why, "bad-cb-multiple") && strcmp(why, "bad-cb-length") &&
      strcmp(why, "prev-blk-not-found"))
    remember_block(n, b->hash, KNOWN_INVALID); /* Core stores what passed CheckBlock */
  verdict(n, why, &n->stats.blocks_invalid);
  return why;
}

/* Proposal mode (Core's TestBlockValidity, no proof of work). Lock held. */
static const char *judge_proposal(struct fake_node *n, const struct block *b, char *buf, size_t cap)
{
  const struct known_block *k = find_known(n, b->hash);
  const char *why;
  if (k) {
    why = k->state == KNOWN_VALID     ? "duplicate"
          : k->state == KNOWN_INVALID ? "duplicate-invalid"
                                      : "duplicate-inconclusive";
    verdict(n, why, &n->stats.duplicates);
    return why;
  }
  if (memcmp(b->pb.prev, n->tip, 32) != 0) {
    verdict(n, "inconclusive-not-best-prevblk", &n->stats.inconclusive);
    return "inconclusive-not-best-prevblk";
  }
  if ((why = check_header(n, b, buf, cap)) || (why = check_context_free(b, 0)) ||
      (why = check_contextual(n, b)) || (why = check_connect(n, b))) {
    verdict(n, why, &n->stats.blocks_invalid);
    return why;
  }
  verdict(n, NULL, &n->stats.proposals_valid);
  return NULL;
}

/* ---- RPC. ---- */

/* An answer: HTTP status, and either a result, an RPC error or a raw body. */
struct answer {
  int status;
  json_t *result; /* owned; NULL with code 0 and no raw: JSON null */
  int code;
  char message[256];
  const char *raw; /* a body as is (static) */
  int silent;      /* send nothing at all */
};

static void fail(struct answer *a, int code, const char *msg)
{
  a->code = code;
  a->status = code == -32601 ? 404 : code == -32600 ? 400 : 500;
  snprintf(a->message, sizeof a->message, "%s", msg);
}

static json_t *param(json_t *params, size_t i, const char *name)
{
  return json_is_array(params) ? json_array_get(params, i) : json_object_get(params, name);
}

static int has_rule(json_t *req, const char *rule)
{
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(req, "rules"), i, v)
  {
    if (json_is_string(v) && strcmp(json_string_value(v), rule) == 0)
      return 1;
  }
  return 0;
}

static json_t *string_or_null(const char *s)
{
  return s ? json_string(s) : json_null();
}

static void rpc_submit(struct fake_node *n, const char *hex, int proposal, struct answer *a)
{
  struct block b;
  char buf[64];
  if (!hex) { /* -3: RPC_TYPE_ERROR */
    fail(a, -3, proposal ? "Missing data String key for proposal" : "hexdata must be a string");
    return;
  }
  int rc = block_decode(hex, &b);
  pthread_mutex_lock(&n->lock);
  if (proposal)
    n->stats.proposals++;
  else
    n->stats.submits++;
  if (rc != 0) {
    verdict(n, "Block decode failed", &n->stats.blocks_invalid);
    fail(a, -22, "Block decode failed");
  } else {
    const char *v =
        proposal ? judge_proposal(n, &b, buf, sizeof buf) : judge_submit(n, &b, buf, sizeof buf);
    if (!proposal && n->has_next_result) {
      v = n->next_result;
      n->has_next_result = 0;
      a->result = string_or_null(v);
      free(n->next_result);
      n->next_result = NULL;
    } else
      a->result = string_or_null(v);
  }
  pthread_mutex_unlock(&n->lock);
  synth_test_parsed_block_free(&b.pb);
}

/* getblocktemplate in template mode, long poll included. Lock held; waits on cond. */
static void rpc_template(struct fake_node *n, json_t *req, struct answer *a)
{
  if (!has_rule(req, "segwit")) {
    fail(a, -8,
         "getblocktemplate must be called with the segwit rule set (call with "
         "{\"rules\": [\"segwit\"]})");
    return;
  }
  if (n->ibd) {
    fail(a, -10, "Bitcoin Core is in initial sync and waiting for blocks...");
    return;
  }
  const char *lp = json_string_value(json_object_get(req, "longpollid"));
  char current[96];
  longpollid(n, current, sizeof current);
  if (lp && strcmp(lp, current) == 0) {
    uint64_t gen = n->generation;
    n->waiting_current++;
    n->stats.longpolls_waiting++;
    while (n->generation == gen && !atomic_load(&n->stop))
      pthread_cond_wait(&n->cond, &n->lock);
    if (n->generation == gen)
      n->waiting_current--;
    else
      n->waiting_stale--;
    n->stats.longpolls_waiting--;
    pthread_cond_broadcast(&n->cond);
    if (atomic_load(&n->stop)) {
      fail(a, -9, "Shutting down");
      return;
    }
    n->stats.longpolls_answered++;
  }
  const char *text = template_text(n);
  a->result = text ? json_loads(text, 0, NULL) : NULL;
  if (!a->result)
    fail(a, -1, "out of memory");
  else
    n->stats.templates++;
}

static void rpc_chaininfo(struct fake_node *n, struct answer *a)
{
  char tip[65];
  rpc_hex(n->tip, tip);
  uint32_t size = n->bits >> 24;
  double target = (double)(n->bits & 0x7fffff);
  for (uint32_t i = 3; i < size; i++)
    target *= 256;
  for (uint32_t i = size; i < 3; i++)
    target /= 256;
  double diff1 = 65535.0;
  for (int i = 3; i < 0x1d; i++)
    diff1 *= 256;
  a->result = json_pack("{s:s,s:I,s:I,s:s,s:f,s:I,s:I,s:f,s:b,s:s,s:I,s:b,s:[]}", "chain", n->chain,
                        "blocks", (json_int_t)n->height - 1, "headers", (json_int_t)n->height - 1,
                        "bestblockhash", tip, "difficulty", target > 0 ? diff1 / target : 0.0,
                        "time", (json_int_t)(n->curtime - BLOCK_INTERVAL), "mediantime",
                        (json_int_t)(n->mintime - 1), "verificationprogress", n->ibd ? 0.5 : 1.0,
                        "initialblockdownload", n->ibd, "chainwork",
                        "0000000000000000000000000000000000000000000000000000000000000001",
                        "size_on_disk", (json_int_t)0, "pruned", 0, "warnings");
}

/* A scripted failure for @method, consumed; 1 when one applied. Lock held. */
static int scripted(struct fake_node *n, const char *method, struct answer *a)
{
  for (size_t i = 0; i < n->nscripts; i++) {
    struct script *s = &n->scripts[i];
    if (s->method[0] && strcmp(s->method, method) != 0)
      continue;
    if (s->code) {
      fail(a, s->code, s->message);
      if (s->status)
        a->status = s->status;
    } else {
      a->status = s->status ? s->status : 500;
      a->raw = a->status == 200 ? "not json" : "";
    }
    if (--s->times == 0) {
      memmove(s, s + 1, (n->nscripts - i - 1) * sizeof *s);
      n->nscripts--;
    }
    return 1;
  }
  return 0;
}

/* One call. Returns its reply object (NULL with a->raw set, or a->silent). */
static json_t *rpc_call(struct fake_node *n, json_t *call, struct answer *a)
{
  const char *method = json_string_value(json_object_get(call, "method"));
  json_t *params = json_object_get(call, "params"), *id = json_object_get(call, "id");
  *a = (struct answer){.status = 200};
  if (!json_is_object(call) || !method)
    fail(a, -32600, "Missing method");
  else {
    pthread_mutex_lock(&n->lock);
    int done = scripted(n, method, a);
    if (!done && n->warmup_left) {
      n->warmup_left--;
      fail(a, -28, WARMUP_MESSAGE);
      done = 1;
    }
    if (done) {
    } else if (strcmp(method, "getblockchaininfo") == 0)
      rpc_chaininfo(n, a);
    else if (strcmp(method, "getblockcount") == 0)
      a->result = json_integer((json_int_t)n->height - 1);
    else if (strcmp(method, "getbestblockhash") == 0) {
      char tip[65];
      rpc_hex(n->tip, tip);
      a->result = json_string(tip);
    } else if (strcmp(method, "getnetworkinfo") == 0)
      a->result = json_pack("{s:i,s:s,s:i,s:i,s:b,s:[]}", "version", 280000, "subversion",
                            "/Satoshi:28.0.0/", "protocolversion", 70016, "connections", 8,
                            "networkactive", 1, "warnings");
    else if (strcmp(method, "getblocktemplate") == 0) {
      json_t *req = param(params, 0, "template_request");
      const char *mode = json_string_value(json_object_get(req, "mode"));
      json_t *mv = json_object_get(req, "mode");
      if (mv && !json_is_string(mv))
        fail(a, -8, "Invalid mode");
      else if (mode && strcmp(mode, "proposal") == 0) {
        pthread_mutex_unlock(&n->lock);
        rpc_submit(n, json_string_value(json_object_get(req, "data")), 1, a);
        pthread_mutex_lock(&n->lock);
      } else if (mode && strcmp(mode, "template") != 0)
        fail(a, -8, "Invalid mode");
      else
        rpc_template(n, req, a);
    } else if (strcmp(method, "submitblock") == 0) {
      pthread_mutex_unlock(&n->lock);
      rpc_submit(n, json_string_value(param(params, 0, "hexdata")), 0, a);
      pthread_mutex_lock(&n->lock);
    } else
      fail(a, -32601, "Method not found");
    pthread_mutex_unlock(&n->lock);
  }
  if (a->raw)
    return NULL;
  json_t *reply = json_object();
  json_object_set_new(reply, "result", a->code ? json_null() : a->result ? a->result : json_null());
  if (a->code) {
    json_decref(a->result);
    json_object_set_new(reply, "error",
                        json_pack("{s:i,s:s}", "code", a->code, "message", a->message));
  } else
    json_object_set_new(reply, "error", json_null());
  json_object_set(reply, "id", id ? id : json_null());
  a->result = NULL;
  return reply;
}

/* ---- HTTP. ---- */

struct request {
  char method[16], version[16];
  size_t body_len;
  int has_length, chunked, expect_continue, close;
  char auth[512];
};

static int send_all(int fd, const char *p, size_t n)
{
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static const char *reason(int status)
{
  switch (status) {
  case 200:
    return "OK";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 411:
    return "Length Required";
  case 413:
    return "Request Entity Too Large";
  case 431:
    return "Request Header Fields Too Large";
  case 500:
    return "Internal Server Error";
  case 503:
    return "Service Unavailable";
  default:
    return "Status";
  }
}

static int respond(int fd, int status, const char *body, size_t len, int close_conn,
                   const char *extra)
{
  char head[512];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %d %s\r\n%sContent-Type: application/json\r\nContent-Length: %zu\r\n"
                   "Connection: %s\r\n\r\n",
                   status, reason(status), extra ? extra : "", len,
                   close_conn ? "close" : "keep-alive");
  return send_all(fd, head, (size_t)n) || send_all(fd, body, len) ? -1 : 0;
}

/* Reads into buf (cap = MAX_HEADER) until the header's end; returns its length (with the
 * blank line), 0 at a clean end of stream, -1 on error, -2 when too long. *have counts what is
 * buffered (a pipelined next request stays there). */
static long read_head(int fd, char *buf, size_t *have)
{
  for (;;) {
    buf[*have] = '\0';
    char *end = strstr(buf, "\r\n\r\n");
    if (end)
      return end + 4 - buf;
    if (*have >= MAX_HEADER)
      return -2;
    ssize_t r = recv(fd, buf + *have, MAX_HEADER - *have, 0);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return r == 0 && *have == 0 ? 0 : -1;
    *have += (size_t)r;
  }
}

static void parse_head(char *head, struct request *rq)
{
  char *save = NULL, *line = strtok_r(head, "\r\n", &save);
  memset(rq, 0, sizeof *rq);
  if (!line || sscanf(line, "%15s %*s %15s", rq->method, rq->version) != 2)
    return;
  int keep_alive = 0;
  while ((line = strtok_r(NULL, "\r\n", &save))) {
    char *colon = strchr(line, ':');
    if (!colon)
      continue;
    *colon = '\0';
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
      v++;
    if (strcasecmp(line, "Content-Length") == 0) {
      rq->has_length = 1;
      rq->body_len = (size_t)strtoull(v, NULL, 10);
    } else if (strcasecmp(line, "Transfer-Encoding") == 0)
      rq->chunked = 1;
    else if (strcasecmp(line, "Expect") == 0 && strcasecmp(v, "100-continue") == 0)
      rq->expect_continue = 1;
    else if (strcasecmp(line, "Connection") == 0) {
      rq->close |= strcasestr(v, "close") != NULL;
      keep_alive |= strcasestr(v, "keep-alive") != NULL;
    } else if (strcasecmp(line, "Authorization") == 0)
      snprintf(rq->auth, sizeof rq->auth, "%s", v);
  }
  if (strcmp(rq->version, "HTTP/1.1") != 0 && !keep_alive)
    rq->close = 1;
}

/* Whether the Basic credentials are the configured ones (always, without a user). */
static int auth_ok(const struct fake_node *n, const char *auth)
{
  if (!n->user)
    return 1;
  if (strncasecmp(auth, "Basic ", 6) != 0)
    return 0;
  const char *b64 = auth + 6;
  size_t len = strlen(b64);
  if (len == 0 || len % 4 || len > 400)
    return 0;
  unsigned char plain[320];
  int got = EVP_DecodeBlock(plain, (const unsigned char *)b64, (int)len);
  if (got < 0)
    return 0;
  got -= (b64[len - 1] == '=') + (b64[len - 2] == '=');
  char want[320];
  int wl = snprintf(want, sizeof want, "%s:%s", n->user, n->password ? n->password : "");
  return wl == got && memcmp(plain, want, (size_t)got) == 0;
}

static int answer_body(struct fake_node *n, int fd, const char *body, size_t len, int close_conn)
{
  json_error_t err;
  json_t *in = json_loadb(body, len, 0, &err), *out = NULL;
  struct answer a = {.status = 200};
  if (!in) {
    out = json_pack("{s:n,s:{s:i,s:s},s:n}", "result", "error", "code", -32700, "message",
                    "Parse error", "id");
    a.status = 500;
  } else if (json_is_array(in)) {
    size_t i;
    json_t *call;
    out = json_array();
    json_array_foreach(in, i, call)
    {
      struct answer one;
      json_t *r = rpc_call(n, call, &one);
      json_array_append_new(out, r ? r : json_null());
    }
  } else
    out = rpc_call(n, in, &a);
  json_decref(in);
  int rc;
  if (!out)
    rc = respond(fd, a.status, a.raw, strlen(a.raw), close_conn, NULL);
  else {
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    if (!text)
      return -1;
    size_t tl = strlen(text);
    char *line = malloc(tl + 2);
    if (!line) {
      free(text);
      return -1;
    }
    memcpy(line, text, tl);
    line[tl] = '\n'; /* Core ends its replies with a newline */
    rc = respond(fd, a.status, line, tl + 1, close_conn, NULL);
    free(line);
    free(text);
  }
  return rc;
}

static void serve(struct fake_node *n, int fd)
{
  char *buf = malloc(MAX_HEADER + 1);
  size_t have = 0;
  while (buf && !atomic_load(&n->stop)) {
    long head_len = read_head(fd, buf, &have);
    if (head_len == -2)
      respond(fd, 431, "", 0, 1, NULL);
    if (head_len <= 0)
      break;
    char head[MAX_HEADER + 1];
    memcpy(head, buf, (size_t)head_len);
    head[head_len] = '\0';
    memmove(buf, buf + head_len, have - (size_t)head_len);
    have -= (size_t)head_len;
    struct request rq;
    parse_head(head, &rq);
    pthread_mutex_lock(&n->lock);
    n->stats.requests++;
    int stalled = n->stalled, authorized = auth_ok(n, rq.auth);
    if (!authorized && !stalled)
      n->stats.auth_failures++;
    pthread_mutex_unlock(&n->lock);
    if (rq.chunked || (!rq.has_length && strcmp(rq.method, "POST") == 0)) {
      respond(fd, rq.chunked ? 400 : 411, "", 0, 1, NULL);
      break;
    }
    if (rq.body_len > MAX_BODY) {
      respond(fd, 413, "", 0, 1, NULL);
      break;
    }
    if (rq.expect_continue && !stalled && send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) != 0)
      break;
    char *body = malloc(rq.body_len + 1);
    if (!body)
      break;
    size_t got = have < rq.body_len ? have : rq.body_len;
    memcpy(body, buf, got);
    memmove(buf, buf + got, have - got);
    have -= got;
    while (got < rq.body_len) {
      ssize_t r = recv(fd, body + got, rq.body_len - got, 0);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      got += (size_t)r;
    }
    int rc = 0;
    if (got < rq.body_len)
      rc = -1;
    else if (stalled) {
    } else if (!authorized)
      rc = respond(fd, 401, "", 0, rq.close, "WWW-Authenticate: Basic realm=\"jsonrpc\"\r\n");
    else if (strcmp(rq.method, "POST") != 0)
      rc = respond(fd, 405, ONLY_POST, strlen(ONLY_POST), rq.close, NULL);
    else
      rc = answer_body(n, fd, body, rq.body_len, rq.close);
    free(body);
    if (rc != 0 || (rq.close && !stalled))
      break;
  }
  free(buf);
}

static void *conn_main(void *arg)
{
  struct conn *c = arg;
  serve(c->node, c->fd);
  shutdown(c->fd, SHUT_RDWR);
  atomic_store(&c->done, true);
  return NULL;
}

/* Joins and frees finished connections (all of them when @all). Lock not held. */
static void reap(struct fake_node *n, int all)
{
  pthread_mutex_lock(&n->lock);
  struct conn **pp = &n->conns, *mine = NULL;
  while (*pp) {
    struct conn *c = *pp;
    if (all || atomic_load(&c->done)) {
      *pp = c->next;
      c->next = mine;
      mine = c;
    } else
      pp = &c->next;
  }
  pthread_mutex_unlock(&n->lock);
  while (mine) {
    struct conn *next = mine->next;
    pthread_join(mine->thread, NULL);
    close(mine->fd);
    free(mine);
    mine = next;
  }
}

static void *accept_main(void *arg)
{
  struct fake_node *n = arg;
  while (!atomic_load(&n->stop)) {
    struct pollfd p = {n->listen_fd, POLLIN, 0};
    reap(n, 0);
    if (poll(&p, 1, POLL_MS) <= 0)
      continue;
    int fd = accept4(n->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
      continue;
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
      close(fd);
      continue;
    }
    c->fd = fd;
    c->node = n;
    pthread_mutex_lock(&n->lock);
    if (pthread_create(&c->thread, NULL, conn_main, c) != 0) {
      pthread_mutex_unlock(&n->lock);
      close(fd);
      free(c);
      continue;
    }
    c->next = n->conns;
    n->conns = c;
    n->stats.connections++;
    pthread_mutex_unlock(&n->lock);
  }
  return NULL;
}

/* ---- Lifecycle and API. ---- */

static int listen_loopback(unsigned *port)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  socklen_t len = sizeof a;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0)
    return -1;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(a.sin_port);
  return fd;
}

static int open_zmq(struct fake_node *n)
{
  int zero = 0;
  size_t len = sizeof n->zurl;
  if (!(n->zctx = zmq_ctx_new()) || !(n->zpub = zmq_socket(n->zctx, ZMQ_PUB)) ||
      zmq_setsockopt(n->zpub, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
      zmq_bind(n->zpub, "tcp://127.0.0.1:*") != 0 ||
      zmq_getsockopt(n->zpub, ZMQ_LAST_ENDPOINT, n->zurl, &len) != 0)
    return -1;
  return 0;
}

static char *dup_or_null(const char *s, int *bad)
{
  char *d = s ? strdup(s) : NULL;
  if (s && !d)
    *bad = 1;
  return d;
}

static void node_free(struct fake_node *n)
{
  if (n->zpub)
    zmq_close(n->zpub);
  if (n->zctx)
    zmq_ctx_term(n->zctx);
  if (n->listen_fd >= 0)
    close(n->listen_fd);
  for (size_t i = 0; i < n->ntx_all; i++) {
    free(n->txs[i].hex);
    json_decref(n->txs[i].depends);
  }
  free(n->txs);
  free(n->user);
  free(n->password);
  free(n->chain);
  free(n->payout);
  free(n->tpl_text);
  free(n->known);
  free(n->old_tips);
  free(n->next_result);
  pthread_cond_destroy(&n->cond);
  pthread_mutex_destroy(&n->lock);
  free(n);
}

static int configure(struct fake_node *n, const struct fake_node_config *cfg)
{
  static const struct fake_node_config defaults = {0};
  static const uint8_t easy[32] = {[29] = 0xff, 0xff, 0x7f};
  int bad = 0;
  if (!cfg)
    cfg = &defaults;
  if (cfg->block >= synth_test_real_block_count)
    return -1;
  const struct synth_test_real_block *b = &synth_test_real_blocks[cfg->block];
  n->user = dup_or_null(cfg->user, &bad);
  n->password = dup_or_null(cfg->password, &bad);
  n->chain = dup_or_null(cfg->chain ? cfg->chain : b->chain, &bad);
  if (cfg->payout_script) {
    if (!(n->payout = malloc(cfg->payout_len ? cfg->payout_len : 1)))
      return -1;
    memcpy(n->payout, cfg->payout_script, cfg->payout_len);
    n->payout_len = cfg->payout_len;
  }
  n->ibd = cfg->ibd;
  n->warmup_left = cfg->warmup_calls;
  n->version_rolling = cfg->version_rolling;
  n->bits = compact_of(cfg->target ? cfg->target : easy);
  if (bad || expand_compact(n->bits, n->target) != 0 || load_block(n, b) != 0 ||
      add_fillers(n, cfg->filler_txs, cfg->filler_bytes) != 0)
    return -1;
  n->stats.height = n->height;
  memcpy(n->stats.last_block_hash, n->tip, 32);
  n->generation = 1;
  return cfg->zmq ? open_zmq(n) : 0;
}

int fake_node_start(struct fake_node **out, const struct fake_node_config *cfg)
{
  struct fake_node *n = calloc(1, sizeof *n);
  *out = NULL;
  if (!n)
    return -1;
  n->listen_fd = -1;
  pthread_mutex_init(&n->lock, NULL);
  pthread_cond_init(&n->cond, NULL);
  if (configure(n, cfg) != 0 || (n->listen_fd = listen_loopback(&n->port)) < 0 ||
      pthread_create(&n->accept_thread, NULL, accept_main, n) != 0) {
    node_free(n);
    return -1;
  }
  *out = n;
  return 0;
}

void fake_node_destroy(struct fake_node *n)
{
  if (!n)
    return;
  atomic_store(&n->stop, true);
  shutdown(n->listen_fd, SHUT_RDWR); /* Linux wakes the accept thread's poll at once */
  pthread_join(n->accept_thread, NULL);
  pthread_mutex_lock(&n->lock);
  pthread_cond_broadcast(&n->cond); /* long polls answer "Shutting down" */
  for (struct conn *c = n->conns; c; c = c->next)
    shutdown(c->fd, SHUT_RDWR); /* a thread blocked in recv or send returns */
  pthread_mutex_unlock(&n->lock);
  reap(n, 1);
  node_free(n);
}

unsigned fake_node_port(struct fake_node *n)
{
  return n->port;
}

const char *fake_node_zmq_url(struct fake_node *n)
{
  return n->zpub ? n->zurl : NULL;
}

void fake_node_new_block(struct fake_node *n)
{
  uint8_t hash[32];
  synth_test_fill(hash, sizeof hash);
  memset(hash + 28, 0, 4); /* shown with leading zeros, as a block hash is */
  pthread_mutex_lock(&n->lock);
  new_tip(n, hash);
  pthread_mutex_unlock(&n->lock);
}

void fake_node_new_transactions(struct fake_node *n)
{
  pthread_mutex_lock(&n->lock);
  if (n->ntx)
    n->ntx--;
  changed(n);
  pthread_mutex_unlock(&n->lock);
}

void fake_node_next_submit_result(struct fake_node *n, const char *result)
{
  char *copy = result ? strdup(result) : NULL;
  pthread_mutex_lock(&n->lock);
  free(n->next_result);
  n->next_result = copy;
  n->has_next_result = 1;
  pthread_mutex_unlock(&n->lock);
}

void fake_node_fail_next(struct fake_node *n, const char *method, int http_status, int rpc_code,
                         const char *message, unsigned times)
{
  pthread_mutex_lock(&n->lock);
  if (times && n->nscripts < MAX_SCRIPTS) {
    struct script *s = &n->scripts[n->nscripts++];
    snprintf(s->method, sizeof s->method, "%s", method ? method : "");
    snprintf(s->message, sizeof s->message, "%s", message ? message : "");
    s->status = http_status;
    s->code = rpc_code;
    s->times = times;
  }
  pthread_mutex_unlock(&n->lock);
}

void fake_node_stall(struct fake_node *n, int on)
{
  pthread_mutex_lock(&n->lock);
  n->stalled = on != 0;
  pthread_mutex_unlock(&n->lock);
}

void fake_node_stats(struct fake_node *n, struct fake_node_stats *out)
{
  pthread_mutex_lock(&n->lock);
  *out = n->stats;
  pthread_mutex_unlock(&n->lock);
}
