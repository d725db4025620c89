/* test_test_pool.c: the Stratum test pool and its block 100000 data, checked by a raw client. */
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "support/block100000.h"
#include "support/fixtures.h"
#include "support/harness.h"
#include "support/test_pool.h"

#define LOW_DIFF 1e-6 /* a share in about 4,000 nonces */

/* ---- Block 100000. ---- */

static void test_block_data(void)
{
  const struct synth_test_b100000 *b = &synth_test_b100000;
  uint8_t cb[SYNTH_TEST_B100000_COINBASE_LEN], txid[32], branches[2][32], pair[64], root[32];
  uint8_t header[80], hash[32], shown[32];
  synth_test_b100000_coinbase(cb);
  CU_ASSERT_EQUAL(2 * sizeof cb, strlen(b->coinbase_hex));
  synth_test_ref_sha256d(cb, sizeof cb, pair);
  CU_ASSERT_EQUAL(synth_test_b100000_internal(b->txid_hex[0], txid), 0);
  CU_ASSERT_EQUAL(memcmp(pair, txid, 32), 0);
  synth_test_b100000_branches(branches);
  for (int i = 0; i < 2; i++) {
    memcpy(pair + 32, branches[i], 32);
    synth_test_ref_sha256d(pair, 64, pair);
  }
  synth_test_b100000_internal(b->merkle_root_hex, root);
  CU_ASSERT_EQUAL(memcmp(pair, root, 32), 0);
  synth_test_b100000_header(header);
  synth_test_ref_sha256d(header, 80, hash);
  synth_test_b100000_internal(b->hash_hex, shown);
  CU_ASSERT_EQUAL(memcmp(hash, shown, 32), 0);
  /* The header built from the fields is the one the fixtures carry as a dump. */
  for (size_t i = 0; i < synth_test_block_count; i++)
    if (strcmp(synth_test_blocks[i].name, "block 100000") == 0) {
      uint8_t dump[80], digest[32];
      synth_test_block_decode(&synth_test_blocks[i], dump, digest);
      CU_ASSERT_EQUAL(memcmp(dump, header, 80), 0);
    }
}

static size_t join(const struct synth_test_coinbase_split *s, uint8_t *out)
{
  size_t n = 0;
  memcpy(out + n, s->coinb1, s->coinb1_len), n += s->coinb1_len;
  memcpy(out + n, s->en1, s->en1_len), n += s->en1_len;
  memcpy(out + n, s->en2, s->en2_len), n += s->en2_len;
  memcpy(out + n, s->coinb2, s->coinb2_len), n += s->coinb2_len;
  return n;
}

static void test_coinbase_splits(void)
{
  struct synth_test_coinbase_split s;
  uint8_t cb[SYNTH_TEST_B100000_COINBASE_LEN], joined[256];
  synth_test_b100000_coinbase(cb);
  synth_test_b100000_real_split(&s);
  CU_ASSERT_EQUAL(s.en1_len, 1);
  CU_ASSERT_EQUAL(s.en1[0], 0x02);
  CU_ASSERT_EQUAL(s.en2_len, 2);
  CU_ASSERT(s.en2[0] == 0x06 && s.en2[1] == 0x02);
  CU_ASSERT(s.coinb1_len == 47 && memcmp(s.coinb1 + 41, "\x08\x04\x4c\x86\x04\x1b", 6) == 0);
  CU_ASSERT(s.coinb2[0] == 0xff && s.coinb2[4] == 0x01 && s.coinb2[5] == 0x00);
  CU_ASSERT_EQUAL(join(&s, joined), sizeof cb);
  CU_ASSERT_EQUAL(memcmp(joined, cb, sizeof cb), 0);

  const uint8_t en1[4] = {0xf0, 0, 0, 0x0f};
  CU_ASSERT_EQUAL(synth_test_b100000_pool_split(en1, 4, 4, &s), 0);
  s.en2[3] = 0x77;
  size_t n = join(&s, joined);
  CU_ASSERT_EQUAL(n, sizeof cb + 8);
  CU_ASSERT_EQUAL(joined[41], 8 + 8); /* the scriptSig grew by the extranonce */
  CU_ASSERT_EQUAL(memcmp(joined + 42, cb + 42, 8), 0);
  CU_ASSERT_EQUAL(memcmp(joined + 50, "\xf0\x00\x00\x0f\x00\x00\x00\x77", 8), 0);
  CU_ASSERT_EQUAL(memcmp(joined + 58, cb + 50, sizeof cb - 50), 0);
  CU_ASSERT_EQUAL(synth_test_b100000_pool_split(en1, 17, 4, &s), -1);
}

/* ---- A raw Stratum client. ---- */

struct client {
  int fd, next_id;
  SSL_CTX *ctx;
  SSL *ssl;
  char buf[1 << 17], line[1 << 17];
  size_t len;
  json_t *backlog; /* messages read while waiting for a response */
  /* What the pool told us last. */
  json_t *notify;
  double difficulty;
  char en1[40], user[64];
  unsigned en2_size;
};

/* TLS when ca_file is set, verifying the pool's certificate strictly, by host name ("localhost")
 * or by address ("127.0.0.1"). Returns 0, or -1 (refused, handshake or verification failed). */
