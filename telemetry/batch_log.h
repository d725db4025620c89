/* batch_log.h: a device's last batches, written by its thread, read by anyone without locks. */
#ifndef SYNTH_TELEMETRY_BATCH_LOG_H
#define SYNTH_TELEMETRY_BATCH_LOG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SYNTH_BATCH_LOG_SIZE 256 /* a power of two */
#define SYNTH_BATCH_FIELDS 5

/* One batch, as the telemetry loop saw it. */
struct synth__batch_entry {
  uint64_t seq; /* from 1 */
  uint64_t t_done_ns;
  uint64_t size;
  uint64_t nonces;
  uint64_t latency_ns; /* device time: see synth__batch_service_ns */
  uint64_t next_batch;
  int32_t status;
  int32_t state;
};

/*
 * A ring of entries with a seqlock per slot: the writer (the device thread) marks the slot odd,
 * stores the fields, then stores the entry's sequence number; a reader keeps a copy only when
 * the slot's stamp is the same before and after. Every field is an atomic so a torn read is
 * detected, never undefined. The hashing path pays a handful of relaxed stores per batch.
 */
struct synth__batch_slot {
  atomic_uint_least64_t stamp; /* 2 * seq when complete, odd while written */
  atomic_uint_least64_t f[SYNTH_BATCH_FIELDS];
  atomic_int_least32_t status;
  atomic_int_least32_t state;
};

struct synth__batch_log {
  atomic_uint_least64_t last_seq; /* newest complete entry */
  struct synth__batch_slot slots[SYNTH_BATCH_LOG_SIZE];
};

void synth__batch_log_init(struct synth__batch_log *log);

/* Writer only: appends e (its seq is assigned here and returned). */
uint64_t synth__batch_log_append(struct synth__batch_log *log, struct synth__batch_entry *e);

/* Copies entries with seq > after, oldest first, up to max. Returns how many. */
size_t synth__batch_log_read(const struct synth__batch_log *log, uint64_t after,
                             struct synth__batch_entry *out, size_t max);

/* Latency percentiles (p in [0, 1]) over the last n entries; 0 when there are none. */
void synth__batch_log_latency(const struct synth__batch_log *log, unsigned n, double *p50_ns,
                              double *p95_ns);

#endif
