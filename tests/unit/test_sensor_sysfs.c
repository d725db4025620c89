/* test_sensor_sysfs.c: the hwmon and powercap RAPL readers against recorded sysfs trees
 * (tests/data/sysfs), whose files each test then rewrites: counters moving and wrapping,
 * garbage, files gone or unreadable. Times are given, never slept. */
#include <stdio.h>
#include <string.h>

#include "support/fake_sysfs.h"
#include "support/harness.h"
#include "telemetry/sensor.h"

#define SEC 1000000000ull
#define EPS 1e-9

#define EPYC SYNTH_TEST_SYSFS_DIR "/amd-epyc-k10temp.txt"
#define INTEL SYNTH_TEST_SYSFS_DIR "/intel-coretemp-rapl.txt"
#define AMDGPU SYNTH_TEST_SYSFS_DIR "/amdgpu.txt"

#define RX6800 "class/hwmon/hwmon2/"              /* in AMDGPU */
#define ENERGY "class/hwmon/hwmon2/energy1_input" /* amd_energy's, in EPYC */
#define PKG0 "class/powercap/intel-rapl:0/"

static char root[512];

static bool build(const char *recording)
{
  bool ok = fake_sysfs_build(recording, root, sizeof root) == 0;
  CU_ASSERT_FATAL(ok);
  return ok;
}

/* Whether @s ends with @tail. */
static bool ends_with(const char *s, const char *tail)
{
  size_t n = strlen(s), m = strlen(tail);
  return n >= m && strcmp(s + n - m, tail) == 0;
}

/* The hwmon device of @root found with these arguments, asserted to be there. */
static struct synth__hwmon found(const char *name, const char *pci, unsigned nth)
{
  struct synth__hwmon h;
  memset(&h, 0, sizeof h);
  CU_ASSERT_EQUAL_FATAL(synth__hwmon_find(root, name, pci, nth, &h), 0);
  return h;
}

static void test_find_by_name(void)
{
  build(EPYC);
  struct synth__hwmon h = found("k10temp", NULL, 0);
  CU_ASSERT_STRING_EQUAL(h.name, "k10temp");
  CU_ASSERT(ends_with(h.dir, "/sys/class/hwmon/hwmon0"));
  CU_ASSERT_FALSE(h.energy_seen);
  h = found("k10temp", NULL, 1); /* the second socket's */
  CU_ASSERT(ends_with(h.dir, "/sys/class/hwmon/hwmon1"));
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "k10temp", NULL, 2, &h), -1);
  h = found("amd_energy", NULL, 0);
  CU_ASSERT(ends_with(h.dir, "/hwmon2"));
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "coretemp", NULL, 0, &h), -1);
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "k10te", NULL, 0, &h), -1); /* whole names only */
  h = found(NULL, NULL, 3);                                           /* any: the fourth */
  CU_ASSERT_STRING_EQUAL(h.name, "nvme");
  CU_ASSERT_EQUAL(synth__hwmon_find(root, NULL, NULL, 4, &h), -1);
  fake_sysfs_destroy(root);
}

static void test_find_in_number_order(void)
{
  build(EPYC);
  /* A device registered later: hwmon10 comes after hwmon3, not between hwmon1 and hwmon2. */
  CU_ASSERT_EQUAL(fake_sysfs_line(root, "file devices/virtual/hwmon/hwmon10/name k10temp"), 0);
  CU_ASSERT_EQUAL(
      fake_sysfs_line(root, "link class/hwmon/hwmon10 ../../devices/virtual/hwmon/hwmon10"), 0);
  struct synth__hwmon h = found("k10temp", NULL, 2);
  CU_ASSERT(ends_with(h.dir, "/hwmon10"));
  h = found(NULL, NULL, 2);
  CU_ASSERT_STRING_EQUAL(h.name, "amd_energy");
  h = found(NULL, NULL, 4);
  CU_ASSERT(ends_with(h.dir, "/hwmon10"));
  /* One that lost its name cannot be told apart: skipped, the next one counts. */
  CU_ASSERT_EQUAL(fake_sysfs_remove(root, "class/hwmon/hwmon0/name"), 0);
  h = found("k10temp", NULL, 0);
  CU_ASSERT(ends_with(h.dir, "/hwmon1"));
  CU_ASSERT_EQUAL(fake_sysfs_write(root, "class/hwmon/hwmon1/name", "k10temp\r"), 0); /* no \n */
  h = found("k10temp", NULL, 0);
  CU_ASSERT(ends_with(h.dir, "/hwmon10"));
  fake_sysfs_destroy(root);
}

