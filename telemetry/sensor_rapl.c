/* sensor_rapl.c: a CPU package's energy counter (powercap RAPL), its wraps and the power
 * between reads. */
#include "telemetry/sensor.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "telemetry/sysfs_read.h"

/* Whether @entry is a top-level zone, "intel-rapl:N": not its subzones ("intel-rapl:0:0",
 * core, uncore, dram), the control type ("intel-rapl") or the MMIO twin ("intel-rapl-mmio:0",
 * which is also named "package-0" and counts the same energy). */
static bool top_zone(const char *entry)
{
  static const char prefix[] = "intel-rapl:";
  if (strncmp(entry, prefix, sizeof prefix - 1) != 0)
    return false;
  const char *p = entry + sizeof prefix - 1;
  size_t digits = strspn(p, "0123456789");
  return digits > 0 && !p[digits];
}

/* Finds the zone named @want into r->dir and r->name. Returns 0, or -1. */
static int find_zone(const char *root, const char *want, struct synth__rapl *r)
{
  char path[512];
  if (synth__sysfs_path(path, sizeof path, root, "/sys/class/powercap") != 0)
    return -1;
  DIR *d = opendir(path);
  if (!d)
    return -1;
  int found = -1;
  struct dirent *e;
  while (found < 0 && (e = readdir(d)) != NULL) {
    char file[600];
    if (!top_zone(e->d_name) ||
        synth__sysfs_path(r->dir, sizeof r->dir, path, "/%s", e->d_name) != 0 ||
        synth__sysfs_path(file, sizeof file, r->dir, "/name") != 0 ||
        synth__sysfs_word(file, r->name, sizeof r->name) != 0)
      continue;
    if (strcmp(r->name, want) == 0)
      found = 0;
  }
  closedir(d);
  return found;
}

/* Attribute @file of @r's zone: a counter (non-negative). Returns 0, or -1 with @why. */
static int counter(const struct synth__rapl *r, const char *file, uint64_t *v, char *why,
                   size_t why_size)
{
  char path[600];
  int64_t n;
  if (synth__sysfs_path(path, sizeof path, r->dir, "/%s", file) != 0) {
    snprintf(why, why_size, "%s/%s: path too long", r->dir, file);
    return -1;
  }
  if (synth__sysfs_int(path, false, &n) == 0) {
    *v = (uint64_t)n;
    return 0;
  }
  int err = errno;
  if (err == EACCES || err == EPERM)
    snprintf(why, why_size, "%s: %s (RAPL energy is root-only on this kernel)", path,
             strerror(err));
  else if (err == EINVAL || err == ERANGE)
    snprintf(why, why_size, "%s: not a decimal counter", path);
  else
    snprintf(why, why_size, "%s: %s", path, strerror(err));
  return -1;
}

int synth__rapl_open(const char *root, unsigned package, struct synth__rapl *out, char *why,
                     size_t why_size)
{
  char want[32], scratch[8];
  if (!why || !why_size) {
    why = scratch; /* the caller does not want the reason */
    why_size = sizeof scratch;
  }
  memset(out, 0, sizeof *out);
  snprintf(want, sizeof want, "package-%u", package);
  if (find_zone(root, want, out) != 0) {
    snprintf(why, why_size, "no powercap RAPL zone named %s under %s/sys/class/powercap", want,
             root && strcmp(root, "/") ? root : "");
    return -1;
  }
  if (counter(out, "max_energy_range_uj", &out->max_range_uj, why, why_size) != 0)
    return -1;
  if (out->max_range_uj == 0) {
    snprintf(why, why_size, "%s/max_energy_range_uj: 0, no range to wrap at", out->dir);
    return -1;
  }
  if (counter(out, "energy_uj", &out->last_uj, why, why_size) != 0)
    return -1;
  if (out->last_uj > out->max_range_uj) {
    snprintf(why, why_size, "%s/energy_uj: past max_energy_range_uj", out->dir);
    return -1;
  }
  return 0;
}

void synth__rapl_read(struct synth__rapl *r, uint64_t now_ns, struct synth__sensor_reading *out)
{
  char why[8];
  uint64_t now;
  memset(out, 0, sizeof *out);
  if (counter(r, "energy_uj", &now, why, sizeof why) != 0 || now > r->max_range_uj)
    return; /* left out; the next good read's delta covers this one's time */
  /* Below the last one: it ran up to max_range_uj and wrapped to 0 since. */
  uint64_t delta = now >= r->last_uj ? now - r->last_uj : r->max_range_uj - r->last_uj + now;
  double joules = (double)delta / 1e6;
  r->energy_j += joules;
  if (r->timed && now_ns > r->last_ns) {
    r->power_w = joules / ((double)(now_ns - r->last_ns) / 1e9);
    out->power_w = r->power_w;
    out->have |= SYNTH__SENSE_POWER;
  }
  r->timed = true;
  r->last_uj = now;
  r->last_ns = now_ns;
  out->energy_j = r->energy_j;
  out->have |= SYNTH__SENSE_ENERGY;
}
