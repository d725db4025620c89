/* limit.h: a device's temperature and power limits, held by duty cycle: the share of time it
 * may hash, the rest idle gaps between its batches. */
#ifndef SYNTH_TELEMETRY_LIMIT_H
#define SYNTH_TELEMETRY_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "telemetry/sensor.h"

struct synth__limit_config {
  double temp_limit_c;  /* hash less above it; 0: none */
  double temp_abort_c;  /* stop the device at or above it; 0: none */
  double hysteresis_c;  /* back up (or back on) only this far below; 0: 3 */
  double power_limit_w; /* hold the device's power at or under it; 0: none */
};

/* Why a device's duty is below 1 (or it is stopped): the public SYNTH_LIMITED_* bits. */
#define SYNTH__LIMIT_BY_TEMP SYNTH_LIMITED_TEMP
#define SYNTH__LIMIT_BY_POWER SYNTH_LIMITED_POWER
#define SYNTH__LIMIT_HOT SYNTH_LIMITED_HOT /* at the abort temperature: stopped */

/* The lowest duty: a limited device still hashes now and then, so it is still measured. */
#define SYNTH__DUTY_MIN 0.02

struct synth__limit {
  double duty_temp, duty_power; /* each loop's own; the device runs at the lower */
  bool hot;                     /* reached temp_abort, not yet hysteresis_c below it */
};

void synth__limit_init(struct synth__limit *l);

/* One control step from @r, read @dt_s after the previous one. A field @r lacks leaves its
 * loop where it was (a sensor that stops answering neither frees nor stalls the device). */
void synth__limit_step(struct synth__limit *l, const struct synth__limit_config *cfg,
                       const struct synth__sensor_reading *r, double dt_s);

/* The duty the device runs at, in [SYNTH__DUTY_MIN, 1]. */
double synth__limit_duty(const struct synth__limit *l);

/* SYNTH__LIMIT_* of what holds the device now (0: nothing). */
unsigned synth__limit_reasons(const struct synth__limit *l);

/* The idle gap after a batch that kept the device busy @busy_ns, for @duty: busy / (busy + gap)
 * = duty. At most 2 s: a slow batch at a low duty does not park the device for long. */
uint64_t synth__limit_gap_ns(double duty, uint64_t busy_ns);

#endif
