/* sensing.h: each device's sensors bound to it, read by a thread of their own, and the limits
 * they hold it to (duty cycle, a stop when too hot). */
#ifndef SYNTH_SCHEDULER_SENSING_H
#define SYNTH_SCHEDULER_SENSING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "telemetry/limit.h"
#include "telemetry/sensor.h"

struct synth__sched;
struct synth__sched_device;
struct synth__device_desc;
struct synth_device_stats;

struct synth__sensing_config {
  const char *root;         /* prefix of /sys for hwmon and RAPL; NULL: "/" */
  const char *nvml_library; /* NULL: "libnvidia-ml.so.1"; "": NVML is not tried */
  unsigned period_ms;       /* between readings; 0: 500 */
  /* A power limit on an NVML device also sets the device's own limit (needs root), put back
   * as it was when the limit is lifted or the scheduler is destroyed. */
  bool device_power_limit;
};

/* Where one device's figures come from; a CPU package's zone is shared by its workers. */
struct synth__sensor_source {
  char label[64]; /* "nvml", "hwmon amdgpu", "rapl package-0, hwmon k10temp" */
  int nvml_index; /* -1: not NVML */
  struct synth__hwmon hwmon;
  bool has_hwmon;
  struct synth__rapl rapl;
  bool has_rapl;
  unsigned sharers; /* devices reading it: each gets 1/sharers of power and energy */
  int package;      /* CPU sources: the package, else -1 */
  /* The sensor thread's: */
  struct synth__limit limit;
  struct synth__limit_config limit_cfg;
  uint64_t last_ns;
  /* The device's own power limit, set under device_power_limit: what it was before. */
  double own_limit_before_w;
  bool own_limit_set;
  /* Published (lock): */
  pthread_mutex_t lock;
  struct synth__sensor_reading reading;
  double energy0_j; /* energy at the first reading */
  bool read_once;
  _Atomic double duty;
  atomic_uint limited; /* SYNTH__LIMIT_* */
};

struct synth__sensing {
  struct synth__sensing_config cfg;
  struct synth__nvml *nvml;
  struct synth__sensor_source *sources; /* one per device at most */
  unsigned nsources;
  pthread_t thread;
  bool bound, running;
  pthread_mutex_t wake_lock;
  pthread_cond_t wake;
  bool stop;
};

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
