/* capture_miner.h: the miner the pool and node clients' tests drive. */
#ifndef SYNTH_TESTS_CAPTURE_MINER_H
#define SYNTH_TESTS_CAPTURE_MINER_H

#include "synth/miner.h"

/* A SHA-256d miner of one CPU worker whose log (debug and up) goes to log_capture, shares to
 * @fn(@user). Returns synth_miner_create's status. */
int capture_miner_create(synth_runtime **rt, synth_share_fn fn, void *user);

#endif
