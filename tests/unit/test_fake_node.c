/* test_fake_node.c: the fake Bitcoin Core node, driven over HTTP by a small blocking client
 * and with blocks made by the project's own solo builders: a valid block moves the chain on,
 * each broken field gets Core's reason, proposals skip the proof of work, auth, warm-up, IBD,
 * scripted failures, stalls, long polls and hashblock over ZMQ. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zmq.h>

#include "pool/solo_job.h"
#include "pool/solo_rpc.h"
#include "precompute/sha256.h"
#include "support/fake_node.h"
#include "support/harness.h"
#include "support/real_blocks.h"

#define SEGWIT_BLOCK 1 /* mainnet 542213: three transactions after the coinbase, with witnesses */

static const uint8_t payout[] = {0x00, 0x14, 1,  2,  3,  4,  5,  6,  7,  8,  9,
                                 10,   11,   12, 13, 14, 15, 16, 17, 18, 19, 20};
static const uint8_t en1[4] = {0xde, 0xad, 0xbe, 0xef};

/* ---- A blocking HTTP/1.1 client. ---- */

static int dial(unsigned port)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  double patience = synth_test_patience_s();
  struct timeval tv = {(time_t)patience, 0};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0)
    return -1;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv); /* a hang fails, never blocks */
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int send_request(int fd, const char *auth_b64, const char *body, const char *extra)
{
  char head[512];
  int n = snprintf(head, sizeof head,
                   "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s%sContent-Type: "
                   "application/json\r\nContent-Length: %zu\r\n\r\n",
                   auth_b64 ? "Authorization: Basic " : "", auth_b64 ? auth_b64 : "",
                   auth_b64 ? "\r\n" : "", extra ? extra : "", strlen(body));
  return send(fd, head, (size_t)n, MSG_NOSIGNAL) == n &&
                 send(fd, body, strlen(body), MSG_NOSIGNAL) == (ssize_t)strlen(body)
             ? 0
             : -1;
}

struct reply {
  int status;
  char body[1 << 16];
  size_t len;
  int closed; /* the server said Connection: close */
};

/* Reads one response; -1 on error or a body that does not fit. */
static int read_reply(int fd, struct reply *r)
{
  char head[4096];
  size_t have = 0;
  char *end = NULL;
  while (!end) {
    if (have == sizeof head - 1)
      return -1;
    ssize_t got = recv(fd, head + have, 1, 0); /* one byte at a time: the body stays queued */
    if (got <= 0)
      return -1;
    have++;
    head[have] = '\0';
    end = strstr(head, "\r\n\r\n");
  }
  const char *cl = strstr(head, "Content-Length: ");
  size_t len = cl ? (size_t)strtoul(cl + 16, NULL, 10) : 0;
  if (sscanf(head, "HTTP/1.1 %d", &r->status) != 1 || len >= sizeof r->body)
    return -1;
  r->closed = strstr(head, "Connection: close") != NULL;
  for (r->len = 0; r->len < len;) {
    ssize_t got = recv(fd, r->body + r->len, len - r->len, 0);
    if (got <= 0)
      return -1;
    r->len += (size_t)got;
  }
  r->body[r->len] = '\0';
  return 0;
}

/* One call on a fresh connection; the reply's JSON (NULL when the body is not JSON). */
static json_t *call_auth(struct fake_node *n, const char *auth, const char *method,
                         const char *params, struct reply *r)
{
  size_t cap = strlen(method) + strlen(params) + 128;
  char *body = malloc(cap);
  CU_ASSERT_PTR_NOT_NULL_FATAL(body);
  snprintf(body, cap, "{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"%s\",\"params\":%s}", method,
           params);
  int fd = dial(fake_node_port(n));
  CU_ASSERT_FATAL(fd >= 0);
  int ok = send_request(fd, auth, body, NULL) == 0 && read_reply(fd, r) == 0;
  close(fd);
  free(body);
  CU_ASSERT_FATAL(ok);
  return json_loads(r->body, 0, NULL);
}

static json_t *call(struct fake_node *n, const char *method, const char *params, struct reply *r)
{
  return call_auth(n, NULL, method, params, r);
}

static const char *GBT = "[{\"rules\":[\"segwit\"],\"capabilities\":[\"coinbasetxn\",\"workid\","
                         "\"coinbase/append\",\"longpoll\",\"proposal\"]}]";

/* The template as the solo code reads it. */
static void get_template(struct fake_node *n, struct synth__solo_template *t)
{
  struct reply r;
  json_t *j = call(n, "getblocktemplate", GBT, &r);
  CU_ASSERT_EQUAL(r.status, 200);
  char err[200] = "";
  CU_ASSERT_EQUAL_FATAL(
      synth__solo_template_parse(json_object_get(j, "result"), t, err, sizeof err), 0);
  json_decref(j);
}

static int rpc_error_code(json_t *j)
{
  return (int)json_integer_value(json_object_get(json_object_get(j, "error"), "code"));
}

/* ---- Blocks. ---- */