static int client_open(struct client *c, unsigned port, const char *ca_file, const char *peer)
{
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  struct timeval tv = {.tv_sec = 5};
  memset(c, 0, sizeof *c);
  c->next_id = 1;
  c->backlog = json_array();
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0)
    return -1;
  if (!ca_file)
    return 0;
  c->ctx = SSL_CTX_new(TLS_client_method());
  if (SSL_CTX_load_verify_locations(c->ctx, ca_file, NULL) != 1)
    return -1;
  SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
  c->ssl = SSL_new(c->ctx);
  SSL_set_fd(c->ssl, c->fd);
  X509_VERIFY_PARAM *param = SSL_get0_param(c->ssl);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  if (strcmp(peer, "127.0.0.1") == 0)
    X509_VERIFY_PARAM_set1_ip_asc(param, peer);
  else
    SSL_set1_host(c->ssl, peer);
  int ok = SSL_connect(c->ssl) == 1 && SSL_get_verify_result(c->ssl) == X509_V_OK;
  ERR_clear_error();
  return ok ? 0 : -1;
}

static void client_close(struct client *c)
{
  SSL_free(c->ssl);
  SSL_CTX_free(c->ctx);
  close(c->fd);
  json_decref(c->backlog);
  json_decref(c->notify);
}

static void client_send(struct client *c, const char *s)
{
  size_t n = strlen(s);
  char *line = malloc(n + 1);
  memcpy(line, s, n);
  line[n] = '\n';
  ssize_t sent =
      c->ssl ? SSL_write(c->ssl, line, (int)n + 1) : send(c->fd, line, n + 1, MSG_NOSIGNAL);
  CU_ASSERT_EQUAL(sent, (ssize_t)n + 1);
  free(line);
}

/* The next line into c->line; -1 on end of stream, error or 5 s of silence. */
static int client_line(struct client *c)
{
  for (;;) {
    char *nl = memchr(c->buf, '\n', c->len);
    if (nl) {
      size_t n = (size_t)(nl - c->buf);
      memcpy(c->line, c->buf, n);
      c->line[n] = '\0';
      memmove(c->buf, nl + 1, c->len - n - 1);
      c->len -= n + 1;
      return 0;
    }
    if (c->len == sizeof c->buf)
      return -1;
    ssize_t r = c->ssl ? SSL_read(c->ssl, c->buf + c->len, (int)(sizeof c->buf - c->len))
                       : recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
    if (r <= 0)
      return -1;
    c->len += (size_t)r;
  }
}

/* Keeps what a miner keeps from the pool's notifications. */
static void client_learn(struct client *c, json_t *msg)
{
  const char *method = json_string_value(json_object_get(msg, "method"));
  json_t *params = json_object_get(msg, "params");
  if (!method)
    return;
  if (strcmp(method, "mining.notify") == 0) {
    json_decref(c->notify);
    c->notify = json_incref(params);
  } else if (strcmp(method, "mining.set_difficulty") == 0) {
    c->difficulty = json_number_value(json_array_get(params, 0));
  } else if (strcmp(method, "mining.set_extranonce") == 0) {
    snprintf(c->en1, sizeof c->en1, "%s", json_string_value(json_array_get(params, 0)));
    c->en2_size = (unsigned)json_integer_value(json_array_get(params, 1));
  }
}

/* The next message (backlog first), or NULL. */
static json_t *client_next(struct client *c)
{
  if (json_array_size(c->backlog)) {
    json_t *msg = json_incref(json_array_get(c->backlog, 0));
    json_array_remove(c->backlog, 0);
    return msg;
  }
  if (client_line(c) != 0)
    return NULL;
  json_t *msg = json_loads(c->line, 0, NULL);
  CU_ASSERT_PTR_NOT_NULL(msg);
  client_learn(c, msg);
  return msg;
}

