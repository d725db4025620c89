/* stratum_shares.h: shares on their way to the pool: a queue from the device threads, the jobs
 * they may still be sent for, and the ones already sent. */
#ifndef SYNTH_RUNTIME_STRATUM_SHARES_H
#define SYNTH_RUNTIME_STRATUM_SHARES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synth/job.h"

/* A share with its own copy of the job id. */
struct stratum_share {
  struct synth_share s;
  char job_id[SYNTH_JOB_ID_MAX + 1];
  uint8_t extranonce1[SYNTH_EXTRANONCE_MAX]; /* the session it was found in */
  size_t extranonce1_len;
};

/* Device threads push, the client thread pops; bounded, the oldest dropped when full. */
struct stratum_share_queue {
  pthread_mutex_t lock;
  struct stratum_share *items;
  size_t cap, head, count;
  uint64_t dropped;
};

int stratum_queue_init(struct stratum_share_queue *q, size_t cap);
void stratum_queue_destroy(struct stratum_share_queue *q);
void stratum_queue_push(struct stratum_share_queue *q, const struct stratum_share *share);
bool stratum_queue_pop(struct stratum_share_queue *q, struct stratum_share *out);
size_t stratum_queue_count(struct stratum_share_queue *q);

/* The job ids shares may be sent for: those since the last clean notify (the newest few). */
#define STRATUM_VALID_JOBS 16
struct stratum_valid_jobs {
  char ids[STRATUM_VALID_JOBS][SYNTH_JOB_ID_MAX + 1];
  size_t next, count;
};

void stratum_jobs_clear(struct stratum_valid_jobs *v);
void stratum_jobs_add(struct stratum_valid_jobs *v, const char *id);
bool stratum_jobs_has(const struct stratum_valid_jobs *v, const char *id);

/* Shares already sent, by a hash of (job, extranonce2, ntime, nonce, version): a share is
 * never sent twice. Bounded; cleared with the valid jobs. */
#define STRATUM_SENT_MAX 65536
struct stratum_sent {
  uint64_t *slots; /* open addressing, 0 = empty */
  size_t count;
};

int stratum_sent_init(struct stratum_sent *s);
void stratum_sent_destroy(struct stratum_sent *s);
void stratum_sent_clear(struct stratum_sent *s);
/* Adds the share; false when it was already there. */
bool stratum_sent_add(struct stratum_sent *s, const struct stratum_share *share);

#endif