/* The block for @t paying @script, with ntime @ntime (0: curtime) and version @version. */
static uint8_t *build(const struct synth__solo_template *t, const uint8_t *script, size_t len,
                      uint32_t ntime, uint32_t version, size_t *out_len)
{
  struct synth__solo_job_spec spec = {script, len, (const uint8_t *)"/fake/", 6, en1};
  struct synth__solo_job j;
  char err[160];
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(t, &spec, &j, err, sizeof err), 0);
  static const uint8_t en2[4] = {9, 8, 7, 6};
  uint8_t *block;
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_block(&j, en2, ntime ? ntime : (uint32_t)t->curtime,
                                              version ? version : t->version, 0, NULL, &block,
                                              out_len),
                        0);
  return block;
}

static int meets(const uint8_t *header, const uint8_t target[32])
{
  uint8_t h[32];
  synth__sha256d(header, 80, h);
  for (int i = 31; i >= 0; i--)
    if (h[i] != target[i])
      return h[i] < target[i];
  return 1;
}

/* Rolls the header's nonce until its hash meets (@want 1) or misses (0) @target. */
static void mine(uint8_t *block, const uint8_t target[32], int want)
{
  for (uint32_t nonce = 0; nonce < 100000; nonce++) {
    for (int i = 0; i < 4; i++)
      block[76 + i] = (uint8_t)(nonce >> (8 * i));
    if (meets(block, target) == want)
      return;
  }
  CU_FAIL_FATAL("no nonce found");
}

/* The current template's block paying the test script, mined to its target. */
static uint8_t *mined_block(struct fake_node *n, struct synth__solo_template *t, size_t *len)
{
  get_template(n, t);
  uint8_t *block = build(t, payout, sizeof payout, 0, 0, len);
  mine(block, t->target, 1);
  return block;
}

static char *hex_of(const uint8_t *b, size_t n)
{
  char *s = malloc(2 * n + 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  for (size_t i = 0; i < n; i++)
    sprintf(s + 2 * i, "%02x", b[i]);
  return s;
}

/* submitblock (or a proposal) of @block; the result's string, "null", or "error <code>". */
static void submit(struct fake_node *n, const uint8_t *block, size_t len, int proposal, char *out,
                   size_t cap)
{
  char *hex = hex_of(block, len), *params = malloc(2 * len + 64);
  CU_ASSERT_PTR_NOT_NULL_FATAL(params);
  if (proposal)
    sprintf(params, "[{\"mode\":\"proposal\",\"data\":\"%s\"}]", hex);
  else
    sprintf(params, "[\"%s\"]", hex);
  struct reply r;
  json_t *j = call(n, proposal ? "getblocktemplate" : "submitblock", params, &r);
  json_t *res = json_object_get(j, "result");
  if (rpc_error_code(j))
    snprintf(out, cap, "error %d", rpc_error_code(j));
  else
    snprintf(out, cap, "%s", json_is_string(res) ? json_string_value(res) : "null");
  json_decref(j);
  free(params);
  free(hex);
}

/* submit() whose answer must be @want. */
static void expect(struct fake_node *n, const uint8_t *block, size_t len, int proposal,
                   const char *want)
{
  char v[64];
  submit(n, block, len, proposal, v, sizeof v);
  CU_ASSERT_STRING_EQUAL(v, want);
}

static struct fake_node *start(const struct fake_node_config *cfg)
{
  struct fake_node *n;
  CU_ASSERT_EQUAL_FATAL(fake_node_start(&n, cfg), 0);
  return n;
}

static struct fake_node_config segwit_cfg(void)
{
  return (struct fake_node_config){
      .block = SEGWIT_BLOCK, .payout_script = payout, .payout_len = sizeof payout};
}

/* ---- Tests. ---- */

/* The template has Core's shape and the real block's content. */
static void test_template(void)
{
  struct fake_node_config cfg = segwit_cfg();
  cfg.version_rolling = 1;
  struct fake_node *n = start(&cfg);
  const struct synth_test_real_block *b = &synth_test_real_blocks[SEGWIT_BLOCK];
  struct synth__solo_template t;
  get_template(n, &t);
  CU_ASSERT_EQUAL(t.height, b->height);
  CU_ASSERT_EQUAL(t.ntx, b->tx_count - 1);
  CU_ASSERT_EQUAL(t.version, 0x20000000u);
  CU_ASSERT_EQUAL(t.bits, 0x207fffffu);
  CU_ASSERT_EQUAL(t.target[31], 0x7f);
  CU_ASSERT_TRUE(t.version_rolling);
  CU_ASSERT_PTR_NOT_NULL(t.default_commitment);
  CU_ASSERT_TRUE(t.coinbasevalue >= 1250000000u); /* the subsidy at 542213, and fees */
  CU_ASSERT_TRUE(t.mintime < t.curtime);
  struct fake_node_stats st;
  fake_node_stats(n, &st);
  CU_ASSERT_EQUAL(st.templates, 1);
  CU_ASSERT_EQUAL(memcmp(st.last_block_hash, t.prev, 32), 0);
  synth__solo_template_free(&t);
  /* Without the segwit rule: Core's -8. */
  struct reply r;
  json_t *j = call(n, "getblocktemplate", "[{}]", &r);
  CU_ASSERT_EQUAL(r.status, 500);
  CU_ASSERT_EQUAL(rpc_error_code(j), -8);
  json_decref(j);
  j = call(n, "getblockchaininfo", "[]", &r);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(j, "result"), "chain")),
                         "main");
  json_decref(j);
  fake_node_destroy(n);
}