/* Sends a request (params stolen) and returns its response, or NULL. */
static json_t *client_call(struct client *c, const char *method, json_t *params)
{
  int id = c->next_id++;
  json_t *req = json_pack("{s:i,s:s,s:o}", "id", id, "method", method, "params", params);
  char *s = json_dumps(req, JSON_COMPACT);
  client_send(c, s);
  free(s);
  json_decref(req);
  for (;;) {
    if (client_line(c) != 0)
      return NULL;
    json_t *msg = json_loads(c->line, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    client_learn(c, msg);
    if (json_integer_value(json_object_get(msg, "id")) == id && !json_object_get(msg, "method"))
      return msg;
    json_array_append_new(c->backlog, msg);
  }
}

/* Reads until a message with this method comes; returns it, or NULL. */
static json_t *client_wait(struct client *c, const char *method)
{
  json_t *msg;
  while ((msg = client_next(c))) {
    const char *m = json_string_value(json_object_get(msg, "method"));
    if (m && strcmp(m, method) == 0)
      return msg;
    json_decref(msg);
  }
  return NULL;
}

static int result_true(json_t *resp)
{
  int ok = resp && json_is_true(json_object_get(resp, "result")) &&
           json_is_null(json_object_get(resp, "error"));
  json_decref(resp);
  return ok;
}

/* The error code of a response (0 when it has none), releasing it. */
static int error_code(json_t *resp)
{
  json_t *err = json_object_get(resp, "error");
  int code = json_is_array(err) ? (int)json_integer_value(json_array_get(err, 0)) : 0;
  if (resp && code && !json_is_null(json_object_get(resp, "result")))
    code = -1;
  json_decref(resp);
  return code;
}

/* Subscribes and keeps the extranonce. Returns 0, or -1. */
static int client_subscribe(struct client *c)
{
  json_t *resp = client_call(c, "mining.subscribe", json_pack("[s]", "test-miner/1.0"));
  json_t *result = json_object_get(resp, "result");
  const char *en1 = json_string_value(json_array_get(result, 1));
  if (en1) {
    snprintf(c->en1, sizeof c->en1, "%s", en1);
    c->en2_size = (unsigned)json_integer_value(json_array_get(result, 2));
  }
  json_decref(resp);
  return en1 ? 0 : -1;
}

/* Subscribes and authorizes, then waits for the first job. Returns 0, or -1. */
static int client_login(struct client *c, const char *user, const char *pass)
{
  if (client_subscribe(c) != 0 ||
      !result_true(client_call(c, "mining.authorize", json_pack("[s,s]", user, pass))))
    return -1;
  snprintf(c->user, sizeof c->user, "%s", user);
  json_t *job = client_wait(c, "mining.notify");
  json_decref(job);
  return job && c->difficulty > 0 ? 0 : -1;
}

/* ---- Mining, independently of the pool's code. ---- */

struct work {
  char job_id[64], en2[40];
  uint32_t ntime;
  uint8_t header[80];
};

static uint32_t hex32(const char *s)
{
  return (uint32_t)strtoul(s, NULL, 16);
}

static void le32(uint8_t *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

/* The header of the latest job with this extranonce2 (as a number, little-endian bytes) and
 * version (0: the job's), nonce 0. */
static void work_from_job(const struct client *c, uint64_t en2, uint32_t version, struct work *w)
{
  json_t *p = c->notify;
  const char *f[9];
  for (int i = 0; i < 9; i++)
    f[i] = json_string_value(json_array_get(p, (size_t)i));
  uint8_t coinbase[512], prev[32], pair[64];
  size_t n = 0;
  w->en2[0] = '\0';
  snprintf(w->job_id, sizeof w->job_id, "%s", f[0] ? f[0] : "");
  n += (size_t)synth_test_unhex(f[2], coinbase, 256);
  n += (size_t)synth_test_unhex(c->en1, coinbase + n, 32);
  for (unsigned i = 0; i < c->en2_size; i++) {
    uint8_t byte = (uint8_t)(en2 >> (8 * i));
    coinbase[n++] = byte;
    snprintf(w->en2 + 2 * i, 3, "%02x", byte);
  }
  n += (size_t)synth_test_unhex(f[3], coinbase + n, 256);
  synth_test_ref_sha256d(coinbase, n, pair);
  json_t *branch;
  size_t i;
  json_array_foreach(json_array_get(p, 4), i, branch)
  {
    synth_test_unhex(json_string_value(branch), pair + 32, 32);
    synth_test_ref_sha256d(pair, 64, pair);
  }
  synth_test_unhex(f[1], prev, 32);
  w->ntime = hex32(f[7]);
  le32(w->header, version ? version : hex32(f[5]));
  for (int k = 0; k < 32; k++) /* Stratum's prevhash has each 4-byte word reversed */
    w->header[4 + k] = prev[(k & ~3) + 3 - (k & 3)];
  memcpy(w->header + 36, pair, 32);
  le32(w->header + 68, w->ntime);
  le32(w->header + 72, hex32(f[6]));
  le32(w->header + 76, 0);
}

/* hash <= (0xffff << 208) / difficulty, with a margin: 1 yes, -1 no, 0 too close to call. */
static int meets(const uint8_t hash[32], double difficulty)
{
  double v = 0, target = 65535.0 * 0x1p208 / difficulty;
  for (int i = 31; i >= 0; i--)
    v = v * 256 + hash[i];
  return v <= target * 0.999 ? 1 : v >= target * 1.001 ? -1 : 0;
}

/* The first nonce from 0 that meets difficulty `meet` (0: any) and misses `miss` (0: none). */
static uint32_t mine(struct work *w, double meet, double miss)
{
  uint8_t hash[32];
  for (uint32_t nonce = 0;; nonce++) {
    le32(w->header + 76, nonce);
    synth_test_ref_sha256d(w->header, 80, hash);
    if ((meet == 0 || meets(hash, meet) == 1) && (miss == 0 || meets(hash, miss) == -1))
      return nonce;
  }
}

static json_t *submit(struct client *c, const struct work *w, uint32_t ntime, uint32_t nonce,
                      const char *vbits)
{
  char t[9], n[9];
  snprintf(t, sizeof t, "%08x", ntime);
  snprintf(n, sizeof n, "%08x", nonce);
  json_t *params = json_pack("[s,s,s,s,s]", c->user, w->job_id, w->en2, t, n);
  if (vbits)
    json_array_append_new(params, json_string(vbits));
  return client_call(c, "mining.submit", params);
}

static struct test_pool *start(struct test_pool_config cfg)
{
  struct test_pool *p = NULL;
  CU_ASSERT_EQUAL_FATAL(test_pool_start(&p, &cfg), 0);
  return p;
}

/* ---- The pool. ---- */

static void test_subscribe_and_job(void)
{
  struct test_pool *p = start((struct test_pool_config){.difficulty = LOW_DIFF});
  struct client c;
  CU_ASSERT_EQUAL_FATAL(client_open(&c, test_pool_port(p), NULL, NULL), 0);
  json_t *resp = client_call(&c, "mining.configure",
                             json_pack("[[s],{s:s,s:i}]", "version-rolling", "version-rolling.mask",
                                       "1fffe000", "version-rolling.min-bit-count", 2));
  CU_ASSERT(json_is_false(json_object_get(json_object_get(resp, "result"), "version-rolling")));
  json_decref(resp);

  resp = client_call(&c, "mining.subscribe", json_pack("[s]", "test-miner/1.0"));
  json_t *r = json_object_get(resp, "result");
  CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(r, 1)), "f000000f");
  CU_ASSERT_EQUAL(json_integer_value(json_array_get(r, 2)), 4);
  json_t *subs = json_array_get(r, 0);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_array_get(subs, 0), 0)),
                         "mining.set_difficulty");
  CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_array_get(subs, 1), 0)),
                         "mining.notify");
  json_decref(resp);
  CU_ASSERT(result_true(client_call(&c, "mining.authorize", json_pack("[s,s]", "u.1", "x"))));

  json_t *diff = client_next(&c), *job = client_next(&c);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(diff, "method")),
                         "mining.set_difficulty");
  CU_ASSERT_DOUBLE_EQUAL(c.difficulty, LOW_DIFF, 1e-18);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(job, "method")), "mining.notify");
  json_t *params = json_object_get(job, "params");
  CU_ASSERT_EQUAL(json_array_size(params), 9);
  /* Block 100000's prevhash as Stratum shows it: its eight words, each byte-reversed. */
  CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(params, 1)),
                         "1901125004612a1701c3a621d930d31d36b607df1fccc2160002d01c00000000");
  CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(params, 5)), "00000001");
  CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(params, 6)), "1b04864c");
  CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(params, 7)), "4d1b2237");
  CU_ASSERT(json_is_true(json_array_get(params, 8)));
  CU_ASSERT_EQUAL(json_array_size(json_array_get(params, 4)), 2);
  json_decref(diff);
  json_decref(job);

  struct test_pool_stats st;
  test_pool_stats(p, &st);
  CU_ASSERT(st.connections == 1 && st.open_connections == 1 && st.subscribes == 1);
  CU_ASSERT(st.authorizes == 1 && st.configures == 1);
  CU_ASSERT_STRING_EQUAL(st.last_user_agent, "test-miner/1.0");
  CU_ASSERT_STRING_EQUAL(st.last_user, "u.1");
  client_close(&c);
  test_pool_stop(p);
}

