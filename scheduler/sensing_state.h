/* sensing_state.h: what the scheduler keeps of its devices' sensors (scheduler/sensing.h has
 * what is done with it). */
#ifndef SYNTH_SCHEDULER_SENSING_STATE_H
#define SYNTH_SCHEDULER_SENSING_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "telemetry/limit.h"
#include "telemetry/sensor.h"

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

#endif