/* A mined block is accepted, the chain moves on, and the same block again is a duplicate. */
static void test_valid_block(void)
{
  struct fake_node_config cfg = segwit_cfg();
  struct fake_node *n = start(&cfg);
  struct synth__solo_template t;
  size_t len;
  uint8_t *block = mined_block(n, &t, &len);
  expect(n, block, len, 0, "null");
  struct fake_node_stats st;
  fake_node_stats(n, &st);
  CU_ASSERT_EQUAL(st.blocks_valid, 1);
  CU_ASSERT_EQUAL(st.height, t.height + 1);
  CU_ASSERT_STRING_EQUAL(st.last_verdict, "");
  uint8_t hash[32];
  synth__sha256d(block, 80, hash);
  CU_ASSERT_EQUAL(memcmp(st.last_block_hash, hash, 32), 0);
  expect(n, block, len, 0, "duplicate");
  expect(n, block, len, 1, "duplicate");
  /* The next template builds on it, and a block of it is accepted too. */
  struct synth__solo_template t2;
  get_template(n, &t2);
  CU_ASSERT_EQUAL(memcmp(t2.prev, hash, 32), 0);
  CU_ASSERT_EQUAL(t2.height, t.height + 1);
  CU_ASSERT_EQUAL(t2.curtime, t.curtime + 600);
  uint8_t *b2 = build(&t2, payout, sizeof payout, 0, 0, &len);
  mine(b2, t2.target, 1);
  expect(n, b2, len, 0, "null");
  /* A late block on the first tip: stale, Core stores it aside without checking it all. */
  free(block);
  block = build(&t, payout, sizeof payout, (uint32_t)t.curtime + 1, 0, &len);
  mine(block, t.target, 1);
  expect(n, block, len, 1, "inconclusive-not-best-prevblk");
  expect(n, block, len, 0, "inconclusive");
  expect(n, block, len, 1, "duplicate-inconclusive");
  fake_node_stats(n, &st);
  CU_ASSERT_EQUAL(st.blocks_valid, 2);
  CU_ASSERT_EQUAL(st.duplicates, 3);
  CU_ASSERT_EQUAL(st.inconclusive, 2);
  CU_ASSERT_EQUAL(st.blocks_invalid, 0);
  CU_ASSERT_EQUAL(st.submits, 4);
  CU_ASSERT_EQUAL(st.proposals, 3);
  free(block);
  free(b2);
  synth__solo_template_free(&t);
  synth__solo_template_free(&t2);
  fake_node_destroy(n);
}

/* Filler transactions make a template of a full 4 MWU block; its mined block is accepted. */
static void test_full_template(void)
{
  struct fake_node_config cfg = {.block = 0,
                                 .payout_script = payout,
                                 .payout_len = sizeof payout,
                                 .filler_txs = 2495,
                                 .filler_bytes = 400};
  struct fake_node *n = start(&cfg);
  /* about 2 MB of JSON: read by the client's own RPC code, not this file's 64 KB reader */
  struct synth__rpc_node node;
  char url[64], why[160];
  snprintf(url, sizeof url, "http://127.0.0.1:%u", fake_node_port(n));
  CU_ASSERT_EQUAL_FATAL(synth__rpc_url_parse(url, &node, why, sizeof why), 0);
  struct synth__rpc_answer a;
  CU_ASSERT_EQUAL_FATAL(synth__rpc_call(&node, "getblocktemplate",
                                        json_pack("[{s:[s]}]", "rules", "segwit"), 1, 30000, NULL,
                                        &a),
                        SYNTH__RPC_OK);
  struct synth__solo_template t;
  CU_ASSERT_EQUAL_FATAL(synth__solo_template_parse(a.result, &t, why, sizeof why), 0);
  json_decref(a.result);
  CU_ASSERT_EQUAL(t.ntx, synth_test_real_blocks[0].tx_count - 1 + 2495);
  int64_t weight = 0;
  for (size_t i = 0; i < t.ntx; i++)
    weight += t.weights[i];
  CU_ASSERT(weight > 3990000 && weight <= 4000000 - 4000);
  CU_ASSERT_EQUAL(t.weights[t.ntx - 1], 1600);
  size_t len;
  uint8_t *block = build(&t, payout, sizeof payout, 0, 0, &len);
  CU_ASSERT(len > 2495 * 400 && len < 1000000);
  mine(block, t.target, 1);
  expect(n, block, len, 0, "null");
  free(block);
  synth__solo_template_free(&t);
  fake_node_destroy(n);
  /* A filler size that cannot hold a transaction: no node. */
  cfg.filler_bytes = 99;
  struct fake_node *bad = NULL;
  CU_ASSERT_EQUAL(fake_node_start(&bad, &cfg), -1);
  CU_ASSERT_PTR_NULL(bad);
}