static void test_find_by_pci(void)
{
  build(AMDGPU);
  struct synth__hwmon h = found("amdgpu", "0000:03:00.0", 0);
  CU_ASSERT(ends_with(h.dir, "/hwmon2"));
  h = found("amdgpu", "0000:10:00.0", 0);
  CU_ASSERT(ends_with(h.dir, "/hwmon3"));
  h = found("amdgpu", NULL, 1);
  CU_ASSERT(ends_with(h.dir, "/hwmon3"));
  /* The same function as NVML and lspci spell it. */
  h = found("amdgpu", "00000000:03:00.0", 0);
  CU_ASSERT(ends_with(h.dir, "/hwmon2"));
  h = found(NULL, "10:00.0", 0);
  CU_ASSERT(ends_with(h.dir, "/hwmon3"));
  h = found(NULL, "0000:00:18.3", 0);
  CU_ASSERT_STRING_EQUAL(h.name, "k10temp");
  h = found("amdgpu", "", 0); /* "": any */
  CU_ASSERT(ends_with(h.dir, "/hwmon2"));
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "amdgpu", "0000:03:00.0", 1, &h), -1);
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "amdgpu", "0000:0a:00.0", 0, &h), -1);
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "k10temp", "0000:03:00.0", 0, &h), -1);
  /* Device 0x20 does not exist: not bus 3 device 0 by overflow. */
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "amdgpu", "0000:02:20.0", 0, &h), -1);
  /* The upstream ports of the GPU's switch are on its path, but they are not the device. */
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "amdgpu", "0000:02:00.0", 0, &h), -1);
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "amdgpu", "0000:03:00.0x", 0, &h), -1);
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "amdgpu", " 03:00.0", 0, &h), -1);
  /* The NVMe drive's link is to its nvme0, not to a PCI function. */
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "nvme", "0000:0b:00.0", 0, &h), -1);
  fake_sysfs_destroy(root);
}

static void test_read_amdgpu(void)
{
  build(AMDGPU);
  struct synth__hwmon h = found("amdgpu", "0000:03:00.0", 0);
  struct synth__sensor_reading r;
  memset(&r, 0xa5, sizeof r); /* cleared by the read, whatever was there */
  synth__hwmon_read(&h, 1 * SEC, &r);
  CU_ASSERT_EQUAL(r.have,
                  SYNTH__SENSE_TEMP | SYNTH__SENSE_POWER | SYNTH__SENSE_CLOCK | SYNTH__SENSE_LIMIT);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 61.0, EPS); /* junction: not edge, not the crit limits */
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 123.0, EPS);
  CU_ASSERT_DOUBLE_EQUAL(r.clock_mhz, 2105.0, EPS);
  CU_ASSERT_DOUBLE_EQUAL(r.limit_w, 255.0, EPS);
  CU_ASSERT_EQUAL(r.energy_j, 0);
  CU_ASSERT_EQUAL(r.throttle, 0);
  /* -273.15 C is amdgpu's "none": all three so, there is no temperature. */
  for (int i = 1; i <= 3; i++) {
    char file[64];
    snprintf(file, sizeof file, RX6800 "temp%d_input", i);
    CU_ASSERT_EQUAL(fake_sysfs_write(root, file, "-273150\n"), 0);
  }
  synth__hwmon_read(&h, 2 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_POWER | SYNTH__SENSE_CLOCK | SYNTH__SENSE_LIMIT);

  h = found("amdgpu", "0000:10:00.0", 0);
  synth__hwmon_read(&h, 1 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_TEMP | SYNTH__SENSE_POWER | SYNTH__SENSE_CLOCK);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 41.0, EPS);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 15.0, EPS); /* power1_input */
  CU_ASSERT_DOUBLE_EQUAL(r.clock_mhz, 600.0, EPS);
  fake_sysfs_destroy(root);
}

