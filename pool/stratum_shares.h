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
/* Shares waiting; *dropped (may be NULL): those pushed out when it was full. */
size_t stratum_queue_count(struct stratum_share_queue *q, uint64_t *dropped);

/*
 * The jobs shares may be sent for. The runtime hashes each pool job under a tag of the client's
 * own ("t1f"), so a share names exactly one job of one session: a share is sent only while its
 * job is valid (no clean job since) and only in the session epoch it was cut for (the same
 * pool and extranonce1; a new session is a new epoch). Job ids pools reuse across sessions or
 * pools can then never send a share where it is invalid.
 */
#define STRATUM_VALID_JOBS 32
struct stratum_job_tag {
  uint32_t tag, epoch;
  bool valid;
  char pool_job_id[SYNTH_JOB_ID_MAX + 1];
  char tag_text[24];
};
struct stratum_valid_jobs {
  struct stratum_job_tag jobs[STRATUM_VALID_JOBS];
  uint32_t next_tag;
  /* The client's own ("c1."), before every tag: two clients on one runtime (a pool change
   * handing over) never name each other's jobs, and a share says whose it is. */
  char prefix[12];
};

/* Makes every job invalid (a clean job, a new session). */
void stratum_jobs_clear(struct stratum_valid_jobs *v);
/* Adds the pool's job in epoch; returns its tag, valid until STRATUM_VALID_JOBS more jobs. */
const char *stratum_jobs_add(struct stratum_valid_jobs *v, const char *pool_job_id, uint32_t epoch);
/* The pool's job id of a tag still valid in epoch, or NULL: its share is stale. */
const char *stratum_jobs_find(const struct stratum_valid_jobs *v, const char *tag_text,
                              uint32_t epoch);

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