/* Every real block's transactions make a template whose mined block is accepted, witness or
 * not. */
static void test_every_block(void)
{
  for (size_t i = 0; i < synth_test_real_block_count; i++) {
    struct fake_node_config cfg = segwit_cfg();
    cfg.block = i;
    struct fake_node *n = start(&cfg);
    struct synth__solo_template t;
    get_template(n, &t);
    CU_ASSERT_EQUAL(t.ntx, synth_test_real_blocks[i].tx_count - 1);
    CU_ASSERT_EQUAL(t.default_commitment != NULL, synth_test_real_blocks[i].segwit);
    size_t len;
    uint8_t *block = build(&t, payout, sizeof payout, 0, 0, &len);
    mine(block, t.target, 1);
    expect(n, block, len, 0, "null");
    free(block);
    synth__solo_template_free(&t);
    fake_node_destroy(n);
  }
}

/* One broken thing per case, in the template (before the block is built) or in the block. */
enum {
  NONE,
  T_HEIGHT,
  T_COMMITMENT,
  T_NO_COMMITMENT,
  T_VALUE,
  T_PREV,
  T_BITS,
  T_DROP_TX,
  T_FOREIGN_TX,
  B_MERKLE,
  B_NONCE_SIZE
};

static const struct bad_case {
  const char *name;
  int what;
  int32_t time_delta; /* from curtime, or mintime when old */
  int old;
  uint32_t version;
  int wrong_payee;
  const char *verdict;
} bad_cases[] = {
    {"merkle byte", B_MERKLE, 0, 0, 0, 0, "bad-txnmrklroot"},
    {"height push", T_HEIGHT, 0, 0, 0, 0, "bad-cb-height"},
    {"commitment", T_COMMITMENT, 0, 0, 0, 0, "bad-witness-merkle-match"},
    {"witness nonce", B_NONCE_SIZE, 0, 0, 0, 0, "bad-witness-nonce-size"},
    {"coinbase value", T_VALUE, 0, 0, 0, 0, "bad-cb-amount"},
    {"payee", NONE, 0, 0, 0, 1, "bad-cb-payee"},
    {"prev", T_PREV, 0, 0, 0, 0, "prev-blk-not-found"},
    {"bits", T_BITS, 0, 0, 0, 0, "bad-diffbits"},
    {"dropped tx", T_DROP_TX, 0, 0, 0, 0, "bad-txns-not-template"},
    {"no commitment", T_NO_COMMITMENT, 0, 0, 0, 0, "unexpected-witness"},
    {"foreign tx", T_FOREIGN_TX, 0, 0, 0, 0, "bad-txns-inputs-missingorspent"},
    {"time old", NONE, -1, 1, 0, 0, "time-too-old"},
    {"time new", NONE, 7201, 0, 0, 0, "time-too-new"},
    {"version", NONE, 0, 0, 3, 0, "bad-version(0x00000003)"},
};

static void drop_commitment(struct synth__solo_template *t)
{
  free(t->default_commitment);
  t->default_commitment = NULL;
  t->default_commitment_len = 0;
}

/* The template's last transaction replaced by another block's second: never offered here. */
static void foreign_tx(struct synth__solo_template *t)
{
  const struct synth_test_real_block *b = &synth_test_real_blocks[SEGWIT_BLOCK + 1];
  size_t len = strlen(b->hex) / 2;
  uint8_t *bytes = malloc(len);
  struct synth_test_parsed_block pb;
  CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
  CU_ASSERT_EQUAL_FATAL(synth_test_unhex(b->hex, bytes, len), (int)len);
  CU_ASSERT_EQUAL_FATAL(synth_test_parse_block(bytes, len, &pb), 0);
  size_t last = t->ntx - 1;
  free(t->tx_data[last]);
  t->tx_data[last] = hex_of(pb.tx[1].raw, pb.tx[1].raw_len);
  memcpy(t->txids[last], pb.tx[1].txid, 32);
  memcpy(t->wtxids[last], pb.tx[1].wtxid, 32);
  drop_commitment(t);
  synth_test_parsed_block_free(&pb);
  free(bytes);
}

static void break_template(struct synth__solo_template *t, int what)
{
  switch (what) {
  case T_HEIGHT:
    t->height++;
    break;
  case T_COMMITMENT:
    t->default_commitment[20] ^= 1;
    break;
  case T_VALUE:
    t->coinbasevalue++;
    break;
  case T_PREV:
    t->prev[5] ^= 0x40;
    break;
  case T_BITS:
    t->bits = 0x2000ffff;
    break;
  case T_DROP_TX: /* the last one: nothing depends on it; the commitment is made anew */
    t->ntx--;
    drop_commitment(t);
    break;
  case T_NO_COMMITMENT: /* the builder then sees no witness, and makes no commitment */
    memcpy(t->wtxids, t->txids, t->ntx * 32);
    drop_commitment(t);
    break;
  case T_FOREIGN_TX:
    foreign_tx(t);
    break;
  }
}

