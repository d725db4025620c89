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

/* Whether work of this workload is submitted as a mining job (struct synth_job data). */
bool synth__mine_takes(const struct synth_workload *workload);

/* Submits SHA-256d work: cfg->data is a struct synth_job, validated and deep-copied. */
int synth__mine_submit(synth_runtime *rt, const struct synth_work_config *cfg, synth_work **out);

#endif