/* A plain-TCP client logged in as the miner the share tests use. */
static void client_in(struct client *c, const struct test_pool *p)
{
  CU_ASSERT_EQUAL_FATAL(client_open(c, test_pool_port(p), NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(client_login(c, "u.1", "x"), 0);
}

static json_t *submit_params(struct client *c, json_t *params)
{
  return client_call(c, "mining.submit", params);
}

static void test_share_outcomes(void)
{
  struct test_pool *p = start((struct test_pool_config){.difficulty = LOW_DIFF});
  struct client c;
  struct work w, old;
  client_in(&c, p);
  work_from_job(&c, 0x1234, 0, &w);
  uint32_t good = mine(&w, LOW_DIFF, 0), bad = mine(&w, 0, LOW_DIFF);
  CU_ASSERT(result_true(submit(&c, &w, w.ntime, good, NULL)));
  CU_ASSERT_EQUAL(error_code(submit(&c, &w, w.ntime, good, NULL)), 22);
  CU_ASSERT_EQUAL(error_code(submit(&c, &w, w.ntime, bad, NULL)), 23);
  CU_ASSERT_EQUAL(error_code(submit(&c, &w, w.ntime - 1, good, NULL)), 20);
  CU_ASSERT_EQUAL(error_code(submit(&c, &w, w.ntime + 7201, good, NULL)), 20);
  CU_ASSERT_EQUAL(error_code(submit(&c, &w, w.ntime, good, "00002000")), 20); /* no rolling */

  /* Malformed: bad hex, wrong extranonce2 length, wrong arity, a number for a string. */
  const char *id = w.job_id, *t = "4d1b2237";
  CU_ASSERT_EQUAL(
      error_code(submit_params(&c, json_pack("[s,s,s,s,s]", "u.1", id, w.en2, t, "zzzzzzzz"))), 20);
  CU_ASSERT_EQUAL(
      error_code(submit_params(&c, json_pack("[s,s,s,s,s]", "u.1", id, "1234", t, "00000000"))),
      20);
  CU_ASSERT_EQUAL(
      error_code(submit_params(&c, json_pack("[s,s,s,s,s]", "u.1", id, "123", t, "00000000"))), 20);
  CU_ASSERT_EQUAL(
      error_code(submit_params(&c, json_pack("[s,s,s,s,s]", "u.1", id, w.en2, t, "0000000"))), 20);
  CU_ASSERT_EQUAL(error_code(submit_params(&c, json_pack("[s,s,s,s]", "u.1", id, w.en2, t))), 20);
  CU_ASSERT_EQUAL(error_code(submit_params(&c, json_pack("[s,s,s,s,i]", "u.1", id, w.en2, t, 5))),
                  20);

  struct work unknown = w;
  snprintf(unknown.job_id, sizeof unknown.job_id, "deadbeef");
  CU_ASSERT_EQUAL(error_code(submit(&c, &unknown, w.ntime, good, NULL)), 21);

  json_t *resp = client_call(&c, "mining.bogus", json_array());
  json_t *err = json_object_get(resp, "error");
  CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(err, 1)), "Unknown method");
  CU_ASSERT_EQUAL(error_code(resp), 20);

  /* A clean job makes the old one stale; a share of the new one is fine. */
  old = w;
  work_from_job(&c, 0x5678, 0, &old);
  test_pool_notify(p, 1);
  json_decref(client_wait(&c, "mining.notify"));
  CU_ASSERT_EQUAL(error_code(submit(&c, &old, old.ntime, mine(&old, LOW_DIFF, 0), NULL)), 21);
  work_from_job(&c, 0x1234, 0, &w);
  CU_ASSERT_NOT_EQUAL(strcmp(w.job_id, old.job_id), 0);
  CU_ASSERT_EQUAL(w.ntime, old.ntime + 1);
  CU_ASSERT(result_true(submit(&c, &w, w.ntime, mine(&w, LOW_DIFF, 0), NULL)));
  struct test_pool_stats st;
  test_pool_stats(p, &st);
  CU_ASSERT_EQUAL(st.stale_after_switch, 0); /* the first was in flight at the switch */
  /* An old share after this connection's first share of the clean job: sent knowingly. */
  CU_ASSERT_EQUAL(error_code(submit(&c, &old, old.ntime, mine(&old, LOW_DIFF, 1), NULL)), 21);

  test_pool_stats(p, &st);
  CU_ASSERT_EQUAL(st.stale_after_switch, 1);
  CU_ASSERT_EQUAL(st.submits, 16);
  CU_ASSERT_EQUAL(st.accepted, 2);
  CU_ASSERT_EQUAL(st.rejected_duplicate, 1);
  CU_ASSERT_EQUAL(st.rejected_low_difficulty, 1);
  CU_ASSERT_EQUAL(st.rejected_other, 2);
  CU_ASSERT_EQUAL(st.rejected_malformed, 7);
  CU_ASSERT_EQUAL(st.rejected_bad_job, 1);
  CU_ASSERT_EQUAL(st.rejected_stale, 2);
  CU_ASSERT_EQUAL(st.unknown_methods, 1);
  CU_ASSERT_DOUBLE_EQUAL(st.accepted_difficulty, 2 * LOW_DIFF, 1e-15);
  CU_ASSERT_STRING_EQUAL(st.last_worker, "u.1");
  client_close(&c);
  test_pool_stop(p);
}

