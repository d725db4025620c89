/* batch_trace.h: `run --trace FILE`: every device's batches as JSON lines, for tuning plots. */
#ifndef SYNTH_CLI_BATCH_TRACE_H
#define SYNTH_CLI_BATCH_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include <synth/synth.h>

struct batch_trace {
  FILE *out;
  unsigned count;
  uint64_t *cursor; /* per device */
  char (*ids)[32];
  double *target_ms;
  uint64_t missed; /* batches the library's log dropped before they were read */
};

/* Opens path (truncating it). Returns 0, or prints one line and returns 2. */
int batch_trace_open(struct batch_trace *t, const char *path, synth_runtime *rt);

/* Appends every batch finished since the last call. Call it often enough (every 100 ms) that
 * the library's per-device log of 256 batches does not wrap. Returns 0, or 1 on a write
 * error (printed once). */
int batch_trace_poll(struct batch_trace *t, synth_runtime *rt);

/* Flushes and closes; returns 0 or 1 on a write error. */
int batch_trace_close(struct batch_trace *t);

#endif
