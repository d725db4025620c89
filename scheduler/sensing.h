/* sensing.h: each device's sensors bound to it, read by a thread of their own, and the limits
 * they hold it to (duty cycle, a stop when too hot). */
#ifndef SYNTH_SCHEDULER_SENSING_H
#define SYNTH_SCHEDULER_SENSING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scheduler/sensing_state.h"

struct synth__sched;
struct synth__sched_device;
struct synth__device_desc;
struct synth_device_stats;

/* Binds every device of @s (all added, none started) to its sensors (NVML by UUID or PCI,
 * amdgpu hwmon by PCI, a CPU worker to its package's RAPL zone and k10temp/coretemp) and says
 * in the log what each has. Never fails for want of sensors. Returns 0 or SYNTH_ENOMEM. */
int synth__sched_sensors(struct synth__sched *s, const struct synth__sensing_config *cfg);

/* Every device's limits (@cfg: one per device; zero fields: none), at any time. A shared
 * source takes the lowest of its devices'. Thread-safe against the sensor thread; calls are
 * serialized by the caller. */
void synth__sensing_set_limits(struct synth__sched *s, const struct synth__limit_config *cfg);

/* Starts and stops the sensor thread (with the scheduler's threads). */
int synth__sensing_start(struct synth__sched *s);
void synth__sensing_stop(struct synth__sched *s);

/* Without a scheduler (listing devices): @desc's sensors' label and one reading of what a
 * single read gives (temperature, power where the source says it, clock, limit; no energy).
 * @nvml may be NULL. Returns 0, or -1 when it has none (label ""). */
int synth__sensing_probe(const struct synth__sensing_config *cfg, struct synth__nvml *nvml,
                         const struct synth__device_desc *desc, char *label, size_t label_size,
                         struct synth__sensor_reading *r);

/* Frees what bind opened. */
void synth__sensing_free(struct synth__sched *s);

/* The idle gap the device owes after a batch that kept it busy @busy_ns (0: none). */
uint64_t synth__sensing_gap_ns(const struct synth__sched_device *d, uint64_t busy_ns);

/* Whether the device is at its abort temperature: it must not hash. */
bool synth__sensing_hot(const struct synth__sched_device *d);

/* The device's sensor figures into @out (its share of a shared source). */
void synth__sensing_stats(const struct synth__sched_device *d, struct synth_device_stats *out);

#endif
