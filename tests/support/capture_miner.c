/* capture_miner.c: a one-worker miner logging into log_capture. */
#include "support/capture_miner.h"

#include "support/log_capture.h"

int capture_miner_create(synth_runtime **rt, synth_share_fn fn, void *user)
{
  struct synth_runtime_config rc = {.devices = "cpu",
                                    .device_options = "cpu.threads=1",
                                    .log_fn = log_capture_fn,
                                    .log_level = SYNTH_LOG_DEBUG};
  return synth_miner_create(rt, &rc, &(struct synth_miner_config){fn, user});
}