/* The coinbase's witness item made 31 bytes: the txid, and so the merkle root, stay. */
static uint8_t *shorten_nonce(uint8_t *block, size_t *len, const struct synth__solo_template *t)
{
  struct synth__solo_job_spec spec = {payout, sizeof payout, (const uint8_t *)"/fake/", 6, en1};
  struct synth__solo_job j;
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(t, &spec, &j, NULL, 0), 0);
  size_t item = 81 + j.cb.full_len - 4 - 33; /* the item's length byte, before the lock time */
  CU_ASSERT_EQUAL_FATAL(block[item], 32);
  block[item] = 31;
  memmove(block + item + 1, block + item + 2, *len - item - 2);
  (*len)--;
  return block;
}

static void test_bad_blocks(void)
{
  struct fake_node_config cfg = segwit_cfg();
  struct fake_node *n = start(&cfg);
  unsigned invalid = 0, duplicates = 0;
  uint8_t refused[32]; /* the bad-cb-height block's hash: a parent Core has marked failed */
  for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
    const struct bad_case *c = &bad_cases[i];
    struct synth__solo_template t;
    get_template(n, &t);
    uint8_t target[32];
    memcpy(target, t.target, 32);
    if (c->what == T_BITS)
      memset(target + 29, 0, 3), target[29] = 0xff, target[30] = 0xff; /* 0x2000ffff's */
    size_t ntx = t.ntx; /* T_DROP_TX: restored for the free */
    break_template(&t, c->what);
    uint8_t other[22];
    memcpy(other, payout, sizeof other);
    other[21] ^= 1;
    int64_t base = c->old ? t.mintime : t.curtime;
    size_t len;
    uint8_t *block = build(&t, c->wrong_payee ? other : payout, sizeof payout,
                           (uint32_t)(base + c->time_delta), c->version, &len);
    if (c->what == B_MERKLE)
      block[36] ^= 1;
    if (c->what == B_NONCE_SIZE)
      shorten_nonce(block, &len, &t);
    mine(block, target, 1);
    char v[64];
    submit(n, block, len, 0, v, sizeof v);
    if (strcmp(v, c->verdict) != 0)
      fprintf(stderr, "case %s: got %s, want %s\n", c->name, v, c->verdict);
    CU_ASSERT_STRING_EQUAL(v, c->verdict);
    struct fake_node_stats st;
    fake_node_stats(n, &st);
    CU_ASSERT_EQUAL(st.blocks_invalid, ++invalid);
    CU_ASSERT_STRING_EQUAL(st.last_verdict, c->verdict);
    CU_ASSERT_EQUAL(st.blocks_valid, 0);
    /* Again: a block refused after Core's context-free checks is stored as failed. */
    int stored = c->what != B_MERKLE && c->what != T_PREV;
    submit(n, block, len, 0, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, stored ? "duplicate-invalid" : c->verdict);
    fake_node_stats(n, &st);
    CU_ASSERT_EQUAL(st.blocks_invalid, stored ? invalid : ++invalid);
    CU_ASSERT_EQUAL(st.duplicates, stored ? ++duplicates : duplicates);
    if (c->what == T_HEIGHT)
      synth__sha256d(block, 80, refused);
    free(block);
    t.ntx = ntx;
    synth__solo_template_free(&t);
  }
  /* A block on top of a refused one. */
  struct synth__solo_template t;
  get_template(n, &t);
  memcpy(t.prev, refused, 32);
  t.height++;
  size_t len;
  uint8_t *block = build(&t, payout, sizeof payout, 0, 0, &len);
  mine(block, t.target, 1);
  expect(n, block, len, 0, "bad-prevblk");
  free(block);
  synth__solo_template_free(&t);
  fake_node_destroy(n);
}

/* At a hard target: an unmined block is high-hash when submitted and fine as a proposal; a
 * proposal still gets the other checks. Bad hex is -22. */
static void test_proposal_and_pow(void)
{
  struct fake_node_config cfg = segwit_cfg();
  uint8_t hard[32] = {0};
  hard[24] = 0xff; /* about 2^-56 of hashes */
  cfg.target = hard;
  struct fake_node *n = start(&cfg);
  struct synth__solo_template t;
  get_template(n, &t);
  CU_ASSERT_EQUAL(t.bits, 0x1a00ff00u); /* the sign bit pushes ff down a byte */
  size_t len;
  uint8_t *block = build(&t, payout, sizeof payout, 0, 0, &len);
  mine(block, t.target, 0);
  expect(n, block, len, 1, "null");
  expect(n, block, len, 0, "high-hash");
  block[36] ^= 1;
  expect(n, block, len, 1, "bad-txnmrklroot");
  struct reply r;
  json_t *j = call(n, "submitblock", "[\"abc\"]", &r);
  CU_ASSERT_EQUAL(r.status, 500);
  CU_ASSERT_EQUAL(rpc_error_code(j), -22);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
                         "Block decode failed");
  json_decref(j);
  j = call(n, "submitblock", "[\"zz00\"]", &r);
  CU_ASSERT_EQUAL(rpc_error_code(j), -22);
  json_decref(j);
  struct fake_node_stats st;
  fake_node_stats(n, &st);
  CU_ASSERT_EQUAL(st.proposals_valid, 1);
  CU_ASSERT_EQUAL(st.blocks_invalid, 4);
  CU_ASSERT_EQUAL(st.proposals, 2);
  CU_ASSERT_EQUAL(st.submits, 3);
  free(block);
  synth__solo_template_free(&t);
  fake_node_destroy(n);
}

