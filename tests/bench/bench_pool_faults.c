/* bench_pool_faults.c: the pool client against a failing primary and a healthy backup, with the
 * client's default deadlines, back-off and failover: for each kind of failure, the time from
 * start to the first share the backup accepts, connects to the failing pool per minute after
 * the first minute, and shares sent where they were invalid. Then a pool killed for 3 s: how
 * soon after it is back the client is, and whether the shares kept meanwhile are accepted.
 * Every case runs at once, each with its own runtime (one CPU worker) and pools.
 *
 *   bench_pool_faults [seconds]     (default 150: two minutes and a half)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/harness.h"
#include "support/test_pool.h"
#include "synth/synth.h"

struct fault_case {
  const char *name;
  int behaviour;
  double seconds;
  /* results */
  double first_accept_s; /* -1: never */
  unsigned connects_first_min, connects_after, invalid;
  double after_minutes;
};

struct outage_case {
  double seconds_back;       /* from revive to the client subscribed again */
  unsigned kept, resumed_ok; /* shares kept during the outage; accepted after it */
  unsigned invalid;
};

static void on_share(void *user, const struct synth_share *share)
{
  synth_pool_submit(*(synth_pool **)user, share);
}

static unsigned invalid_shares(const struct test_pool_stats *s)
{
  return s->rejected_duplicate + s->rejected_low_difficulty + s->rejected_bad_job +
         s->rejected_malformed + s->rejected_other;
}

/* Starts a runtime and a client; *t0: when the client started (the runtime's start-up, with
 * its CPU self-benchmark, is not the client's time). */
/* A one-worker rig mining for the loopback pools in order (at most two; the client copies the
 * URLs); *t0 is when the client starts. */
static int start_rig(struct test_pool *const *pools, size_t n, synth_runtime **rt,
                     synth_pool **pool, double *t0)
{
  char url[2][64];
  const char *urls[2];
  for (size_t i = 0; i < n; i++) {
    snprintf(url[i], sizeof url[i], "stratum+tcp://127.0.0.1:%u", test_pool_port(pools[i]));
    urls[i] = url[i];
  }
  struct synth_runtime_config rc = {.devices = "cpu", .device_options = "cpu.threads=1"};
  if (synth_miner_create(rt, &rc, &(struct synth_miner_config){on_share, pool}) != 0)
    return -1;
  struct synth_pool_config cfg = {.urls = urls, .url_count = n, .user = "bench"};
  if (synth_pool_create(pool, *rt, &cfg) != 0 || synth_runtime_start(*rt) != 0)
    return -1;
  *t0 = synth_test_now_s();
  return synth_pool_start(*pool) != 0 ? -1 : 0;
}

static void stop_rig(synth_runtime *rt, synth_pool *pool)
{
  synth_runtime_stop(rt);
  synth_pool_destroy(pool);
  synth_runtime_destroy(rt);
}

static void *run_fault(void *arg)
{
  struct fault_case *fc = arg;
  struct test_pool *bad, *good;
  struct test_pool_config bc = {.difficulty = 1.0 / 8192, .behaviour = fc->behaviour};
  struct test_pool_config gc = {.difficulty = 1.0 / 8192};
  fc->first_accept_s = -1;
  if (test_pool_start(&bad, &bc) != 0 || test_pool_start(&good, &gc) != 0)
    return NULL;
  synth_runtime *rt;
  synth_pool *pool = NULL;
  double t0;
  if (start_rig((struct test_pool *[]){bad, good}, 2, &rt, &pool, &t0) != 0)
    return NULL;
  struct test_pool_stats s;
  unsigned at_minute = 0;
  bool minute_seen = false;
  while (synth_test_now_s() - t0 < fc->seconds) {
    test_pool_stats(good, &s);
    if (fc->first_accept_s < 0 && s.accepted > 0)
      fc->first_accept_s = synth_test_now_s() - t0;
    if (!minute_seen && synth_test_now_s() - t0 >= 60) {
      struct test_pool_stats b;
      test_pool_stats(bad, &b);
      at_minute = b.connections;
      minute_seen = true;
    }
    synth_test_sleep_ms(5);
  }
  double end = synth_test_now_s() - t0;
  struct test_pool_stats b;
  test_pool_stats(bad, &b);
  test_pool_stats(good, &s);
  fc->connects_first_min = at_minute;
  fc->connects_after = b.connections - at_minute;
  fc->after_minutes = (end - 60) / 60;
  fc->invalid = invalid_shares(&s) + invalid_shares(&b) + b.submits;
  stop_rig(rt, pool);
  test_pool_stop(bad);
  test_pool_stop(good);
  return NULL;
}

