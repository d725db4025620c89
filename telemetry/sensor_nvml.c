/* sensor_nvml.c: NVIDIA GPUs' sensors through NVML, loaded with dlopen at run time, so that a
 * machine without the driver loses only these readings and the build needs no NVIDIA headers. */
#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "telemetry/nvml_abi.h"
#include "telemetry/sensor.h"

#define DEFAULT_LIBRARY "libnvidia-ml.so.1"

/* A device's energy counter since open: NVML's counts from the driver's load. */
struct nvml_energy {
  unsigned long long last_mj;  /* the highest counter read */
  unsigned long long total_mj; /* energy since the first read */
  bool seen;
};

struct synth__nvml {
  void *lib;
  /* Required: open fails without them. */
  synth__nvml_init_fn *init;
  synth__nvml_shutdown_fn *shutdown;
  synth__nvml_count_fn *count;
  synth__nvml_by_index_fn *by_index;
  /* Optional: an older driver lacks some; their fields are then left out. */
  synth__nvml_error_string_fn *error_string;
  synth__nvml_by_pci_fn *by_pci;
  synth__nvml_uuid_fn *uuid;
  synth__nvml_temperature_fn *temperature;
  synth__nvml_uint_fn *power;
  synth__nvml_ull_fn *energy;
  synth__nvml_clock_fn *clock;
  synth__nvml_uint_fn *enforced_limit;
  synth__nvml_constraints_fn *constraints;
  synth__nvml_uint_fn *limit;
  synth__nvml_ull_fn *throttle;
  synth__nvml_set_limit_fn *set_limit;

  /* Written at open only, then read from any thread. */
  unsigned ndevices;
  nvmlDevice_t *devices; /* NULL where NVML gave no handle */

  /* The one mutable state shared by readers. */
  pthread_mutex_t energy_lock;
  struct nvml_energy *energy_state;
};

__attribute__((format(printf, 3, 4))) static void say(char *why, size_t why_size, const char *fmt,
                                                      ...)
{
  if (!why || !why_size)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, why_size, fmt, ap);
  va_end(ap);
}

/* NVML's own words for @rc, or its number where this NVML cannot say. */
static const char *words(const struct synth__nvml *n, nvmlReturn_t rc, char *buf, size_t size)
{
  const char *s = n->error_string ? n->error_string(rc) : NULL;
  if (s && *s)
    return s;
  snprintf(buf, size, "NVML error %d", (int)rc);
  return buf;
}

/* dlsym's answer as the function pointer it is: POSIX guarantees that conversion. */
#define LOAD(n, field, name) ((n)->field = (__typeof__((n)->field))dlsym((n)->lib, name))

static void load_optional(struct synth__nvml *n)
{
  LOAD(n, error_string, "nvmlErrorString");
  LOAD(n, by_pci, "nvmlDeviceGetHandleByPciBusId_v2");
  LOAD(n, uuid, "nvmlDeviceGetUUID");
  LOAD(n, temperature, "nvmlDeviceGetTemperature");
  LOAD(n, power, "nvmlDeviceGetPowerUsage");
  LOAD(n, energy, "nvmlDeviceGetTotalEnergyConsumption");
  LOAD(n, clock, "nvmlDeviceGetClockInfo");
  LOAD(n, enforced_limit, "nvmlDeviceGetEnforcedPowerLimit");
  LOAD(n, constraints, "nvmlDeviceGetPowerManagementLimitConstraints");
  LOAD(n, limit, "nvmlDeviceGetPowerManagementLimit");
  LOAD(n, throttle, "nvmlDeviceGetCurrentClocksThrottleReasons");
  LOAD(n, set_limit, "nvmlDeviceSetPowerManagementLimit");
}

/* The name of the first required symbol @n's library lacks, or NULL. */
static const char *load_required(struct synth__nvml *n)
{
  if (!LOAD(n, init, "nvmlInit_v2"))
    return "nvmlInit_v2";
  if (!LOAD(n, shutdown, "nvmlShutdown"))
    return "nvmlShutdown";
  if (!LOAD(n, count, "nvmlDeviceGetCount_v2"))
    return "nvmlDeviceGetCount_v2";
  if (!LOAD(n, by_index, "nvmlDeviceGetHandleByIndex_v2"))
    return "nvmlDeviceGetHandleByIndex_v2";
  return NULL;
}

static void release(struct synth__nvml *n)
{
  dlclose(n->lib);
  free(n->devices);
  free(n->energy_state);
  free(n);
}