/* A scripted submit answer comes after the real verdict was counted. */
static void test_next_submit_result(void)
{
  struct fake_node_config cfg = segwit_cfg();
  struct fake_node *n = start(&cfg);
  struct synth__solo_template t;
  size_t len;
  uint8_t *block = mined_block(n, &t, &len);
  fake_node_next_submit_result(n, "rejected");
  expect(n, block, len, 0, "rejected");
  struct fake_node_stats st;
  fake_node_stats(n, &st);
  CU_ASSERT_EQUAL(st.blocks_valid, 1);
  free(block);
  synth__solo_template_free(&t);
  fake_node_destroy(n);
}

static void test_auth(void)
{
  struct fake_node_config cfg = {.user = "alice", .password = "s3cret"};
  struct fake_node *n = start(&cfg);
  struct reply r;
  json_t *j = call(n, "getblockcount", "[]", &r);
  CU_ASSERT_EQUAL(r.status, 401);
  CU_ASSERT_EQUAL(r.len, 0);
  CU_ASSERT_PTR_NULL(j);
  j = call_auth(n, "YWxpY2U6d3Jvbmc=", "getblockcount", "[]", &r); /* alice:wrong */
  CU_ASSERT_EQUAL(r.status, 401);
  CU_ASSERT_PTR_NULL(j);
  j = call_auth(n, "YWxpY2U6czNjcmV0", "getblockcount", "[]", &r); /* alice:s3cret */
  CU_ASSERT_EQUAL(r.status, 200);
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "result")),
                  synth_test_real_blocks[0].height - 1);
  json_decref(j);
  struct fake_node_stats st;
  fake_node_stats(n, &st);
  CU_ASSERT_EQUAL(st.auth_failures, 2);
  CU_ASSERT_EQUAL(st.requests, 3);
  fake_node_destroy(n);
}

static void test_warmup_ibd_errors(void)
{
  struct fake_node_config cfg = {.warmup_calls = 2, .ibd = 1, .chain = "regtest"};
  struct fake_node *n = start(&cfg);
  struct reply r;
  for (int i = 0; i < 2; i++) {
    json_t *j = call(n, "getblockchaininfo", "[]", &r);
    CU_ASSERT_EQUAL(r.status, 500);
    CU_ASSERT_EQUAL(rpc_error_code(j), -28);
    CU_ASSERT_TRUE(json_is_null(json_object_get(j, "result")));
    json_decref(j);
  }
  json_t *j = call(n, "getblockchaininfo", "[]", &r);
  json_t *res = json_object_get(j, "result");
  CU_ASSERT_EQUAL(r.status, 200);
  CU_ASSERT_TRUE(json_is_true(json_object_get(res, "initialblockdownload")));
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(res, "chain")), "regtest");
  json_decref(j);
  j = call(n, "getblocktemplate", GBT, &r);
  CU_ASSERT_EQUAL(rpc_error_code(j), -10);
  json_decref(j);
  j = call(n, "nosuchmethod", "[]", &r);
  CU_ASSERT_EQUAL(r.status, 404);
  CU_ASSERT_EQUAL(rpc_error_code(j), -32601);
  json_decref(j);
  /* Scripted: -9 twice for getblocktemplate only, then a body that is not JSON for anything. */
  fake_node_fail_next(n, "getblocktemplate", 0, -9, "Bitcoin Core is not connected!", 2);
  fake_node_fail_next(n, NULL, 200, 0, NULL, 1);
  for (int i = 0; i < 2; i++) {
    j = call(n, "getblocktemplate", GBT, &r);
    CU_ASSERT_EQUAL(r.status, 500);
    CU_ASSERT_EQUAL(rpc_error_code(j), -9);
    json_decref(j);
  }
  j = call(n, "getblockcount", "[]", &r);
  CU_ASSERT_PTR_NULL(j);
  CU_ASSERT_EQUAL(r.status, 200);
  CU_ASSERT_STRING_EQUAL(r.body, "not json");
  j = call(n, "getblockcount", "[]", &r);
  CU_ASSERT_EQUAL(r.status, 200);
  CU_ASSERT_TRUE(json_is_integer(json_object_get(j, "result")));
  json_decref(j);
  fake_node_destroy(n);
}

