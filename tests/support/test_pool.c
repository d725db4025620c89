/* test_pool.c: a loopback Stratum V1 pool for integration tests, on its own thread. */
#include "support/test_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/hex.h"
#include "support/block100000.h"
#include "support/fixtures.h"
#include "support/harness.h"

/*
 * Synchronization: one mutex guards everything below. The pool thread holds it except while
 * in poll(); it alone touches sockets, TLS objects and connections. API calls hand it a
 * command (pool_call) and wait until it has run, so their messages are queued in call order
 * and a killed pool refuses connections as soon as test_pool_kill returns.
 */

#define MAX_LINE (64 * 1024)       /* a longer line from a client closes it */
#define READ_CHUNK (16 * 1024)     /* so the input buffer never exceeds MAX_LINE + this */
#define MAX_OUT (16 * 1024 * 1024) /* a client that never reads is dropped */
#define JOB_RING 32                /* jobs remembered per connection */
#define NTIME_WINDOW 7200          /* seconds a share's ntime may run ahead of its job */
#define DEFAULT_MASK 0x1fffe000u   /* BIP 310's usual version-rolling bits */
#define REQUEST_ID_BASE 1000000    /* ids of the pool's own requests (client.get_version) */

/* A job as one connection got it: what its shares are judged by. */
struct sent_job {
  int used, real;
  uint32_t n;
  double difficulty;
  uint8_t en1[16];
  size_t en1_len;
  unsigned en2_size;
};

struct conn {
  int fd, dead;
  SSL *ssl;       /* NULL for plain TCP; otherwise the same I/O path through OpenSSL */
  int want_write; /* TLS needs POLLOUT to go on, whatever it was doing */
  unsigned number;
  char *in, *out;
  size_t in_len, out_len, out_cap;
  int subscribed, authorized, ready, en_subscribed, rolling;
  uint32_t mask;        /* negotiated version-rolling mask */
  char workers[4][128]; /* the last names authorized here: shares must name one */
  unsigned nworkers;
  double difficulty;
  uint8_t en1[16];
  size_t en1_len;
  unsigned en2_size;
  struct sent_job jobs[JOB_RING];
  unsigned job_next;
  /* The newest job a share on this connection named: once a share of the clean job came, the
   * client had read the switch, and an older job's share after it was sent knowingly. */
  uint32_t newest_shared;
  int shared_any;
  uint64_t trickle_ns; /* TEST_POOL_TRICKLE: when the last byte went out */
};

/* A closed connection's session, kept for TEST_POOL resume_sessions. */
struct saved_session {
  unsigned number;
  uint8_t en1[16];
  size_t en1_len;
  unsigned en2_size;
  struct sent_job jobs[JOB_RING];
  unsigned job_next;
};
#define SAVED_SESSIONS 8

struct pool_cmd {
  void (*fn)(struct test_pool *, void *);
  void *arg;
  int done;
  struct pool_cmd *next;
};

struct test_pool {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int wake[2];
  int listen_fd, stop;
  unsigned port;
  struct pool_cmd *cmds, *cmds_last;
  struct conn **conns;
  size_t nconns, conns_cap;
  struct pollfd *fds;
  size_t fds_cap;
  /* Jobs: n is the newest; every job below last_clean is stale. */
  uint32_t next_job, last_clean;
  double difficulty;
  uint8_t en1[16];
  size_t en1_len;
  unsigned en2_size;
  uint32_t mask;
  int version_rolling, real, muted;
  int behaviour, reject_shape, resume;
  uint32_t job_version;
  struct saved_session saved[SAVED_SESSIONS];
  unsigned nsaved;
  char *user, *password;
  uint8_t (*seen)[32]; /* headers' hashes of accepted shares */
  size_t nseen, seen_cap;
  json_int_t next_request_id;
  SSL_CTX *tls;
  char *cert_pem;
  struct test_pool_stats stats;
};