/* After nvmlInit_v2: every device's handle, taken once so that readers share them unlocked. */
static int take_devices(struct synth__nvml *n, char *why, size_t why_size)
{
  char buf[32];
  unsigned count = 0;
  nvmlReturn_t rc = n->count(&count);
  if (rc != NVML_SUCCESS) {
    say(why, why_size, "nvmlDeviceGetCount_v2: %s", words(n, rc, buf, sizeof buf));
    return -1;
  }
  size_t slots = count ? count : 1; /* calloc(0) may answer NULL */
  n->devices = calloc(slots, sizeof *n->devices);
  n->energy_state = calloc(slots, sizeof *n->energy_state);
  if (!n->devices || !n->energy_state) {
    say(why, why_size, "out of memory for %u NVML devices", count);
    return -1;
  }
  n->ndevices = count;
  for (unsigned i = 0; i < count; i++)
    if (n->by_index(i, &n->devices[i]) != NVML_SUCCESS)
      n->devices[i] = NULL; /* a GPU in a bad state: only it is left out */
  return 0;
}

struct synth__nvml *synth__nvml_open(const char *library, char *why, size_t why_size)
{
  say(why, why_size, "%s", "");
  const char *path = library ? library : DEFAULT_LIBRARY;
  struct synth__nvml *n = calloc(1, sizeof *n);
  if (!n) {
    say(why, why_size, "out of memory");
    return NULL;
  }
  n->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!n->lib) {
    const char *err = dlerror();
    say(why, why_size, "no NVML: %s", err ? err : path);
    free(n);
    return NULL;
  }
  const char *missing = load_required(n);
  if (missing) {
    say(why, why_size, "%s is not a usable NVML: it has no %s", path, missing);
    release(n);
    return NULL;
  }
  load_optional(n);
  char buf[32];
  nvmlReturn_t rc = n->init();
  if (rc != NVML_SUCCESS) {
    say(why, why_size, "nvmlInit_v2: %s", words(n, rc, buf, sizeof buf));
    release(n);
    return NULL;
  }
  if (take_devices(n, why, why_size) != 0 || pthread_mutex_init(&n->energy_lock, NULL) != 0) {
    if (why && why_size && !*why)
      say(why, why_size, "cannot make the NVML handle's lock");
    n->shutdown();
    release(n);
    return NULL;
  }
  return n;
}

void synth__nvml_close(struct synth__nvml *n)
{
  if (!n)
    return;
  n->shutdown();
  pthread_mutex_destroy(&n->energy_lock);
  release(n);
}

static nvmlDevice_t device(const struct synth__nvml *n, int index)
{
  if (!n || index < 0 || (unsigned)index >= n->ndevices)
    return NULL;
  return n->devices[index];
}

/* NVML's "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case) as the 16 bytes Vulkan and
 * OpenCL give. Returns 0, or -1 for anything else (a MIG instance's "MIG-..." included). */
static int uuid_bytes(const char *s, unsigned char out[16])
{
  if (strncmp(s, "GPU-", 4) != 0)
    return -1;
  s += 4;
  for (int i = 0; i < 16; i++) {
    if (*s == '-')
      s++;
    int hi = synth__hex_digit(s[0]);
    int lo = hi < 0 ? -1 : synth__hex_digit(s[1]);
    if (lo < 0)
      return -1;
    out[i] = (unsigned char)(hi << 4 | lo);
    s += 2;
  }
  return *s ? -1 : 0;
}

