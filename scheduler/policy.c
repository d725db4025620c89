/* policy.c: the scheduling policies by name; the first is the default. */
#include <string.h>

#include "scheduler/policy.h"
#include "synth/runtime.h"

static const struct synth__sched_policy *const policies[] = {
    &synth__policy_work_stealing,
    &synth__policy_rate,
};

#define NPOLICIES (sizeof policies / sizeof policies[0])

const struct synth__sched_policy *synth__sched_policy_find(const char *name)
{
  if (!name)
    return policies[0];
  for (size_t i = 0; i < NPOLICIES; i++) {
    if (strcmp(policies[i]->name, name) == 0)
      return policies[i];
  }
  return NULL;
}

const char *synth_scheduler_policy_name(unsigned index)
{
  return index < NPOLICIES ? policies[index]->name : NULL;
}
