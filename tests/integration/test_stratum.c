/* test_stratum.c: the pool client against the loopback test pool, which speaks real Stratum
 * with jobs cut from Bitcoin block 100000 and checks every share itself: sessions, version
 * rolling, difficulty and job switches, extranonce changes, a pool killed and revived, failover
 * and return, reconnect requests, TLS, hostile messages, and byte order against the real
 * block. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "pool/stratum_msg.h"
#include "pool/stratum_work.h"
#include "sha256d/mining_job.h"
#include "support/block100000.h"
#include "support/capture_miner.h"
#include "support/harness.h"
#include "support/log_capture.h"
#include "support/outcome_json.h"
#include "support/spawn.h"
#include "support/test_pool.h"
#include "synth/synth.h"

#define PASSWORD "s3cret-pa55"

/* ---- a runtime with one CPU worker and a pool client ---- */

struct rig {
  synth_runtime *rt;
  synth_pool *pool;
};

static void on_share(void *user, const struct synth_share *share)
{
  struct rig *r = user;
  synth_pool_submit(r->pool, share);
}

static void url_of(char *buf, size_t size, const struct test_pool *tp, bool tls)
{
  snprintf(buf, size, "stratum+%s://127.0.0.1:%u", tls ? "ssl" : "tcp", test_pool_port(tp));
}

/* Starts a runtime and a client of urls; cfg (may be NULL) adds client settings. */
static void rig_start(struct rig *r, const char *const *urls, size_t n,
                      const struct synth_pool_config *cfg)
{
  log_capture_clear();
  CU_ASSERT_EQUAL_FATAL(capture_miner_create(&r->rt, on_share, r), 0);
  struct synth_pool_config pc = cfg ? *cfg : (struct synth_pool_config){0};
  pc.urls = urls;
  pc.url_count = n;
  pc.user = "tester.rig1";
  pc.password = PASSWORD;
  pc.log_fn = log_capture_fn;
  pc.log_level = SYNTH_LOG_DEBUG;
  if (!pc.retry_min_ms)
    pc.retry_min_ms = 100;
  if (!pc.retry_max_ms)
    pc.retry_max_ms = 400;
  CU_ASSERT_EQUAL_FATAL(synth_pool_create(&r->pool, r->rt, &pc), 0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_start(r->rt), 0);
  CU_ASSERT_EQUAL_FATAL(synth_pool_start(r->pool), 0);
}

/* A rig mining for one plain-TCP pool with the default client settings. */
static void rig_on(struct rig *r, const struct test_pool *tp)
{
  char url[64]; /* the client copies it */
  url_of(url, sizeof url, tp, false);
  const char *urls[] = {url};
  rig_start(r, urls, 1, NULL);
}

/* A rig mining for @primary with @backup behind it; @url gets their URLs, for the checks. */
static void rig_on_two(struct rig *r, const struct test_pool *primary,
                       const struct test_pool *backup, const struct synth_pool_config *cfg,
                       char url[2][64])
{
  url_of(url[0], sizeof url[0], primary, false);
  url_of(url[1], sizeof url[1], backup, false);
  const char *urls[] = {url[0], url[1]};
  rig_start(r, urls, 2, cfg);
}

/* Every share found ends in exactly one count once the client has stopped. */
static void check_share_ledger(const struct synth_pool_stats *c)
{
  uint64_t sum = c->accepted + c->rejected + c->stale + c->duplicates + c->capped + c->dropped +
                 c->kept + c->in_flight + c->unanswered;
  CU_ASSERT_EQUAL(c->found, sum);
  if (c->found != sum)
    fprintf(stderr, "\n    found %llu, accounted %llu\n", (unsigned long long)c->found,
            (unsigned long long)sum);
}

static void rig_stop(struct rig *r)
{
  synth_runtime_stop(r->rt);
  synth_pool_stop(r->pool);
  struct synth_pool_stats c;
  synth_pool_stats(r->pool, &c, sizeof c);
  check_share_ledger(&c);
  CU_ASSERT_STRING_EQUAL(c.state, "stopped");
  synth_pool_destroy(r->pool);
  synth_runtime_destroy(r->rt);
  CU_ASSERT_FALSE(log_capture_has(PASSWORD)); /* the password is never logged */
}

static struct synth_pool_stats client(struct rig *r)
{
  struct synth_pool_stats s;
  synth_pool_stats(r->pool, &s, sizeof s);
  return s;
}

/* Waits up to ms for pred on the pool's counters. */
struct want {
  unsigned accepted;
};
static int accepted_at_least(const struct test_pool_stats *s, void *arg)
{
  return s->accepted >= ((struct want *)arg)->accepted;
}

static int wait_accepted(struct test_pool *tp, unsigned more, unsigned ms)
{
  struct test_pool_stats s;
  test_pool_stats(tp, &s);
  struct want w = {s.accepted + more};
  return test_pool_wait(tp, accepted_at_least, &w, ms);
}

static unsigned rejected(const struct test_pool_stats *s)
{
  return s->rejected_duplicate + s->rejected_low_difficulty + s->rejected_bad_job +
         s->rejected_malformed + s->rejected_other;
}

/* About 40 shares a second on one fast CPU core, a few under the sanitizers. */
#define DIFFICULTY (1.0 / 8192)

static struct test_pool *pool_up(const struct test_pool_config *extra)
{
  struct test_pool_config c = extra ? *extra : (struct test_pool_config){0};
  if (!c.difficulty)
    c.difficulty = DIFFICULTY;
  c.user = "tester.rig1";
  c.password = PASSWORD;
  struct test_pool *tp;
  CU_ASSERT_EQUAL_FATAL(test_pool_start(&tp, &c), 0);
  return tp;
}

