/* nvml_stub.h: a stand-in for libnvidia-ml.so.1 (libsynth_nvml_stub.so) with up to
 * NVML_STUB_MAX_GPUS scripted GPUs. It exports the NVML functions sensor_nvml.c loads, and these
 * nvml_stub_ controls, which a test reaches by linking the same library it hands to
 * synth__nvml_open: one loaded copy, one state. */
#ifndef SYNTH_TESTS_NVML_STUB_H
#define SYNTH_TESTS_NVML_STUB_H

#include <stdbool.h>

#include "telemetry/nvml_abi.h"

#define NVML_STUB_MAX_GPUS 4
#define NVML_STUB_EXPORT __attribute__((visibility("default")))

/* No GPUs, every function succeeding, set allowed, no energy step, counters and init at 0. */
NVML_STUB_EXPORT void nvml_stub_reset(void);

/* GPU @i (below NVML_STUB_MAX_GPUS; the count becomes at least @i + 1): its UUID string
 * ("GPU-..."), PCI bus id as NVML writes it ("00000000:17:00.0"), temperature (C), power (mW),
 * energy counter (mJ), SM clock (MHz), power limit (mW, also the enforced one), the limit's
 * constraints (mW) and clocks-throttle reasons. Returns 0, or -1 for a bad @i. */
NVML_STUB_EXPORT int nvml_stub_set_gpu(unsigned i, const char *uuid, const char *pci,
                                       unsigned temp_c, unsigned power_mw,
                                       unsigned long long energy_mj, unsigned clock_mhz,
                                       unsigned limit_mw, unsigned min_mw, unsigned max_mw,
                                       unsigned long long throttle);

/* GPU @i's energy counter now; and a step it grows by on every read (0: none). */
NVML_STUB_EXPORT void nvml_stub_set_energy(unsigned i, unsigned long long energy_mj);
NVML_STUB_EXPORT void nvml_stub_energy_step(unsigned long long step_mj);

/* NVML function @function (its exported name) answers @rc from now on, for every GPU;
 * NVML_SUCCESS makes it work again. Returns 0, or -1 when the stub has no such function. */
NVML_STUB_EXPORT int nvml_stub_fail(const char *function, nvmlReturn_t rc);

/* nvmlDeviceSetPowerManagementLimit answers NVML_ERROR_NO_PERMISSION, as for a non-root user. */
NVML_STUB_EXPORT void nvml_stub_deny_set(bool deny);

/* How often @function was called since the reset. */
NVML_STUB_EXPORT unsigned nvml_stub_calls(const char *function);

/* nvmlInit_v2 calls not yet matched by nvmlShutdown: NVML's reference count. */
NVML_STUB_EXPORT int nvml_stub_initialized(void);

/* GPU @i's power management limit now (mW). */
NVML_STUB_EXPORT unsigned nvml_stub_limit_mw(unsigned i);

#endif
