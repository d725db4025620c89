/* hashcash_mpi.c: the hashcash range over the ranks of MPI_COMM_WORLD (synth/mpi.h): every rank
 * hashes on its own runtime and devices, rank 0 hands out the chunks, gets every hit once and
 * checks them (--check: against the reference over the whole range). With --calibrate S, each
 * rank first measures its rate alone for S seconds, so rank 0 can say how far the run was from
 * the ideal (the range over the sum of the rates). */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mpi.h>
#include <synth/mpi.h>
#include <synth/synth.h>

#include "hashcash_cli.h"

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* This rank's rate alone: works over an unused stretch of indexes (past the range) for about
 * seconds, sized as it goes. */
static double calibrate(synth_runtime *rt, const struct hashcash_job *job, uint64_t from,
                        double seconds)
{
  struct synth_work_config wc = {.data = job, .data_size = sizeof *job};
  uint64_t n = 1u << 20, hashed = 0;
  double t0 = now_s();
  while (now_s() - t0 < seconds) {
    wc.start = from;
    wc.end = from + n;
    synth_work *w;
    if (synth_runtime_submit(rt, &wc, &w) != 0)
      return 0;
    double s = now_s();
    synth_work_wait(w, 600000);
    synth_work_release(w);
    hashed += n;
    from += n;
    double took = now_s() - s;
    if (took < 0.5 && n < (1ull << 40))
      n *= 2;
  }
  return (double)hashed / (now_s() - t0);
}

static void cancel_run(void *user)
{
  synth_mpi_cancel(user);
}

/* Rank 0's account of the run. Returns non-zero when something is wrong. */
static int report_root(const struct options *o, const struct hashcash_job *job, struct found *f,
                       synth_mpi *m, int rc, double ideal_s)
{
  struct synth_mpi_stats s;
  synth_mpi_stats(m, &s, sizeof s);
  printf("mpi: %d ranks, %" PRIu64 " indexes hashed in %.3f s, %" PRIu64 " chunks (%" PRIu64
         " handed out again), %u rank%s lost, %" PRIu64 " messages in (%.0f/s), %" PRIu64 " out\n",
         s.ranks, s.hashed, s.seconds, s.chunks, s.chunks_reassigned, s.ranks_lost,
         s.ranks_lost == 1 ? "" : "s", s.messages_received, s.messages_received / s.seconds,
         s.messages_sent);
  if (ideal_s > 0)
    printf("makespan: %.3f s against the ideal %.3f s: %.4f\n", s.seconds, ideal_s,
           s.seconds / ideal_s);
  int bad = 0;
  if (rc != 0 && !(o->first && rc == SYNTH_ESTALE)) {
    fprintf(stderr, "hashcash: the MPI run ended with %s\n", synth_strerror(rc));
    bad = 1;
  }
  if (!o->first && rc == 0 && s.hashed != o->count) {
    fprintf(stderr, "hashcash: %" PRIu64 " of %" PRIu64 " indexes hashed\n", s.hashed, o->count);
    bad = 1;
  }
  bad |= hashcash_verify_hits(o, job, f);
  if (o->first && f->n == 0) {
    printf("no index in the range has %u zero bits\n", o->bits);
    bad = 1;
  }
  printf("%zu hits with %u zero bits%s\n", f->n + f->dropped, o->bits, bad ? ": FAILED" : "");
  return bad;
}

int hashcash_mpi_main(const struct options *o, const struct hashcash_job *job)
{
  int provided = 0;
  if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    fprintf(stderr, "hashcash: MPI_Init_thread failed\n");
    return 1;
  }
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  struct synth_runtime_config cfg = {.devices = o->devices,
                                     .device_options = o->device_options,
                                     .workload = hashcash_workload(),
                                     .log_fn = hashcash_on_log,
                                     .log_level = SYNTH_LOG_WARN};
  synth_runtime *rt = NULL;
  int rc = synth_runtime_create(&rt, &cfg);
  if (rc == 0)
    rc = synth_runtime_start(rt);
  if (rc != 0) {
    fprintf(stderr, "hashcash: rank %d: %s\n", rank, synth_strerror(rc));
    synth_runtime_destroy(rt);
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
  /* Where each rank is, for whoever watches (the tests kill one by its pid). */
  fprintf(stderr, "hashcash: rank %d of %d: pid %ld, %u device%s\n", rank, ranks, (long)getpid(),
          synth_runtime_device_count(rt), synth_runtime_device_count(rt) == 1 ? "" : "s");
  double ideal_s = 0;
  if (o->calibrate > 0) {
    double mine = calibrate(rt, job, o->start + o->count, o->calibrate), sum = 0;
    MPI_Reduce(&mine, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    fprintf(stderr, "hashcash: rank %d alone: %.2f MH/s\n", rank, mine / 1e6);
    if (rank == 0 && sum > 0) {
      ideal_s = (double)o->count / sum;
      printf("calibration: the ranks hash %.2f MH/s together\n", sum / 1e6);
    }
  }
  static struct found f = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
  f.quiet = o->quiet;
  f.hits = calloc(HITS_MAX, sizeof *f.hits);
  struct synth_mpi_config mc = {
      .comm = MPI_COMM_WORLD,
      .root = 0,
      .rt = rt,
      .work = {.data = job,
               .data_size = sizeof *job,
               .start = o->start,
               .end = o->start + o->count,
               .on_hit = hashcash_on_hit,
               .user = &f},
      .chunk_s = o->chunk_s,
      .silence_ms = o->silence_ms,
      .log_fn = hashcash_on_log,
      .log_level = getenv("HASHCASH_MPI_DEBUG") ? SYNTH_LOG_DEBUG : SYNTH_LOG_WARN,
  };
  synth_mpi *m = NULL;
  if (!f.hits || (rc = synth_mpi_create(&m, &mc)) != 0) {
    fprintf(stderr, "hashcash: rank %d: %s\n", rank, f.hits ? synth_strerror(rc) : "out of memory");
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
  if (o->first) {
    f.on_first = cancel_run;
    f.first_user = m;
  }
  rc = synth_mpi_run(m);
  synth_runtime_stop(rt);
  int bad = 0;
  if (rank == 0) {
    bad = report_root(o, job, &f, m, rc, ideal_s);
  } else {
    struct synth_mpi_stats s;
    synth_mpi_stats(m, &s, sizeof s);
    fprintf(stderr,
            "hashcash: rank %d: %" PRIu64 " indexes, %" PRIu64 " chunks, %" PRIu64
            " hits sent: %s\n",
            rank, s.hashed, s.chunks, s.hits, rc ? synth_strerror(rc) : "done");
    bad = rc != 0 && rc != SYNTH_ESTALE;
  }
  struct synth_mpi_stats s;
  synth_mpi_stats(m, &s, sizeof s);
  synth_mpi_destroy(m);
  synth_runtime_destroy(rt);
  free(f.hits);
  if (s.ranks_lost) { /* MPI_Finalize would wait for the lost rank */
    fprintf(stderr, "hashcash: rank %d: %u rank%s lost: leaving without MPI_Finalize\n", rank,
            s.ranks_lost, s.ranks_lost == 1 ? "" : "s");
    fflush(stdout);
    _exit(bad);
  }
  MPI_Finalize();
  return bad;
}
