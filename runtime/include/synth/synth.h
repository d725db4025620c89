/* synth.h: the umbrella header of the synth library; include this one. */
#ifndef SYNTH_SYNTH_H
#define SYNTH_SYNTH_H

#include "synth/error.h"
#include "synth/job.h"
#include "synth/log.h"
#include "synth/pool.h"
#include "synth/runtime.h"
#include "synth/target.h"
#include "synth/version.h"
#include "synth/workload.h"

#endif