static void test_read_cpu_temps(void)
{
  build(EPYC);
  struct synth__hwmon h = found("k10temp", NULL, 0);
  struct synth__sensor_reading r;
  synth__hwmon_read(&h, 1 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_TEMP);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 61.75, EPS);
  /* Tccd3 (temp5) heats past Tctl: the hottest counts, whichever it is. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, "class/hwmon/hwmon0/temp5_input", "66125\n"), 0);
  synth__hwmon_read(&h, 2 * SEC, &r);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 66.125, EPS);
  h = found("k10temp", NULL, 1);
  synth__hwmon_read(&h, 1 * SEC, &r);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 55.25, EPS);
  fake_sysfs_destroy(root);

  build(INTEL);
  h = found("coretemp", NULL, 0);
  synth__hwmon_read(&h, 1 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_TEMP);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 58.0, EPS); /* Package id 0 and core 3; not temp*_crit's 100 */
  /* Core 9 is temp11: two digits. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, "class/hwmon/hwmon2/temp11_input", "71000\n"), 0);
  synth__hwmon_read(&h, 2 * SEC, &r);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 71.0, EPS);
  /* Below freezing is a temperature too (an outdoor box): the hottest of all negative ones. */
  for (int i = 1; i <= 11; i++) {
    char file[64];
    snprintf(file, sizeof file, "class/hwmon/hwmon2/temp%d_input", i);
    CU_ASSERT_EQUAL(fake_sysfs_write(root, file, i == 4 ? "-3500\n" : "-12000\n"), 0);
  }
  synth__hwmon_read(&h, 3 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_TEMP);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, -3.5, EPS);
  fake_sysfs_destroy(root);
}

/* Garbage that a strict reader leaves out, and why it is garbage. */
static const char *const garbage[] = {
    "",                          /* empty: a driver that gave nothing */
    "\n",                        /* no digits */
    "abc\n",                     /* not a number */
    "123",                       /* no newline: cut short */
    "12a\n",                     /* a number and more */
    "12\n34\n",                  /* two lines */
    "12\n\n",                    /* a second, empty line */
    " 12\n",                     /* strtol would skip the space */
    "+12\n",                     /* or take the sign */
    "0x10\n",                    /* or the base */
    "1e3\n",                     /* not an integer */
    "12.5\n",                    /* not an integer either */
    "12 \n",                     /* trailing space */
    "-\n",                       /* a sign alone */
    "9223372036854775808\n",     /* past int64 */
    "99999999999999999999999\n", /* far past it */
    "-5000000\n",                /* negative: no power, clock or cap; -5000 C is no temperature */
    "123456789012345678901234567890123456789012345678901234567890123456789\n", /* too long */
    /* Longer than any attribute, though its first 63 bytes are a number and a newline. */
    "00000000000000000000000000000000000000000000000000000000000005\n7\n",
};

