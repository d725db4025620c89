/* device_counters.h: one device's running totals, written without locks by its own thread. */
#ifndef SYNTH_TELEMETRY_DEVICE_COUNTERS_H
#define SYNTH_TELEMETRY_DEVICE_COUNTERS_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

/*
 * Synchronization: each counter has exactly one writer, the device's worker thread, and any
 * number of readers (stats snapshots). The writer therefore needs no read-modify-write: a
 * relaxed load and store is enough, and readers see each counter whole (64-bit atomics), if
 * not all counters from the same instant. The struct starts on its own cache line so
 * devices never share one.
 */
struct synth__device_counters {
  alignas(64) atomic_uint_least64_t nonces; /* hashed */
  atomic_uint_least64_t batches;
  atomic_uint_least64_t hits;         /* reported by the device */
  atomic_uint_least64_t verified;     /* hits that passed the CPU re-hash */
  atomic_uint_least64_t hw_errors;    /* hits that did not */
  atomic_uint_least64_t stale;        /* hits of a job replaced with clean set */
  atomic_uint_least64_t duplicates;   /* hits already seen */
  atomic_uint_least64_t hit_overflow; /* hits a device could not report (buffer full) */
  atomic_uint_least64_t batch_errors; /* batches the device failed */
  atomic_uint_least64_t last_latency_ns;
  atomic_uint_least64_t run_started_ns; /* when the worker last started, 0 while stopped */
  atomic_uint_least64_t active_ns;      /* time of earlier, finished runs */
};

/* Single-writer add: only the counter's owning thread may call it. */
static inline void synth__counter_add(atomic_uint_least64_t *c, uint64_t v)
{
  uint64_t now = atomic_load_explicit(c, memory_order_relaxed);
  atomic_store_explicit(c, now + v, memory_order_relaxed);
}

static inline void synth__counter_set(atomic_uint_least64_t *c, uint64_t v)
{
  atomic_store_explicit(c, v, memory_order_relaxed);
}

static inline uint64_t synth__counter_get(const atomic_uint_least64_t *c)
{
  return atomic_load_explicit(c, memory_order_relaxed);
}

void synth__device_counters_init(struct synth__device_counters *c);

#endif