static uint64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Exactly 8 hex digits, read as a big-endian number (Stratum's ntime, nonce, version). */
static int parse_hex32(const char *s, uint32_t *v)
{
  uint8_t b[4];
  if (strlen(s) != 8 || synth_test_unhex(s, b, 4) != 4)
    return -1;
  *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
  return 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static void copy_str(char *dst, size_t cap, const char *src)
{
  snprintf(dst, cap, "%s", src ? src : "");
}

/* ---- Connection I/O, shared by plain and TLS connections. ---- */

/* Returns bytes moved, 0 when the socket would block, -1 when the connection is over. */
static ssize_t conn_io(struct conn *c, void *buf, size_t n, int writing)
{
  if (!c->ssl) {
    ssize_t r = writing ? send(c->fd, buf, n, MSG_NOSIGNAL) : recv(c->fd, buf, n, 0);
    if (r > 0)
      return r;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      return 0;
    return -1;
  }
  ERR_clear_error();
  int r = writing ? SSL_write(c->ssl, buf, (int)n) : SSL_read(c->ssl, buf, (int)n);
  if (r > 0)
    return r;
  int e = SSL_get_error(c->ssl, r);
  ERR_clear_error();
  if (e == SSL_ERROR_WANT_READ)
    return 0;
  if (e == SSL_ERROR_WANT_WRITE) {
    c->want_write = 1;
    return 0;
  }
  return -1;
}

static void conn_queue(struct conn *c, const char *s, size_t n)
{
  if (c->dead)
    return;
  if (c->out_len + n + 1 > MAX_OUT) {
    c->dead = 1;
    return;
  }
  if (c->out_len + n + 1 > c->out_cap) {
    size_t cap = (c->out_len + n + 1) * 2;
    char *grown = realloc(c->out, cap);
    if (!grown) {
      c->dead = 1;
      return;
    }
    c->out = grown;
    c->out_cap = cap;
  }
  memcpy(c->out + c->out_len, s, n);
  c->out[c->out_len + n] = '\n';
  c->out_len += n + 1;
}

static void conn_flush(struct conn *c, int trickle)
{
  size_t done = 0;
  if (trickle) { /* one byte a second */
    if (now_ns() - c->trickle_ns < 1000000000u)
      return;
    c->trickle_ns = now_ns();
  }
  while (!c->dead && done < c->out_len && (!trickle || done == 0)) {
    ssize_t r = conn_io(c, c->out + done, trickle ? 1 : c->out_len - done, 1);
    if (r < 0)
      c->dead = 1;
    if (r <= 0)
      break;
    done += (size_t)r;
  }
  memmove(c->out, c->out + done, c->out_len - done);
  c->out_len -= done;
}

static void conn_free(struct conn *c)
{
  if (c->ssl) {
    ERR_clear_error();
    SSL_shutdown(c->ssl); /* best effort: a close_notify if the socket takes it */
    SSL_free(c->ssl);
    ERR_clear_error();
  }
  close(c->fd);
  free(c->in);
  free(c->out);
  free(c);
}

/* ---- Messages. ---- */

/* Queues msg (and releases it). */
static void send_json(struct conn *c, json_t *msg)
{
  char *s = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
  if (s)
    conn_queue(c, s, strlen(s));
  else
    c->dead = 1;
  free(s);
  json_decref(msg);
}

static json_t *id_or_null(json_t *id)
{
  return id ? id : json_null();
}

/* result is stolen. */
static void reply(struct conn *c, json_t *id, json_t *result)
{
  send_json(c, json_pack("{s:O,s:o,s:n}", "id", id_or_null(id), "result", result, "error"));
}

static void reply_error(struct conn *c, json_t *id, int code, const char *msg)
{
  send_json(c,
            json_pack("{s:O,s:n,s:[i,s,n]}", "id", id_or_null(id), "result", "error", code, msg));
}

/* params is stolen. */
static void notify_one(struct conn *c, const char *method, json_t *params)
{
  send_json(c, json_pack("{s:n,s:s,s:o}", "id", "method", method, "params", params));
}

static void send_difficulty(struct conn *c)
{
  notify_one(c, "mining.set_difficulty", json_pack("[f]", c->difficulty));
}

/* ---- Jobs. ---- */

static void job_split(const struct sent_job *j, struct synth_test_coinbase_split *s)
{
  if (j->real)
    synth_test_b100000_real_split(s);
  else
    synth_test_b100000_pool_split(j->en1, j->en1_len, j->en2_size, s);
}

/* Stratum's prevhash: the header's bytes with each 4-byte word reversed. */
static void stratum_prevhash(char out[65])
{
  uint8_t h[32], w[32];
  synth_test_b100000_internal(synth_test_b100000.prevhash_hex, h);
  for (int i = 0; i < 32; i++)
    w[i] = h[(i & ~3) + 3 - (i & 3)];
  synth__hex_encode(w, 32, out);
}

static void send_job(struct test_pool *p, struct conn *c, uint32_t n, int clean)
{
  struct sent_job *j = &c->jobs[c->job_next++ % JOB_RING];
  *j = (struct sent_job){.used = 1, .real = p->real, .n = n, .difficulty = c->difficulty};
  memcpy(j->en1, c->en1, c->en1_len);
  j->en1_len = c->en1_len;
  j->en2_size = c->en2_size;

  struct synth_test_coinbase_split s;
  uint8_t branches[2][32];
  char id[9], prev[65], cb1[2 * sizeof s.coinb1 + 1], cb2[2 * sizeof s.coinb2 + 1], br[2][65];
  char version[9], bits[9], ntime[9];
  job_split(j, &s);
  synth_test_b100000_branches(branches);
  snprintf(id, sizeof id, "%08x", n);
  stratum_prevhash(prev);
  synth__hex_encode(s.coinb1, s.coinb1_len, cb1);
  synth__hex_encode(s.coinb2, s.coinb2_len, cb2);
  synth__hex_encode(branches[0], 32, br[0]);
  synth__hex_encode(branches[1], 32, br[1]);
  snprintf(version, sizeof version, "%08x", p->job_version);
  snprintf(bits, sizeof bits, "%08x", synth_test_b100000.bits);
  snprintf(ntime, sizeof ntime, "%08x", synth_test_b100000.time + n);
  notify_one(c, "mining.notify",
             json_pack("[s,s,s,s,[s,s],s,s,s,b]", id, prev, cb1, cb2, br[0], br[1], version, bits,
                       ntime, clean));
}

static struct sent_job *find_job(struct conn *c, uint32_t n)
{
  for (int i = 0; i < JOB_RING; i++)
    if (c->jobs[i].used && c->jobs[i].n == n)
      return &c->jobs[i];
  return NULL;
}

/* Subscribed and authorized, in either order: the connection gets its difficulty and job. */
static void maybe_ready(struct test_pool *p, struct conn *c)
{
  if (c->ready || !c->subscribed || !c->authorized)
    return;
  c->ready = 1;
  c->difficulty = p->difficulty;
  send_difficulty(c);
  send_job(p, c, p->next_job - 1, 1);
}

/* ---- Share validation. ---- */

/* (0xffff << 208) / difficulty as a little-endian 256-bit number, exact to a double's 53 bits;
 * everything meets a difficulty so low the target passes 2^256. */
static void share_target(double difficulty, uint8_t target[32])
{
  memset(target, 0, 32);
  double q = 65535.0 / difficulty; /* target = q * 2^208 */
  if (!(q > 0))
    return;
  if (q >= 0x1p48) {
    memset(target, 0xff, 32);
    return;
  }
  int e;
  uint64_t mant = (uint64_t)ldexp(frexp(q, &e), 64); /* q = mant * 2^(e - 64) */
  for (int i = 0; i < 64; i++) {
    int bit = i + e - 64 + 208;
    if ((mant >> i & 1) && bit >= 0 && bit < 256)
      target[bit / 8] |= (uint8_t)(1u << (bit % 8));
  }
}

struct share {
  const char *worker, *job_id, *en2_hex;
  uint32_t n, ntime, nonce, vbits;
  int has_vbits;
};

/* The header's hash, by the pool's own reading of the job. */
static void share_hash(const struct sent_job *j, const struct share *sh, uint32_t version,
                       uint8_t hash[32])
{
  struct synth_test_coinbase_split s;
  uint8_t coinbase[256], branches[2][32], pair[64], header[80];
  size_t n = 0;
  job_split(j, &s);
  memcpy(coinbase + n, s.coinb1, s.coinb1_len), n += s.coinb1_len;
  memcpy(coinbase + n, s.en1, s.en1_len), n += s.en1_len;
  n += (size_t)synth_test_unhex(sh->en2_hex, coinbase + n, 16);
  memcpy(coinbase + n, s.coinb2, s.coinb2_len), n += s.coinb2_len;
  synth_test_ref_sha256d(coinbase, n, pair);
  synth_test_b100000_branches(branches);
  for (int i = 0; i < 2; i++) {
    memcpy(pair + 32, branches[i], 32);
    synth_test_ref_sha256d(pair, 64, pair);
  }
  put_le32(header, version);
  synth_test_b100000_internal(synth_test_b100000.prevhash_hex, header + 4);
  memcpy(header + 36, pair, 32);
  put_le32(header + 68, sh->ntime);
  put_le32(header + 72, synth_test_b100000.bits);
  put_le32(header + 76, sh->nonce);
  synth_test_ref_sha256d(header, 80, hash);
}

static int seen_before(struct test_pool *p, const uint8_t hash[32])
{
  for (size_t i = 0; i < p->nseen; i++)
    if (memcmp(p->seen[i], hash, 32) == 0)
      return 1;
  return 0;
}

static void remember(struct test_pool *p, const uint8_t hash[32])
{
  if (p->nseen == p->seen_cap) {
    size_t cap = p->seen_cap ? 2 * p->seen_cap : 64;
    uint8_t(*grown)[32] = realloc(p->seen, cap * sizeof *grown);
    if (!grown)
      return;
    p->seen = grown;
    p->seen_cap = cap;
  }
  memcpy(p->seen[p->nseen++], hash, 32);
}

/* Reads params into sh; returns 0, or -1 when their shape or hex is wrong. */
static int parse_share(json_t *params, struct share *sh)
{
  size_t n = json_array_size(params);
  const char *s[6] = {0};
  if (n != 5 && n != 6)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (!(s[i] = json_string_value(json_array_get(params, i))))
      return -1;
  *sh = (struct share){.worker = s[0], .job_id = s[1], .en2_hex = s[2], .has_vbits = n == 6};
  uint8_t scratch[16];
  if (synth_test_unhex(sh->en2_hex, scratch, sizeof scratch) < 0)
    return -1;
  if (parse_hex32(s[3], &sh->ntime) || parse_hex32(s[4], &sh->nonce))
    return -1;
  return sh->has_vbits ? parse_hex32(s[5], &sh->vbits) : 0;
}

static int authorized_worker(const struct conn *c, const char *name)
{
  for (unsigned i = 0; i < c->nworkers && i < 4; i++)
    if (strcmp(c->workers[i], name) == 0)
      return 1;
  return 0;
}

static int reject(const char **msg, const char *text, unsigned *counter, int code)
{
  *msg = text;
  (*counter)++;
  return code;
}

/* The outcome of one share: 0 (accepted) or an error code, with *msg and the counter bumped. */
static int judge_share(struct test_pool *p, struct conn *c, json_t *params, const char **msg)
{
  struct test_pool_stats *st = &p->stats;
  struct share sh;
  if (!c->ready)
    return reject(msg, "Unauthorized worker", &st->rejected_other, 24);
  if (parse_share(params, &sh) != 0)
    return reject(msg, "Malformed share", &st->rejected_malformed, 20);
  copy_str(st->last_worker, sizeof st->last_worker, sh.worker);
  if (!authorized_worker(c, sh.worker))
    return reject(msg, "Unauthorized worker", &st->rejected_other, 24);
  int known = parse_hex32(sh.job_id, &sh.n) == 0 && sh.n < p->next_job;
  if (known && sh.n == p->next_job - 1 && !st->first_share_after_notify_ns && st->last_notify_ns)
    st->first_share_after_notify_ns = now_ns();
  int after_switch = known && c->shared_any && c->newest_shared >= p->last_clean;
  if (known && (!c->shared_any || sh.n > c->newest_shared)) {
    c->newest_shared = sh.n;
    c->shared_any = 1;
  }
  if (known && sh.n < p->last_clean) {
    st->stale_after_switch += after_switch;
    return reject(msg, "Stale share", &st->rejected_stale, 21);
  }
  struct sent_job *j = known ? find_job(c, sh.n) : NULL;
  if (!j)
    return reject(msg, "Job not found", &st->rejected_bad_job, 21);
  if (strlen(sh.en2_hex) != 2 * (size_t)j->en2_size)
    return reject(msg, "Malformed extranonce2", &st->rejected_malformed, 20);
  uint32_t mask = c->rolling ? c->mask : 0, version = p->job_version;
  if (sh.has_vbits && (sh.vbits & ~mask))
    return reject(msg, "Malformed version bits: outside the mask", &st->rejected_malformed, 20);
  if (sh.has_vbits) {
    /* Pools read the bits two ways: replace the masked part (BIP 310) or OR them in (ckpool).
     * A share must mean the same header under both. */
    uint32_t replaced = (version & ~mask) | (sh.vbits & mask), ored = version | sh.vbits;
    if (replaced != ored) {
      st->version_readings_differ++;
      return reject(msg, "Low difficulty share", &st->rejected_low_difficulty, 23);
    }
    version = replaced;
  }
  uint32_t job_time = synth_test_b100000.time + j->n;
  if (sh.ntime < job_time || sh.ntime > job_time + NTIME_WINDOW)
    return reject(msg, "ntime out of range", &st->rejected_other, 20);

  uint8_t hash[32], target[32];
  share_hash(j, &sh, version, hash);
  if (seen_before(p, hash))
    return reject(msg, "Duplicate share", &st->rejected_duplicate, 22);
  share_target(j->difficulty, target);
  if (!synth_test_ref_meets(hash, target))
    return reject(msg, "Low difficulty share", &st->rejected_low_difficulty, 23);
  remember(p, hash);
  st->accepted++;
  st->accepted_difficulty += j->difficulty;
  st->accepted_version_rolled += version != p->job_version;
  return 0;
}

/* ---- Methods. ---- */

static void on_submit(struct test_pool *p, struct conn *c, json_t *id, json_t *params)
{
  const char *msg = NULL;
  p->stats.submits++;
  int code = judge_share(p, c, params, &msg);
  switch (p->reject_shape) {
  case TEST_POOL_REJECT_ARRAY:
    reply_error(c, id, 23, "Low difficulty share");
    return;
  case TEST_POOL_REJECT_STRING:
    send_json(c,
              json_pack("{s:O,s:n,s:s}", "id", id_or_null(id), "result", "error", "Stale share"));
    return;
  case TEST_POOL_REJECT_OBJECT:
    send_json(c, json_pack("{s:O,s:n,s:{s:i,s:s}}", "id", id_or_null(id), "result", "error", "code",
                           23, "message", "Above target"));
    return;
  case TEST_POOL_REJECT_CKPOOL:
    send_json(c, json_pack("{s:O,s:b,s:n,s:s}", "id", id_or_null(id), "result", 0, "error",
                           "reject-reason", "Stale"));
    return;
  case TEST_POOL_REJECT_HUGE_CODE: {
    /* jansson cannot hold the code: the line is written by hand. */
    char line[128];
    snprintf(line, sizeof line,
             "{\"id\":%lld,\"result\":null,\"error\":[123456789012345678901234,\"Odd\",null]}",
             (long long)json_integer_value(id));
    conn_queue(c, line, strlen(line));
    return;
  }
  }
  if (code)
    reply_error(c, id, code, msg);
  else
    reply(c, id, json_true());
}

static void on_subscribe(struct test_pool *p, struct conn *c, json_t *id, json_t *params)
{
  char subid[16], en1[33];
  p->stats.subscribes++;
  const char *agent = json_string_value(json_array_get(params, 0));
  if (agent)
    copy_str(p->stats.last_user_agent, sizeof p->stats.last_user_agent, agent);
  const char *offered = json_string_value(json_array_get(params, 1));
  struct saved_session *old = NULL;
  for (unsigned i = 0; p->resume && offered && i < p->nsaved && i < SAVED_SESSIONS; i++) {
    char sid[16];
    snprintf(sid, sizeof sid, "%08x", p->saved[i].number);
    if (strcmp(sid, offered) == 0)
      old = &p->saved[i];
  }
  if (old && !c->subscribed) { /* the earlier session, its jobs still valid */
    memcpy(c->en1, old->en1, old->en1_len);
    c->en1_len = old->en1_len;
    c->en2_size = old->en2_size;
    memcpy(c->jobs, old->jobs, sizeof c->jobs);
    c->job_next = old->job_next;
    c->number = old->number;
    p->stats.sessions_resumed++;
  } else if (!c->subscribed) { /* the extranonce a connection was told stays its own */
    memcpy(c->en1, p->en1, p->en1_len);
    c->en1_len = p->en1_len;
    c->en2_size = p->en2_size;
  }
  if (p->behaviour == TEST_POOL_BAD_SUBSCRIBE) {
    c->subscribed = 1;
    reply(c, id, json_string("not a subscription"));
    return;
  }
  c->subscribed = 1;
  snprintf(subid, sizeof subid, "%08x", c->number);
  synth__hex_encode(c->en1, c->en1_len, en1);
  reply(c, id,
        json_pack("[[[s,s],[s,s]],s,I]", "mining.set_difficulty", subid, "mining.notify", subid,
                  en1, (json_int_t)c->en2_size));
  maybe_ready(p, c);
}

static void on_authorize(struct test_pool *p, struct conn *c, json_t *id, json_t *params)
{
  const char *user = json_string_value(json_array_get(params, 0));
  const char *pass = json_string_value(json_array_get(params, 1));
  p->stats.authorizes++;
  copy_str(p->stats.last_user, sizeof p->stats.last_user, user);
  int ok = user && (!p->user || strcmp(user, p->user) == 0) &&
           (!p->password || (pass && strcmp(pass, p->password) == 0)) &&
           p->behaviour != TEST_POOL_REJECT_AUTHORIZE;
  p->stats.authorize_failures += !ok;
  if (!ok && p->behaviour == TEST_POOL_REJECT_AUTHORIZE)
    reply_error(c, id, 24, "Unauthorized worker");
  else
    reply(c, id, json_boolean(ok));
  if (ok) {
    if (!authorized_worker(c, user))
      copy_str(c->workers[c->nworkers++ % 4], sizeof c->workers[0], user);
    c->authorized = 1;
    maybe_ready(p, c);
  }
}

/* BIP 310: the negotiated mask is the pool's and the client's in common. */
static void on_configure(struct test_pool *p, struct conn *c, json_t *id, json_t *params)
{
  json_t *exts = json_array_get(params, 0), *opts = json_array_get(params, 1), *ext;
  json_t *result = json_object();
  size_t i;
  p->stats.configures++;
  json_array_foreach(exts, i, ext)
  {
    const char *name = json_string_value(ext);
    if (!name)
      continue;
    if (strcmp(name, "version-rolling") != 0 || !p->version_rolling) {
      json_object_set_new(result, name, json_false());
      continue;
    }
    uint32_t asked = 0xffffffffu;
    const char *m = json_string_value(json_object_get(opts, "version-rolling.mask"));
    char shown[9];
    if (m && strlen(m) <= 8)
      asked = (uint32_t)strtoul(m, NULL, 16);
    c->rolling = 1;
    c->mask = p->mask & asked;
    snprintf(shown, sizeof shown, "%08x", c->mask);
    json_object_set_new(result, name, json_true());
    json_object_set_new(result, "version-rolling.mask", json_string(shown));
  }
  reply(c, id, result);
}

static void on_extranonce_subscribe(struct test_pool *p, struct conn *c, json_t *id, json_t *params)
{
  (void)params;
  p->stats.extranonce_subscribes++;
  c->en_subscribed = 1;
  reply(c, id, json_true());
}

/* A message without a method answers one of the pool's requests. */
static void on_response(struct test_pool *p, json_t *msg)
{
  json_t *id = json_object_get(msg, "id");
  json_int_t n = json_is_integer(id) ? json_integer_value(id) : -1;
  if (n < REQUEST_ID_BASE || n >= p->next_request_id)
    return;
  p->stats.get_version_answers++;
  const char *v = json_string_value(json_object_get(msg, "result"));
  copy_str(p->stats.last_version, sizeof p->stats.last_version, v);
}

static const struct {
  const char *name;
  void (*fn)(struct test_pool *, struct conn *, json_t *id, json_t *params);
} methods[] = {
    {"mining.submit", on_submit},
    {"mining.subscribe", on_subscribe},
    {"mining.authorize", on_authorize},
    {"mining.configure", on_configure},
    {"mining.extranonce.subscribe", on_extranonce_subscribe},
};

static void handle_line(struct test_pool *p, struct conn *c, const char *line)
{
  json_t *msg = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(msg)) {
    p->stats.parse_errors++;
    reply_error(c, NULL, 20, "Parse error");
    json_decref(msg);
    return;
  }
  json_t *id = json_object_get(msg, "id"), *params = json_object_get(msg, "params");
  const char *method = json_string_value(json_object_get(msg, "method"));
  size_t i = 0, n = sizeof methods / sizeof methods[0];
  if (!method)
    on_response(p, msg);
  else {
    while (i < n && strcmp(methods[i].name, method) != 0)
      i++;
    if (i < n)
      methods[i].fn(p, c, id, params);
    else {
      p->stats.unknown_methods++;
      reply_error(c, id, 20, "Unknown method");
    }
  }
  json_decref(msg);
}

/* Reads what the socket has and handles every complete line. */
static void conn_read(struct test_pool *p, struct conn *c)
{
  for (;;) {
    ssize_t r = conn_io(c, c->in + c->in_len, READ_CHUNK, 0);
    if (r < 0)
      c->dead = 1;
    if (r <= 0)
      return;
    c->in_len += (size_t)r;
    size_t start = 0;
    char *nl;
    while (!c->dead && (nl = memchr(c->in + start, '\n', c->in_len - start))) {
      size_t len = (size_t)(nl - (c->in + start));
      *nl = '\0';
      if (len > MAX_LINE) {
        p->stats.oversized_lines++;
        c->dead = 1;
        return;
      }
      if (len && nl[-1] == '\r')
        nl[-1] = '\0';
      if (c->in[start])
        handle_line(p, c, c->in + start);
      start += len + 1;
    }
    memmove(c->in, c->in + start, c->in_len - start);
    c->in_len -= start;
    if (c->in_len > MAX_LINE) {
      p->stats.oversized_lines++;
      c->dead = 1;
    }
    if (c->dead)
      return;
  }
}

/* ---- Connections and the listener. ---- */

static int listen_on(unsigned port, unsigned *bound)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  socklen_t len = sizeof a;
  if (fd < 0)
    return -1;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  /* Revive binds the same port while the killed connections sit in TIME_WAIT. */
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    close(fd);
    return -1;
  }
  *bound = ntohs(a.sin_port);
  return fd;
}