static void test_garbage_left_out(void)
{
  build(AMDGPU);
  struct synth__hwmon h = found("amdgpu", "0000:03:00.0", 0);
  struct synth__sensor_reading r;
  for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
    CU_ASSERT_EQUAL(fake_sysfs_write(root, RX6800 "power1_average", garbage[i]), 0);
    CU_ASSERT_EQUAL(fake_sysfs_write(root, RX6800 "freq1_input", garbage[i]), 0);
    CU_ASSERT_EQUAL(fake_sysfs_write(root, RX6800 "power1_cap", garbage[i]), 0);
    CU_ASSERT_EQUAL(fake_sysfs_write(root, RX6800 "temp2_input", garbage[i]), 0);
    synth__hwmon_read(&h, (i + 1) * SEC, &r);
    if (r.have != SYNTH__SENSE_TEMP)
      fprintf(stderr, "garbage %zu (\"%s\") was read\n", i, garbage[i]);
    CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_TEMP);
    CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 54.0, EPS); /* junction left out, mem is the hottest */
    CU_ASSERT_EQUAL(r.power_w, 0);
    CU_ASSERT_EQUAL(r.clock_mhz, 0);
    CU_ASSERT_EQUAL(r.limit_w, 0);
    CU_ASSERT_EQUAL(fake_sysfs_write(root, RX6800 "temp2_input", "61000\n"), 0);
  }
  /* Good values again: all read, nothing kept from the bad ones. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, RX6800 "power1_average", "0\n"), 0);
  CU_ASSERT_EQUAL(fake_sysfs_write(root, RX6800 "freq1_input", "500000000\n"), 0);
  CU_ASSERT_EQUAL(fake_sysfs_write(root, RX6800 "power1_cap", "9223372036854775807\n"), 0);
  synth__hwmon_read(&h, 100 * SEC, &r);
  CU_ASSERT_EQUAL(r.have,
                  SYNTH__SENSE_TEMP | SYNTH__SENSE_POWER | SYNTH__SENSE_CLOCK | SYNTH__SENSE_LIMIT);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 61.0, EPS);
  CU_ASSERT_EQUAL(r.power_w, 0);
  CU_ASSERT_DOUBLE_EQUAL(r.clock_mhz, 500.0, EPS);
  CU_ASSERT_DOUBLE_EQUAL(r.limit_w, 9223372036854.775807, 1e-3); /* int64's largest is a value */
  fake_sysfs_destroy(root);
}

static void test_missing_and_unreadable_left_out(void)
{
  build(AMDGPU);
  struct synth__hwmon h = found("amdgpu", "0000:03:00.0", 0);
  struct synth__sensor_reading r;
  CU_ASSERT_EQUAL(fake_sysfs_remove(root, RX6800 "freq1_input"), 0);
  CU_ASSERT_EQUAL(fake_sysfs_unreadable(root, RX6800 "power1_cap"), 0); /* EISDIR, root too */
  CU_ASSERT_EQUAL(fake_sysfs_unreadable(root, RX6800 "temp2_input"), 0);
  synth__hwmon_read(&h, 1 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_TEMP | SYNTH__SENSE_POWER);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 54.0, EPS);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 123.0, EPS);

  /* power1_average unreadable: power1_input, where there is one, says instead. */
  CU_ASSERT_EQUAL(fake_sysfs_unreadable(root, RX6800 "power1_average"), 0);
  synth__hwmon_read(&h, 2 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_TEMP);
  CU_ASSERT_EQUAL(fake_sysfs_write(root, RX6800 "power1_input", "98500000\n"), 0);
  synth__hwmon_read(&h, 3 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_TEMP | SYNTH__SENSE_POWER);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 98.5, EPS);

  /* Mode 000, for a user who is not root: EACCES. */
  if (fake_sysfs_unprivileged(true) != 0) {
    fprintf(stderr, "mode 000 part skipped: cannot run as an unprivileged user\n");
  } else {
    fake_sysfs_unprivileged(false);
    CU_ASSERT_EQUAL(fake_sysfs_deny(root, RX6800 "temp3_input"), 0);
    CU_ASSERT_EQUAL(fake_sysfs_deny(root, RX6800 "power1_input"), 0);
    CU_ASSERT_EQUAL_FATAL(fake_sysfs_unprivileged(true), 0);
    synth__hwmon_read(&h, 4 * SEC, &r);
    CU_ASSERT_EQUAL(fake_sysfs_unprivileged(false), 0);
    CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_TEMP);
    CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 45.0, EPS); /* edge is all that is left */
  }

  /* The device went away whole: nothing, and no crash. */
  fake_sysfs_destroy(root);
  memset(&r, 0xa5, sizeof r);
  synth__hwmon_read(&h, 5 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, 0);
}