/* A new difficulty judges the jobs sent after it, not the one being worked on. */
static void test_difficulty_per_job(void)
{
  struct test_pool *p = start((struct test_pool_config){.difficulty = LOW_DIFF});
  struct client c;
  struct work w0, w1;
  client_in(&c, p);
  work_from_job(&c, 1, 0, &w0);
  test_pool_set_difficulty(p, 10 * LOW_DIFF);
  test_pool_notify(p, 0);
  json_decref(client_wait(&c, "mining.notify"));
  CU_ASSERT_DOUBLE_EQUAL(c.difficulty, 10 * LOW_DIFF, 1e-18);
  work_from_job(&c, 1, 0, &w1);
  CU_ASSERT(result_true(submit(&c, &w0, w0.ntime, mine(&w0, LOW_DIFF, 10 * LOW_DIFF), NULL)));
  CU_ASSERT_EQUAL(error_code(submit(&c, &w1, w1.ntime, mine(&w1, LOW_DIFF, 10 * LOW_DIFF), NULL)),
                  23);
  CU_ASSERT(result_true(submit(&c, &w1, w1.ntime, mine(&w1, 10 * LOW_DIFF, 0), NULL)));
  struct test_pool_stats st;
  test_pool_stats(p, &st);
  CU_ASSERT_DOUBLE_EQUAL(st.accepted_difficulty, 11 * LOW_DIFF, 1e-15);
  client_close(&c);
  test_pool_stop(p);
}

static void test_version_rolling(void)
{
  struct test_pool *p =
      start((struct test_pool_config){.difficulty = LOW_DIFF, .version_rolling = 1});
  struct client c, narrow;
  struct work w;
  CU_ASSERT_EQUAL_FATAL(client_open(&c, test_pool_port(p), NULL, NULL), 0);
  json_t *resp = client_call(&c, "mining.configure",
                             json_pack("[[s],{s:s,s:i}]", "version-rolling", "version-rolling.mask",
                                       "ffffffff", "version-rolling.min-bit-count", 2));
  json_t *r = json_object_get(resp, "result");
  CU_ASSERT(json_is_true(json_object_get(r, "version-rolling")));
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "version-rolling.mask")), "1fffe000");
  json_decref(resp);
  CU_ASSERT_EQUAL_FATAL(client_login(&c, "u.1", "x"), 0);

  work_from_job(&c, 7, 1 | 0x00002000, &w);
  CU_ASSERT(result_true(submit(&c, &w, w.ntime, mine(&w, LOW_DIFF, 0), "00002000")));
  CU_ASSERT_EQUAL(error_code(submit(&c, &w, w.ntime, 0, "00000001")), 20);
  CU_ASSERT_EQUAL(error_code(submit(&c, &w, w.ntime, 0, "20000000")), 20);
  test_pool_set_version_mask(p, 0x00ffe000);
  json_t *msg = client_wait(&c, "mining.set_version_mask");
  CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(msg, "params"), 0)),
                         "00ffe000");
  json_decref(msg);
  work_from_job(&c, 7, 1 | 0x10000000, &w);
  CU_ASSERT_EQUAL(error_code(submit(&c, &w, w.ntime, mine(&w, LOW_DIFF, 0), "10000000")), 20);
  work_from_job(&c, 7, 1 | 0x00004000, &w);
  CU_ASSERT(result_true(submit(&c, &w, w.ntime, mine(&w, LOW_DIFF, 0), "00004000")));

  /* The negotiated mask is what both sides allow. */
  CU_ASSERT_EQUAL_FATAL(client_open(&narrow, test_pool_port(p), NULL, NULL), 0);
  resp = client_call(&narrow, "mining.configure",
                     json_pack("[[s,s],{s:s}]", "version-rolling", "minimum-difficulty",
                               "version-rolling.mask", "0000ffff"));
  r = json_object_get(resp, "result");
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "version-rolling.mask")), "0000e000");
  CU_ASSERT(json_is_false(json_object_get(r, "minimum-difficulty")));
  json_decref(resp);

  struct test_pool_stats st;
  test_pool_stats(p, &st);
  CU_ASSERT_EQUAL(st.accepted, 2);
  CU_ASSERT_EQUAL(st.accepted_version_rolled, 2);
  CU_ASSERT_EQUAL(st.rejected_malformed, 3);
  client_close(&narrow);
  client_close(&c);
  test_pool_stop(p);
}

