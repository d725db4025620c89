/* sha256d_workload.h: SHA-256d (Bitcoin proof of work) as a scheduler workload. */
#ifndef SYNTH_RUNTIME_SHA256D_WORKLOAD_H
#define SYNTH_RUNTIME_SHA256D_WORKLOAD_H

#include "devices/scan_ctl.h"

/* Job data is a struct synth__mining_job; payloads are struct synth__sha256d_payload. */
extern const struct synth_workload synth__sha256d_workload;

#endif