/* A pool (pool_up's, with @extra) and a rig mining for it, once it has accepted @shares. */
static struct test_pool *pool_and_rig(struct rig *r, const struct test_pool_config *extra,
                                      unsigned shares)
{
  struct test_pool *tp = pool_up(extra);
  rig_on(r, tp);
  CU_ASSERT_EQUAL_FATAL(wait_accepted(tp, shares, 60000), 0);
  return tp;
}

/* The rig (its share ledger checked), then its pool. */
static void rig_and_pool_stop(struct rig *r, struct test_pool *tp)
{
  rig_stop(r);
  test_pool_stop(tp);
}

/* ---- tests ---- */

static void test_session_and_version_rolling(void)
{
  struct rig r;
  struct test_pool *tp = pool_and_rig(&r, &(struct test_pool_config){.version_rolling = 1}, 20);
  struct test_pool_stats s;
  test_pool_stats(tp, &s);
  CU_ASSERT_EQUAL(s.subscribes, 1);
  CU_ASSERT_EQUAL(s.authorizes, 1);
  CU_ASSERT_EQUAL(s.authorize_failures, 0);
  CU_ASSERT_EQUAL(s.configures, 1);
  CU_ASSERT_EQUAL(s.extranonce_subscribes, 1);
  CU_ASSERT_EQUAL(strncmp(s.last_user_agent, "synthminer/", 11), 0);
  CU_ASSERT_STRING_EQUAL(s.last_worker, "tester.rig1");
  CU_ASSERT(s.accepted_version_rolled > 0); /* shares with rolled version bits verify */
  CU_ASSERT_EQUAL(rejected(&s), 0);
  /* The client's figures agree with the pool's once the answers are in. */
  SYNTH_TEST_WAIT(client(&r).accepted >= s.accepted);
  struct synth_pool_stats c = client(&r);
  CU_ASSERT(c.accepted >= s.accepted);
  CU_ASSERT_EQUAL(c.rejected, 0);
  CU_ASSERT_EQUAL(c.connected, 1);
  CU_ASSERT_PTR_NULL(strstr(c.url, PASSWORD));
  uint64_t dev_accepted = 0;
  CU_ASSERT_EQUAL(synth_pool_device_shares(r.pool, 0, &dev_accepted, NULL, NULL), 0);
  CU_ASSERT(dev_accepted >= s.accepted);
  rig_and_pool_stop(&r, tp);
}

/* Harder shares, then clean switches: no share is rejected for its difficulty, and the old
 * job's shares stop at the switch: counted stale here, and the only ones that reach the pool
 * were in flight when it switched (none after a share of the new job on the connection). */
static void test_difficulty_and_clean_switches(void)
{
  struct rig r;
  struct test_pool *tp = pool_and_rig(&r, NULL, 5);
  test_pool_set_difficulty(tp, DIFFICULTY * 2);
  for (int i = 0; i < 6; i++) {
    test_pool_notify(tp, 1);
    CU_ASSERT_EQUAL(wait_accepted(tp, 2, 60000), 0);
  }
  struct test_pool_stats s;
  test_pool_stats(tp, &s);
  CU_ASSERT_EQUAL(s.rejected_low_difficulty, 0);
  CU_ASSERT_EQUAL(rejected(&s), 0);
  CU_ASSERT_EQUAL(s.stale_after_switch, 0);
  SYNTH_TEST_WAIT(client(&r).switches >= 7);
  struct synth_pool_stats c = client(&r);
  CU_ASSERT(c.switches >= 7);             /* the first job and six clean ones */
  CU_ASSERT(c.stale >= s.rejected_stale); /* the pool's stale answers count here too */
  /* Latency is reported, not judged: how long a switch takes is the benchmark's business. */
  CU_ASSERT(c.switch_p50_ms >= 0 && c.switch_p99_ms >= c.switch_p50_ms &&
            c.switch_max_ms >= c.switch_p99_ms);
  CU_ASSERT_EQUAL(c.difficulty, DIFFICULTY * 2);
  printf("\n    switch latency p50 %.2f ms, p99 %.2f ms over %llu switches; stale here %llu, "
         "at the pool %u\n",
         c.switch_p50_ms, c.switch_p99_ms, (unsigned long long)c.switches,
         (unsigned long long)c.stale, s.rejected_stale);
  rig_and_pool_stop(&r, tp);
}

static void test_extranonce_change(void)
{
  struct rig r;
  struct test_pool *tp = pool_and_rig(&r, NULL, 5);
  test_pool_set_extranonce(tp, "a1b2c3", 3);
  test_pool_notify(tp, 0); /* not clean: the client must make it so itself */
  /* A share the pool accepts now was cut with the new extranonce, so the client had switched;
   * any old one it sent before arrived before that share. */
  CU_ASSERT_EQUAL_FATAL(wait_accepted(tp, 1, 60000), 0);
  CU_ASSERT_TRUE(log_capture_has("new extranonce1"));
  struct test_pool_stats before;
  test_pool_stats(tp, &before);
  CU_ASSERT_EQUAL(wait_accepted(tp, 10, 60000), 0);
  struct test_pool_stats s;
  test_pool_stats(tp, &s);
  /* Shares cut with the old extranonce would fail the pool's check: none after the change. */
  CU_ASSERT_EQUAL(rejected(&s), rejected(&before));
  CU_ASSERT_EQUAL(s.rejected_low_difficulty, 0);
  rig_and_pool_stop(&r, tp);
}

static void test_pool_killed_and_revived(void)
{
  struct rig r;
  struct test_pool *tp = pool_and_rig(&r, NULL, 3);
  test_pool_kill(tp);
  SYNTH_TEST_WAIT(client(&r).connected == 0);
  CU_ASSERT_EQUAL_FATAL(client(&r).connected, 0);
  /* The client keeps retrying while the pool is down, and says why each try failed. */
  char url[64], failed[96];
  url_of(url, sizeof url, tp, false);
  snprintf(failed, sizeof failed, "pool %s: cannot connect", url);
  log_capture_clear();
  SYNTH_TEST_WAIT(log_capture_has(failed));
  CU_ASSERT_TRUE(log_capture_has(failed));
  CU_ASSERT_EQUAL(client(&r).connected, 0);
  CU_ASSERT_EQUAL_FATAL(test_pool_revive(tp), 0);
  CU_ASSERT_EQUAL(wait_accepted(tp, 3, 60000), 0);
  struct synth_pool_stats c = client(&r);
  CU_ASSERT(c.reconnects >= 1);
  CU_ASSERT_EQUAL(c.connected, 1);
  rig_and_pool_stop(&r, tp);
}

