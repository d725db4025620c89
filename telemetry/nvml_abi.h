/* nvml_abi.h: the few NVML types, constants and function types synthminer uses, declared with
 * NVML's own ABI, so that libnvidia-ml.so.1 is loaded at run time with no build dependency on
 * NVIDIA's headers (sensor_nvml.c; the tests' stub exports the same functions). */
#ifndef SYNTH_TELEMETRY_NVML_ABI_H
#define SYNTH_TELEMETRY_NVML_ABI_H

/* nvmlReturn_t: an int-sized enum in nvml.h; only the values we name. */
typedef enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NO_PERMISSION = 4,
  NVML_ERROR_NOT_FOUND = 6,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_DRIVER_NOT_LOADED = 9,
  NVML_ERROR_GPU_IS_LOST = 15,
  NVML_ERROR_UNKNOWN = 999,
} nvmlReturn_t;

/* An opaque pointer to NVML's own device record. */
typedef struct nvmlDevice_st *nvmlDevice_t;

typedef enum { NVML_TEMPERATURE_GPU = 0 } nvmlTemperatureSensors_t;
typedef enum { NVML_CLOCK_GRAPHICS = 0, NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2 } nvmlClockType_t;

/* Large enough for nvmlDeviceGetUUID ("GPU-" and 32 hex digits in five groups, or longer). */
#define NVML_DEVICE_UUID_V2_BUFFER_SIZE 96

/* nvmlDeviceGetCurrentClocksThrottleReasons' bits (unsigned long long). */
#define nvmlClocksThrottleReasonGpuIdle 0x1ull
#define nvmlClocksThrottleReasonApplicationsClocksSetting 0x2ull
#define nvmlClocksThrottleReasonSwPowerCap 0x4ull
#define nvmlClocksThrottleReasonHwSlowdown 0x8ull
#define nvmlClocksThrottleReasonSyncBoost 0x10ull
#define nvmlClocksThrottleReasonSwThermalSlowdown 0x20ull
#define nvmlClocksThrottleReasonHwThermalSlowdown 0x40ull
#define nvmlClocksThrottleReasonHwPowerBrakeSlowdown 0x80ull
#define nvmlClocksThrottleReasonDisplayClockSetting 0x100ull

/* The functions' types, one per symbol: the loader casts dlsym's answer to them and the stub
 * declares its definitions with them, so both agree with NVML's prototypes. */
typedef nvmlReturn_t synth__nvml_init_fn(void);
typedef nvmlReturn_t synth__nvml_shutdown_fn(void);
typedef const char *synth__nvml_error_string_fn(nvmlReturn_t result);
typedef nvmlReturn_t synth__nvml_count_fn(unsigned int *count);
typedef nvmlReturn_t synth__nvml_by_index_fn(unsigned int index, nvmlDevice_t *device);
typedef nvmlReturn_t synth__nvml_by_pci_fn(const char *pci_bus_id, nvmlDevice_t *device);
typedef nvmlReturn_t synth__nvml_uuid_fn(nvmlDevice_t device, char *uuid, unsigned int length);
typedef nvmlReturn_t synth__nvml_temperature_fn(nvmlDevice_t device,
                                                nvmlTemperatureSensors_t sensor,
                                                unsigned int *temp);
typedef nvmlReturn_t synth__nvml_uint_fn(nvmlDevice_t device, unsigned int *value);
typedef nvmlReturn_t synth__nvml_ull_fn(nvmlDevice_t device, unsigned long long *value);
typedef nvmlReturn_t synth__nvml_clock_fn(nvmlDevice_t device, nvmlClockType_t type,
                                          unsigned int *clock);
typedef nvmlReturn_t synth__nvml_constraints_fn(nvmlDevice_t device, unsigned int *min_limit,
                                                unsigned int *max_limit);
typedef nvmlReturn_t synth__nvml_set_limit_fn(nvmlDevice_t device, unsigned int limit);

#endif