static void test_hwmon_energy(void)
{
  build(EPYC);
  struct synth__hwmon h = found("amd_energy", NULL, 0);
  struct synth__sensor_reading r;
  /* The first read is where counting starts: 0 J and no power yet. */
  synth__hwmon_read(&h, 10 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY);
  CU_ASSERT_EQUAL(r.energy_j, 0);
  CU_ASSERT_TRUE(h.energy_seen);
  /* 2 J more in 1 s: 2 W, from the counter, there being no power file. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, ENERGY, "1305427349\n"), 0);
  synth__hwmon_read(&h, 11 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY | SYNTH__SENSE_POWER);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 2.0, EPS);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 2.0, EPS);
  /* Back to a small value (the driver reloaded): counted again from 0, never negative. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, ENERGY, "500000\n"), 0);
  synth__hwmon_read(&h, 12 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY | SYNTH__SENSE_POWER);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 2.5, EPS);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 0.5, EPS);
  /* A garbage read is left out and changes nothing: the next one spans both intervals. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, ENERGY, "-1\n"), 0);
  synth__hwmon_read(&h, 13 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, 0);
  CU_ASSERT_EQUAL(fake_sysfs_write(root, ENERGY, "1500000\n"), 0);
  synth__hwmon_read(&h, 14 * SEC, &r);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 3.5, EPS);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 0.5, EPS); /* 1 J over 2 s */
  /* The same instant again: energy, but no power over no time. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, ENERGY, "1600000\n"), 0);
  synth__hwmon_read(&h, 14 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 3.6, EPS);
  /* A power file, once there, says the power; the counter still adds up. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, "class/hwmon/hwmon2/power1_input", "7250000\n"), 0);
  CU_ASSERT_EQUAL(fake_sysfs_write(root, ENERGY, "2600000\n"), 0);
  synth__hwmon_read(&h, 15 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY | SYNTH__SENSE_POWER);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 4.6, EPS);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 7.25, EPS);
  fake_sysfs_destroy(root);
}

/* Package @package of @root's RAPL, asserted to open. */
static struct synth__rapl rapl_opened(unsigned package)
{
  struct synth__rapl z;
  char why[256] = "";
  int rc = synth__rapl_open(root, package, &z, why, sizeof why);
  if (rc != 0)
    fprintf(stderr, "rapl_open: %s\n", why);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  return z;
}

static void test_rapl_open(void)
{
  build(INTEL);
  struct synth__rapl z = rapl_opened(0);
  CU_ASSERT_STRING_EQUAL(z.name, "package-0");
  CU_ASSERT(ends_with(z.dir, "/sys/class/powercap/intel-rapl:0"));
  CU_ASSERT_EQUAL(z.max_range_uj, 262143328850ull);
  CU_ASSERT_EQUAL(z.last_uj, 82460377437ull); /* intel-rapl:0's, not its MMIO twin's */
  CU_ASSERT_EQUAL(z.energy_j, 0);
  CU_ASSERT_FALSE(z.timed);
  /* intel-rapl:1 is psys here: no package 1. */
  char why[256] = "";
  CU_ASSERT_EQUAL(synth__rapl_open(root, 1, &z, why, sizeof why), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "no powercap RAPL zone named package-1"));
  /* Without intel-rapl:0, the MMIO twin named package-0 is still not taken. */
  CU_ASSERT_EQUAL(fake_sysfs_remove(root, "class/powercap/intel-rapl:0"), 0);
  CU_ASSERT_EQUAL(synth__rapl_open(root, 0, &z, why, sizeof why), -1);
  CU_ASSERT_EQUAL(synth__rapl_open(root, 0, &z, NULL, 0), -1); /* no reason wanted */
  fake_sysfs_destroy(root);

  build(EPYC);
  z = rapl_opened(1);
  CU_ASSERT_STRING_EQUAL(z.name, "package-1");
  CU_ASSERT(ends_with(z.dir, "/intel-rapl:1"));
  CU_ASSERT_EQUAL(z.max_range_uj, 65532610987ull);
  CU_ASSERT_EQUAL(z.last_uj, 40112553902ull);
  /* A broken range or counter: no zone to read, and why. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "max_energy_range_uj", "0\n"), 0);
  CU_ASSERT_EQUAL(synth__rapl_open(root, 0, &z, why, sizeof why), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "max_energy_range_uj"));
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "max_energy_range_uj", "65532610987\n"), 0);
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "energy_uj", "65532610988\n"), 0);
  CU_ASSERT_EQUAL(synth__rapl_open(root, 0, &z, why, sizeof why), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "energy_uj: past max_energy_range_uj"));
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "energy_uj", "43417316562 \n"), 0);
  CU_ASSERT_EQUAL(synth__rapl_open(root, 0, &z, why, sizeof why), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "intel-rapl:0/energy_uj: not a decimal counter"));
  CU_ASSERT_EQUAL(fake_sysfs_remove(root, PKG0 "energy_uj"), 0);
  CU_ASSERT_EQUAL(synth__rapl_open(root, 0, &z, why, sizeof why), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "intel-rapl:0/energy_uj: No such file or directory"));
  fake_sysfs_destroy(root);
}

static void test_rapl_root_only(void)
{
  build(INTEL);
  if (fake_sysfs_unprivileged(true) != 0) {
    fprintf(stderr, "skipped: cannot run as an unprivileged user\n");
    fake_sysfs_destroy(root);
    return;
  }
  CU_ASSERT_EQUAL(fake_sysfs_unprivileged(false), 0);
  /* As since Linux 5.10: energy_uj is 0400 root (PLATYPUS), the rest world-readable. */
  CU_ASSERT_EQUAL(fake_sysfs_deny(root, PKG0 "energy_uj"), 0);
  CU_ASSERT_EQUAL_FATAL(fake_sysfs_unprivileged(true), 0);
  struct synth__rapl z;
  char why[512] = "";
  int rc = synth__rapl_open(root, 0, &z, why, sizeof why);
  CU_ASSERT_EQUAL(fake_sysfs_unprivileged(false), 0);
  CU_ASSERT_EQUAL(rc, -1);
  CU_ASSERT(ends_with(why, "/sys/class/powercap/intel-rapl:0/energy_uj: Permission denied "
                           "(RAPL energy is root-only on this kernel)"));
  /* The reason fits a small buffer cut short, NUL-terminated. */
  char small[16];
  CU_ASSERT_EQUAL_FATAL(fake_sysfs_unprivileged(true), 0);
  rc = synth__rapl_open(root, 0, &z, small, sizeof small);
  CU_ASSERT_EQUAL(fake_sysfs_unprivileged(false), 0);
  CU_ASSERT_EQUAL(rc, -1);
  CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
  fake_sysfs_destroy(root);
}

