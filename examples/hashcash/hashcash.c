/* hashcash.c: a hashcash-style proof of work on every device the runtime drives: the indexes of
 * a finite range whose SHA-256(data ‖ index as 8 bytes big-endian) starts with N zero bits.
 *
 *   hashcash [--devices LIST] [--bits N] [--start S] [--count C] [--first] [--check]
 *            [--every-device] [--quiet] DATA
 *
 * Prints each hit as it is found, then what each device hashed. --first stops at the first hit
 * (the proof of work); otherwise the whole range is searched. Every hit is re-hashed from DATA
 * by the reference; --check also hashes the whole range on this thread and requires exactly
 * the same hits; --every-device requires every device to have hashed part of the range.
 * Exits 0 when all of that holds (and, with --first, a hit was found). */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <synth/synth.h>

#include "hashcash_workload.h"

#define HITS_MAX 100000

struct options {
  const char *devices, *data;
  unsigned bits;
  uint64_t start, count;
  int first, check, every_device, quiet;
};

/* What the hit callback shares with main: device threads call it concurrently. */
struct found {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  synth_runtime *rt;
  int quiet;
  uint64_t *hits;
  size_t n, dropped;
};

static void on_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device)
{
  struct found *f = user;
  struct synth_device_stats st;
  synth_runtime_device_stats(f->rt, device, &st, sizeof st);
  pthread_mutex_lock(&f->lock);
  if (f->n < HITS_MAX)
    f->hits[f->n++] = index;
  else
    f->dropped++;
  if (!f->quiet) {
    printf("hit: index %" PRIu64 " (0x%016" PRIx64 ") on %s, hash ", index, index, st.id);
    for (int i = 0; i < 32; i++)
      printf("%02x", v->hash[i]);
    printf("\n");
  }
  pthread_cond_signal(&f->cond);
  pthread_mutex_unlock(&f->lock);
}

static void on_log(void *user, enum synth_log_level level, const char *message)
{
  (void)user;
  fprintf(stderr, "synth %s: %s\n",
          level == SYNTH_LOG_ERROR  ? "error"
          : level == SYNTH_LOG_WARN ? "warning"
                                    : "note",
          message);
}

static int usage(const char *why)
{
  fprintf(stderr,
          "hashcash: %s\nusage: hashcash [--devices LIST] [--bits N] [--start S] [--count C] "
          "[--first] [--check] [--every-device] [--quiet] DATA\n",
          why);
  return 2;
}

static int number(const char *s, uint64_t *out)
{
  char *end;
  if (!s || !*s || *s == '-')
    return -1;
  *out = strtoull(s, &end, 0);
  return *end ? -1 : 0;
}

static int parse(int argc, char **argv, struct options *o)
{
  *o = (struct options){.devices = "all", .bits = 24, .count = 1ull << 28};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    uint64_t n;
    if (!strcmp(a, "--devices") && v)
      o->devices = v, i++;
    else if (!strcmp(a, "--bits") && !number(v, &n) && n <= HASHCASH_BITS_MAX)
      o->bits = (unsigned)n, i++;
    else if (!strcmp(a, "--start") && !number(v, &n))
      o->start = n, i++;
    else if (!strcmp(a, "--count") && !number(v, &n) && n > 0)
      o->count = n, i++;
    else if (!strcmp(a, "--first"))
      o->first = 1;
    else if (!strcmp(a, "--check"))
      o->check = 1;
    else if (!strcmp(a, "--every-device"))
      o->every_device = 1;
    else if (!strcmp(a, "--quiet"))
      o->quiet = 1;
    else if (a[0] != '-' && !o->data)
      o->data = a;
    else
      return usage(a[0] == '-' ? "a bad option or value" : "one DATA only");
  }
  if (!o->data)
    return usage("no DATA");
  if (o->start + o->count < o->start && o->start + o->count != 0)
    return usage("the range runs past 2^64");
  return 0;
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Every hit re-hashed from the data; with check, the range's hits by the reference too. */
static int verify_hits(const struct options *o, const struct hashcash_job *job, struct found *f)
{
  int bad = 0;
  uint8_t digest[32];
  for (size_t i = 0; i < f->n; i++) {
    hashcash_hash(job, f->hits[i], digest);
    if (!hashcash_meets(job, digest) || f->hits[i] - o->start >= o->count) {
      fprintf(stderr, "hashcash: index %" PRIu64 " is not a hit of the range\n", f->hits[i]);
      bad = 1;
    }
  }
  qsort(f->hits, f->n, sizeof f->hits[0], cmp_u64);
  for (size_t i = 1; i < f->n; i++)
    if (f->hits[i] == f->hits[i - 1]) {
      fprintf(stderr, "hashcash: index %" PRIu64 " reported twice\n", f->hits[i]);
      bad = 1;
    }
  if (!o->check || o->first)
    return bad;
  size_t expect = 0, j = 0;
  for (uint64_t k = 0; k < o->count; k++) {
    hashcash_hash(job, o->start + k, digest);
    if (!hashcash_meets(job, digest))
      continue;
    expect++;
    if (j < f->n && f->hits[j] == o->start + k)
      j++;
    else {
      fprintf(stderr, "hashcash: the devices missed index %" PRIu64 "\n", o->start + k);
      bad = 1;
    }
  }
  printf("check: %zu hits in the range by the reference, %zu found\n", expect, f->n);
  return bad || expect != f->n;
}