static struct conn *conn_new(struct test_pool *p, int fd)
{
  struct conn *c = calloc(1, sizeof *c);
  if (!c || !(c->in = malloc(MAX_LINE + READ_CHUNK + 1)))
    goto err;
  c->fd = fd;
  if (p->tls) {
    if (!(c->ssl = SSL_new(p->tls)) || SSL_set_fd(c->ssl, fd) != 1)
      goto err;
    SSL_set_accept_state(c->ssl); /* the handshake runs inside the first read or write */
  }
  return c;
err:
  if (c) {
    SSL_free(c->ssl);
    free(c->in);
  }
  free(c);
  return NULL;
}

static void accept_all(struct test_pool *p)
{
  for (;;) {
    int fd = accept4(p->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
    if (fd < 0)
      return;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (p->nconns == p->conns_cap) {
      size_t cap = p->conns_cap ? 2 * p->conns_cap : 8;
      struct conn **grown = realloc(p->conns, cap * sizeof *grown);
      if (!grown) {
        close(fd);
        return;
      }
      p->conns = grown;
      p->conns_cap = cap;
    }
    struct conn *c = conn_new(p, fd);
    if (!c) {
      close(fd);
      continue;
    }
    c->number = ++p->stats.connections;
    p->conns[p->nconns++] = c;
    p->stats.open_connections++;
    if (p->behaviour == TEST_POOL_CLOSE_AT_ONCE)
      c->dead = 1;
  }
}

static void sweep(struct test_pool *p)
{
  size_t kept = 0;
  for (size_t i = 0; i < p->nconns; i++) {
    if (p->conns[i]->dead) {
      struct conn *c = p->conns[i];
      if (c->subscribed) { /* its session, for a resume */
        struct saved_session *s = &p->saved[p->nsaved++ % SAVED_SESSIONS];
        *s = (struct saved_session){.number = c->number,
                                    .en1_len = c->en1_len,
                                    .en2_size = c->en2_size,
                                    .job_next = c->job_next};
        memcpy(s->en1, c->en1, c->en1_len);
        memcpy(s->jobs, c->jobs, sizeof s->jobs);
      }
      conn_free(p->conns[i]);
      p->stats.open_connections--;
    } else
      p->conns[kept++] = p->conns[i];
  }
  p->nconns = kept;
}

/* ---- Commands: API calls run on the pool thread. ---- */

static void pool_call(struct test_pool *p, void (*fn)(struct test_pool *, void *), void *arg)
{
  struct pool_cmd cmd = {.fn = fn, .arg = arg};
  char one = 1;
  pthread_mutex_lock(&p->lock);
  if (p->cmds_last)
    p->cmds_last->next = &cmd;
  else
    p->cmds = &cmd;
  p->cmds_last = &cmd;
  if (write(p->wake[1], &one, 1) < 0) { /* full pipe: a wake-up is already pending */
  }
  while (!cmd.done)
    pthread_cond_wait(&p->cond, &p->lock);
  pthread_mutex_unlock(&p->lock);
}

static void do_notify(struct test_pool *p, void *arg)
{
  uint32_t n = p->next_job++;
  if (*(int *)arg)
    p->last_clean = n;
  p->stats.notifies++;
  p->stats.last_notify_ns = now_ns();
  p->stats.first_share_after_notify_ns = 0;
  for (size_t i = 0; i < p->nconns; i++)
    if (p->conns[i]->ready)
      send_job(p, p->conns[i], n, *(int *)arg);
}

static void do_set_difficulty(struct test_pool *p, void *arg)
{
  p->difficulty = *(double *)arg;
  for (size_t i = 0; i < p->nconns; i++)
    if (p->conns[i]->ready) {
      p->conns[i]->difficulty = p->difficulty;
      send_difficulty(p->conns[i]);
    }
}

struct extranonce_arg {
  uint8_t en1[16];
  size_t en1_len;
  unsigned en2_size;
};

static void do_set_extranonce(struct test_pool *p, void *arg)
{
  const struct extranonce_arg *a = arg;
  char en1[33];
  memcpy(p->en1, a->en1, a->en1_len);
  p->en1_len = a->en1_len;
  p->en2_size = a->en2_size;
  synth__hex_encode(a->en1, a->en1_len, en1);
  for (size_t i = 0; i < p->nconns; i++) {
    struct conn *c = p->conns[i];
    if (!c->subscribed || !c->en_subscribed)
      continue;
    memcpy(c->en1, a->en1, a->en1_len);
    c->en1_len = a->en1_len;
    c->en2_size = a->en2_size;
    notify_one(c, "mining.set_extranonce", json_pack("[s,I]", en1, (json_int_t)a->en2_size));
  }
}

static void do_set_version_mask(struct test_pool *p, void *arg)
{
  char shown[9];
  p->mask = *(uint32_t *)arg;
  snprintf(shown, sizeof shown, "%08x", p->mask);
  for (size_t i = 0; i < p->nconns; i++)
    if (p->conns[i]->rolling) {
      p->conns[i]->mask = p->mask;
      notify_one(p->conns[i], "mining.set_version_mask", json_pack("[s]", shown));
    }
}

static void do_send_raw(struct test_pool *p, void *arg)
{
  for (size_t i = 0; i < p->nconns; i++)
    conn_queue(p->conns[i], arg, strlen(arg));
}

/* A prepared message to every ready connection; arg is the message. */
static void do_broadcast(struct test_pool *p, void *arg)
{
  for (size_t i = 0; i < p->nconns; i++)
    if (p->conns[i]->ready)
      send_json(p->conns[i], json_incref(arg));
}

static void do_get_version(struct test_pool *p, void *arg)
{
  (void)arg;
  for (size_t i = 0; i < p->nconns; i++)
    if (p->conns[i]->ready)
      send_json(p->conns[i], json_pack("{s:I,s:s,s:[]}", "id", p->next_request_id++, "method",
                                       "client.get_version", "params"));
}

static void do_mute(struct test_pool *p, void *arg)
{
  p->muted = *(int *)arg;
}

static void do_drop(struct test_pool *p, void *arg)
{
  (void)arg;
  for (size_t i = 0; i < p->nconns; i++)
    p->conns[i]->dead = 1;
}

static void do_kill(struct test_pool *p, void *arg)
{
  do_drop(p, arg);
  if (p->listen_fd >= 0)
    close(p->listen_fd);
  p->listen_fd = -1;
}

static void do_revive(struct test_pool *p, void *arg)
{
  unsigned port;
  if (p->listen_fd < 0)
    p->listen_fd = listen_on(p->port, &port);
  *(int *)arg = p->listen_fd >= 0 ? 0 : -1;
}

static void do_stop(struct test_pool *p, void *arg)
{
  do_kill(p, arg);
  p->stop = 1;
}

/* ---- The pool thread. ---- */

/* Runs the queued commands; they are marked done by finish_commands, after the sweep. */
static struct pool_cmd *run_commands(struct test_pool *p)
{
  struct pool_cmd *ran = p->cmds;
  p->cmds = p->cmds_last = NULL;
  for (struct pool_cmd *c = ran; c; c = c->next)
    c->fn(p, c->arg);
  return ran;
}

static void finish_commands(struct test_pool *p, struct pool_cmd *ran)
{
  while (ran) {
    struct pool_cmd *next = ran->next; /* ran lives on a caller's stack until done is seen */
    ran->done = 1;
    ran = next;
  }
  pthread_cond_broadcast(&p->cond);
}

static size_t build_pollfds(struct test_pool *p)
{
  size_t need = 2 + p->nconns;
  if (need > p->fds_cap) {
    struct pollfd *grown = realloc(p->fds, 2 * need * sizeof *grown);
    if (!grown)
      need = p->fds_cap; /* poll fewer connections this round; they wait for the next */
    else {
      p->fds = grown;
      p->fds_cap = 2 * need;
    }
  }
  p->fds[0] = (struct pollfd){.fd = p->wake[0], .events = POLLIN};
  p->fds[1] = (struct pollfd){.fd = p->listen_fd, .events = POLLIN};
  for (size_t i = 2; i < need; i++) {
    struct conn *c = p->conns[i - 2];
    short out = (c->out_len || c->want_write) ? POLLOUT : 0;
    p->fds[i] = (struct pollfd){.fd = c->fd, .events = (short)(POLLIN | out)};
  }
  return need;
}

static void *pool_main(void *arg)
{
  struct test_pool *p = arg;
  sigset_t pipe_set;
  /* TLS writes go through write(2): a peer gone mid-write must not kill the test. */
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
  pthread_mutex_lock(&p->lock);
  while (!p->stop) {
    size_t n = build_pollfds(p);
    pthread_mutex_unlock(&p->lock);
    poll(p->fds, n, p->behaviour == TEST_POOL_TRICKLE ? 100 : -1);
    pthread_mutex_lock(&p->lock);
    char drain[64];
    if (p->fds[0].revents && read(p->wake[0], drain, sizeof drain) < 0) { /* spurious: fine */
    }
    if (p->listen_fd >= 0 && p->fds[1].revents)
      accept_all(p);
    for (size_t i = 2; i < n; i++) {
      struct conn *c = p->conns[i - 2];
      if (p->fds[i].revents && !c->dead) {
        c->want_write = 0;
        conn_read(p, c);
      }
    }
    struct pool_cmd *ran = run_commands(p);
    for (size_t i = 0; i < p->nconns; i++) {
      if (p->muted || p->behaviour == TEST_POOL_SILENT)
        p->conns[i]->out_len = 0;
      if (p->conns[i]->out_len && !p->conns[i]->dead)
        conn_flush(p->conns[i], p->behaviour == TEST_POOL_TRICKLE);
    }
    sweep(p);
    finish_commands(p, ran);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

/* ---- TLS: a self-signed certificate made at start. ---- */

static int add_ext(X509 *x, int nid, const char *value)
{
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
  X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
  int ok = e && X509_add_ext(x, e, -1) == 1;
  X509_EXTENSION_free(e);
  return ok ? 0 : -1;
}

/* Self-signed and its own CA (as `openssl req -x509` makes them), so a client can trust it
 * directly and check the host name or the address. */
static X509 *make_cert(EVP_PKEY *key)
{
  X509 *x = X509_new();
  X509_NAME *name = x ? X509_get_subject_name(x) : NULL;
  uint32_t serial = 0;
  if (!name || RAND_bytes((unsigned char *)&serial, sizeof serial) != 1 ||
      X509_set_version(x, X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(serial >> 1) + 1) != 1 ||
      !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600) || X509_set_pubkey(x, key) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1,
                                 -1, 0) != 1 ||
      X509_set_issuer_name(x, name) != 1 || add_ext(x, NID_basic_constraints, "critical,CA:TRUE") ||
      add_ext(x, NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      add_ext(x, NID_ext_key_usage, "serverAuth") ||
      add_ext(x, NID_subject_key_identifier, "hash") ||
      add_ext(x, NID_authority_key_identifier, "keyid:always") ||
      add_ext(x, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") ||
      X509_sign(x, key, EVP_sha256()) <= 0) {
    X509_free(x);
    return NULL;
  }
  return x;
}

static char *cert_to_pem(X509 *x)
{
  BIO *bio = BIO_new(BIO_s_mem());
  char *data, *pem = NULL;
  if (bio && PEM_write_bio_X509(bio, x) == 1) {
    long len = BIO_get_mem_data(bio, &data);
    /* Not strndup: the BIO's data has no terminator for it to look for. */
    if (len > 0 && (pem = malloc((size_t)len + 1))) {
      memcpy(pem, data, (size_t)len);
      pem[len] = '\0';
    }
  }
  BIO_free(bio);
  return pem;
}

static int tls_init(struct test_pool *p)
{
  EVP_PKEY *key = EVP_EC_gen("P-256");
  X509 *x = key ? make_cert(key) : NULL;
  int rc = -1;
  if (!x || !(p->tls = SSL_CTX_new(TLS_server_method())))
    goto out;
  SSL_CTX_set_min_proto_version(p->tls, TLS1_2_VERSION);
  /* Our output buffer moves and grows between retries of one SSL_write. */
  SSL_CTX_set_mode(p->tls, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_use_certificate(p->tls, x) != 1 || SSL_CTX_use_PrivateKey(p->tls, key) != 1 ||
      !(p->cert_pem = cert_to_pem(x)))
    goto out;
  rc = 0;
out:
  X509_free(x);
  EVP_PKEY_free(key);
  ERR_clear_error();
  return rc;
}

/* ---- Lifecycle and API. ---- */

static int configure(struct test_pool *p, const struct test_pool_config *cfg)
{
  static const struct test_pool_config defaults = {0};
  if (!cfg)
    cfg = &defaults;
  const char *en1 = cfg->extranonce1_hex ? cfg->extranonce1_hex : "f000000f";
  int en1_len = synth_test_unhex(en1, p->en1, sizeof p->en1);
  p->en1_len = en1_len < 0 ? 0 : (size_t)en1_len;
  p->en2_size = cfg->extranonce2_size ? cfg->extranonce2_size : 4;
  p->difficulty = cfg->difficulty ? cfg->difficulty : 1.0 / 65536;
  p->version_rolling = cfg->version_rolling;
  p->mask = DEFAULT_MASK;
  p->real = cfg->real_block_job;
  p->behaviour = cfg->behaviour;
  p->reject_shape = cfg->reject_shape;
  p->resume = cfg->resume_sessions;
  p->job_version = cfg->job_version ? cfg->job_version : synth_test_b100000.version;
  if (p->real) {
    struct synth_test_coinbase_split s;
    synth_test_b100000_real_split(&s);
    memcpy(p->en1, s.en1, s.en1_len);
    p->en1_len = s.en1_len;
    p->en2_size = (unsigned)s.en2_len;
  }
  p->next_job = 1; /* job 0 exists from the start */
  p->next_request_id = REQUEST_ID_BASE;
  if ((cfg->user && !(p->user = strdup(cfg->user))) ||
      (cfg->password && !(p->password = strdup(cfg->password))))
    return -1;
  if (en1_len < 0 || p->en2_size > 16 || !(p->difficulty > 0) || isinf(p->difficulty))
    return -1;
  return cfg->tls ? tls_init(p) : 0;
}

static void pool_free(struct test_pool *p)
{
  for (size_t i = 0; i < p->nconns; i++)
    conn_free(p->conns[i]);
  if (p->listen_fd >= 0)
    close(p->listen_fd);
  for (int i = 0; i < 2; i++)
    if (p->wake[i] >= 0)
      close(p->wake[i]);
  pthread_cond_destroy(&p->cond);
  pthread_mutex_destroy(&p->lock);
  SSL_CTX_free(p->tls);
  free(p->cert_pem);
  free(p->user);
  free(p->password);
  free(p->seen);
  free(p->conns);
  free(p->fds);
  free(p);
}

int test_pool_start(struct test_pool **out, const struct test_pool_config *cfg)
{
  struct test_pool *p = calloc(1, sizeof *p);
  *out = NULL;
  if (!p)
    return -1;
  p->listen_fd = p->wake[0] = p->wake[1] = -1;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->cond, NULL);
  p->fds_cap = 16;
  if (configure(p, cfg) != 0 || !(p->fds = calloc(16, sizeof *p->fds)) ||
      pipe2(p->wake, O_NONBLOCK | O_CLOEXEC) != 0 || (p->listen_fd = listen_on(0, &p->port)) < 0 ||
      pthread_create(&p->thread, NULL, pool_main, p) != 0) {
    pool_free(p);
    return -1;
  }
  *out = p;
  return 0;
}

void test_pool_stop(struct test_pool *p)
{
  if (!p)
    return;
  pool_call(p, do_stop, NULL);
  pthread_join(p->thread, NULL);
  pool_free(p);
}

unsigned test_pool_port(const struct test_pool *p)
{
  return p->port;
}

const char *test_pool_cert_pem(const struct test_pool *p)
{
  return p->cert_pem;
}

void test_pool_notify(struct test_pool *p, int clean)
{
  clean = clean != 0;
  pool_call(p, do_notify, &clean);
}

void test_pool_set_difficulty(struct test_pool *p, double d)
{
  if (d > 0 && !isinf(d))
    pool_call(p, do_set_difficulty, &d);
}

void test_pool_set_extranonce(struct test_pool *p, const char *en1_hex, unsigned en2_size)
{
  struct extranonce_arg a = {.en2_size = en2_size};
  int n = en1_hex ? synth_test_unhex(en1_hex, a.en1, sizeof a.en1) : -1;
  if (n < 0 || en2_size < 1 || en2_size > 16 || p->real)
    return;
  a.en1_len = (size_t)n;
  pool_call(p, do_set_extranonce, &a);
}

void test_pool_set_version_mask(struct test_pool *p, uint32_t mask)
{
  pool_call(p, do_set_version_mask, &mask);
}

void test_pool_send_raw(struct test_pool *p, const char *line)
{
  pool_call(p, do_send_raw, (void *)line);
}

static void broadcast(struct test_pool *p, json_t *msg)
{
  if (msg)
    pool_call(p, do_broadcast, msg);
  json_decref(msg);
}

void test_pool_reconnect(struct test_pool *p, const char *host, unsigned port, unsigned wait_s)
{
  broadcast(p, json_pack("{s:n,s:s,s:[s,I,I]}", "id", "method", "client.reconnect", "params", host,
                         (json_int_t)port, (json_int_t)wait_s));
}

void test_pool_show_message(struct test_pool *p, const char *msg)
{
  broadcast(p, json_pack("{s:n,s:s,s:[s]}", "id", "method", "client.show_message", "params", msg));
}

void test_pool_get_version(struct test_pool *p)
{
  pool_call(p, do_get_version, NULL);
}

void test_pool_mute(struct test_pool *p, int on)
{
  on = on != 0;
  pool_call(p, do_mute, &on);
}

void test_pool_drop(struct test_pool *p)
{
  pool_call(p, do_drop, NULL);
}

void test_pool_kill(struct test_pool *p)
{
  pool_call(p, do_kill, NULL);
}

int test_pool_revive(struct test_pool *p)
{
  int rc = -1;
  pool_call(p, do_revive, &rc);
  return rc;
}

void test_pool_stats(struct test_pool *p, struct test_pool_stats *out)
{
  pthread_mutex_lock(&p->lock);
  *out = p->stats;
  pthread_mutex_unlock(&p->lock);
}

int test_pool_wait(struct test_pool *p, int (*pred)(const struct test_pool_stats *, void *),
                   void *arg, unsigned timeout_ms)
{
  uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000u;
  struct test_pool_stats st;
  for (;;) {
    test_pool_stats(p, &st);
    if (pred(&st, arg))
      return 0;
    if (now_ns() >= end)
      return -1;
    nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
  }
}