/* Keep-alive: two calls on one connection; Connection: close is honoured; 413 past 16 MB. */
static void test_http(void)
{
  struct fake_node *n = start(NULL);
  int fd = dial(fake_node_port(n));
  CU_ASSERT_FATAL(fd >= 0);
  struct reply r;
  const char *body = "{\"id\":1,\"method\":\"getbestblockhash\",\"params\":[]}";
  for (int i = 0; i < 2; i++) {
    CU_ASSERT_EQUAL(send_request(fd, NULL, body, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(read_reply(fd, &r), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_FALSE(r.closed);
  }
  /* Expect: 100-continue gets its interim answer before the body is sent. */
  char head[256], interim[26] = "";
  int hl = snprintf(head, sizeof head,
                    "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: %zu\r\n\r\n",
                    strlen(body));
  CU_ASSERT_EQUAL(send(fd, head, (size_t)hl, MSG_NOSIGNAL), hl);
  CU_ASSERT_EQUAL(recv(fd, interim, 25, MSG_WAITALL), 25);
  CU_ASSERT_STRING_EQUAL(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  CU_ASSERT_EQUAL(send(fd, body, strlen(body), MSG_NOSIGNAL), (ssize_t)strlen(body));
  CU_ASSERT_EQUAL_FATAL(read_reply(fd, &r), 0);
  CU_ASSERT_EQUAL(r.status, 200);
  CU_ASSERT_EQUAL(send_request(fd, NULL, body, "Connection: close\r\n"), 0);
  CU_ASSERT_EQUAL_FATAL(read_reply(fd, &r), 0);
  CU_ASSERT_TRUE(r.closed);
  char byte;
  CU_ASSERT_EQUAL(recv(fd, &byte, 1, 0), 0); /* the server closed */
  close(fd);
  fd = dial(fake_node_port(n));
  const char *big = "POST / HTTP/1.1\r\nContent-Length: 16777217\r\n\r\n";
  CU_ASSERT_EQUAL(send(fd, big, strlen(big), MSG_NOSIGNAL), (ssize_t)strlen(big));
  CU_ASSERT_EQUAL_FATAL(read_reply(fd, &r), 0);
  CU_ASSERT_EQUAL(r.status, 413);
  close(fd);
  /* A stalled node reads and counts, and never answers. */
  fake_node_stall(n, 1);
  fd = dial(fake_node_port(n));
  CU_ASSERT_EQUAL(send_request(fd, NULL, body, NULL), 0);
  struct fake_node_stats st;
  SYNTH_TEST_WAIT((fake_node_stats(n, &st), st.requests == 6));
  CU_ASSERT_EQUAL(st.requests, 6); /* 4 kept alive, the 413, this one */
  CU_ASSERT_EQUAL(recv(fd, &byte, 1, MSG_DONTWAIT), -1);
  fake_node_stall(n, 0);
  close(fd);
  json_t *j = call(n, "getbestblockhash", "[]", &r);
  CU_ASSERT_EQUAL(r.status, 200);
  json_decref(j);
  fake_node_destroy(n);
}

struct poller {
  struct fake_node *n;
  char longpollid[128];
  json_t *reply;
  atomic_bool done;
};

static void *long_poll(void *arg)
{
  struct poller *p = arg;
  char params[256];
  struct reply *r = malloc(sizeof *r);
  snprintf(params, sizeof params, "[{\"rules\":[\"segwit\"],\"longpollid\":\"%s\"}]",
           p->longpollid);
  char body[512];
  snprintf(body, sizeof body, "{\"id\":1,\"method\":\"getblocktemplate\",\"params\":%s}", params);
  int fd = dial(fake_node_port(p->n));
  if (r && fd >= 0 && send_request(fd, NULL, body, NULL) == 0 && read_reply(fd, r) == 0)
    p->reply = json_loads(r->body, 0, NULL);
  if (fd >= 0)
    close(fd);
  free(r);
  atomic_store(&p->done, true);
  return NULL;
}

static const char *lp_of(json_t *reply)
{
  return json_string_value(json_object_get(json_object_get(reply, "result"), "longpollid"));
}

/* A long poll on the current id waits, answered by a new block, then by new transactions, while
 * another connection is served; an old id is answered at once. */
static void test_long_poll(void)
{
  struct fake_node_config cfg = segwit_cfg();
  struct fake_node *n = start(&cfg);
  struct reply r;
  json_t *first = call(n, "getblocktemplate", GBT, &r);
  const char *old = lp_of(first);
  CU_ASSERT_PTR_NOT_NULL_FATAL(old);
  for (int round = 0; round < 2; round++) {
    struct poller p = {.n = n};
    json_t *cur = call(n, "getblocktemplate", GBT, &r);
    snprintf(p.longpollid, sizeof p.longpollid, "%s", lp_of(cur));
    pthread_t th;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, long_poll, &p), 0);
    struct fake_node_stats st;
    SYNTH_TEST_WAIT((fake_node_stats(n, &st), st.longpolls_waiting == 1));
    CU_ASSERT_EQUAL(st.longpolls_waiting, 1);
    json_t *other = call(n, "getblockcount", "[]", &r); /* served meanwhile */
    CU_ASSERT_EQUAL(r.status, 200);
    json_decref(other);
    CU_ASSERT_FALSE(atomic_load(&p.done));
    if (round == 0)
      fake_node_new_block(n);
    else
      fake_node_new_transactions(n);
    SYNTH_TEST_WAIT(atomic_load(&p.done));
    CU_ASSERT_TRUE_FATAL(atomic_load(&p.done));
    pthread_join(th, NULL);
    json_t *res = json_object_get(p.reply, "result");
    CU_ASSERT_STRING_NOT_EQUAL(lp_of(p.reply), p.longpollid);
    size_t ntx = json_array_size(json_object_get(res, "transactions"));
    CU_ASSERT_EQUAL(ntx, round == 0 ? 3 : 2);
    CU_ASSERT_EQUAL(strncmp(json_string_value(json_object_get(res, "previousblockhash")),
                            p.longpollid, 64) == 0,
                    round == 1); /* a new tip, then the same tip */
    fake_node_stats(n, &st);
    CU_ASSERT_EQUAL(st.longpolls_answered, (unsigned)round + 1);
    CU_ASSERT_EQUAL(st.longpolls_waiting, 0);
    json_decref(p.reply);
    json_decref(cur);
  }
  /* The first id is stale: answered at once. */
  struct poller p = {.n = n};
  snprintf(p.longpollid, sizeof p.longpollid, "%s", old);
  long_poll(&p);
  CU_ASSERT_PTR_NOT_NULL(lp_of(p.reply));
  json_decref(p.reply);
  json_decref(first);
  /* A long poll open at destroy ends. */
  struct poller q = {.n = n};
  json_t *cur = call(n, "getblocktemplate", GBT, &r);
  snprintf(q.longpollid, sizeof q.longpollid, "%s", lp_of(cur));
  json_decref(cur);
  pthread_t th;
  CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, long_poll, &q), 0);
  struct fake_node_stats st;
  SYNTH_TEST_WAIT((fake_node_stats(n, &st), st.longpolls_waiting == 1));
  fake_node_destroy(n);
  pthread_join(th, NULL);
  json_decref(q.reply);
}

