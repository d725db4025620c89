/* hashcash_cli.h: what the hashcash example's two ways of running share: its options, the hits
 * it collects, and their check against the reference. */
#ifndef HASHCASH_CLI_H
#define HASHCASH_CLI_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <synth/synth.h>

#include "hashcash_workload.h"

#define HITS_MAX 100000

struct options {
  const char *devices, *device_options, *data;
  unsigned bits;
  uint64_t start, count;
  int first, check, every_device, quiet;
  int mpi;             /* --mpi: the range over the ranks of MPI_COMM_WORLD (hashcash_mpi.c) */
  double chunk_s;      /* --chunk-s: seconds of a rank's rate per chunk */
  double calibrate;    /* --calibrate S: each rank's rate alone first, for the makespan's ideal */
  unsigned silence_ms; /* --silence-ms: a rank silent this long while holding work is lost */
};

/* What the hit callback shares with main: device threads (or the MPI loop) call it. */
struct found {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  synth_runtime *rt; /* NULL: the device is an MPI rank */
  int quiet;
  uint64_t *hits;
  size_t n, dropped;
  void (*on_first)(void *user); /* --first: called at the first hit */
  void *first_user;
};

void hashcash_on_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device);
void hashcash_on_log(void *user, enum synth_log_level level, const char *message);
/* Returns 0, or prints why and returns 2. */
int hashcash_parse(int argc, char **argv, struct options *o);
int hashcash_usage(const char *why);
/* Every hit re-hashed from the data; with check, the range's hits by the reference too.
 * Returns non-zero when anything is wrong (said on stderr). */
int hashcash_verify_hits(const struct options *o, const struct hashcash_job *job, struct found *f);

/* The range over MPI's ranks: every rank runs its own runtime. Returns the exit status. */
int hashcash_mpi_main(const struct options *o, const struct hashcash_job *job);

#endif
