/* mpi_run.c: synth_mpi's calls, and the loop that drives one rank's halves: the worker on every
 * rank, the coordinator on the root. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpi_internal.h"
#include "synth/error.h"

#define IDLE_NS                                                                                    \
  1000000ull /* how long the loop sleeps when nothing came: 1 ms (a rank asks for its next chunk   \
                while it hashes the last: no device waits for it) */

uint64_t mpi_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t mpi_silence_ns(const struct synth_mpi *m)
{
  return (uint64_t)(m->cfg.silence_ms ? m->cfg.silence_ms : 10000) * 1000000ull;
}

void mpi_log(struct synth_mpi *m, enum synth_log_level level, const char *fmt, ...)
{
  if (!m->cfg.log_fn || level > m->cfg.log_level)
    return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  m->cfg.log_fn(m->cfg.log_user, level, msg);
}

int synth_mpi_create(synth_mpi **out, const struct synth_mpi_config *cfg)
{
  if (!out || !cfg)
    return SYNTH_EINVAL;
  *out = NULL;
  struct synth_mpi *m = calloc(1, sizeof *m);
  if (!m)
    return SYNTH_ENOMEM;
  m->cfg = *cfg;
  m->comm = cfg->comm == MPI_COMM_NULL ? MPI_COMM_WORLD : cfg->comm;
  int initialized = 0;
  MPI_Initialized(&initialized);
  const char *why = NULL;
  if (!initialized)
    why = "MPI is not initialized";
  else if (!cfg->rt)
    why = "no runtime";
  else if (cfg->work.end <= cfg->work.start)
    why = "the range is empty or open-ended: synth_mpi runs a finite range";
  else if (!cfg->work.data || cfg->work.data_size == 0)
    why = "the work has no data";
  else if (cfg->chunk_s < 0 || cfg->chunk_s > 3600)
    why = "chunk_s is 0 (1 s) to 3600";
  if (!why) {
    MPI_Comm_rank(m->comm, &m->rank);
    MPI_Comm_size(m->comm, &m->ranks);
    if (cfg->root < 0 || cfg->root >= m->ranks)
      why = "root is not a rank of comm";
  }
  if (why) {
    mpi_log(m, SYNTH_LOG_ERROR, "synth_mpi_create: %s", why);
    free(m);
    return SYNTH_EINVAL;
  }
  m->data = malloc(cfg->work.data_size);
  if (!m->data || pthread_mutex_init(&m->lock, NULL) != 0) {
    free(m->data);
    free(m);
    return SYNTH_ENOMEM;
  }
  memcpy(m->data, cfg->work.data, cfg->work.data_size);
  atomic_init(&m->cancel, false);
  atomic_init(&m->failed, false);
  /* Errors come back as codes: a rank that died is a lost rank, not the end of this one. */
  MPI_Comm_set_errhandler(m->comm, MPI_ERRORS_RETURN);
  m->stats.rank = m->rank;
  m->stats.ranks = m->ranks;
  *out = m;
  return 0;
}

/* The root's loop: until its own worker has the end and every live rank said bye (or the
 * silence passed). */
static int run_root(struct synth_mpi *m)
{
  if (coord_init(m) != 0)
    return SYNTH_ENOMEM;
  uint64_t finished_at = 0;
  for (;;) {
    if (wire_poll(m) != 0) {
      mpi_log(m, SYNTH_LOG_ERROR, "root: receiving failed: the run ends");
      coord_finish(m, SYNTH_ESYSTEM);
    } else if (atomic_load(&m->failed) && !m->c.finished) {
      mpi_log(m, SYNTH_LOG_ERROR, "root: out of memory for a hit: the run ends");
      coord_finish(m, SYNTH_ENOMEM);
    }
    worker_step(m);
    coord_step(m);
    wire_flush(m, 0);
    if (m->c.finished && !finished_at)
      finished_at = mpi_now_ns();
    if (m->c.finished && m->w.ended &&
        (coord_all_gone(m) || mpi_now_ns() - finished_at > mpi_silence_ns(m)))
      break;
    struct timespec idle = {0, (long)IDLE_NS};
    nanosleep(&idle, NULL);
  }
  wire_flush(m, mpi_silence_ns(m) / 4);
  return m->c.result;
}

/* Another rank's loop: until the root ends the run, or falls silent. */
static int run_worker(struct synth_mpi *m)
{
  m->w.root_heard_ns = mpi_now_ns();
  while (!m->w.ended) {
    if (wire_poll(m) != 0 || atomic_load(&m->failed)) {
      mpi_log(m, SYNTH_LOG_ERROR, "rank %d: MPI failed: the run ends here", m->rank);
      worker_on_end(m, SYNTH_ESYSTEM, 0);
      break;
    }
    worker_step(m);
    wire_flush(m, 0);
    if (mpi_now_ns() - m->w.root_heard_ns > 2 * mpi_silence_ns(m)) {
      mpi_log(m, SYNTH_LOG_ERROR, "rank %d: the root (rank %d) fell silent: the run ends here",
              m->rank, m->cfg.root);
      worker_on_end(m, SYNTH_ETIMEDOUT, 0);
      break;
    }
    struct timespec idle = {0, (long)IDLE_NS};
    nanosleep(&idle, NULL);
  }
  wire_flush(m, mpi_silence_ns(m) / 4); /* the bye, and whatever is still on its way */
  return m->w.result;
}

int synth_mpi_run(synth_mpi *m)
{
  if (!m)
    return SYNTH_EINVAL;
  m->start_ns = mpi_now_ns();
  int rc = m->rank == m->cfg.root ? run_root(m) : run_worker(m);
  pthread_mutex_lock(&m->lock);
  m->stats.seconds = (double)(mpi_now_ns() - m->start_ns) * 1e-9;
  pthread_mutex_unlock(&m->lock);
  return rc;
}

void synth_mpi_cancel(synth_mpi *m)
{
  if (m)
    atomic_store(&m->cancel, true);
}

int synth_mpi_stats(synth_mpi *m, struct synth_mpi_stats *out, size_t out_size)
{
  if (!m || !out || out_size < offsetof(struct synth_mpi_stats, hashed))
    return SYNTH_EINVAL;
  pthread_mutex_lock(&m->lock);
  struct synth_mpi_stats s = m->stats;
  pthread_mutex_unlock(&m->lock);
  memcpy(out, &s, out_size < sizeof s ? out_size : sizeof s);
  return 0;
}

void synth_mpi_destroy(synth_mpi *m)
{
  if (!m)
    return;
  worker_free(m);
  coord_free(m);
  wire_free(m);
  pthread_mutex_destroy(&m->lock);
  free(m->data);
  free(m);
}