/* hashblock: topic, the new tip in RPC order, sequence numbers from 0. */
static void test_zmq(void)
{
  struct fake_node_config cfg = segwit_cfg();
  cfg.zmq = 1;
  struct fake_node *n = start(&cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(fake_node_zmq_url(n));
  void *ctx = zmq_ctx_new(), *sub = zmq_socket(ctx, ZMQ_SUB);
  int zero = 0;
  zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "hashblock", 9);
  CU_ASSERT_EQUAL_FATAL(zmq_connect(sub, fake_node_zmq_url(n)), 0);
  /* A subscription takes a moment to reach the publisher: publish until one arrives. */
  uint8_t parts[3][64];
  int sizes[3] = {0};
  int got = 0;
  double until = synth_test_now_s() + synth_test_patience_s();
  while (!got && synth_test_now_s() < until) {
    fake_node_new_block(n);
    zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
    while (zmq_poll(&item, 1, 20) == 1) {
      for (int i = 0; i < 3; i++)
        sizes[i] = zmq_recv(sub, parts[i], sizeof parts[i], 0);
      got = 1;
    }
  }
  CU_ASSERT_TRUE_FATAL(got);
  /* Messages still on their way: read until the last block's. */
  struct fake_node_stats st;
  fake_node_stats(n, &st);
  uint32_t seq = 0;
  for (;;) {
    seq = parts[2][0] | (uint32_t)parts[2][1] << 8 | (uint32_t)parts[2][2] << 16 |
          (uint32_t)parts[2][3] << 24;
    zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
    if (seq == st.zmq_published - 1 || synth_test_now_s() > until || zmq_poll(&item, 1, 100) != 1)
      break;
    for (int i = 0; i < 3; i++)
      sizes[i] = zmq_recv(sub, parts[i], sizeof parts[i], 0);
  }
  CU_ASSERT_EQUAL(sizes[0], 9);
  CU_ASSERT_EQUAL(memcmp(parts[0], "hashblock", 9), 0);
  CU_ASSERT_EQUAL(sizes[1], 32);
  CU_ASSERT_EQUAL(sizes[2], 4);
  CU_ASSERT_EQUAL(seq, st.zmq_published - 1); /* the last message is the last block's */
  for (int i = 0; i < 32; i++)
    CU_ASSERT_EQUAL(parts[1][i], st.last_block_hash[31 - i]);
  zmq_close(sub);
  zmq_ctx_term(ctx);
  fake_node_destroy(n);
}

SYNTH_TEST_MAIN("fake_node", SYNTH_TEST(test_template), SYNTH_TEST(test_valid_block),
                SYNTH_TEST(test_full_template), SYNTH_TEST(test_every_block),
                SYNTH_TEST(test_bad_blocks), SYNTH_TEST(test_proposal_and_pow),
                SYNTH_TEST(test_next_submit_result), SYNTH_TEST(test_auth),
                SYNTH_TEST(test_warmup_ibd_errors), SYNTH_TEST(test_http),
                SYNTH_TEST(test_long_poll), SYNTH_TEST(test_zmq))
