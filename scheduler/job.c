/* job.c: the scheduler's view of a job: a workload, its data, and a 64-bit index range. */
#include "scheduler/job.h"

#include <stdlib.h>

#include "synth/error.h"

int synth__job_create(struct synth__job **out, const struct synth_workload *workload, void *data,
                      void (*data_free)(void *), uint64_t start, uint64_t size)
{
  if (!workload || !workload->prepare_roll || !workload->verify)
    return SYNTH_EINVAL;
  if (size != 0 && start + size < start && start + size != 0)
    return SYNTH_EINVAL; /* wraps past 2^64 */
  struct synth__job *job = calloc(1, sizeof *job);
  if (!job)
    return SYNTH_ENOMEM;
  job->workload = workload;
  job->data = data;
  job->data_free = data_free;
  job->start = start;
  job->size = size;
  atomic_init(&job->refs, 1);
  job->weight = 1;
  atomic_init(&job->retired, false);
  atomic_init(&job->cancelled, false);
  atomic_init(&job->ended, false);
  atomic_init(&job->complete, false);
  atomic_init(&job->hashed, 0);
  *out = job;
  return 0;
}

void synth__job_get(struct synth__job *job)
{
  /* Relaxed: the caller already holds a reference, so the object cannot go away. */
  atomic_fetch_add_explicit(&job->refs, 1, memory_order_relaxed);
}

bool synth__job_tryget(struct synth__job *job)
{
  unsigned refs = atomic_load_explicit(&job->refs, memory_order_relaxed);
  while (refs != 0) {
    if (atomic_compare_exchange_weak_explicit(&job->refs, &refs, refs + 1, memory_order_acquire,
                                              memory_order_relaxed))
      return true;
  }
  return false;
}

void synth__job_put(struct synth__job *job)
{
  if (!job)
    return;
  /* Release pairs with the acquire fence below: every use of the job by other holders
   * happens before it is freed. */
  if (atomic_fetch_sub_explicit(&job->refs, 1, memory_order_release) != 1)
    return;
  atomic_thread_fence(memory_order_acquire);
  if (job->data_free)
    job->data_free(job->data);
  if (job->owner_put)
    job->owner_put(job->owner);
  free(job);
}
