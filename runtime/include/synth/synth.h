/* synth.h: the umbrella header of the synth library; include this one. The generic runtime is
 * error.h, log.h, runtime.h, version.h and workload.h; miner.h adds the SHA-256d miner's
 * (jobs, shares, targets, the pool client). */
#ifndef SYNTH_SYNTH_H
#define SYNTH_SYNTH_H

#include "synth/error.h"
#include "synth/log.h"
#include "synth/miner.h"
#include "synth/runtime.h"
#include "synth/version.h"
#include "synth/workload.h"

#endif
