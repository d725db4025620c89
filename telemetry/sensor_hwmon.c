/* sensor_hwmon.c: a Linux hwmon device's temperatures, power, energy, clock and power cap. */
#include "telemetry/sensor.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/sysfs_read.h"

/* N of "hwmonN"; -1 for anything else ("." and the like). */
static long hwmon_number(const char *entry)
{
  if (strncmp(entry, "hwmon", 5) != 0 || entry[5] < '0' || entry[5] > '9')
    return -1;
  char *end;
  unsigned long n = strtoul(entry + 5, &end, 10);
  return *end || n > INT_MAX ? -1 : (long)n;
}

static int by_number(const void *a, const void *b)
{
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

/* The hwmon numbers under @root, sorted: numeric order, not readdir's or the names' (hwmon10
 * comes after hwmon2). Returns how many, with *@out to free; 0 when there are none. */
static size_t hwmon_numbers(const char *root, long **out)
{
  char path[512];
  *out = NULL;
  if (synth__sysfs_path(path, sizeof path, root, "/sys/class/hwmon") != 0)
    return 0;
  DIR *d = opendir(path);
  if (!d)
    return 0;
  size_t n = 0, cap = 0;
  long *v = NULL;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    long num = hwmon_number(e->d_name);
    if (num < 0)
      continue;
    if (n == cap) {
      size_t grown = cap ? 2 * cap : 16;
      long *more = realloc(v, grown * sizeof *v);
      if (!more)
        break;
      v = more;
      cap = grown;
    }
    v[n++] = num;
  }
  closedir(d);
  if (n)
    qsort(v, n, sizeof *v, by_number);
  *out = v;
  return n;
}

/* "[domain:]bus:device.function" in hex as one number: sysfs says "0000:03:00.0", NVML
 * "00000000:03:00.0", lspci "03:00.0". Returns 0, or -1 when @s is none of these. */
static int pci_key(const char *s, unsigned long long *key)
{
  unsigned domain = 0, bus, dev, fn;
  int used = -1;
  if (strspn(s, "0123456789abcdefABCDEF:.") != strlen(s))
    return -1; /* sscanf's %x would also take spaces, signs and "0x" */
  if (sscanf(s, "%x:%x:%x.%x%n", &domain, &bus, &dev, &fn, &used) != 4 || s[used]) {
    used = -1;
    domain = 0;
    if (sscanf(s, "%x:%x.%x%n", &bus, &dev, &fn, &used) != 3 || s[used])
      return -1;
  }
  if (bus > 0xff || dev > 0x1f || fn > 7)
    return -1;
  *key = (unsigned long long)domain << 16 | bus << 8 | dev << 3 | fn;
  return 0;
}

/* Whether @dir's "device" link resolves to the PCI function @want. */
static int on_pci(const char *dir, unsigned long long want)
{
  char link[600], real[PATH_MAX];
  unsigned long long key;
  if (synth__sysfs_path(link, sizeof link, dir, "/device") != 0 || !realpath(link, real))
    return 0;
  const char *base = strrchr(real, '/');
  return pci_key(base ? base + 1 : real, &key) == 0 && key == want;
}

int synth__hwmon_find(const char *root, const char *name, const char *pci, unsigned nth,
                      struct synth__hwmon *out)
{
  unsigned long long want = 0;
  if (pci && *pci && pci_key(pci, &want) != 0)
    return -1;
  long *nums;
  size_t n = hwmon_numbers(root, &nums);
  int found = -1;
  for (size_t i = 0; i < n && found < 0; i++) {
    struct synth__hwmon h;
    memset(&h, 0, sizeof h);
    if (synth__sysfs_path(h.dir, sizeof h.dir, root, "/sys/class/hwmon/hwmon%ld", nums[i]) != 0)
      continue;
    char file[600];
    if (synth__sysfs_path(file, sizeof file, h.dir, "/name") != 0 ||
        synth__sysfs_word(file, h.name, sizeof h.name) != 0)
      continue; /* no name, no match: it cannot be told from the others */
    if (name && strcmp(h.name, name) != 0)
      continue;
    if (pci && *pci && !on_pci(h.dir, want))
      continue;
    if (nth-- == 0) {
      *out = h;
      found = 0;
    }
  }
  free(nums);
  return found;
}

/* Attribute @file of @h; see synth__sysfs_int. */
static int attr(const struct synth__hwmon *h, const char *file, bool negative_ok, int64_t *v)
{
  char path[600];
  if (synth__sysfs_path(path, sizeof path, h->dir, "/%s", file) != 0)
    return -1;
  return synth__sysfs_int(path, negative_ok, v);
}

/* Whether @entry is "tempN_input". */
static bool temp_input(const char *entry)
{
  if (strncmp(entry, "temp", 4) != 0)
    return false;
  size_t digits = strspn(entry + 4, "0123456789");
  return digits > 0 && strcmp(entry + 4 + digits, "_input") == 0;
}

/* The hottest temp*_input: their numbers need not run 1, 2, 3 (k10temp has temp1, temp3...). */
static void read_temps(const struct synth__hwmon *h, struct synth__sensor_reading *out)
{
  DIR *d = opendir(h->dir);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    int64_t milli;
    /* Below freezing is a temperature; absolute zero and under is none (amdgpu's "no limit"). */
    if (!temp_input(e->d_name) || attr(h, e->d_name, true, &milli) != 0 || milli <= -273150)
      continue;
    double c = (double)milli / 1000;
    if (!(out->have & SYNTH__SENSE_TEMP) || c > out->temp_c)
      out->temp_c = c;
    out->have |= SYNTH__SENSE_TEMP;
  }
  closedir(d);
}

/* energy1_input into the running total, and power from it when no power file said. */
static void read_energy(struct synth__hwmon *h, uint64_t now_ns, struct synth__sensor_reading *out)
{
  int64_t uj;
  if (attr(h, "energy1_input", false, &uj) != 0)
    return;
  double now_j = (double)uj / 1e6;
  if (h->energy_seen) {
    /* Going back is a reset (driver reload, device reset): it counts again from 0. */
    double delta = now_j >= h->last_energy_j ? now_j - h->last_energy_j : now_j;
    h->energy_j += delta;
    if (!(out->have & SYNTH__SENSE_POWER) && now_ns > h->last_ns) {
      out->power_w = delta / ((double)(now_ns - h->last_ns) / 1e9);
      out->have |= SYNTH__SENSE_POWER;
    }
  }
  h->energy_seen = true;
  h->last_energy_j = now_j;
  h->last_ns = now_ns;
  out->energy_j = h->energy_j;
  out->have |= SYNTH__SENSE_ENERGY;
}

void synth__hwmon_read(struct synth__hwmon *h, uint64_t now_ns, struct synth__sensor_reading *out)
{
  int64_t v;
  memset(out, 0, sizeof *out);
  read_temps(h, out);
  /* amdgpu gives power1_average, or power1_input on newer firmware and APUs. */
  if (attr(h, "power1_average", false, &v) == 0 || attr(h, "power1_input", false, &v) == 0) {
    out->power_w = (double)v / 1e6;
    out->have |= SYNTH__SENSE_POWER;
  }
  read_energy(h, now_ns, out);
  if (attr(h, "freq1_input", false, &v) == 0) {
    out->clock_mhz = (double)v / 1e6;
    out->have |= SYNTH__SENSE_CLOCK;
  }
  if (attr(h, "power1_cap", false, &v) == 0) {
    out->limit_w = (double)v / 1e6;
    out->have |= SYNTH__SENSE_LIMIT;
  }
}
