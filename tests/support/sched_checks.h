/* sched_checks.h: conditions scheduler tests wait for. */
#ifndef SYNTH_TESTS_SCHED_CHECKS_H
#define SYNTH_TESTS_SCHED_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

struct synth__sched;

/* Whether every device has finished a batch of job id (or a newer one): it holds nothing of
 * an older job any more, since a device runs its batches in order. */
bool sched_all_reached(struct synth__sched *s, uint32_t id);

#endif
