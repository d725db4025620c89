/* job_set.c: the jobs in force, an RCU-protected immutable array replaced whole on change. */
#include "scheduler/job_set.h"

#include <stdlib.h>

struct synth__job_set *synth__job_set_make(const struct synth__job_set *old,
                                           bool (*keep)(const struct synth__job *, const void *),
                                           const void *ctx, struct synth__job *add)
{
  unsigned cap = (old ? old->n : 0) + 1;
  struct synth__job_set *set = malloc(sizeof *set + cap * sizeof set->items[0]);
  if (!set)
    return NULL;
  set->n = 0;
  for (unsigned i = 0; old && i < old->n; i++) {
    if (!keep || keep(old->items[i], ctx))
      set->items[set->n++] = old->items[i];
  }
  if (add)
    set->items[set->n++] = add;
  return set;
}

bool synth__job_set_has(const struct synth__job_set *set, const struct synth__job *job)
{
  for (unsigned i = 0; set && i < set->n; i++) {
    if (set->items[i] == job)
      return true;
  }
  return false;
}