static void test_failover_and_return(void)
{
  struct test_pool *a = pool_up(NULL), *b = pool_up(NULL);
  struct synth_pool_config cfg = {.failover_after = 2, .primary_check_ms = 300};
  struct rig r;
  char url[2][64];
  rig_on_two(&r, a, b, &cfg, url);
  CU_ASSERT_EQUAL_FATAL(wait_accepted(a, 3, 60000), 0);
  test_pool_kill(a);
  CU_ASSERT_EQUAL(wait_accepted(b, 3, 60000), 0); /* failed over */
  CU_ASSERT_STRING_EQUAL(client(&r).url, url[1]);
  CU_ASSERT_EQUAL_FATAL(test_pool_revive(a), 0);
  CU_ASSERT_EQUAL(wait_accepted(a, 3, 60000), 0); /* and back to the primary */
  struct synth_pool_stats c = client(&r);
  CU_ASSERT(c.failovers >= 2);
  CU_ASSERT_STRING_EQUAL(c.url, url[0]);
  /* No share of one pool's jobs ever went to the other. */
  struct test_pool_stats sa, sb;
  test_pool_stats(a, &sa);
  test_pool_stats(b, &sb);
  CU_ASSERT_EQUAL(rejected(&sa), 0);
  CU_ASSERT_EQUAL(rejected(&sb), 0);
  rig_stop(&r);
  test_pool_stop(a);
  test_pool_stop(b);
}

/* client.reconnect to another port of the same host is followed; to another host it is not. */
static void test_reconnect_request(void)
{
  struct test_pool *a = pool_up(NULL), *b = pool_up(NULL);
  char ua[64];
  url_of(ua, sizeof ua, a, false);
  const char *urls[] = {ua};
  struct rig r;
  rig_start(&r, urls, 1, NULL);
  CU_ASSERT_EQUAL_FATAL(wait_accepted(a, 3, 60000), 0);
  test_pool_reconnect(a, "evil.example", test_pool_port(b), 0);
  SYNTH_TEST_WAIT(log_capture_has("refused (another host)"));
  CU_ASSERT_TRUE(log_capture_has("refused (another host)"));
  test_pool_reconnect(a, "127.0.0.1", test_pool_port(b), 0);
  CU_ASSERT_EQUAL(wait_accepted(b, 3, 60000), 0);
  /* Every report names where it mines now. */
  char ub[64];
  url_of(ub, sizeof ub, b, false);
  SYNTH_TEST_WAIT(strcmp(client(&r).url, ub) == 0);
  CU_ASSERT_STRING_EQUAL(client(&r).url, ub);
  rig_stop(&r);
  test_pool_stop(a);
  test_pool_stop(b);
}

/* Garbage, broken fields, unknown methods, a control-character message, an over-long line:
 * dropped (the last one costs a reconnect), never a crash; the miner goes on. */
static void test_hostile_messages(void)
{
  struct rig r;
  struct test_pool *tp = pool_and_rig(&r, NULL, 3);
  static const char *const lines[] = {
      "garbage",
      "{}",
      "[]",
      "{\"id\":999,\"result\":true,\"error\":null}",
      ("{\"method\":\"mining.notify\",\"params\":[\"x\",\"zz\",\"\",\"\",[],\"1\",\"2\",\"3\","
       "true]}"),
      "{\"method\":\"mining.set_difficulty\",\"params\":[-5]}",
      "{\"method\":\"mining.set_difficulty\",\"params\":[\"high\"]}",
      "{\"method\":\"mining.set_extranonce\",\"params\":[\"abcdef0123456789ab\",4]}",
      "{\"method\":\"client.reconnect\",\"params\":[\"h o s t\",1,1]}",
      "{\"id\":5,\"method\":\"mining.unheard_of\",\"params\":[]}",
      "{\"method\":\"client.show_message\",\"params\":[\"maintenance\\u001b[31m at noon\"]}",
  };
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
    test_pool_send_raw(tp, lines[i]);
  test_pool_get_version(tp);
  CU_ASSERT_EQUAL(wait_accepted(tp, 3, 60000), 0);
  CU_ASSERT_TRUE(log_capture_has("message dropped"));
  CU_ASSERT_TRUE(log_capture_has("says: maintenance?[31m at noon"));
  static char big[STRATUM_LINE_MAX + 100];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = 0;
  test_pool_send_raw(tp, big);
  CU_ASSERT_EQUAL(wait_accepted(tp, 3, 60000), 0);
  struct test_pool_stats s;
  test_pool_stats(tp, &s);
  CU_ASSERT(s.get_version_answers >= 1);
  CU_ASSERT_EQUAL(strncmp(s.last_version, "synthminer/", 11), 0);
  CU_ASSERT_TRUE(log_capture_has("over 16384 bytes"));
  CU_ASSERT(client(&r).reconnects >= 1);
  CU_ASSERT_EQUAL(s.rejected_low_difficulty + s.rejected_malformed, 0);
  rig_and_pool_stop(&r, tp);
}

