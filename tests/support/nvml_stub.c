/* nvml_stub.c: libsynth_nvml_stub.so, NVML's functions over scripted GPUs (nvml_stub.h). Built
 * with NVML_STUB_OLD it lacks the functions an old driver lacks, as libsynth_nvml_stub_old.so. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/nvml_stub.h"

/* NVML's device record: the handle NVML gives is a pointer to one. */
struct nvmlDevice_st {
  char uuid[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
  char pci[32];
  unsigned temp_c, power_mw, clock_mhz, limit_mw, min_mw, max_mw;
  unsigned long long energy_mj, throttle;
};

/* Every function the stub exports, for nvml_stub_fail and nvml_stub_calls. */
enum fn {
  F_INIT,
  F_SHUTDOWN,
  F_ERROR_STRING,
  F_COUNT,
  F_BY_INDEX,
  F_BY_PCI,
  F_UUID,
  F_TEMPERATURE,
  F_POWER,
  F_ENERGY,
  F_CLOCK,
  F_ENFORCED,
  F_CONSTRAINTS,
  F_LIMIT,
  F_THROTTLE,
  F_SET_LIMIT,
  F_N
};

static const char *const fn_names[F_N] = {
    "nvmlInit_v2",
    "nvmlShutdown",
    "nvmlErrorString",
    "nvmlDeviceGetCount_v2",
    "nvmlDeviceGetHandleByIndex_v2",
    "nvmlDeviceGetHandleByPciBusId_v2",
    "nvmlDeviceGetUUID",
    "nvmlDeviceGetTemperature",
    "nvmlDeviceGetPowerUsage",
    "nvmlDeviceGetTotalEnergyConsumption",
    "nvmlDeviceGetClockInfo",
    "nvmlDeviceGetEnforcedPowerLimit",
    "nvmlDeviceGetPowerManagementLimitConstraints",
    "nvmlDeviceGetPowerManagementLimit",
    "nvmlDeviceGetCurrentClocksThrottleReasons",
    "nvmlDeviceSetPowerManagementLimit",
};

/* The stub's whole state, under one lock: tests read from several threads. */
static struct {
  pthread_mutex_t lock;
  struct nvmlDevice_st gpus[NVML_STUB_MAX_GPUS];
  unsigned ngpus;
  int refcount;
  bool deny_set;
  unsigned long long energy_step;
  nvmlReturn_t fail[F_N];
  unsigned calls[F_N];
} st = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int fn_index(const char *name)
{
  for (int f = 0; f < F_N; f++)
    if (name && strcmp(fn_names[f], name) == 0)
      return f;
  return -1;
}

/* Counts the call under the lock; answers the scripted failure, else UNINITIALIZED before init
 * (as NVML does for every device call). The caller unlocks. */
static nvmlReturn_t enter(enum fn f)
{
  pthread_mutex_lock(&st.lock);
  st.calls[f]++;
  if (st.fail[f] != NVML_SUCCESS)
    return st.fail[f];
  if (f != F_INIT && st.refcount == 0)
    return NVML_ERROR_UNINITIALIZED;
  return NVML_SUCCESS;
}

static nvmlReturn_t leave(nvmlReturn_t rc)
{
  pthread_mutex_unlock(&st.lock);
  return rc;
}

/* @d, when it is one of the stub's GPUs. */
static bool valid(nvmlDevice_t d)
{
  return d && d >= st.gpus && d < st.gpus + st.ngpus;
}

/* A device call's common start: counted, scripted failure, init, the handle and @out checked. */
static nvmlReturn_t enter_device(enum fn f, nvmlDevice_t d, const void *out)
{
  nvmlReturn_t rc = enter(f);
  if (rc == NVML_SUCCESS && (!valid(d) || !out))
    rc = NVML_ERROR_INVALID_ARGUMENT;
  return rc;
}

/* ---- The controls. ---- */

void nvml_stub_reset(void)
{
  pthread_mutex_lock(&st.lock);
  memset(st.gpus, 0, sizeof st.gpus);
  st.ngpus = 0;
  st.refcount = 0;
  st.deny_set = false;
  st.energy_step = 0;
  memset(st.fail, 0, sizeof st.fail);
  memset(st.calls, 0, sizeof st.calls);
  pthread_mutex_unlock(&st.lock);
}

int nvml_stub_set_gpu(unsigned i, const char *uuid, const char *pci, unsigned temp_c,
                      unsigned power_mw, unsigned long long energy_mj, unsigned clock_mhz,
                      unsigned limit_mw, unsigned min_mw, unsigned max_mw,
                      unsigned long long throttle)
{
  if (i >= NVML_STUB_MAX_GPUS)
    return -1;
  pthread_mutex_lock(&st.lock);
  struct nvmlDevice_st *g = &st.gpus[i];
  snprintf(g->uuid, sizeof g->uuid, "%s", uuid ? uuid : "");
  snprintf(g->pci, sizeof g->pci, "%s", pci ? pci : "");
  g->temp_c = temp_c;
  g->power_mw = power_mw;
  g->energy_mj = energy_mj;
  g->clock_mhz = clock_mhz;
  g->limit_mw = limit_mw;
  g->min_mw = min_mw;
  g->max_mw = max_mw;
  g->throttle = throttle;
  if (st.ngpus < i + 1)
    st.ngpus = i + 1;
  pthread_mutex_unlock(&st.lock);
  return 0;
}

void nvml_stub_set_energy(unsigned i, unsigned long long energy_mj)
{
  pthread_mutex_lock(&st.lock);
  if (i < NVML_STUB_MAX_GPUS)
    st.gpus[i].energy_mj = energy_mj;
  pthread_mutex_unlock(&st.lock);
}

void nvml_stub_energy_step(unsigned long long step_mj)
{
  pthread_mutex_lock(&st.lock);
  st.energy_step = step_mj;
  pthread_mutex_unlock(&st.lock);
}

int nvml_stub_fail(const char *function, nvmlReturn_t rc)
{
  int f = fn_index(function);
  if (f < 0)
    return -1;
  pthread_mutex_lock(&st.lock);
  st.fail[f] = rc;
  pthread_mutex_unlock(&st.lock);
  return 0;
}

void nvml_stub_deny_set(bool deny)
{
  pthread_mutex_lock(&st.lock);
  st.deny_set = deny;
  pthread_mutex_unlock(&st.lock);
}

unsigned nvml_stub_calls(const char *function)
{
  int f = fn_index(function);
  if (f < 0)
    return 0;
  pthread_mutex_lock(&st.lock);
  unsigned n = st.calls[f];
  pthread_mutex_unlock(&st.lock);
  return n;
}

int nvml_stub_initialized(void)
{
  pthread_mutex_lock(&st.lock);
  int n = st.refcount;
  pthread_mutex_unlock(&st.lock);
  return n;
}

unsigned nvml_stub_limit_mw(unsigned i)
{
  pthread_mutex_lock(&st.lock);
  unsigned mw = i < NVML_STUB_MAX_GPUS ? st.gpus[i].limit_mw : 0;
  pthread_mutex_unlock(&st.lock);
  return mw;
}

/* ---- NVML's functions. ---- */

NVML_STUB_EXPORT synth__nvml_init_fn nvmlInit_v2;
NVML_STUB_EXPORT synth__nvml_shutdown_fn nvmlShutdown;
NVML_STUB_EXPORT synth__nvml_count_fn nvmlDeviceGetCount_v2;
NVML_STUB_EXPORT synth__nvml_by_index_fn nvmlDeviceGetHandleByIndex_v2;
NVML_STUB_EXPORT synth__nvml_by_pci_fn nvmlDeviceGetHandleByPciBusId_v2;
NVML_STUB_EXPORT synth__nvml_uuid_fn nvmlDeviceGetUUID;
NVML_STUB_EXPORT synth__nvml_temperature_fn nvmlDeviceGetTemperature;
NVML_STUB_EXPORT synth__nvml_uint_fn nvmlDeviceGetPowerUsage;
NVML_STUB_EXPORT synth__nvml_clock_fn nvmlDeviceGetClockInfo;
NVML_STUB_EXPORT synth__nvml_uint_fn nvmlDeviceGetEnforcedPowerLimit;
NVML_STUB_EXPORT synth__nvml_constraints_fn nvmlDeviceGetPowerManagementLimitConstraints;
NVML_STUB_EXPORT synth__nvml_uint_fn nvmlDeviceGetPowerManagementLimit;

nvmlReturn_t nvmlInit_v2(void)
{
  nvmlReturn_t rc = enter(F_INIT);
  if (rc == NVML_SUCCESS)
    st.refcount++;
  return leave(rc);
}

nvmlReturn_t nvmlShutdown(void)
{
  nvmlReturn_t rc = enter(F_SHUTDOWN);
  if (rc == NVML_SUCCESS)
    st.refcount--;
  return leave(rc);
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count)
{
  nvmlReturn_t rc = enter(F_COUNT);
  if (rc == NVML_SUCCESS && !count)
    rc = NVML_ERROR_INVALID_ARGUMENT;
  if (rc == NVML_SUCCESS)
    *count = st.ngpus;
  return leave(rc);
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
{
  nvmlReturn_t rc = enter(F_BY_INDEX);
  if (rc == NVML_SUCCESS && (!device || index >= st.ngpus))
    rc = NVML_ERROR_INVALID_ARGUMENT;
  if (rc == NVML_SUCCESS)
    *device = &st.gpus[index];
  return leave(rc);
}

/* "domain:bus:device.function" (domain of any width) or "bus:device.function", hex, any case:
 * what NVML accepts. Returns 0 and the four numbers, or -1. */
static int parse_pci(const char *s, unsigned long v[4])
{
  unsigned long part[4];
  int n = 0;
  while (n < 4) {
    char *end;
    part[n++] = strtoul(s, &end, 16);
    if (end == s)
      return -1;
    s = end;
    if (!*s)
      break;
    if (n == 4 || (*s != ':' && *s != '.'))
      return -1;
    s++;
  }
  if (*s)
    return -1;
  if (n == 3) { /* no domain */
    v[0] = 0;
    memcpy(v + 1, part, 3 * sizeof *part);
    return 0;
  }
  if (n != 4)
    return -1;
  memcpy(v, part, sizeof part);
  return 0;
}

nvmlReturn_t nvmlDeviceGetHandleByPciBusId_v2(const char *pci_bus_id, nvmlDevice_t *device)
{
  nvmlReturn_t rc = enter(F_BY_PCI);
  unsigned long want[4], have[4];
  if (rc == NVML_SUCCESS && (!pci_bus_id || !device || parse_pci(pci_bus_id, want) != 0))
    rc = NVML_ERROR_INVALID_ARGUMENT;
  if (rc == NVML_SUCCESS) {
    rc = NVML_ERROR_NOT_FOUND;
    for (unsigned i = 0; i < st.ngpus; i++)
      if (parse_pci(st.gpus[i].pci, have) == 0 && memcmp(want, have, sizeof want) == 0) {
        *device = &st.gpus[i];
        rc = NVML_SUCCESS;
        break;
      }
  }
  return leave(rc);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
{
  nvmlReturn_t rc = enter_device(F_UUID, device, uuid);
  if (rc == NVML_SUCCESS && strlen(device->uuid) >= length)
    rc = NVML_ERROR_INSUFFICIENT_SIZE;
  if (rc == NVML_SUCCESS)
    strcpy(uuid, device->uuid);
  return leave(rc);
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensor,
                                      unsigned int *temp)
{
  nvmlReturn_t rc = enter_device(F_TEMPERATURE, device, temp);
  if (rc == NVML_SUCCESS && sensor != NVML_TEMPERATURE_GPU)
    rc = NVML_ERROR_INVALID_ARGUMENT;
  if (rc == NVML_SUCCESS)
    *temp = device->temp_c;
  return leave(rc);
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power)
{
  nvmlReturn_t rc = enter_device(F_POWER, device, power);
  if (rc == NVML_SUCCESS)
    *power = device->power_mw;
  return leave(rc);
}

/* Only the SM clock is scripted: another clock answers a distinct value, so a wrong type shows. */
nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, nvmlClockType_t type, unsigned int *clock)
{
  nvmlReturn_t rc = enter_device(F_CLOCK, device, clock);
  if (rc == NVML_SUCCESS)
    *clock = type == NVML_CLOCK_SM ? device->clock_mhz : 1;
  return leave(rc);
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit)
{
  nvmlReturn_t rc = enter_device(F_ENFORCED, device, limit);
  if (rc == NVML_SUCCESS)
    *limit = device->limit_mw;
  return leave(rc);
}

nvmlReturn_t nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_t device,
                                                          unsigned int *min_limit,
                                                          unsigned int *max_limit)
{
  nvmlReturn_t rc = enter_device(F_CONSTRAINTS, device, min_limit);
  if (rc == NVML_SUCCESS && !max_limit)
    rc = NVML_ERROR_INVALID_ARGUMENT;
  if (rc == NVML_SUCCESS) {
    *min_limit = device->min_mw;
    *max_limit = device->max_mw;
  }
  return leave(rc);
}

nvmlReturn_t nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, unsigned int *limit)
{
  nvmlReturn_t rc = enter_device(F_LIMIT, device, limit);
  if (rc == NVML_SUCCESS)
    *limit = device->limit_mw;
  return leave(rc);
}