static int find_by_uuid(const struct synth__nvml *n, const unsigned char *uuid)
{
  if (!n->uuid)
    return -1;
  for (unsigned i = 0; i < n->ndevices; i++) {
    char text[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
    unsigned char bytes[16];
    if (n->devices[i] && n->uuid(n->devices[i], text, sizeof text) == NVML_SUCCESS &&
        memchr(text, '\0', sizeof text) && uuid_bytes(text, bytes) == 0 &&
        memcmp(bytes, uuid, 16) == 0)
      return (int)i;
  }
  return -1;
}

/* NVML parses the bus id itself (any case, a 4- or 8-digit domain); its handle gives the index. */
static int find_by_pci(const struct synth__nvml *n, const char *pci)
{
  nvmlDevice_t d;
  if (!n->by_pci || n->by_pci(pci, &d) != NVML_SUCCESS || !d)
    return -1;
  for (unsigned i = 0; i < n->ndevices; i++)
    if (n->devices[i] == d)
      return (int)i;
  return -1;
}

int synth__nvml_find(struct synth__nvml *n, const unsigned char *uuid, const char *pci)
{
  if (!n)
    return -1;
  int i = uuid ? find_by_uuid(n, uuid) : -1;
  if (i < 0 && pci && *pci)
    i = find_by_pci(n, pci);
  return i;
}

/* Idle is not throttling. A bare HwSlowdown says only that the hardware slowed the clocks, so it
 * counts as other unless the thermal or power-brake bit says which. */
static unsigned fold_throttle(unsigned long long reasons)
{
  const unsigned long long power =
      nvmlClocksThrottleReasonSwPowerCap | nvmlClocksThrottleReasonHwPowerBrakeSlowdown;
  const unsigned long long thermal =
      nvmlClocksThrottleReasonSwThermalSlowdown | nvmlClocksThrottleReasonHwThermalSlowdown;
  unsigned out = 0;
  if (reasons & power)
    out |= SYNTH__THROTTLE_POWER;
  if (reasons & thermal)
    out |= SYNTH__THROTTLE_THERMAL;
  unsigned long long rest = reasons & ~(power | thermal | nvmlClocksThrottleReasonGpuIdle);
  if (reasons & (thermal | nvmlClocksThrottleReasonHwPowerBrakeSlowdown))
    rest &= ~nvmlClocksThrottleReasonHwSlowdown;
  if (rest)
    out |= SYNTH__THROTTLE_OTHER;
  return out;
}

/* Energy since the first read. Only a counter above the highest seen adds: one that went back
 * adds nothing (never negative energy), and two threads' reads taking the lock out of order
 * neither lose nor count twice what lies between them. */
static double energy_since_open(struct synth__nvml *n, int index, unsigned long long mj)
{
  pthread_mutex_lock(&n->energy_lock);
  struct nvml_energy *e = &n->energy_state[index];
  if (!e->seen) {
    e->seen = true;
    e->last_mj = mj;
  } else if (mj > e->last_mj) {
    e->total_mj += mj - e->last_mj;
    e->last_mj = mj;
  }
  unsigned long long total = e->total_mj;
  pthread_mutex_unlock(&n->energy_lock);
  return (double)total / 1000.0;
}

void synth__nvml_read(struct synth__nvml *n, int index, struct synth__sensor_reading *out)
{
  *out = (struct synth__sensor_reading){0};
  nvmlDevice_t d = device(n, index);
  if (!d)
    return;
  unsigned v;
  unsigned long long u;
  if (n->temperature && n->temperature(d, NVML_TEMPERATURE_GPU, &v) == NVML_SUCCESS) {
    out->temp_c = v;
    out->have |= SYNTH__SENSE_TEMP;
  }
  if (n->power && n->power(d, &v) == NVML_SUCCESS) {
    out->power_w = v / 1000.0;
    out->have |= SYNTH__SENSE_POWER;
  }
  if (n->energy && n->energy(d, &u) == NVML_SUCCESS) {
    out->energy_j = energy_since_open(n, index, u);
    out->have |= SYNTH__SENSE_ENERGY;
  }
  if (n->clock && n->clock(d, NVML_CLOCK_SM, &v) == NVML_SUCCESS) {
    out->clock_mhz = v;
    out->have |= SYNTH__SENSE_CLOCK;
  }
  if (n->enforced_limit && n->enforced_limit(d, &v) == NVML_SUCCESS) {
    out->limit_w = v / 1000.0;
    out->have |= SYNTH__SENSE_LIMIT;
  }
  if (n->throttle && n->throttle(d, &u) == NVML_SUCCESS) {
    out->throttle = fold_throttle(u);
    out->have |= SYNTH__SENSE_THROTTLE;
  }
}

/* @watts in milliwatts, within the device's constraints where NVML tells them. */
static unsigned limit_mw(const struct synth__nvml *n, nvmlDevice_t d, double watts)
{
  double mw = watts * 1000.0;
  unsigned lo, hi;
  if (n->constraints && n->constraints(d, &lo, &hi) == NVML_SUCCESS && lo <= hi) {
    if (mw < lo)
      mw = lo;
    if (mw > hi)
      mw = hi;
  }
  return mw >= (double)UINT_MAX ? UINT_MAX : (unsigned)(mw + 0.5);
}

int synth__nvml_set_power_limit(struct synth__nvml *n, int index, double watts, double *previous,
                                char *why, size_t why_size)
{
  nvmlDevice_t d = device(n, index);
  if (!d) {
    say(why, why_size, "no NVML device %d", index);
    return -1;
  }
  if (!isfinite(watts) || watts <= 0) {
    say(why, why_size, "%g W is not a power limit", watts);
    return -1;
  }
  if (!n->set_limit || !n->limit) {
    say(why, why_size, "this NVML cannot set power limits (too old a driver)");
    return -1;
  }
  char buf[32];
  unsigned before;
  nvmlReturn_t rc = n->limit(d, &before);
  if (rc != NVML_SUCCESS) { /* a limit we could not restore is not set */
    say(why, why_size, "nvmlDeviceGetPowerManagementLimit: %s", words(n, rc, buf, sizeof buf));
    return -1;
  }
  rc = n->set_limit(d, limit_mw(n, d, watts));
  if (rc != NVML_SUCCESS) {
    say(why, why_size, "nvmlDeviceSetPowerManagementLimit: %s%s", words(n, rc, buf, sizeof buf),
        rc == NVML_ERROR_NO_PERMISSION ? " (setting a GPU's power limit needs root)" : "");
    return -1;
  }
  if (previous)
    *previous = before / 1000.0;
  return 0;
}
