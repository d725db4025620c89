/* sensor.h: what a device's sensors read (temperature, power, energy, clock, power limit,
 * throttling), and the three sources that read them: NVML for NVIDIA GPUs, Linux hwmon for
 * AMD GPUs and CPUs, powercap RAPL for CPU package energy. */
#ifndef SYNTH_TELEMETRY_SENSOR_H
#define SYNTH_TELEMETRY_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synth/runtime.h"

/* Which fields of a reading hold a value: the public SYNTH_SENSED_* bits (the stats pass them
 * on as they are). */
#define SYNTH__SENSE_TEMP SYNTH_SENSED_TEMP
#define SYNTH__SENSE_POWER SYNTH_SENSED_POWER
#define SYNTH__SENSE_ENERGY SYNTH_SENSED_ENERGY
#define SYNTH__SENSE_CLOCK SYNTH_SENSED_CLOCK
#define SYNTH__SENSE_LIMIT SYNTH_SENSED_POWER_LIMIT
#define SYNTH__SENSE_THROTTLE SYNTH_SENSED_THROTTLE

/* Why a device runs slower than it could (NVML's clocks-throttle reasons, folded): the public
 * SYNTH_THROTTLE_* (power cap; temperature slowdown; sync boost, board, anything else but
 * idle). */
#define SYNTH__THROTTLE_POWER SYNTH_THROTTLE_POWER
#define SYNTH__THROTTLE_THERMAL SYNTH_THROTTLE_THERMAL
#define SYNTH__THROTTLE_OTHER SYNTH_THROTTLE_OTHER

struct synth__sensor_reading {
  unsigned have;     /* SYNTH__SENSE_* of the fields below that were read */
  double temp_c;     /* the hottest of the device's temperatures, degrees Celsius */
  double power_w;    /* power draw now (or over the source's own short window), watts */
  double energy_j;   /* energy used since the source was opened, joules; never goes down */
  double clock_mhz;  /* the core (SM, graphics, CPU) clock */
  double limit_w;    /* the power limit the device enforces */
  unsigned throttle; /* SYNTH__THROTTLE_* */
};

/* ---- hwmon: /sys/class/hwmon/hwmon*, under a configurable root. ---- */

/* One hwmon device: its folder and, for power from an energy counter, the last reading. */
struct synth__hwmon {
  char dir[512]; /* ".../hwmon3" */
  char name[64]; /* its "name" file: "amdgpu", "k10temp", "coretemp", ... */
  double energy_j, last_energy_j;
  uint64_t last_ns;
  bool energy_seen;
};

/*
 * Finds the hwmon device named @name ("amdgpu", "k10temp", "coretemp"; NULL: any) under
 * @root ("" or NULL: "/"; tests pass a recorded tree), and when @pci is given ("0000:03:00.0";
 * NVML's "00000000:03:00.0" and a bare "03:00.0" name the same function; NULL or "": any)
 * only one whose "device" link resolves to that PCI function. @nth picks among several
 * matches (0: the first, in hwmon number order: a CPU with two packages has two k10temp).
 * Returns 0 and fills @out, or -1 when none matches.
 */
int synth__hwmon_find(const char *root, const char *name, const char *pci, unsigned nth,
                      struct synth__hwmon *out);

/*
 * Reads temp*_input (millidegrees; the highest), power1_average or power1_input (microwatts),
 * energy1_input (microjoules; accumulated in @h across reads from the first read on, which
 * gives 0; a counter going back is taken as a reset that counts again from 0, never as
 * negative energy), freq1_input (Hz, amdgpu's sclk), power1_cap (microwatts) into @out, which
 * is cleared first. A missing, unreadable or garbage file leaves its field out; never fails.
 * @now_ns is the caller's clock (power from energy, when no power file is there).
 */
void synth__hwmon_read(struct synth__hwmon *h, uint64_t now_ns, struct synth__sensor_reading *out);

/* ---- powercap RAPL: /sys/class/powercap/intel-rapl:N (also on AMD). ---- */

struct synth__rapl {
  char dir[512];         /* ".../intel-rapl:0" */
  char name[64];         /* its "name" file: "package-0" */
  uint64_t max_range_uj; /* max_energy_range_uj: where energy_uj wraps to 0 */
  uint64_t last_uj;      /* the counter at the last read */
  double energy_j;       /* accumulated since open, wraps handled */
  double power_w;        /* over the last two reads */
  uint64_t last_ns;      /* the time of the last read, when timed */
  bool timed;            /* a read came after open: the next has a time to take power over */
};

/* Opens package @package's zone under @root: the intel-rapl:N whose name is "package-@package"
 * (N is not always the package: a laptop's intel-rapl:1 is "psys"). Returns 0, or -1 when there
 * is none or energy_uj or max_energy_range_uj cannot be read (energy_uj is root-only on many
 * kernels: @why says so). */
int synth__rapl_open(const char *root, unsigned package, struct synth__rapl *out, char *why,
                     size_t why_size);

/* Reads energy_uj into @out (cleared first): energy since open (a counter below the last one
 * wrapped at max_range_uj) and power over the time since the last read (not on the first read
 * after open, nor when @now_ns did not move). A counter that cannot be read leaves both out. */
void synth__rapl_read(struct synth__rapl *r, uint64_t now_ns, struct synth__sensor_reading *out);

/* ---- NVML: libnvidia-ml.so.1, loaded at run time (no build dependency). ---- */

struct synth__nvml;

/* dlopen()s @library (NULL: "libnvidia-ml.so.1"; tests pass their stub) and calls nvmlInit_v2.
 * Returns the handle, or NULL with the reason in @why (no library, a symbol missing, init
 * failed with NVML's own words). A function an older driver lacks only leaves its field out.
 * Find, read and set may be called on one handle from several threads at once. */
struct synth__nvml *synth__nvml_open(const char *library, char *why, size_t why_size);

/* nvmlShutdown, dlclose. NULL is ignored. */
void synth__nvml_close(struct synth__nvml *n);

/* The NVML device of a GPU: by @uuid (16 bytes, as Vulkan and OpenCL give it; NULL: not known)
 * first, else (no UUID, or none matches) by @pci ("0000:17:00.0"; NULL or "": not known).
 * Returns its NVML index, or -1. */
int synth__nvml_find(struct synth__nvml *n, const unsigned char *uuid, const char *pci);

/* Temperature (GPU), power usage (mW), total energy (mJ, since the driver loaded: reported
 * from the first read on as energy since open), SM clock, enforced power limit, clocks-throttle
 * reasons of device @index. A call that fails leaves its field out; a bad @index, all. */
void synth__nvml_read(struct synth__nvml *n, int index, struct synth__sensor_reading *out);

/* The device's own power limit in watts (nvmlDeviceSetPowerManagementLimit, clamped to its
 * constraints); *@previous (NULL: not wanted) gets the limit before, on success only. Returns
 * 0, or -1 with NVML's words in @why (no permission, not supported; the limit before cannot be
 * read, so could not be restored). Only with the user's leave, and restored at exit. */
int synth__nvml_set_power_limit(struct synth__nvml *n, int index, double watts, double *previous,
                                char *why, size_t why_size);

#endif
