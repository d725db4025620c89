/* preimage64.c: a workload of one's own on every device kind: preimages of a 64-bit hash.
 *
 *   preimage64 [--devices LIST] [--start S] [--count N] [--bits B] [--key K] [--check]
 *
 * Hashes indexes [S, S + N) under key K and reports those whose hash matches, in its top B bits,
 * the hash of a planted index (the middle of the range): that one is always found, and about
 * N / 2^B more by chance. Every hit is re-checked with the C reference; --check also hashes the
 * whole range here and requires exactly the same hits. Exits 0 only when all is right and every
 * device kind LIST names hashed something.
 *
 * Hits must stay rare: a batch reports at most SYNTH_BATCH_MAX_HITS (1024) and a big GPU's batch
 * can cover 2^31 indexes, so keep B at 22 or more for long ranges on fast devices. A device whose
 * batches found more than they could report fails the run.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <synth/synth.h>

#include "preimage64_args.h"
#include "preimage64_hits.h"
#include "preimage64_workload.h"

static void on_log(void *user, enum synth_log_level level, const char *message)
{
  (void)user;
  static const char *const names[] = {"error", "warn", "info", "debug"};
  fprintf(stderr, "[%s] %s\n", level <= SYNTH_LOG_DEBUG ? names[level] : "?", message);
}

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The device kinds a list names, as bits 1 << kind; 0 for "all" (any device will do). */
static unsigned named_kinds(const char *list)
{
  static const char *const kinds[] = {"cpu", "opencl", "vulkan"};
  unsigned bits = 0;
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ",");
    if (len == 3 && strncmp(p, "all", 3) == 0)
      return 0;
    for (unsigned k = 0; k < 3; k++) {
      size_t n = strlen(kinds[k]);
      if (len >= n && strncmp(p, kinds[k], n) == 0 && (len == n || p[n] == ':'))
        bits |= 1u << k;
    }
    p += len + (p[len] == ',');
  }
  return bits;
}

/* The workload's known answer, reproduced by the reference: it says exactly those hits. */
static int known_answer_holds(void)
{
  const struct synth_workload *wl = preimage64_workload();
  uint64_t payload[SYNTH_PAYLOAD_MAX / 8];
  struct synth_known_answer ka;
  wl->known_answer(payload, &ka);
  size_t found = 0;
  for (uint64_t i = ka.nonce_start; i < (uint64_t)ka.nonce_start + ka.count; i++) {
    struct synth_verdict v;
    wl->verify(payload, (uint32_t)i, &v);
    if (v.meets_target && (found >= ka.n_expect || ka.expect[found++] != i))
      return 0;
  }
  return found == ka.n_expect;
}