/* The real job: a client's coinb1 ‖ en1 ‖ en2 ‖ coinb2 and header are block 100000's. */
static void test_real_block_job(void)
{
  struct test_pool *p = start((struct test_pool_config){.real_block_job = 1});
  struct client c;
  struct work w;
  uint8_t header[80], hash[32], shown[32];
  client_in(&c, p);
  CU_ASSERT_STRING_EQUAL(c.en1, "02");
  CU_ASSERT_EQUAL(c.en2_size, 2);
  work_from_job(&c, 0x0206, 0, &w);
  CU_ASSERT_STRING_EQUAL(w.en2, "0602");
  le32(w.header + 76, synth_test_b100000.nonce);
  synth_test_b100000_header(header);
  CU_ASSERT_EQUAL(memcmp(w.header, header, 80), 0);
  synth_test_ref_sha256d(w.header, 80, hash);
  synth_test_b100000_internal(synth_test_b100000.hash_hex, shown);
  CU_ASSERT_EQUAL(memcmp(hash, shown, 32), 0);
  CU_ASSERT(result_true(submit(&c, &w, w.ntime, synth_test_b100000.nonce, NULL)));
  client_close(&c);
  test_pool_stop(p);
}

static void test_authorize_credentials(void)
{
  struct test_pool *p = start(
      (struct test_pool_config){.user = "alice", .password = "secret", .difficulty = LOW_DIFF});
  struct client c;
  CU_ASSERT_EQUAL_FATAL(client_open(&c, test_pool_port(p), NULL, NULL), 0);
  CU_ASSERT_EQUAL(client_subscribe(&c), 0);
  CU_ASSERT(!result_true(client_call(&c, "mining.authorize", json_pack("[s,s]", "alice", "no"))));
  CU_ASSERT(!result_true(client_call(&c, "mining.authorize", json_pack("[s,s]", "bob", "secret"))));
  CU_ASSERT_EQUAL(error_code(submit_params(&c, json_pack("[s,s,s,s,s]", "alice", "00000000",
                                                         "00000000", "4d1b2237", "00000000"))),
                  24);
  CU_ASSERT(
      result_true(client_call(&c, "mining.authorize", json_pack("[s,s]", "alice", "secret"))));
  json_t *job = client_wait(&c, "mining.notify");
  CU_ASSERT_PTR_NOT_NULL(job);
  json_decref(job);
  /* Shares must name a worker authorized on this connection. */
  struct work w;
  snprintf(c.user, sizeof c.user, "mallory");
  work_from_job(&c, 0, 0, &w);
  CU_ASSERT_EQUAL(error_code(submit(&c, &w, w.ntime, mine(&w, LOW_DIFF, 0), NULL)), 24);
  snprintf(c.user, sizeof c.user, "alice");
  CU_ASSERT(result_true(submit(&c, &w, w.ntime, mine(&w, LOW_DIFF, 0), NULL)));
  struct test_pool_stats st;
  test_pool_stats(p, &st);
  CU_ASSERT(st.authorizes == 3 && st.authorize_failures == 2 && st.rejected_other == 2);
  client_close(&c);
  test_pool_stop(p);
}

static int answered(const struct test_pool_stats *st, void *arg)
{
  return st->get_version_answers >= *(unsigned *)arg;
}

/* The first message of method, checking its params' JSON text. */
static void expect(struct client *c, const char *method, const char *params)
{
  json_t *msg = client_next(c);
  const char *m = json_string_value(json_object_get(msg, "method"));
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  CU_ASSERT_STRING_EQUAL(m, method);
  if (params) {
    char *s = json_dumps(json_object_get(msg, "params"), JSON_COMPACT);
    CU_ASSERT_STRING_EQUAL(s, params);
    free(s);
  }
  json_decref(msg);
}

