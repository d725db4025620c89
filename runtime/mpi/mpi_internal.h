/* mpi_internal.h: the state of one synth_mpi run, shared by its wire (mpi_wire.c), coordinator
 * (mpi_coord.c) and worker (mpi_worker.c) halves and the loop that drives them (mpi_run.c). */
#ifndef SYNTH_RUNTIME_MPI_INTERNAL_H
#define SYNTH_RUNTIME_MPI_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "synth/mpi.h"
#include "synth/workload.h"

/* ---- the wire: one tag, so that MPI's order between two ranks is the order they were sent ---- */

#define WIRE_TAG 7717

enum wire_type {
  W_REQUEST = 1, /* worker: more work, please (rate) */
  W_CHUNK,       /* root: [start, end) is chunk id */
  W_DONE,        /* worker: chunk id ended with status, start = indexes hashed */
  W_HITS,        /* worker: count wire_hits follow */
  W_ALIVE,       /* either: still here (rate) */
  W_END,         /* root: the run is over, with status */
  W_CANCEL,      /* worker: cancel the run */
  W_BYE,         /* worker: ended; nothing more comes from it */
};

/* Ranks of one run share a machine architecture (MPI_BYTE, as the runtime's own structs). */
struct wire_head {
  uint32_t type;
  uint32_t count;
  uint64_t id;
  uint64_t start, end;
  double rate;
  int32_t status;
  uint32_t pad;
};

struct wire_hit {
  uint64_t chunk, index;
  uint32_t hash_size;
  uint8_t meets, pad[3];
  uint8_t hash[SYNTH_VERDICT_HASH_MAX];
};

#define HITS_PER_MESSAGE 256

/* Sends that have not completed yet: their buffers live until MPI is done with them. */
struct outbox {
  MPI_Request *req;
  void **buf;
  size_t n, cap;
};

/* ---- a worker: every rank, the root too ---- */

#define SLOTS 2 /* chunks in hand: one hashing, the next already there */

struct slot {
  bool used;
  uint64_t id, start, end;
  synth_work *work;
  struct synth_mpi *m;
  atomic_bool done;
  atomic_int status;
};

struct worker {
  struct slot slots[SLOTS];
  bool requested, ended, cancel_sent;
  int result;
  uint64_t first_ns;      /* the first chunk's arrival: the rate counts from it */
  uint64_t hashed_done;   /* indexes of the chunks it finished */
  uint64_t root_heard_ns; /* last message from the root */
  uint64_t sent_ns;       /* its last message to the root */
  /* Hits from the device threads (under m->lock), sent by the loop. */
  struct wire_hit *hits;
  size_t nhits, hits_cap;
  uint64_t hits_sent_ns;
};

/* ---- the coordinator: the root ---- */

struct chunk {
  uint64_t start, end;
  int rank;
  bool done;
  bool redone; /* given up where it was: its range went back to be handed out again */
};

struct range {
  uint64_t start, end;
};

struct rank_state {
  double rate;
  uint64_t heard_ns, told_ns;
  unsigned held; /* chunks it has not finished */
  bool waiting, lost, bye;
};

struct coord {
  struct chunk *chunks;
  size_t nchunks, chunks_cap;
  struct range *redo; /* chunks of lost ranks, handed out again first */
  size_t nredo, redo_cap;
  uint64_t next, end;
  struct rank_state *ranks;
  uint64_t *seen; /* indexes delivered, open addressing (0 slot: seen_zero) */
  size_t seen_n, seen_cap;
  bool seen_zero;
  bool finished;
  int result;
};

struct synth_mpi {
  struct synth_mpi_config cfg;
  void *data; /* the work's data, copied */
  MPI_Comm comm;
  int rank, ranks;
  atomic_bool cancel;
  pthread_mutex_t lock; /* worker.hits, stats */
  struct synth_mpi_stats stats;
  struct outbox out;
  struct worker w;
  struct coord c; /* the root's */
  uint64_t start_ns;
  atomic_bool failed; /* MPI failed here, or a hit could not be kept: the run cannot promise */
};

/* mpi_run.c */
uint64_t mpi_now_ns(void);
void mpi_log(struct synth_mpi *m, enum synth_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
uint64_t mpi_silence_ns(const struct synth_mpi *m);

/* mpi_wire.c: sends to rank (to itself: handled at once), receives what has come, completes
 * sends. A send that fails marks the rank lost (root) or the run failed (worker). */
void wire_send(struct synth_mpi *m, int to, const struct wire_head *h, const void *payload,
               size_t len);
/* Handles every message that has arrived. Returns -1 when MPI failed. */
int wire_poll(struct synth_mpi *m);
/* Completes what MPI has finished sending; with wait_ns, waits that long for the rest. */
void wire_flush(struct synth_mpi *m, uint64_t wait_ns);
void wire_free(struct synth_mpi *m);
/* What a message means to this rank. */
void wire_handle(struct synth_mpi *m, int from, const struct wire_head *h, const void *payload,
                 size_t len);

/* mpi_worker.c */
void worker_on_chunk(struct synth_mpi *m, const struct wire_head *h);
/* lost: ranks the root gave up (they reach this rank's figures). */
void worker_on_end(struct synth_mpi *m, int status, unsigned lost);
void worker_step(struct synth_mpi *m);
void worker_free(struct synth_mpi *m);

/* mpi_coord.c */
int coord_init(struct synth_mpi *m);
void coord_handle(struct synth_mpi *m, int from, const struct wire_head *h, const void *payload,
                  size_t len);
void coord_step(struct synth_mpi *m);
void coord_lose(struct synth_mpi *m, int rank, const char *why);
void coord_finish(struct synth_mpi *m, int result);
/* Whether every live rank has said bye (or was lost). */
bool coord_all_gone(struct synth_mpi *m);
void coord_free(struct synth_mpi *m);

#endif