static void test_tls(void)
{
  struct test_pool *tp = pool_up(&(struct test_pool_config){.tls = 1});
  char url[64], ca[] = "/tmp/synth-ca-XXXXXX";
  url_of(url, sizeof url, tp, true);
  const char *urls[] = {url};
  int fd = mkstemp(ca);
  CU_ASSERT_FATAL(fd >= 0);
  const char *pem = test_pool_cert_pem(tp);
  CU_ASSERT_EQUAL_FATAL(write(fd, pem, strlen(pem)), (ssize_t)strlen(pem));
  close(fd);
  struct rig r;
  /* The pool's self-signed certificate is not in the system store: refused, said clearly. */
  rig_start(&r, urls, 1, NULL);
  SYNTH_TEST_WAIT(log_capture_has("not trusted"));
  CU_ASSERT_TRUE(log_capture_has("not trusted"));
  CU_ASSERT_EQUAL(client(&r).connected, 0);
  rig_stop(&r);
  /* Verified with the pool's certificate as CA (its SAN is 127.0.0.1). */
  rig_start(&r, urls, 1, &(struct synth_pool_config){.tls_ca_file = ca});
  CU_ASSERT_EQUAL(wait_accepted(tp, 3, 60000), 0);
  rig_stop(&r);
  /* Or not verified at all, when asked. */
  rig_start(&r, urls, 1, &(struct synth_pool_config){.tls_insecure = 1});
  CU_ASSERT_EQUAL(wait_accepted(tp, 3, 60000), 0);
  rig_stop(&r);
  unlink(ca);
  test_pool_stop(tp);
}

/* The notify the pool sends for block 100000's own coinbase split, parsed and cut as the
 * client does, rebuilds the real header: with the real nonce it hashes to the real block. */
static void test_real_block_byte_order(void)
{
  struct test_pool *tp = pool_up(&(struct test_pool_config){.real_block_job = 1});
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)test_pool_port(tp))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  const char hello[] =
      "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"t\"]}\n"
      "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"tester.rig1\",\"" PASSWORD "\"]}\n";
  CU_ASSERT_EQUAL_FATAL(write(fd, hello, strlen(hello)), (ssize_t)strlen(hello));
  static char buf[65536];
  size_t len = 0;
  struct stratum_session ses = {.difficulty = 1};
  struct stratum_msg notify = {0};
  bool have_notify = false, have_sub = false;
  double give_up = synth_test_now_s() + synth_test_patience_s();
  while (!(have_notify && have_sub) && synth_test_now_s() < give_up) {
    ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, MSG_DONTWAIT);
    if (n > 0)
      len += (size_t)n;
    else
      synth_test_sleep_ms(10);
    char *nl;
    while ((nl = memchr(buf, '\n', len))) {
      struct stratum_msg m;
      char why[256];
      if (stratum_msg_parse(buf, (size_t)(nl - buf), &m, why, sizeof why) == 0) {
        if (m.kind == STRATUM_RESPONSE && m.id == 1) {
          CU_ASSERT_EQUAL(stratum_subscribe_result(m.result, ses.extranonce1, &ses.extranonce1_len,
                                                   &ses.extranonce2_size, why, sizeof why),
                          0);
          have_sub = true;
        }
        if (m.kind == STRATUM_NOTIFY && !have_notify) {
          notify = m;
          have_notify = true;
          m.root = NULL;
          m.kind = STRATUM_UNKNOWN;
        }
        stratum_msg_free(&m);
      }
      len -= (size_t)(nl + 1 - buf);
      memmove(buf, nl + 1, len);
    }
  }
  close(fd);
  CU_ASSERT_FATAL(have_notify && have_sub);
  CU_ASSERT_EQUAL(ses.extranonce1_len, 1);
  CU_ASSERT_EQUAL(ses.extranonce2_size, 2);
  struct synth_job job;
  CU_ASSERT_EQUAL_FATAL(stratum_job_from_notify(notify.u.notify, &ses, true, &job), 0);
  struct synth__mining_job *mj;
  CU_ASSERT_EQUAL_FATAL(synth__mining_job_create(&job, NULL, &mj), 0);
  uint8_t header[80], expect[80], hash[32], want[32];
  synth__mining_job_header(mj, 0x0206, header); /* extranonce2 bytes 06 02 */
  uint32_t nonce = synth_test_b100000.nonce;
  memcpy(header + 76, &nonce, 4); /* little-endian host */
  synth_test_b100000_header(expect);
  CU_ASSERT_EQUAL(memcmp(header, expect, 80), 0);
  SHA256(header, 80, hash);
  SHA256(hash, 32, hash);
  CU_ASSERT_EQUAL(synth_test_b100000_internal(synth_test_b100000.hash_hex, want), 0);
  CU_ASSERT_EQUAL(memcmp(hash, want, 32), 0);
  synth__mining_job_free(mj);
  free(notify.u.notify);
  json_decref(notify.root);
  test_pool_stop(tp);
}

/* ---- misbehaving pools ---- */

/* Client settings that keep the fault tests short: deadlines of a second, quick back-off. */
static struct synth_pool_config quick(void)
{
  return (struct synth_pool_config){.connect_timeout_ms = 1000,
                                    .tls_timeout_ms = 1000,
                                    .subscribe_timeout_ms = 1000,
                                    .authorize_timeout_ms = 1000,
                                    .first_job_timeout_ms = 1000,
                                    .failover_after = 3,
                                    .primary_check_ms = 600000,
                                    .retry_min_ms = 100,
                                    .retry_max_ms = 400};
}

/* A primary that fails in its own way and a healthy backup: the client fails over after
 * failover_after attempts, each said in the log, hashes for the backup, and never sends the
 * primary a share or the backup a share it did not ask for. */
