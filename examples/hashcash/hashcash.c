/* hashcash.c: a hashcash-style proof of work on every device the runtime drives: the indexes of
 * a finite range whose SHA-256(data ‖ index as 8 bytes big-endian) starts with N zero bits.
 *
 *   hashcash [--devices LIST] [--options LIST] [--bits N] [--start S] [--count C] [--first]
 *            [--check] [--every-device] [--quiet] [--mpi [--chunk-s S] [--calibrate S]
 * [--silence-ms MS]] DATA
 *
 * Prints each hit as it is found, then what each device hashed. --first stops at the first hit
 * (the proof of work); otherwise the whole range is searched. Every hit is re-hashed from DATA
 * by the reference; --check also hashes the whole range on this thread and requires exactly
 * the same hits; --every-device requires every device to have hashed part of the range.
 * Exits 0 when all of that holds (and, with --first, a hit was found). --options passes device
 * options (cpu.threads=1). --mpi runs the range over the ranks of MPI_COMM_WORLD instead, each
 * rank on its own devices, the hits checked on rank 0 (hashcash_mpi.c). */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <synth/synth.h>

#include "hashcash_cli.h"

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
  int rc = hashcash_parse(argc, argv, &o);
  if (rc)
    return rc;
  struct hashcash_job job;
  if (!hashcash_job_init(&job, o.data, o.bits))
    return hashcash_usage("DATA is longer than 256 bytes");

  if (o.mpi) {
#ifdef HASHCASH_WITH_MPI
    return hashcash_mpi_main(&o, &job);
#else
    fprintf(stderr, "hashcash: built without MPI (no libsynth-mpi): --mpi is not here\n");
    return 2;
#endif
  }
  struct synth_runtime_config cfg = {.devices = o.devices,
                                     .device_options = o.device_options,
                                     .workload = hashcash_workload(),
                                     .log_fn = hashcash_on_log,
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
                                 .on_hit = hashcash_on_hit,
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
  bad |= hashcash_verify_hits(&o, &job, &f);
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