static void test_rapl_energy_and_power(void)
{
  build(INTEL);
  struct synth__rapl z = rapl_opened(0);
  struct synth__sensor_reading r;
  /* 3 J since open, read first at 1 s: energy, but no power (open has no time). */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "energy_uj", "82463377437\n"), 0);
  memset(&r, 0xa5, sizeof r);
  synth__rapl_read(&z, 1 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 3.0, EPS);
  CU_ASSERT_EQUAL(r.power_w, 0);
  /* 62.5 J in 500 ms: 125 W. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "energy_uj", "82525877437\n"), 0);
  synth__rapl_read(&z, 1 * SEC + SEC / 2, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY | SYNTH__SENSE_POWER);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 65.5, EPS);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 125.0, EPS);
  CU_ASSERT_DOUBLE_EQUAL(z.power_w, 125.0, EPS);
  CU_ASSERT_EQUAL(z.last_uj, 82525877437ull);
  /* Unchanged over 1 s: 0 W. */
  synth__rapl_read(&z, 2 * SEC + SEC / 2, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY | SYNTH__SENSE_POWER);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 65.5, EPS);
  CU_ASSERT_EQUAL(r.power_w, 0);
  /* Near the top of the range, then past it: 5 J to the top and 15 J after, in 2 s. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "energy_uj", "262138328850\n"), 0);
  synth__rapl_read(&z, 3 * SEC, &r);
  double before = 65.5 + (262138328850.0 - 82525877437.0) / 1e6;
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, before, 1e-6);
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "energy_uj", "15000000\n"), 0);
  synth__rapl_read(&z, 5 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY | SYNTH__SENSE_POWER);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, before + 20.0, 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 10.0, 1e-6);
  /* Garbage, a counter past the range, a file gone, one unreadable: each left out, the state
   * kept, so the next good read spans them all. */
  const char *bad[] = {"", "15000000", "abc\n", "-1\n", "262143328851\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "energy_uj", bad[i]), 0);
    synth__rapl_read(&z, (6 + i) * SEC, &r);
    CU_ASSERT_EQUAL(r.have, 0);
    CU_ASSERT_EQUAL(r.energy_j, 0);
  }
  CU_ASSERT_EQUAL(fake_sysfs_remove(root, PKG0 "energy_uj"), 0);
  synth__rapl_read(&z, 20 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, 0);
  CU_ASSERT_EQUAL(fake_sysfs_unreadable(root, PKG0 "energy_uj"), 0);
  synth__rapl_read(&z, 21 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, 0);
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "energy_uj", "45000000\n"), 0);
  synth__rapl_read(&z, 25 * SEC, &r); /* 30 J since the read at 5 s */
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY | SYNTH__SENSE_POWER);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, before + 50.0, 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 1.5, 1e-9);
  /* The same instant: the energy, no power. */
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "energy_uj", "46000000\n"), 0);
  synth__rapl_read(&z, 25 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, before + 51.0, 1e-6);
  fake_sysfs_destroy(root);
}