static void fail_over_from(int behaviour, const char *said)
{
  struct test_pool *bad = pool_up(&(struct test_pool_config){.behaviour = behaviour});
  struct test_pool *good = pool_up(NULL);
  struct synth_pool_config cfg = quick();
  struct rig r;
  char url[2][64];
  rig_on_two(&r, bad, good, &cfg, url);
  CU_ASSERT_EQUAL(wait_accepted(good, 3, 60000), 0);
  struct test_pool_stats sb, sg;
  test_pool_stats(bad, &sb);
  test_pool_stats(good, &sg);
  struct synth_pool_stats c = client(&r);
  CU_ASSERT_STRING_EQUAL(c.url, url[1]);
  CU_ASSERT(c.failed_attempts >= 3);
  CU_ASSERT(sb.connections >= 3 && sb.connections <= 4); /* three tries, no more */
  CU_ASSERT_EQUAL(sb.submits, 0);
  CU_ASSERT_EQUAL(rejected(&sg), 0);
  CU_ASSERT_TRUE(log_capture_has(said));
  CU_ASSERT_TRUE(log_capture_has("failing over to"));
  if (!log_capture_has(said))
    fprintf(stderr, "\n    no \"%s\" in the log\n", said);
  rig_stop(&r);
  test_pool_stop(bad);
  test_pool_stop(good);
}

static void test_fail_over_from_a_silent_pool(void)
{
  fail_over_from(TEST_POOL_SILENT, "no answer to mining.subscribe within 1000 ms");
}

static void test_fail_over_from_a_trickling_pool(void)
{
  fail_over_from(TEST_POOL_TRICKLE, "no answer to mining.subscribe within 1000 ms");
}

static void test_fail_over_from_a_closing_pool(void)
{
  fail_over_from(TEST_POOL_CLOSE_AT_ONCE, "closed the connection");
}

static void test_fail_over_from_a_bad_subscribe(void)
{
  fail_over_from(TEST_POOL_BAD_SUBSCRIBE, "mining.subscribe failed");
}

static void test_fail_over_from_a_refused_authorize(void)
{
  fail_over_from(TEST_POOL_REJECT_AUTHORIZE, "not authorized: 24 Unauthorized worker");
}

/* Every pool failing: the client keeps backing off, says so, and its connects stay bounded
 * (an upper bound: a slower machine only connects less). */
static void test_every_pool_failing_backs_off(void)
{
  struct test_pool *a = pool_up(&(struct test_pool_config){.behaviour = TEST_POOL_CLOSE_AT_ONCE});
  struct test_pool *b = pool_up(&(struct test_pool_config){.behaviour = TEST_POOL_CLOSE_AT_ONCE});
  struct synth_pool_config cfg = quick();
  struct rig r;
  char url[2][64];
  double t0 = synth_test_now_s();
  rig_on_two(&r, a, b, &cfg, url);
  SYNTH_TEST_WAIT(log_capture_has("every pool failed"));
  CU_ASSERT_TRUE(log_capture_has("every pool failed"));
  SYNTH_TEST_WAIT(client(&r).connects >= 12);
  double elapsed = synth_test_now_s() - t0;
  struct test_pool_stats sa, sb;
  test_pool_stats(a, &sa);
  test_pool_stats(b, &sb);
  /* The shortest wait is 0.75 x 100 ms, and it grows: never a tight loop. */
  CU_ASSERT((double)(sa.connections + sb.connections) <= 4 + elapsed / 0.075);
  CU_ASSERT_EQUAL(client(&r).connected, 0);
  rig_stop(&r);
  test_pool_stop(a);
  test_pool_stop(b);
}

/* A pool down for a while and back: with its session resumed, the shares kept meanwhile are
 * sent and accepted; with a new extranonce1 they are stale here and never sent. */
static void outage(int resume)
{
  struct test_pool *tp = pool_up(&(struct test_pool_config){.resume_sessions = resume});
  struct rig r;
  struct synth_pool_config cfg = quick();
  char url[64];
  url_of(url, sizeof url, tp, false);
  const char *urls[] = {url};
  rig_start(&r, urls, 1, &cfg);
  CU_ASSERT_EQUAL_FATAL(wait_accepted(tp, 3, 60000), 0);
  test_pool_kill(tp);
  SYNTH_TEST_WAIT(client(&r).kept >= 3); /* the device goes on hashing */
  CU_ASSERT_FATAL(client(&r).kept >= 3);
  if (!resume)
    test_pool_set_extranonce(tp, "a1b2c3d4", 4);
  struct synth_pool_stats before = client(&r);
  CU_ASSERT_EQUAL_FATAL(test_pool_revive(tp), 0);
  CU_ASSERT_EQUAL(wait_accepted(tp, 3, 60000), 0);
  struct test_pool_stats s;
  test_pool_stats(tp, &s);
  CU_ASSERT_EQUAL(rejected(&s), 0); /* nothing invalid, nothing of another session */
  struct synth_pool_stats c = client(&r);
  if (resume) {
    CU_ASSERT(s.sessions_resumed >= 1);
    CU_ASSERT_TRUE(log_capture_has("session resumed"));
  } else {
    CU_ASSERT_EQUAL(s.sessions_resumed, 0);
    CU_ASSERT(c.stale >= before.stale + before.kept); /* the kept ones, not sent */
  }
  rig_and_pool_stop(&r, tp);
}

static void test_outage_session_resumed(void)
{
  outage(1);
}

static void test_outage_new_extranonce(void)
{
  outage(0);
}

/* A difficulty of 1e-300 would make every hash a share: raised to the floor, and at most
 * max_submits_per_s go out, the rest counted. */
static void test_tiny_difficulty(void)
{
  struct test_pool *tp = pool_up(NULL);
  struct synth_pool_config cfg = quick();
  cfg.max_submits_per_s = 50;
  char url[64];
  url_of(url, sizeof url, tp, false);
  const char *urls[] = {url};
  struct rig r;
  rig_start(&r, urls, 1, &cfg);
  CU_ASSERT_EQUAL_FATAL(wait_accepted(tp, 1, 60000), 0);
  test_pool_set_difficulty(tp, 1e-300);
  test_pool_notify(tp, 1);
  SYNTH_TEST_WAIT(log_capture_has("below the floor"));
  CU_ASSERT_TRUE(log_capture_has("below the floor"));
  SYNTH_TEST_WAIT(client(&r).capped > 0);
  CU_ASSERT(client(&r).capped > 0);
  CU_ASSERT_TRUE(log_capture_has("the excess is counted, not sent"));
  struct test_pool_stats s0, s1;
  test_pool_stats(tp, &s0);
  double t0 = synth_test_now_s();
  SYNTH_TEST_WAIT_UNTIL(0, 2.0); /* a window to count in: the bound below is an upper one */
  test_pool_stats(tp, &s1);
  double elapsed = synth_test_now_s() - t0;
  CU_ASSERT((double)(s1.submits - s0.submits) <= 50 * elapsed + 50 + 1);
  rig_and_pool_stop(&r, tp);
}

