/* mine.h: the miner's side of the runtime: SHA-256d mining jobs in, shares out. */
#ifndef SYNTH_RUNTIME_MINE_H
#define SYNTH_RUNTIME_MINE_H

#include <stdbool.h>
#include <stdint.h>

#include "synth/miner.h"

struct synth__job;

/* A verified hit of a mining job becomes a share for the runtime's share_fn. */
void synth__mine_share(synth_runtime *rt, struct synth__job *job, const void *payload,
                       uint32_t roll, uint32_t nonce, const struct synth_verdict *verdict,
                       unsigned device);

/* Whether the runtime's workload takes mining jobs (set_job): the built-in SHA-256d one. */
bool synth__mine_takes(const struct synth_workload *workload);

#endif
