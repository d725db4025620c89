/* work.h: work over an index range of any workload, submitted through the public API. */
#ifndef SYNTH_RUNTIME_WORK_H
#define SYNTH_RUNTIME_WORK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "synth/runtime.h"

struct synth__job;
struct synth__logger;
struct synth__sched;

/* The works in flight on a runtime, each holding a reference for the list. */
struct synth__work_list {
  pthread_mutex_t lock;
  struct synth_work *head;
  struct synth__sched *sched;
  const struct synth__logger *log;
};

void synth__work_list_init(struct synth__work_list *list, struct synth__sched *sched,
                           const struct synth__logger *log);

/* Ends every work in flight (SYNTH_ESTALE): a mining job replaced them, or the runtime goes. */
void synth__work_list_clear(struct synth__work_list *list);

/* Job data the runtime made of the caller's (a mining job for SHA-256d), handed over. */
struct synth__work_data {
  void *data;
  size_t data_size;
  void (*data_free)(void *data);
};

/* Submits cfg as one more work in flight (or, with cfg->replace, the only one). Its job's
 * data is a copy of cfg's, or made->data when made is given (owned by the job once this
 * returns 0; still the caller's on failure). Validates cfg, logging what is wrong. */
int synth__work_submit(struct synth__work_list *list, const struct synth_workload *workload,
                       const struct synth_work_config *cfg, const struct synth__work_data *made,
                       synth_work **out);

/* The scheduler's callbacks, for jobs whose owner is a work. */
void synth__work_hit(void *owner, uint64_t index, const struct synth_verdict *verdict,
                     unsigned device);
void synth__work_job_done(void *user, struct synth__job *job, int status);

#endif