int main(int argc, char **argv)
{
  const char *devices = "all";
  uint64_t start = (3ull << 32) - (1ull << 26); /* crosses from roll 2 into roll 3 */
  uint64_t count = 1ull << 28, key = 0x243f6a8885a308d3ull;
  unsigned bits = 22;
  int check = 0;
  const struct arg args[] = {
      {"--devices", ARG_TEXT, &devices},
      {"--start", ARG_U64, &start},
      {"--count", ARG_U64, &count},
      {"--bits", ARG_UINT, &bits},
      {"--key", ARG_U64, &key},
      {"--check", ARG_FLAG, &check},
      {NULL, ARG_FLAG, NULL},
  };
  if (args_parse(argc, argv, args) != 0 || count == 0 || start + count < start || bits < 1 ||
      bits > 64)
    return args_usage("preimage64 [--devices LIST] [--start S] [--count N] [--bits B] [--key K] "
                      "[--check]");

  /* The target is a planted index's hash, so the search has at least that one answer. */
  const uint64_t planted = start + count / 2;
  struct preimage64_job job = {.key = key, .mask = preimage64_mask(bits)};
  job.target = preimage64_hash(key, planted) & job.mask;
  printf("preimage64: indexes [%#" PRIx64 ", %#" PRIx64 "), key %#" PRIx64 ", top %u bits of "
         "%016" PRIx64 " (planted at %#" PRIx64 ")\n",
         start, start + count, key, bits, job.target, planted);

  struct synth_runtime_config cfg = {
      .devices = devices,
      .workload = preimage64_workload(),
      .log_fn = on_log,
      .log_level = SYNTH_LOG_WARN,
  };
  synth_runtime *rt;
  int rc = synth_runtime_create(&rt, &cfg);
  if (rc != 0) {
    fprintf(stderr, "synth_runtime_create: %s\n", synth_strerror(rc));
    return 1;
  }
  static struct hits got = PREIMAGE64_HITS_INIT;
  struct synth_work_config wc = {.data = &job,
                                 .data_size = sizeof job,
                                 .start = start,
                                 .end = start + count,
                                 .on_hit = hits_on_hit,
                                 .user = &got};
  synth_work *work = NULL;
  double t0 = now_s();
  if ((rc = synth_runtime_start(rt)) != 0 || (rc = synth_runtime_submit(rt, &wc, &work)) != 0) {
    fprintf(stderr, "synth: %s\n", synth_strerror(rc));
    synth_runtime_destroy(rt);
    return 1;
  }
  rc = synth_work_wait(work, 3600u * 1000u);
  double seconds = now_s() - t0;
  uint64_t hashed = synth_work_hashed(work);
  synth_work_release(work);
  synth_runtime_stop(rt); /* no on_hit after this: got is ours */
  int ok = rc == 0 && hashed == count && !got.lost;
  if (rc != 0)
    fprintf(stderr, "synth_work_wait: %s\n", synth_strerror(rc));
  if (hashed != count)
    fprintf(stderr, "%" PRIu64 " of %" PRIu64 " indexes hashed\n", hashed, count);

  /* Per device: what it hashed, and at what rate over the work's wall time. */
  unsigned ndev = synth_runtime_device_count(rt), kinds_hashed = 0;
  char(*ids)[32] = calloc(ndev ? ndev : 1, sizeof *ids);
  printf("%" PRIu64 " indexes in %.2f s: %.2f MH/s\n", hashed, seconds, hashed / seconds / 1e6);
  for (unsigned d = 0; d < ndev; d++) {
    struct synth_device_stats st;
    if (synth_runtime_device_stats(rt, d, &st, sizeof st) != 0)
      continue;
    if (ids)
      snprintf(ids[d], sizeof ids[d], "%s", st.id);
    if (st.nonces > 0)
      kinds_hashed |= 1u << st.kind;
    printf("  %-10s %12" PRIu64 " nonces %5" PRIu64 " batches %9.2f MH/s  %s (%s)\n", st.id,
           st.nonces, st.batches, st.nonces / seconds / 1e6, st.name, st.engine);
    if (st.hits_overflowed) {
      fprintf(stderr, "%s: %" PRIu64 " hits more than its batches could report: use more bits\n",
              st.id, st.hits_overflowed);
      ok = 0;
    }
  }
  unsigned wanted = named_kinds(devices);
  if (kinds_hashed == 0 || (wanted & ~kinds_hashed) != 0) {
    fprintf(stderr, "a device kind that was asked for hashed nothing\n");
    ok = 0;
  }

  /* Every hit: inside the range, once, and what the reference says. */
  hits_sort(&got);
  int planted_found = 0;
  for (size_t i = 0; i < got.n; i++) {
    const struct hit *h = &got.v[i];
    uint64_t ref = preimage64_hash(key, h->index);
    int good = h->index >= start && h->index - start < count && h->hash == ref &&
               preimage64_matches(&job, ref) && (i == 0 || h->index != got.v[i - 1].index);
    printf("hit: index %#" PRIx64 " hash %016" PRIx64 " device %u (%s)%s%s\n", h->index, h->hash,
           h->device, ids && h->device < ndev ? ids[h->device] : "?",
           h->index == planted ? " planted" : "", good ? "" : " WRONG");
    ok &= good;
    planted_found |= h->index == planted;
  }
  if (!planted_found) {
    fprintf(stderr, "the planted index was not found\n");
    ok = 0;
  }
  if (check) {
    size_t n = 0;
    int same = hits_match_reference(&got, &job, start, count, &n);
    printf("check: the reference finds %zu hits in the range: %s\n", n,
           same ? "the same" : "DIFFERENT");
    int ka = known_answer_holds();
    if (!ka)
      fprintf(stderr, "check: the known answer does not hold\n");
    ok &= same && ka;
  }
  printf("%zu hits: %s\n", got.n, ok ? "ok" : "FAILED");
  free(ids);
  free(got.v);
  synth_runtime_destroy(rt);
  return ok ? 0 : 1;
}