/* Rejects in every shape pools answer: counted as rejected or stale by what they say, with
 * the reason. */
static void reject_shape(int shape, bool stale, const char *reason)
{
  struct test_pool *tp = pool_up(&(struct test_pool_config){.reject_shape = shape});
  struct rig r;
  rig_on(&r, tp);
  struct test_pool_stats s;
  SYNTH_TEST_WAIT((test_pool_stats(tp, &s), s.submits >= 5));
  SYNTH_TEST_WAIT(client(&r).rejected + client(&r).stale >= 5);
  synth_runtime_stop(r.rt);
  synth_pool_stop(r.pool);
  struct synth_pool_stats c = client(&r);
  uint64_t answered = c.submitted - c.in_flight - c.unanswered;
  CU_ASSERT(answered >= 5);
  CU_ASSERT_EQUAL(c.accepted, 0);
  CU_ASSERT_EQUAL(stale ? c.stale -
                              (c.found - c.submitted - c.kept - c.duplicates - c.capped - c.dropped)
                        : c.rejected,
                  answered);
  CU_ASSERT_EQUAL(stale ? c.rejected : 0, 0);
  CU_ASSERT_EQUAL(c.reject_reasons, 1);
  CU_ASSERT_STRING_EQUAL(c.rejects[0].reason, reason);
  CU_ASSERT_EQUAL(c.rejects[0].count, answered);
  rig_and_pool_stop(&r, tp);
}

static void test_reject_shapes(void)
{
  reject_shape(TEST_POOL_REJECT_ARRAY, false, "23 Low difficulty share");
  reject_shape(TEST_POOL_REJECT_STRING, true, "Stale share");
  reject_shape(TEST_POOL_REJECT_OBJECT, false, "23 Above target");
  reject_shape(TEST_POOL_REJECT_CKPOOL, true, "Stale");
  reject_shape(TEST_POOL_REJECT_HUGE_CODE, false, "9000000000000000000 Odd");
}

/* A job whose version has bits inside the mask (regtest's 0x30000000, a signalling period):
 * every rolled share means the same header whether the pool ORs the bits in or replaces the
 * masked part. */
static void test_version_bits_inside_the_mask(void)
{
  struct test_pool *tp =
      pool_up(&(struct test_pool_config){.version_rolling = 1, .job_version = 0x30000000});
  struct rig r;
  rig_on(&r, tp);
  CU_ASSERT_EQUAL(wait_accepted(tp, 20, 60000), 0);
  struct test_pool_stats s;
  test_pool_stats(tp, &s);
  CU_ASSERT_EQUAL(s.version_readings_differ, 0);
  CU_ASSERT(s.accepted_version_rolled > 0);
  CU_ASSERT_EQUAL(rejected(&s), 0);
  rig_and_pool_stop(&r, tp);
}

/* ---- the command line ---- */

static void run_cli(const char *const *args, struct synth_test_outcome *o)
{
  CU_ASSERT_FATAL(synth_test_run_program(SYNTHMINER_PATH, args, o));
  CU_ASSERT_FALSE(o->timed_out);
}

/* Runs the CLI (at --log-level info) until it logs a share the pool accepted, however long a loaded
 * machine takes: the client has the answer, so its summary counts it. */
static void run_cli_until_accepted(const char *const *args, struct synth_test_outcome *o)
{
  CU_ASSERT_FATAL(
      synth_test_run_until(SYNTHMINER_PATH, args, synth_test_err_has, "share accepted", o));
  CU_ASSERT_FALSE(o->timed_out);
  CU_ASSERT_TRUE(o->signalled);
  CU_ASSERT_FALSE(o->stop_never);
}

/* `synthminer run -o ... -u ... -p ...`: mines for the pool, reports its answers in the JSON
 * summary's pool object, and never shows the password. */