/* AMD's range, wrapped on the very first read after open. */
static void test_rapl_wrap_first_read(void)
{
  build(EPYC);
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "energy_uj", "65532000000\n"), 0);
  struct synth__rapl z = rapl_opened(0);
  struct synth__sensor_reading r;
  CU_ASSERT_EQUAL(fake_sysfs_write(root, PKG0 "energy_uj", "389013\n"), 0);
  synth__rapl_read(&z, 7 * SEC, &r);
  CU_ASSERT_EQUAL(r.have, SYNTH__SENSE_ENERGY);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, (65532610987.0 - 65532000000.0 + 389013.0) / 1e6, EPS);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 1.0, EPS);
  fake_sysfs_destroy(root);
}

static void test_nothing_there(void)
{
  struct synth__hwmon h;
  struct synth__rapl z;
  char why[512] = "";
  build(AMDGPU); /* hwmon but no powercap */
  /* A root that is not there, and one with an empty sys/ in it. */
  char nowhere[600], empty[600];
  snprintf(nowhere, sizeof nowhere, "%s/nowhere", root);
  snprintf(empty, sizeof empty, "%s/sys/empty", root);
  CU_ASSERT_EQUAL(fake_sysfs_line(root, "dir empty/sys"), 0);
  for (int i = 0; i < 2; i++) {
    const char *r = i ? empty : nowhere;
    CU_ASSERT_EQUAL(synth__hwmon_find(r, NULL, NULL, 0, &h), -1);
    CU_ASSERT_EQUAL(synth__rapl_open(r, 0, &z, why, sizeof why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "no powercap RAPL zone named package-0"));
  }
  CU_ASSERT_EQUAL(synth__rapl_open(root, 0, &z, why, sizeof why), -1);
  CU_ASSERT_EQUAL(fake_sysfs_line(root, "dir class/powercap"), 0);
  CU_ASSERT_EQUAL(synth__rapl_open(root, 0, &z, why, sizeof why), -1);
  for (int i = 0; i < 4; i++) {
    char line[64];
    snprintf(line, sizeof line, "class/hwmon/hwmon%d", i);
    CU_ASSERT_EQUAL(fake_sysfs_remove(root, line), 0);
  }
  CU_ASSERT_EQUAL(synth__hwmon_find(root, NULL, NULL, 0, &h), -1);
  CU_ASSERT_EQUAL(synth__hwmon_find(root, "amdgpu", "0000:03:00.0", 0, &h), -1);
  fake_sysfs_destroy(root);
}

SYNTH_TEST_MAIN("sensor_sysfs", SYNTH_TEST(test_find_by_name),
                SYNTH_TEST(test_find_in_number_order), SYNTH_TEST(test_find_by_pci),
                SYNTH_TEST(test_read_amdgpu), SYNTH_TEST(test_read_cpu_temps),
                SYNTH_TEST(test_garbage_left_out), SYNTH_TEST(test_missing_and_unreadable_left_out),
                SYNTH_TEST(test_hwmon_energy), SYNTH_TEST(test_rapl_open),
                SYNTH_TEST(test_rapl_root_only), SYNTH_TEST(test_rapl_energy_and_power),
                SYNTH_TEST(test_rapl_wrap_first_read), SYNTH_TEST(test_nothing_there))