/* What each device hashed; with every_device, each must have hashed something. */
static int report_devices(synth_runtime *rt, const struct options *o, double seconds,
                          uint64_t hashed)
{
  int bad = 0;
  printf("hashed %" PRIu64 " indexes in %.3f s: %.2f MH/s\n", hashed, seconds,
         hashed / seconds / 1e6);
  for (unsigned i = 0; i < synth_runtime_device_count(rt); i++) {
    struct synth_device_stats st;
    synth_runtime_device_stats(rt, i, &st, sizeof st);
    printf("  %-10s %-40.40s %12" PRIu64 " indexes, %8.2f MH/s\n", st.id, st.name, st.nonces,
           st.nonces / seconds / 1e6);
    if (st.hits_overflowed) {
      fprintf(stderr,
              "hashcash: %s found %" PRIu64 " hits more than its batches could report:"
              " ask for more zero bits\n",
              st.id, st.hits_overflowed);
      bad = 1;
    }
    if (o->every_device && st.nonces == 0) {
      fprintf(stderr, "hashcash: %s hashed nothing\n", st.id);
      bad = 1;
    }
  }
  return bad;
}

int main(int argc, char **argv)
{
  struct options o;
  int rc = parse(argc, argv, &o);
  if (rc)
    return rc;
  struct hashcash_job job;
  if (!hashcash_job_init(&job, o.data, o.bits))
    return usage("DATA is longer than 256 bytes");

  struct synth_runtime_config cfg = {.devices = o.devices,
                                     .workload = hashcash_workload(),
                                     .log_fn = on_log,
                                     .log_level = SYNTH_LOG_WARN};
  synth_runtime *rt;
  if ((rc = synth_runtime_create(&rt, &cfg)) != 0 || (rc = synth_runtime_start(rt)) != 0) {
    fprintf(stderr, "hashcash: %s\n", synth_strerror(rc));
    return 1;
  }
  static struct found f = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
  f.rt = rt;
  f.quiet = o.quiet;
  f.hits = calloc(HITS_MAX, sizeof *f.hits);
  struct synth_work_config wc = {.data = &job,
                                 .data_size = sizeof job,
                                 .start = o.start,
                                 .end = o.start + o.count,
                                 .on_hit = on_hit,
                                 .user = &f};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  synth_work *w;
  if (!f.hits || (rc = synth_runtime_submit(rt, &wc, &w)) != 0) {
    fprintf(stderr, "hashcash: %s\n", f.hits ? synth_strerror(rc) : "out of memory");
    synth_runtime_destroy(rt);
    return 1;
  }
  if (o.first) {
    /* Wait for the first hit or the end of the range, whichever comes first. */
    pthread_mutex_lock(&f.lock);
    while (f.n == 0 && synth_work_wait(w, 0) == SYNTH_ETIMEDOUT) {
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_nsec += 50 * 1000 * 1000;
      if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
      pthread_cond_timedwait(&f.cond, &f.lock, &until);
    }
    pthread_mutex_unlock(&f.lock);
    synth_work_cancel(w); /* no callback runs once it returns */
    rc = 0;
  } else {
    rc = synth_work_wait(w, 24u * 3600 * 1000);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  uint64_t hashed = synth_work_hashed(w);
  synth_work_release(w);
  synth_runtime_stop(rt);

  int bad = rc != 0;
  if (rc)
    fprintf(stderr, "hashcash: the work ended with %s\n", synth_strerror(rc));
  if (!o.first && hashed != o.count) {
    fprintf(stderr, "hashcash: %" PRIu64 " of %" PRIu64 " indexes hashed\n", hashed, o.count);
    bad = 1;
  }
  bad |= report_devices(rt, &o, seconds, hashed);
  synth_runtime_destroy(rt);
  bad |= verify_hits(&o, &job, &f);
  if (f.dropped)
    printf("(%zu more hits not kept)\n", f.dropped);
  if (o.first && f.n == 0) {
    printf("no index in the range has %u zero bits\n", o.bits);
    bad = 1;
  }
  printf("%zu hits with %u zero bits%s\n", f.n + f.dropped, o.bits, bad ? ": FAILED" : "");
  free(f.hits);
  return bad;
}