static void *run_outage(void *arg)
{
  struct outage_case *oc = arg;
  struct test_pool *tp;
  struct test_pool_config pc = {.difficulty = 1.0 / 8192, .resume_sessions = 1};
  if (test_pool_start(&tp, &pc) != 0)
    return NULL;
  synth_runtime *rt;
  synth_pool *pool = NULL;
  double t0;
  if (start_rig(&tp, 1, &rt, &pool, &t0) != 0)
    return NULL;
  struct test_pool_stats s;
  do {
    synth_test_sleep_ms(5);
    test_pool_stats(tp, &s);
  } while (s.accepted < 3);
  test_pool_kill(tp);
  synth_test_sleep_ms(3000);
  struct synth_pool_stats c;
  synth_pool_stats(pool, &c, sizeof c);
  oc->kept = (unsigned)c.kept;
  unsigned accepted_before = s.accepted, subscribes = s.subscribes;
  test_pool_revive(tp);
  double back = synth_test_now_s();
  do {
    synth_test_sleep_ms(1);
    test_pool_stats(tp, &s);
  } while (s.subscribes == subscribes && synth_test_now_s() - back < 120);
  oc->seconds_back = synth_test_now_s() - back;
  double wait = synth_test_now_s();
  do { /* the kept shares go out right after authorize */
    synth_test_sleep_ms(5);
    test_pool_stats(tp, &s);
  } while (s.accepted < accepted_before + oc->kept && synth_test_now_s() - wait < 30);
  oc->resumed_ok = s.accepted - accepted_before;
  oc->invalid = invalid_shares(&s);
  stop_rig(rt, pool);
  test_pool_stop(tp);
  return NULL;
}

int main(int argc, char **argv)
{
  double seconds = argc > 1 ? atof(argv[1]) : 150;
  if (seconds < 70) {
    fprintf(stderr, "usage: bench_pool_faults [seconds >= 70]\n");
    return 2;
  }
  struct fault_case cases[] = {
      {"silent (accepts TCP, never answers)", TEST_POOL_SILENT, seconds},
      {"trickle (one byte a second)", TEST_POOL_TRICKLE, seconds},
      {"closes at once", TEST_POOL_CLOSE_AT_ONCE, seconds},
      {"malformed subscribe result", TEST_POOL_BAD_SUBSCRIBE, seconds},
      {"authorize rejected", TEST_POOL_REJECT_AUTHORIZE, seconds},
  };
  enum { N = sizeof cases / sizeof cases[0] };
  pthread_t th[N + 1];
  struct outage_case outage = {0};
  for (int i = 0; i < N; i++)
    pthread_create(&th[i], NULL, run_fault, &cases[i]);
  pthread_create(&th[N], NULL, run_outage, &outage);
  for (int i = 0; i <= N; i++)
    pthread_join(th[i], NULL);
  printf("| primary's failure | first accepted share on the backup | connects to it in the first "
         "minute | per minute after | shares sent invalid |\n|---|---|---|---|---|\n");
  for (int i = 0; i < N; i++)
    printf("| %s | %.2f s | %u | %.1f | %u |\n", cases[i].name, cases[i].first_accept_s,
           cases[i].connects_first_min, cases[i].connects_after / cases[i].after_minutes,
           cases[i].invalid);
  printf("\npool killed for 3 s: back %.2f s after it returned; %u shares kept, %u accepted "
         "after; %u invalid\n",
         outage.seconds_back, outage.kept, outage.resumed_ok, outage.invalid);
  return 0;
}
