/* consumer.c: a program built against an installed synth, as a user's would be: public
 * headers only, linked through pkg-config or CMake's find_package. It checks the version it
 * was compiled against is the one it runs with, and hashes a little SHA-256d work. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <synth/synth.h>

static atomic_uint hits;

static void on_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device)
{
  (void)user, (void)index, (void)device;
  if (v->meets_target)
    atomic_fetch_add(&hits, 1);
}

int main(void)
{
  if (synth_version() != SYNTH_VERSION_HEX) {
    fprintf(stderr, "consumer: built against %06x, running %06x\n", SYNTH_VERSION_HEX,
            synth_version());
    return 1;
  }
  struct synth_runtime_config cfg = {.devices = "cpu", .device_options = "cpu.threads=1"};
  synth_runtime *rt;
  int rc;
  if ((rc = synth_miner_create(&rt, &cfg, NULL)) != 0 || (rc = synth_runtime_start(rt)) != 0) {
    fprintf(stderr, "consumer: %s\n", synth_strerror(rc));
    return 1;
  }
  struct synth_job job;
  synth_benchmark_job(&job, 1.0 / 65536);
  struct synth_work_config wc = {
      .data = &job, .data_size = sizeof job, .start = 0, .end = 1u << 22, .on_hit = on_hit};
  synth_work *w;
  if ((rc = synth_runtime_submit(rt, &wc, &w)) != 0 || (rc = synth_work_wait(w, 60000)) != 0) {
    fprintf(stderr, "consumer: %s\n", synth_strerror(rc));
    return 1;
  }
  unsigned long long hashed = (unsigned long long)synth_work_hashed(w);
  synth_work_release(w);
  synth_runtime_destroy(rt);
  printf("synth %s: %llu hashed, %u hits\n", synth_version_string(), hashed, atomic_load(&hits));
  return hashed == 1u << 22 && atomic_load(&hits) > 0 ? 0 : 1;
}
