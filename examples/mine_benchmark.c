/* mine_benchmark.c: the smallest embedding: mine the built-in benchmark job and print shares.
 *
 *   mine_benchmark [seconds]     (default 3)
 *
 * Mines for that long, and on until the first share if none came yet (a slow or busy machine),
 * for at most two minutes more. Exits 0 when at least one share was found and verified, 1
 * otherwise. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <synth/synth.h>

static atomic_uint shares;

/* Called on the device thread that found the share: keep it short. */
static void on_share(void *user, const struct synth_share *share)
{
  (void)user;
  atomic_fetch_add(&shares, 1);
  printf("share: job %s, device %u, nonce %08x, difficulty %.4g\n", share->job_id, share->device,
         share->nonce, share->difficulty);
}

static void on_log(void *user, enum synth_log_level level, const char *message)
{
  (void)user;
  fprintf(stderr, "[%d] %s\n", (int)level, message);
}

int main(int argc, char **argv)
{
  int seconds = argc > 1 ? atoi(argv[1]) : 3;
  struct synth_runtime_config cfg = {
      .devices = "all",
      .log_fn = on_log,
      .log_level = SYNTH_LOG_WARN,
  };
  struct synth_miner_config miner = {.share_fn = on_share};
  synth_runtime *rt;
  int rc = synth_miner_create(&rt, &cfg, &miner);
  if (rc != 0) {
    fprintf(stderr, "synth_miner_create: %s\n", synth_strerror(rc));
    return 1;
  }
  struct synth_job job;
  synth_benchmark_job(&job, 1.0 / 65536); /* easy: several shares a second per core */
  if ((rc = synth_runtime_start(rt)) != 0 || (rc = synth_runtime_set_job(rt, &job)) != 0) {
    fprintf(stderr, "synth: %s\n", synth_strerror(rc));
    synth_runtime_destroy(rt);
    return 1;
  }
  const struct timespec tick = {0, 10 * 1000 * 1000};
  long ticks = (seconds > 0 ? seconds : 1) * 100L, more = 120 * 100L;
  for (long t = 0; t < ticks || (atomic_load(&shares) == 0 && t < ticks + more); t++)
    nanosleep(&tick, NULL);
  synth_runtime_stop(rt);

  unsigned verified = 0;
  for (unsigned i = 0; i < synth_runtime_device_count(rt); i++) {
    struct synth_device_stats st;
    synth_runtime_device_stats(rt, i, &st, sizeof st);
    printf("%s (%s): %.2f MH/s, %llu shares\n", st.id, st.name, st.hashrate / 1e6,
           (unsigned long long)st.hits_verified);
    verified += (unsigned)st.hits_verified;
  }
  synth_runtime_destroy(rt);
  printf("%u shares delivered, %u verified\n", atomic_load(&shares), verified);
  return verified > 0 && verified == atomic_load(&shares) ? 0 : 1;
}
