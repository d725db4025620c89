/* device_rate.h: a device's hash rate, measured in a moment, to choose between two APIs. */
#ifndef SYNTH_RUNTIME_DEVICE_RATE_H
#define SYNTH_RUNTIME_DEVICE_RATE_H

#include "devices/device.h"

/*
 * Hashes the workload's known-answer payload on an opened device: batches grow until one takes
 * a few milliseconds, then every slot stays in flight for about ms milliseconds. Returns 0 and
 * the nonces per second in *rate, or the device's error (every batch is back either way).
 */
int synth__device_measure_rate(const struct synth__device_ops *ops, void *dev,
                               const struct synth_workload *workload, unsigned ms, double *rate);

#endif
