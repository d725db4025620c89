/* workload_check.h: a user's workload descriptor checked against synth/workload.h's contract. */
#ifndef SYNTH_RUNTIME_WORKLOAD_CHECK_H
#define SYNTH_RUNTIME_WORKLOAD_CHECK_H

#include "synth/workload.h"

struct synth__logger;

/* Returns 0, or SYNTH_EINVAL with the first broken field logged (and in synth_last_error). */
int synth__workload_check(const struct synth_workload *w, const struct synth__logger *log);

#endif
