/* mpi.h: one finite range of a work over the ranks of an MPI communicator, each rank hashing
 * on its own runtime and devices (libsynth-mpi, built where MPI is found; link synth-mpi). */
#ifndef SYNTH_MPI_H
#define SYNTH_MPI_H

#include <stddef.h>
#include <stdint.h>

#include <mpi.h>

#include "synth/export.h"
#include "synth/log.h"
#include "synth/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct synth_mpi synth_mpi;

/*
 * The root rank hands out chunks of [work.start, work.end) as the ranks ask: each chunk about
 * chunk_s seconds of the asking rank's measured rate (so a GPU rank takes more), no more than
 * half its share of what is left (chunks shrink near the end, so the ranks end together). A
 * rank asks for its next chunk while it still hashes the last, so its devices never wait. Hits
 * travel to the root and reach work.on_hit there exactly once, whichever rank found them and
 * however often a chunk was hashed. A rank that holds chunks and stays silent for silence_ms
 * (it died, or its node is gone) is given up: its chunks go to the others, the loss is logged
 * and counted. Messages go per chunk (a request, the chunk, its completion, its hits) and a
 * keep-alive per quarter silence_ms, never per index.
 *
 * Set MPI's error handler of comm to MPI_ERRORS_RETURN (synth_mpi_create does it for comm), and
 * run under a launcher that lets the others go on when a rank dies (Open MPI: mpirun
 * --enable-recovery); otherwise the launcher ends every rank with it.
 */
struct synth_mpi_config {
  MPI_Comm comm;     /* every rank of it calls synth_mpi_run; MPI_COMM_NULL: MPI_COMM_WORLD */
  int root;          /* the coordinator: hits and the end are delivered there */
  synth_runtime *rt; /* this rank's runtime, started, with the work's workload */
  /* The same on every rank: data, data_size, start, end (finite), weight. on_hit, on_done and
   * user are the root's: on_hit runs on the root's calling thread (device = the rank that found
   * it), once per hit; on_done once, with what synth_mpi_run returns. timeout_ms and replace
   * are not used. */
  struct synth_work_config work;
  double chunk_s;      /* seconds of work per chunk at the rank's rate: 0 means 1 */
  unsigned silence_ms; /* a rank holding work and silent this long is lost: 0 means 10000 */
  synth_log_fn log_fn; /* NULL: nothing is logged */
  void *log_user;
  enum synth_log_level log_level;
};

/* Figures of one run, as this rank saw them. Fields are only ever appended: pass sizeof. */
struct synth_mpi_stats {
  int rank, ranks;
  uint64_t hashed;            /* the root: by every rank, in chunks done; others: their own */
  uint64_t hits;              /* the root: delivered to on_hit; others: sent to the root */
  uint64_t chunks;            /* the root: handed out; others: received */
  uint64_t chunks_reassigned; /* the root: chunks of lost ranks handed out again */
  uint64_t messages_sent, messages_received; /* over MPI, at this rank */
  /* Ranks the root gave up (every rank learns it with the end). MPI_Finalize waits for every
   * rank, the lost ones too, in Open MPI: after a loss, leave without it (and run mpirun with
   * --mca orte_allowed_exit_without_sync 1, so leaving does not end the others). */
  unsigned ranks_lost;
  double seconds; /* from the start of synth_mpi_run to its end */
};

/* Checks cfg (the same checks as synth_runtime_submit on work, a finite range, a root within
 * comm) and sets comm's error handler to MPI_ERRORS_RETURN. Returns 0 and *out, or SYNTH_EINVAL
 * (logged), SYNTH_ENOMEM. */
SYNTH_EXTERN int synth_mpi_create(synth_mpi **out, const struct synth_mpi_config *cfg);

/*
 * Collective over comm: hashes the range on every rank until it is done, cancelled or cannot go
 * on. Returns 0 (every index hashed, every hit delivered), SYNTH_ESTALE (cancelled, on any rank),
 * SYNTH_ETIMEDOUT (a rank other than the root: the root fell silent), SYNTH_ESYSTEM (an MPI
 * call failed beyond recovery), or the error the work failed with on a rank (the root ends the
 * run for every rank then). Call from one thread; MPI must be initialized with at least
 * MPI_THREAD_FUNNELED, and only this thread uses MPI meanwhile.
 */
SYNTH_EXTERN int synth_mpi_run(synth_mpi *m);

/* Ends the run on every rank (synth_mpi_run returns SYNTH_ESTALE; hits found after it are not
 * delivered). From any thread of any rank, and from the root's on_hit: the first hit of a proof
 * of work. Idempotent. */
SYNTH_EXTERN void synth_mpi_cancel(synth_mpi *m);

/* Copies the figures (out_size bytes of them). Returns 0 or SYNTH_EINVAL. Thread-safe. */
SYNTH_EXTERN int synth_mpi_stats(synth_mpi *m, struct synth_mpi_stats *out, size_t out_size);

/* Frees it (after synth_mpi_run returned, or without a run). NULL is ignored. */
SYNTH_EXTERN void synth_mpi_destroy(synth_mpi *m);

#ifdef __cplusplus
}
#endif

#endif