/* What an old driver lacks: the old stub leaves these out. */
#ifndef NVML_STUB_OLD
NVML_STUB_EXPORT synth__nvml_error_string_fn nvmlErrorString;
NVML_STUB_EXPORT synth__nvml_ull_fn nvmlDeviceGetTotalEnergyConsumption;
NVML_STUB_EXPORT synth__nvml_ull_fn nvmlDeviceGetCurrentClocksThrottleReasons;
NVML_STUB_EXPORT synth__nvml_set_limit_fn nvmlDeviceSetPowerManagementLimit;

/* NVML's own words for the codes the stub answers. */
const char *nvmlErrorString(nvmlReturn_t result)
{
  pthread_mutex_lock(&st.lock);
  st.calls[F_ERROR_STRING]++;
  pthread_mutex_unlock(&st.lock);
  switch (result) {
  case NVML_SUCCESS:
    return "Success";
  case NVML_ERROR_UNINITIALIZED:
    return "Uninitialized";
  case NVML_ERROR_INVALID_ARGUMENT:
    return "Invalid Argument";
  case NVML_ERROR_NOT_SUPPORTED:
    return "Not Supported";
  case NVML_ERROR_NO_PERMISSION:
    return "Insufficient Permissions";
  case NVML_ERROR_NOT_FOUND:
    return "Not Found";
  case NVML_ERROR_INSUFFICIENT_SIZE:
    return "Insufficient Size";
  case NVML_ERROR_DRIVER_NOT_LOADED:
    return "Driver Not Loaded";
  case NVML_ERROR_GPU_IS_LOST:
    return "GPU is lost";
  default:
    return "Unknown Error";
  }
}

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy)
{
  nvmlReturn_t rc = enter_device(F_ENERGY, device, energy);
  if (rc == NVML_SUCCESS) {
    *energy = device->energy_mj;
    device->energy_mj += st.energy_step;
  }
  return leave(rc);
}

nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device,
                                                       unsigned long long *reasons)
{
  nvmlReturn_t rc = enter_device(F_THROTTLE, device, reasons);
  if (rc == NVML_SUCCESS)
    *reasons = device->throttle;
  return leave(rc);
}

/* As NVML: root only (deny_set plays a user without it), within the constraints. */
nvmlReturn_t nvmlDeviceSetPowerManagementLimit(nvmlDevice_t device, unsigned int limit)
{
  nvmlReturn_t rc = enter_device(F_SET_LIMIT, device, device);
  if (rc == NVML_SUCCESS && st.deny_set)
    rc = NVML_ERROR_NO_PERMISSION;
  if (rc == NVML_SUCCESS && (limit < device->min_mw || limit > device->max_mw))
    rc = NVML_ERROR_INVALID_ARGUMENT;
  if (rc == NVML_SUCCESS)
    device->limit_mw = limit;
  return leave(rc);
}
#endif