static void test_cli_mines_for_the_pool(void)
{
  struct test_pool *tp = pool_up(NULL);
  char url[64];
  url_of(url, sizeof url, tp, false);
  static struct synth_test_outcome o;
  run_cli_until_accepted((const char *[]){"run", "--devices", "cpu", "--threads", "1", "-o", url,
                                          "-u", "tester.rig1", "-p", PASSWORD, "--no-api",
                                          "--status-interval", "0", "--json", "--log-level", "info",
                                          NULL},
                         &o);
  json_t *root = synth_test_outcome_json(&o);
  json_t *pool = json_object_get(root, "pool");
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(pool, "url")), url);
  json_int_t accepted = json_integer_value(json_object_get(pool, "accepted"));
  CU_ASSERT(accepted > 0);
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(pool, "rejected")), 0);
  /* Every figure is a count, and they agree: answers never exceed what was sent. */
  json_t *stale = json_object_get(pool, "stale"), *submitted = json_object_get(pool, "submitted");
  CU_ASSERT_TRUE(json_is_integer(stale) && json_is_integer(submitted));
  CU_ASSERT(json_integer_value(stale) >= 0);
  CU_ASSERT(accepted + json_integer_value(json_object_get(pool, "rejected")) <=
            json_integer_value(submitted));
  /* The summary's ledger: every share found is accepted, rejected, stale or unsent. */
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(pool, "found")),
                  accepted + json_integer_value(json_object_get(pool, "rejected")) +
                      json_integer_value(stale) +
                      json_integer_value(json_object_get(pool, "unsent")));
  CU_ASSERT_TRUE(json_is_object(json_object_get(pool, "rejects")));
  json_t *d = json_array_get(json_object_get(root, "devices"), 0);
  CU_ASSERT(json_integer_value(json_object_get(d, "accepted")) > 0);
  json_decref(root);
  struct test_pool_stats s;
  test_pool_stats(tp, &s);
  CU_ASSERT((json_int_t)s.accepted >= accepted);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "accepted"));
  CU_ASSERT_PTR_NULL(strstr(o.out, PASSWORD));
  CU_ASSERT_PTR_NULL(strstr(o.err, PASSWORD));

  /* The same from a config file. */
  char cfg[] = "/tmp/synth-pool-XXXXXX";
  int fd = mkstemp(cfg);
  CU_ASSERT_FATAL(fd >= 0);
  char body[512];
  int n = snprintf(body, sizeof body,
                   "{\"pools\": [\"stratum+tcp://127.0.0.1:1\", {\"url\": \"%s\"}],"
                   " \"user\": \"tester.rig1\", \"pass\": \"%s\"}",
                   url, PASSWORD);
  CU_ASSERT_EQUAL_FATAL(write(fd, body, (size_t)n), n);
  close(fd);
  unsigned before = s.accepted;
  /* The first pool is down: it fails over to the second and mines there. */
  run_cli_until_accepted((const char *[]){"run", "--devices", "cpu", "--threads", "1", "-c", cfg,
                                          "--no-api", "--status-interval", "0", "--log-level",
                                          "info", NULL},
                         &o);
  CU_ASSERT_EQUAL(o.status, 0);
  test_pool_stats(tp, &s);
  CU_ASSERT(s.accepted > before);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "127.0.0.1:1"));
  unlink(cfg);
  test_pool_stop(tp);
}

/* --pool-timeout and --failover-after reach the client: a silent primary is given up after two
 * attempts of half a second each, and the backup mines. */
static void test_cli_pool_deadlines(void)
{
  struct test_pool *bad = pool_up(&(struct test_pool_config){.behaviour = TEST_POOL_SILENT});
  struct test_pool *good = pool_up(NULL);
  char ua[64], ub[64];
  url_of(ua, sizeof ua, bad, false);
  url_of(ub, sizeof ub, good, false);
  static struct synth_test_outcome o;
  run_cli_until_accepted((const char *[]){"run",
                                          "--devices",
                                          "cpu",
                                          "--threads",
                                          "1",
                                          "-o",
                                          ua,
                                          "-o",
                                          ub,
                                          "-u",
                                          "tester.rig1",
                                          "-p",
                                          PASSWORD,
                                          "--pool-timeout",
                                          "500",
                                          "--failover-after",
                                          "2",
                                          "--no-api",
                                          "--status-interval",
                                          "0",
                                          "--log-level",
                                          "info",
                                          NULL},
                         &o);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "no answer to mining.subscribe within 500 ms"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "failed 2 times in a row: failing over to"));
  struct test_pool_stats s;
  test_pool_stats(bad, &s);
  CU_ASSERT_EQUAL(s.connections, 2);
  CU_ASSERT_EQUAL(s.submits, 0);
  test_pool_stop(bad);
  test_pool_stop(good);
}

static void expect_usage(const char *const *args, const char *mentions)
{
  static struct synth_test_outcome o;
  run_cli(args, &o);
  CU_ASSERT_EQUAL(o.status, 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, mentions));
  if (o.status != 2 || !strstr(o.err, mentions))
    fprintf(stderr, "\n    stderr was: %s\n", o.err);
}

static void test_cli_bad_pool_settings(void)
{
  expect_usage((const char *[]){"run", "-u", "w", NULL}, "need a pool");
  expect_usage((const char *[]){"run", "-o", "stratum+tcp://127.0.0.1:3333", NULL}, "worker name");
  expect_usage((const char *[]){"run", "-o", "ftp://pool:3333", "-u", "w", NULL},
               "stratum+tcp://HOST:PORT");
  expect_usage((const char *[]){"run", "-o", "stratum+tcp://pool", "-u", "w", NULL}, "port");
  expect_usage((const char *[]){"run", "-o", "stratum+tcp://127.0.0.1:3333", "-u", "w",
                                "--difficulty", "1", NULL},
               "--difficulty");
  expect_usage((const char *[]){"run", "-c", "/nonexistent/pool.json", NULL}, "--config");
  char cfg[] = "/tmp/synth-pool-XXXXXX";
  int fd = mkstemp(cfg);
  CU_ASSERT_FATAL(fd >= 0);
  const char body[] = "{\"pools\": [\"stratum+tcp://127.0.0.1:3333\"], \"usr\": \"typo\"}";
  CU_ASSERT_EQUAL_FATAL(write(fd, body, sizeof body - 1), (ssize_t)sizeof body - 1);
  close(fd);
  expect_usage((const char *[]){"run", "-c", cfg, NULL}, "unknown key \"usr\"");
  unlink(cfg);
}

/* ---- handing a runtime over from one client to another ---- */

struct relay {
  synth_runtime *rt;
  _Atomic(synth_pool *) old, new;
};

/* Each share to the client whose job it was found on, as synthminer's reload does. */
static void relay_share(void *user, const struct synth_share *share)
{
  struct relay *r = user;
  synth_pool *n = atomic_load(&r->new);
  synth_pool_submit(n && synth_pool_owns(n, share) ? n : atomic_load(&r->old), share);
}

static struct synth_pool_stats stats_of(synth_pool *p)
{
  struct synth_pool_stats s;
  synth_pool_stats(p, &s, sizeof s);
  return s;
}