static void test_broadcasts(void)
{
  struct test_pool *p = start((struct test_pool_config){.difficulty = LOW_DIFF});
  struct client a, b;
  struct work w;
  CU_ASSERT_EQUAL_FATAL(client_open(&a, test_pool_port(p), NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(client_open(&b, test_pool_port(p), NULL, NULL), 0);
  CU_ASSERT(result_true(client_call(&a, "mining.extranonce.subscribe", json_array())));
  CU_ASSERT_EQUAL_FATAL(client_login(&a, "a", "x"), 0);
  CU_ASSERT_EQUAL_FATAL(client_login(&b, "b", "x"), 0);

  test_pool_set_extranonce(p, "a1b2c3", 3);
  test_pool_notify(p, 0);
  expect(&a, "mining.set_extranonce", "[\"a1b2c3\",3]");
  expect(&a, "mining.notify", NULL);
  expect(&b, "mining.notify", NULL); /* b did not ask for extranonce changes */
  CU_ASSERT_STRING_EQUAL(a.en1, "a1b2c3");
  work_from_job(&a, 9, 0, &w);
  CU_ASSERT_STRING_EQUAL(w.en2, "090000");
  CU_ASSERT(result_true(submit(&a, &w, w.ntime, mine(&w, LOW_DIFF, 0), NULL)));
  work_from_job(&b, 9, 0, &w);
  CU_ASSERT_STRING_EQUAL(w.en2, "09000000");
  CU_ASSERT(result_true(submit(&b, &w, w.ntime, mine(&w, LOW_DIFF, 0), NULL)));

  test_pool_reconnect(p, "127.0.0.1", 3333, 5);
  test_pool_show_message(p, "hello miner");
  test_pool_send_raw(p, "{\"hostile\":");
  test_pool_get_version(p);
  for (int i = 0; i < 2; i++) {
    struct client *c = i ? &b : &a;
    expect(c, "client.reconnect", "[\"127.0.0.1\",3333,5]");
    expect(c, "client.show_message", "[\"hello miner\"]");
    CU_ASSERT_EQUAL(client_line(c), 0);
    CU_ASSERT_STRING_EQUAL(c->line, "{\"hostile\":");
    json_t *req = client_wait(c, "client.get_version");
    json_t *ans = json_pack("{s:O,s:s,s:n}", "id", json_object_get(req, "id"), "result",
                            "test-miner/1.0", "error");
    char *s = json_dumps(ans, JSON_COMPACT);
    client_send(c, s);
    free(s);
    json_decref(ans);
    json_decref(req);
  }
  unsigned two = 2;
  CU_ASSERT_EQUAL(test_pool_wait(p, answered, &two, 5000), 0);
  struct test_pool_stats st;
  test_pool_stats(p, &st);
  CU_ASSERT_STRING_EQUAL(st.last_version, "test-miner/1.0");
  CU_ASSERT_EQUAL(st.extranonce_subscribes, 1);
  client_close(&a);
  client_close(&b);
  test_pool_stop(p);
}

static int oversized(const struct test_pool_stats *st, void *arg)
{
  (void)arg;
  return st->oversized_lines == 2 && st->open_connections == 1;
}

static void test_hostile_input(void)
{
  struct test_pool *p = start((struct test_pool_config){0});
  struct client c, big, huge;
  CU_ASSERT_EQUAL_FATAL(client_open(&c, test_pool_port(p), NULL, NULL), 0);
  client_send(&c, "this is not json");
  json_t *msg = client_next(&c);
  CU_ASSERT(json_is_null(json_object_get(msg, "id")));
  CU_ASSERT_EQUAL(error_code(msg), 20);
  CU_ASSERT_EQUAL(error_code(submit_params(&c, json_array())), 24);

  /* A line just over 64 KiB, and a stream with no newline at all, end their connections. */
  size_t n = 64 * 1024 + 2;
  char *line = malloc(n + 1);
  memset(line, 'a', n);
  line[n - 1] = '\n';
  line[n] = '\0';
  CU_ASSERT_EQUAL_FATAL(client_open(&big, test_pool_port(p), NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(client_open(&huge, test_pool_port(p), NULL, NULL), 0);
  (void)!send(big.fd, line, n, MSG_NOSIGNAL);
  for (int i = 0; i < 3; i++)
    (void)!send(huge.fd, line, n - 1, MSG_NOSIGNAL);
  CU_ASSERT_EQUAL(client_line(&big), -1);
  CU_ASSERT_EQUAL(client_line(&huge), -1);
  CU_ASSERT_EQUAL(test_pool_wait(p, oversized, NULL, 5000), 0);
  free(line);
  /* The well-behaved connection lives on. */
  CU_ASSERT_EQUAL(client_login(&c, "u", "x"), 0);
  struct test_pool_stats st;
  test_pool_stats(p, &st);
  CU_ASSERT_EQUAL(st.parse_errors, 1);
  client_close(&big);
  client_close(&huge);
  client_close(&c);
  test_pool_stop(p);
}

static void test_kill_and_revive(void)
{
  struct test_pool *p = start((struct test_pool_config){0});
  unsigned port = test_pool_port(p);
  struct client c, d;
  CU_ASSERT_EQUAL_FATAL(client_open(&c, port, NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(client_login(&c, "u", "x"), 0);
  test_pool_kill(p);
  CU_ASSERT_EQUAL(client_line(&c), -1);
  client_close(&c);
  CU_ASSERT_EQUAL(client_open(&c, port, NULL, NULL), -1);
  client_close(&c);
  struct test_pool_stats st;
  test_pool_stats(p, &st);
  CU_ASSERT_EQUAL(st.open_connections, 0);

  CU_ASSERT_EQUAL_FATAL(test_pool_revive(p), 0);
  CU_ASSERT_EQUAL(test_pool_port(p), port);
  CU_ASSERT_EQUAL(test_pool_revive(p), 0);
  CU_ASSERT_EQUAL_FATAL(client_open(&c, port, NULL, NULL), 0);
  CU_ASSERT_EQUAL(client_login(&c, "u", "x"), 0);
  test_pool_drop(p);
  CU_ASSERT_EQUAL(client_line(&c), -1);
  CU_ASSERT_EQUAL_FATAL(client_open(&d, port, NULL, NULL), 0);
  CU_ASSERT_EQUAL(client_login(&d, "u", "x"), 0);
  test_pool_stats(p, &st);
  CU_ASSERT(st.connections == 3 && st.open_connections == 1);
  client_close(&c);
  client_close(&d);
  test_pool_stop(p);
}

static void test_mute(void)
{
  struct test_pool *p = start((struct test_pool_config){0});
  struct client c;
  struct timeval brief = {.tv_usec = 200000};
  CU_ASSERT_EQUAL_FATAL(client_open(&c, test_pool_port(p), NULL, NULL), 0);
  test_pool_mute(p, 1);
  setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &brief, sizeof brief);
  CU_ASSERT_PTR_NULL(client_call(&c, "mining.subscribe", json_array()));
  struct test_pool_stats st;
  test_pool_stats(p, &st);
  CU_ASSERT_EQUAL(st.subscribes, 1);
  test_pool_mute(p, 0);
  CU_ASSERT_EQUAL(client_login(&c, "u", "x"), 0);
  client_close(&c);
  test_pool_stop(p);
}

static void test_tls(void)
{
  struct test_pool *p = start((struct test_pool_config){.tls = 1, .difficulty = LOW_DIFF});
  const char *pem = test_pool_cert_pem(p);
  CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
  CU_ASSERT_EQUAL(strncmp(pem, "-----BEGIN CERTIFICATE-----", 27), 0);
  char path[] = "/tmp/test_pool_ca_XXXXXX";
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL(write(fd, pem, strlen(pem)), (ssize_t)strlen(pem));
  close(fd);

  struct client c, ip, wrong, plain;
  struct work w;
  CU_ASSERT_EQUAL(client_open(&c, test_pool_port(p), path, "localhost"), 0);
  CU_ASSERT_EQUAL(client_login(&c, "u", "x"), 0);
  work_from_job(&c, 3, 0, &w);
  CU_ASSERT(result_true(submit(&c, &w, w.ntime, mine(&w, LOW_DIFF, 0), NULL)));
  CU_ASSERT_EQUAL(client_open(&ip, test_pool_port(p), path, "127.0.0.1"), 0);
  CU_ASSERT_EQUAL(client_login(&ip, "u", "x"), 0);
  CU_ASSERT_EQUAL(client_open(&wrong, test_pool_port(p), path, "pool.example.com"), -1);
  /* Plain text to a TLS pool ends that connection only. */
  CU_ASSERT_EQUAL(client_open(&plain, test_pool_port(p), NULL, NULL), 0);
  client_send(&plain, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}");
  CU_ASSERT_EQUAL(client_line(&plain), -1);
  test_pool_notify(p, 1);
  json_t *job = client_wait(&c, "mining.notify");
  CU_ASSERT_PTR_NOT_NULL(job);
  json_decref(job);
  unlink(path);
  client_close(&plain);
  client_close(&wrong);
  client_close(&ip);
  client_close(&c);
  test_pool_stop(p);

  p = start((struct test_pool_config){0});
  CU_ASSERT_PTR_NULL(test_pool_cert_pem(p));
  test_pool_stop(p);
}

#define CLIENTS 6

static void test_many_connections(void)
{
  struct test_pool *p = start((struct test_pool_config){.difficulty = LOW_DIFF});
  static struct client c[CLIENTS];
  struct work w;
  for (int i = 0; i < CLIENTS; i++) {
    CU_ASSERT_EQUAL_FATAL(client_open(&c[i], test_pool_port(p), NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(client_login(&c[i], "u", "x"), 0);
  }
  test_pool_notify(p, 1);
  for (int i = 0; i < CLIENTS; i++) {
    json_decref(client_wait(&c[i], "mining.notify"));
    work_from_job(&c[i], (uint64_t)i, 0, &w);
    CU_ASSERT(result_true(submit(&c[i], &w, w.ntime, mine(&w, LOW_DIFF, 0), NULL)));
  }
  struct test_pool_stats st;
  test_pool_stats(p, &st);
  CU_ASSERT(st.connections == CLIENTS && st.open_connections == CLIENTS);
  CU_ASSERT_EQUAL(st.accepted, CLIENTS);
  CU_ASSERT(st.last_notify_ns > 0 && st.first_share_after_notify_ns >= st.last_notify_ns);
  uint64_t first = st.first_share_after_notify_ns;
  test_pool_stats(p, &st);
  CU_ASSERT_EQUAL(st.first_share_after_notify_ns, first); /* the first, not the latest */
  test_pool_notify(p, 0);
  test_pool_stats(p, &st);
  CU_ASSERT_EQUAL(st.first_share_after_notify_ns, 0);
  for (int i = 0; i < CLIENTS; i++)
    client_close(&c[i]);
  test_pool_stop(p);
}

SYNTH_TEST_MAIN("test_pool", SYNTH_TEST(test_block_data), SYNTH_TEST(test_coinbase_splits),
                SYNTH_TEST(test_subscribe_and_job), SYNTH_TEST(test_share_outcomes),
                SYNTH_TEST(test_difficulty_per_job), SYNTH_TEST(test_version_rolling),
                SYNTH_TEST(test_real_block_job), SYNTH_TEST(test_authorize_credentials),
                SYNTH_TEST(test_broadcasts), SYNTH_TEST(test_hostile_input),
                SYNTH_TEST(test_kill_and_revive), SYNTH_TEST(test_mute), SYNTH_TEST(test_tls),
                SYNTH_TEST(test_many_connections))
