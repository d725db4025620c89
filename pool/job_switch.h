/* job_switch.h: when a job switch has reached every device, for the switch-time figures of the
 * pool and the solo client. */
#ifndef SYNTH_POOL_JOB_SWITCH_H
#define SYNTH_POOL_JOB_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "synth/runtime.h"

/* Whether every live device of @rt (of @ndevices) has started a batch of the job with serial
 * @serial or a later one; *@last_ns is then the latest start of a batch of that very job (0
 * when every device is past it already). */
bool synth__switch_arrived(synth_runtime *rt, unsigned ndevices, uint32_t serial,
                           uint64_t *last_ns);

#endif