static synth_pool *client_of(synth_runtime *rt, const struct test_pool *tp, int standby)
{
  char url[64];
  url_of(url, sizeof url, tp, false);
  const char *urls[] = {url};
  struct synth_pool_config pc = {.urls = urls,
                                 .url_count = 1,
                                 .user = "tester.rig1",
                                 .password = PASSWORD,
                                 .log_fn = log_capture_fn,
                                 .log_level = SYNTH_LOG_DEBUG,
                                 .standby = standby};
  synth_pool *p = NULL;
  CU_ASSERT_EQUAL(synth_pool_create(&p, rt, &pc), 0);
  return p;
}

/* A standby client takes jobs but sets none; drained, the old one sets no job again yet sends
 * its shares and counts their answers; activated, the new one's job is hashed at once. Every
 * share goes to the pool whose job it was: neither pool rejects one, none is left unanswered. */
static void test_handover_between_clients(void)
{
  log_capture_clear();
  struct test_pool *a = pool_up(NULL), *b = pool_up(NULL);
  struct relay r = {0};
  CU_ASSERT_EQUAL_FATAL(capture_miner_create(&r.rt, relay_share, &r), 0);
  synth_pool *old = client_of(r.rt, a, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(old);
  atomic_store(&r.old, old);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_start(r.rt), 0);
  CU_ASSERT_EQUAL_FATAL(synth_pool_start(old), 0);
  CU_ASSERT_EQUAL_FATAL(wait_accepted(a, 3, 60000), 0);
  CU_ASSERT_STRING_EQUAL(stats_of(old).role, "active");

  synth_pool *next = client_of(r.rt, b, 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(next);
  atomic_store(&r.new, next);
  uint32_t serial = synth_runtime_job_serial(r.rt);
  CU_ASSERT_EQUAL_FATAL(synth_pool_start(next), 0);
  SYNTH_TEST_WAIT(stats_of(next).jobs > 0);
  CU_ASSERT(stats_of(next).jobs > 0);
  CU_ASSERT_STRING_EQUAL(stats_of(next).role, "standby");
  CU_ASSERT_EQUAL(synth_runtime_job_serial(r.rt), serial); /* standby: nothing set */
  struct test_pool_stats sb;
  test_pool_stats(b, &sb);
  CU_ASSERT_EQUAL(sb.submits, 0);

  synth_pool_drain(old);
  CU_ASSERT_EQUAL(synth_pool_activate(next), 0);
  CU_ASSERT_EQUAL(synth_pool_activate(old), SYNTH_ESTATE);
  CU_ASSERT_STRING_EQUAL(stats_of(old).role, "draining");
  CU_ASSERT_STRING_EQUAL(stats_of(next).role, "active");
  uint32_t switched = synth_runtime_job_serial(r.rt);
  CU_ASSERT_NOT_EQUAL(switched, serial);
  CU_ASSERT_EQUAL(wait_accepted(b, 3, 60000), 0);
  /* The old pool's next job reaches its client, not the runtime. */
  uint64_t jobs = stats_of(old).jobs;
  test_pool_notify(a, 0);
  SYNTH_TEST_WAIT(stats_of(old).jobs > jobs);
  CU_ASSERT(stats_of(old).jobs > jobs);
  CU_ASSERT_EQUAL(synth_runtime_job_serial(r.rt), switched);
  SYNTH_TEST_WAIT(stats_of(old).in_flight == 0 && stats_of(old).kept == 0);

  synth_runtime_stop(r.rt);
  synth_pool_stop(old);
  synth_pool_stop(next);
  struct synth_pool_stats o = stats_of(old), n = stats_of(next);
  check_share_ledger(&o);
  check_share_ledger(&n);
  CU_ASSERT_EQUAL(o.unanswered, 0);
  CU_ASSERT_EQUAL(o.dropped, 0);
  CU_ASSERT_EQUAL(n.unanswered + n.dropped, 0);
  CU_ASSERT(n.accepted >= 3);
  struct test_pool_stats sa;
  test_pool_stats(a, &sa);
  test_pool_stats(b, &sb);
  CU_ASSERT_EQUAL(rejected(&sa), 0); /* no share of one pool's jobs went to the other */
  CU_ASSERT_EQUAL(rejected(&sb), 0);
  CU_ASSERT_EQUAL(o.accepted, sa.accepted);
  synth_pool_destroy(old);
  synth_pool_destroy(next);
  synth_runtime_destroy(r.rt);
  test_pool_stop(a);
  test_pool_stop(b);
}

SYNTH_TEST_MAIN(
    "stratum", SYNTH_TEST(test_real_block_byte_order), SYNTH_TEST(test_session_and_version_rolling),
    SYNTH_TEST(test_difficulty_and_clean_switches), SYNTH_TEST(test_extranonce_change),
    SYNTH_TEST(test_pool_killed_and_revived), SYNTH_TEST(test_failover_and_return),
    SYNTH_TEST(test_reconnect_request), SYNTH_TEST(test_hostile_messages), SYNTH_TEST(test_tls),
    SYNTH_TEST(test_fail_over_from_a_silent_pool), SYNTH_TEST(test_fail_over_from_a_trickling_pool),
    SYNTH_TEST(test_fail_over_from_a_closing_pool), SYNTH_TEST(test_fail_over_from_a_bad_subscribe),
    SYNTH_TEST(test_fail_over_from_a_refused_authorize),
    SYNTH_TEST(test_every_pool_failing_backs_off), SYNTH_TEST(test_outage_session_resumed),
    SYNTH_TEST(test_outage_new_extranonce), SYNTH_TEST(test_tiny_difficulty),
    SYNTH_TEST(test_reject_shapes), SYNTH_TEST(test_version_bits_inside_the_mask),
    SYNTH_TEST(test_cli_mines_for_the_pool), SYNTH_TEST(test_cli_pool_deadlines),
    SYNTH_TEST(test_cli_bad_pool_settings), SYNTH_TEST(test_handover_between_clients))
