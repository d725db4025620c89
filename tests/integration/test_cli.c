/* test_cli.c: the synthminer command driven as a user drives it: exit codes, messages, output. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/harness.h"
#include "support/outcome_json.h"
#include "support/spawn.h"

static void check_finished(const struct synth_test_outcome *o)
{
  if (o->timed_out)
    CU_FAIL("synthminer did not finish in time");
}

/* Runs synthminer with args to its end. */
static void run_cli(const char *const *args, struct synth_test_outcome *o)
{
  CU_ASSERT_FATAL(synth_test_run_program(SYNTHMINER_PATH, args, o));
  check_finished(o);
}

/* Runs synthminer with args until stderr shows @line, then stops it with SIGINT: what the test
 * needs has happened, however long that took on this machine. */
static void run_cli_until(const char *const *args, const char *line, struct synth_test_outcome *o)
{
  CU_ASSERT_FATAL(synth_test_run_until(SYNTHMINER_PATH, args, synth_test_err_has, (void *)line, o));
  check_finished(o);
  CU_ASSERT_FALSE(o->stop_never);
  if (o->stop_never)
    fprintf(stderr, "\n    never saw \"%s\"; stderr: %s\n", line, o->err);
}

/* A stop_when: every one of the shares lines in @user ("share: device 0" and so on) came. */
struct share_lines {
  unsigned devices;
};

static bool shares_from_every_device(void *user, const struct synth_test_outcome *o)
{
  const struct share_lines *want = user;
  for (unsigned d = 0; d < want->devices; d++) {
    char line[32];
    snprintf(line, sizeof line, "share: device %u,", d);
    if (!strstr(o->err, line))
      return false;
  }
  return true;
}

static size_t lines(const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* Bad usage: exit status 2 and exactly one line on stderr that names the problem. */
static void expect_usage_error(const char *const *args, const char *mentions)
{
  struct synth_test_outcome o;
  run_cli(args, &o);
  CU_ASSERT_EQUAL(o.status, 2);
  CU_ASSERT_EQUAL(lines(o.err), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, mentions));
  CU_ASSERT_EQUAL(o.out_len, 0);
  if (o.status != 2 || lines(o.err) != 1 || !strstr(o.err, mentions))
    fprintf(stderr, "args[0]=%s -> status %d, stderr: %s\n", args[0], o.status, o.err);
}

static void test_usage_errors(void)
{
  expect_usage_error((const char *[]){"frobnicate", NULL}, "frobnicate");
  expect_usage_error((const char *[]){"run", "--bogus", NULL}, "--bogus");
  expect_usage_error((const char *[]){"run", "--threads", "0", NULL}, "--threads");
  expect_usage_error((const char *[]){"run", "--threads", "abc", NULL}, "--threads");
  expect_usage_error((const char *[]){"run", "--threads", "-1", NULL}, "--threads");
  expect_usage_error((const char *[]){"run", "--threads", NULL}, "needs a value");
  expect_usage_error((const char *[]){"run", "--duration", "-3", NULL}, "--duration");
  expect_usage_error((const char *[]){"run", "--duration", "1x", NULL}, "--duration");
  expect_usage_error((const char *[]){"run", "--difficulty", "0", NULL}, "--difficulty");
  expect_usage_error((const char *[]){"run", "--difficulty", "nan", NULL}, "--difficulty");
  expect_usage_error((const char *[]){"run", "--json=yes", NULL}, "takes no value");
  expect_usage_error((const char *[]){"run", "extra", NULL}, "extra");
  expect_usage_error((const char *[]){"run", "--log-level", "loud", NULL}, "--log-level");
  expect_usage_error((const char *[]){"run", "--devices", "gpu", NULL}, "gpu");
  expect_usage_error((const char *[]){"run", "--devices", "", NULL}, "--devices");
  expect_usage_error((const char *[]){"run", "--devices", "cpu:1", NULL}, "cpu");
  expect_usage_error((const char *[]){"run", "--devices", "opencl:99", NULL}, "opencl");
  /* The library names its device options; the old flags are those options. */
  expect_usage_error((const char *[]){"run", "--threads", "4096", NULL}, "cpu.threads=4096");
  expect_usage_error((const char *[]){"run", "--cpu-affinity", "9999", NULL}, "9999");
  expect_usage_error((const char *[]){"run", "--cpu-affinity", "0-", NULL}, "cpu.affinity=0-");
  expect_usage_error((const char *[]){"devices", "--devices", "vulkan:3", NULL}, "vulkan");
  expect_usage_error((const char *[]){"run", "--cpu-core", "turbo", NULL}, "turbo");
  expect_usage_error((const char *[]){"devices", "--cpu-core", "", NULL}, "--cpu-core");
  expect_usage_error((const char *[]){"run", "--prefer", "cuda", NULL}, "prefer 'cuda'");
  expect_usage_error((const char *[]){"devices", "--prefer", "cuda", NULL}, "prefer 'cuda'");
  expect_usage_error((const char *[]){"run", "--vulkan-nonces", "0", NULL}, "--vulkan-nonces");
  expect_usage_error((const char *[]){"run", "--vulkan-nonces", "65", NULL}, "--vulkan-nonces");
  expect_usage_error((const char *[]){"run", "--vulkan-mad-adds", "8", NULL}, "--vulkan-mad-adds");
  expect_usage_error((const char *[]){"run", "--vulkan-work-group", "0", NULL},
                     "--vulkan-work-group");
  expect_usage_error((const char *[]){"run", "-O", "cpu.threads=0", NULL},
                     "device option cpu.threads=0: must be a whole number from 1 to");
  expect_usage_error((const char *[]){"devices", "--device-option", "opencl.lanes=3", NULL},
                     "opencl.lanes=3");
  expect_usage_error((const char *[]){"run", "-O", "cpu.turbo=1", NULL}, "cpu.turbo");
  expect_usage_error((const char *[]){"run", "-O", "tpu.cores=2", NULL}, "tpu");
  expect_usage_error((const char *[]){"devices", "-O", "threads", NULL}, "KIND.OPTION=VALUE");
  expect_usage_error((const char *[]){"run", "-O", "", NULL}, "--device-option");
  /* -O comes after the old flags, so it wins over them */
  expect_usage_error((const char *[]){"run", "--threads", "1", "-O", "cpu.threads=4096", NULL},
                     "cpu.threads=4096");
  expect_usage_error((const char *[]){"run", "--batch-timeout", "5", NULL}, "--batch-timeout");
  expect_usage_error((const char *[]){"run", "--target-latency", "0", NULL}, "--target-latency");
  expect_usage_error((const char *[]){"run", "--target-latency", "cpu=5,gpu", NULL},
                     "--target-latency");
  expect_usage_error((const char *[]){"run", "--target-latency", "tpu=5", NULL}, "tpu=5");
  expect_usage_error((const char *[]){"run", "--overrun-factor", "1", NULL}, "--overrun-factor");
  expect_usage_error((const char *[]){"run", "--error-rate-limit", "2", NULL},
                     "--error-rate-limit");
  expect_usage_error((const char *[]){"run", "--sick-limit", "0", NULL}, "--sick-limit");
  expect_usage_error((const char *[]){"run", "--trace", "/nonexistent/dir/t.jsonl", "--duration",
                                      "1", "--no-api", "--devices", "cpu", NULL},
                     "--trace");
}

static void test_help_and_version(void)
{
  struct synth_test_outcome o;
  run_cli((const char *[]){"--version", NULL}, &o);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "synthminer 0.2.0"));
  run_cli((const char *[]){"--help", NULL}, &o);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "devices"));
  run_cli((const char *[]){"run", "--help", NULL}, &o);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "--cpu-affinity"));
  run_cli((const char *[]){NULL}, &o);
  CU_ASSERT_EQUAL(o.status, 2);
}

static void test_devices(void)
{
  struct synth_test_outcome o;
  run_cli((const char *[]){"devices", NULL}, &o);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "cpu:0"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "cores"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "self-benchmark")); /* the core choice and why */
  run_cli((const char *[]){"devices", "--json", "--threads", "1", "--cpu-core", "generic", NULL},
          &o);
  json_t *root = synth_test_outcome_json(&o);
  json_t *devs = json_object_get(root, "devices");
  CU_ASSERT(json_array_size(devs) >= 1);
  CU_ASSERT_TRUE(json_is_true(json_object_get(json_array_get(devs, 0), "selected")));
  for (size_t i = 1; i < json_array_size(devs); i++)
    CU_ASSERT_TRUE(json_is_false(json_object_get(json_array_get(devs, i), "selected")));
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(devs, 0), "engine")),
                         "generic");
  for (size_t i = 0; i < json_array_size(devs); i++) { /* what pairs one GPU behind two APIs */
    json_t *d = json_array_get(devs, i);
    CU_ASSERT_TRUE(json_is_string(json_object_get(d, "uuid")));
    CU_ASSERT_TRUE(json_is_string(json_object_get(d, "pci")));
    CU_ASSERT_TRUE(json_is_string(json_object_get(d, "twin")));
  }
  json_decref(root);
}

/* -O sets a backend's options as the old flags did, and `devices --options` lists every one
 * the library has. */
static void test_device_options(void)
{
  struct synth_test_outcome o;
  run_cli((const char *[]){"devices", "--json", "-O", "cpu.threads=1", "--device-option",
                           "cpu.core=generic", NULL},
          &o);
  json_t *root = synth_test_outcome_json(&o);
  json_t *devs = json_object_get(root, "devices");
  CU_ASSERT_TRUE(json_is_true(json_object_get(json_array_get(devs, 0), "selected")));
  CU_ASSERT_TRUE(json_is_false(json_object_get(json_array_get(devs, 1), "selected")) ||
                 json_array_size(devs) == 1);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(devs, 0), "engine")),
                         "generic");
  json_decref(root);

  run_cli((const char *[]){"devices", "--options", NULL}, &o);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "OPTION"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "cpu.threads "));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "1..4096"));
  run_cli((const char *[]){"devices", "--options", "--json", NULL}, &o);
  root = synth_test_outcome_json(&o);
  json_t *list = json_object_get(root, "options");
  CU_ASSERT_EQUAL(json_array_size(list), synth_device_option_count());
  for (size_t i = 0; i < json_array_size(list); i++) {
    struct synth_device_option_desc d;
    CU_ASSERT_EQUAL_FATAL(synth_device_option((unsigned)i, &d, sizeof d), 0);
    json_t *item = json_array_get(list, i);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(item, "name")), d.name);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(item, "type")),
                           synth_device_option_type_name(d.type));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(item, "default")), d.default_value);
  }
  json_decref(root);

  /* run hashes with what -O says, until its one worker's first share */
  run_cli_until((const char *[]){"run", "--devices", "cpu", "-O", "cpu.threads=1", "-O",
                                 "cpu.core=generic", "--difficulty", "0.00002", "--no-api",
                                 "--status-interval", "0", "--json", "-v", NULL},
                "share: device 0,", &o);
  root = synth_test_outcome_json(&o);
  devs = json_object_get(root, "devices");
  CU_ASSERT_EQUAL(json_array_size(devs), 1);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(devs, 0), "engine")),
                         "generic");
  json_decref(root);
}

#if SYNTH_TEST_WITH_VULKAN
/* A Vulkan device named by its id hashes (lavapipe here, left out of "all" next to the native
 * CPU backend), and its shares verify. */
static void test_run_vulkan_device(void)
{
  struct synth_test_outcome o;
  run_cli((const char *[]){"devices", "--json", NULL}, &o);
  CU_ASSERT_EQUAL_FATAL(o.status, 0);
  if (!strstr(o.out, "\"vulkan:0\"")) { /* the test command installs lavapipe; a user may not */
    fprintf(stderr, "\n    SKIPPED: no Vulkan device here (install mesa-vulkan-drivers) ");
    return;
  }
  /* Until its first share, however long a loaded CPU Vulkan driver takes to find one. */
  run_cli_until((const char *[]){"run", "--devices", "vulkan:0", "--difficulty", "0.00002",
                                 "--status-interval", "0", "--no-cache", "--no-api", "--json", "-v",
                                 NULL},
                "share: device 0,", &o);
  json_t *root = synth_test_outcome_json(&o);
  json_t *d = json_array_get(json_object_get(root, "devices"), 0);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "kind")), "vulkan");
  json_int_t shares = json_integer_value(json_object_get(d, "shares"));
  CU_ASSERT(shares > 0);
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "shares_verified")), shares);
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "hw_errors")), 0);
  json_decref(root);
}
#endif

static void test_run_json_summary(void)
{
  struct synth_test_outcome o;
  /* Two workers, run until each has found a share, so each has hashed whatever the load. */
  struct share_lines want = {2};
  CU_ASSERT_FATAL(synth_test_run_until(
      SYNTHMINER_PATH,
      (const char *[]){"run", "--devices", "cpu", "--threads", "2", "--difficulty", "0.00002",
                       "--no-api", "--status-interval", "0", "--json", "-v", NULL},
      shares_from_every_device, &want, &o));
  check_finished(&o);
  CU_ASSERT_FALSE(o.stop_never);
  json_t *root = synth_test_outcome_json(&o);
  json_t *devs = json_object_get(root, "devices"), *totals = json_object_get(root, "totals");
  CU_ASSERT_EQUAL(json_array_size(devs), 2);
  static const char *const fields[] = {"id",       "kind",     "name",   "nonces",
                                       "seconds",  "hashrate", "shares", "shares_verified",
                                       "hw_errors"};
  for (size_t i = 0; i < json_array_size(devs); i++) {
    json_t *d = json_array_get(devs, i);
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
      CU_ASSERT_PTR_NOT_NULL(json_object_get(d, fields[f]));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "kind")), "cpu");
    CU_ASSERT(json_integer_value(json_object_get(d, "nonces")) > 0);
    CU_ASSERT(json_integer_value(json_object_get(d, "shares")) >= 1); /* it found one */
    CU_ASSERT(json_real_value(json_object_get(d, "hashrate")) > 0);
  }
  json_int_t shares = json_integer_value(json_object_get(totals, "shares"));
  CU_ASSERT(shares > 0);
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(totals, "shares_verified")), shares);
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(totals, "hw_errors")), 0);
  json_decref(root);
}

/* A stop_when: the trace file @user holds at least TRACE_LINES lines. */
#define TRACE_LINES 150

static bool trace_has_enough(void *user, const struct synth_test_outcome *o)
{
  (void)o;
  FILE *f = fopen((const char *)user, "r");
  unsigned n = 0;
  for (int c; f && n < TRACE_LINES && (c = getc(f)) != EOF;)
    n += c == '\n';
  if (f)
    fclose(f);
  return n >= TRACE_LINES;
}

/* The tuner replayed from the trace (telemetry/tuner.c): nonces and seconds each halved per
 * batch, the next batch the rate times the target in whole units, rounded to the nearest. */
struct tuner_replay {
  double unit, target_s, acc_nonces, acc_s;
};

static double replay_next(struct tuner_replay *t, double nonces, double seconds)
{
  t->acc_nonces = t->acc_nonces * 0.5 + nonces;
  t->acc_s = t->acc_s * 0.5 + seconds;
  double units = floor(t->acc_nonces / t->acc_s * t->target_s / t->unit + 0.5);
  return (units < 1 ? 1 : units) * t->unit;
}

/* --trace writes one JSON line per batch with every field, the asked --target-latency reaches
 * the tuner (each next batch is the measured rate times 8 ms, replayed from the trace itself:
 * whatever the machine's speed), and the run's telemetry fields are in the JSON summary. */
static void test_run_trace_and_target_latency(void)
{
  char path[] = "/tmp/synth-trace-XXXXXX";
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd);
  struct synth_test_outcome o;
  CU_ASSERT_FATAL(synth_test_run_until(
      SYNTHMINER_PATH,
      (const char *[]){"run", "--devices", "cpu", "--threads", "1", "--target-latency", "cpu=8",
                       "--trace", path, "--no-api", "--status-interval", "0", "--json", NULL},
      trace_has_enough, path, &o));
  check_finished(&o);
  CU_ASSERT_FALSE(o.stop_never);
  CU_ASSERT_EQUAL_FATAL(o.status, 0);
  FILE *f = fopen(path, "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  char line[512];
  unsigned n = 0, checked = 0, mismatched = 0;
  uint64_t last_seq = 0;
  bool replaying = true;
  struct tuner_replay tr = {.target_s = 0.008};
  while (fgets(line, sizeof line, f)) {
    json_error_t e;
    json_t *r = json_loads(line, 0, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "device")), "cpu:0");
    uint64_t seq = (uint64_t)json_integer_value(json_object_get(r, "seq"));
    CU_ASSERT_EQUAL(seq, last_seq + 1); /* read often enough that none was missed */
    last_seq = seq;
    CU_ASSERT_EQUAL(json_real_value(json_object_get(r, "target_ms")), 8.0);
    const char *state = json_string_value(json_object_get(r, "state"));
    CU_ASSERT_PTR_NOT_NULL(state);
    double size = (double)json_integer_value(json_object_get(r, "size"));
    double nonces = (double)json_integer_value(json_object_get(r, "nonces"));
    double next = (double)json_integer_value(json_object_get(r, "next_batch"));
    double lat_s = json_real_value(json_object_get(r, "latency_ms")) / 1000;
    if (n == 0)
      tr.unit = size; /* the tuner starts from one unit */
    /* Only whole, successful batches of a healthy device: the cut-short ones at the stop, and
     * anything after health stepped in, are not the plain tuner's. */
    if (!state || (strcmp(state, "ok") != 0 && strcmp(state, "tuning") != 0) || nonces != size ||
        json_integer_value(json_object_get(r, "status")) != 0)
      replaying = false;
    if (replaying && lat_s > 0) {
      /* Printed latencies have four decimals: allow the nearest unit either way. */
      double want = replay_next(&tr, nonces, lat_s);
      checked++;
      if (fabs(next - want) > tr.unit) {
        mismatched++;
        fprintf(stderr, "\n    batch %llu: next %.0f, the replayed tuner says %.0f\n",
                (unsigned long long)seq, next, want);
      }
    }
    json_decref(r);
    n++;
  }
  fclose(f);
  unlink(path);
  CU_ASSERT(n >= TRACE_LINES);
  CU_ASSERT(checked >= 50);
  CU_ASSERT_EQUAL(mismatched, 0);
  json_error_t e;
  json_t *root = json_loads(o.out, 0, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  json_t *d = json_array_get(json_object_get(root, "devices"), 0);
  static const char *const fields[] = {"hashrate_10s", "hashrate_60s", "hashrate_15m",
                                       "batch_size",   "error_rate",   "state"};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    CU_ASSERT_PTR_NOT_NULL(json_object_get(d, fields[i]));
  json_decref(root);
}

/* The final table a clean stop prints. */
static void expect_clean_stop(const struct synth_test_outcome *o)
{
  CU_ASSERT_EQUAL(o->status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o->out, "DEVICE"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o->out, "total"));
  if (o->status != 0)
    fprintf(stderr, "\n    status %d, stderr: %s\n", o->status, o->err);
}

/* SIGINT while hashing stops cleanly: exit 0 and the final table, after the readiness line and
 * at least one status line. */
static void test_sigint_stops_cleanly(void)
{
  struct synth_test_outcome o;
  run_cli_until((const char *[]){"run", "--devices", "cpu", "--status-interval", "0.5", "--no-api",
                                 "--log-level", "info", NULL},
                "H/s", &o);
  expect_clean_stop(&o);
  const char *ready = strstr(o.err, "synthminer run: hashing on ");
  CU_ASSERT_PTR_NOT_NULL(ready);
  CU_ASSERT(ready && strstr(ready, "H/s")); /* ready first, then status */
}

/* SIGINT during start-up (the devices still opening, the CPU cores' self-benchmark running)
 * stops just as cleanly: exit 0 and the final table, nothing hashed after it. */
static void test_sigint_during_start_up(void)
{
  struct synth_test_outcome o;
  run_cli_until((const char *[]){"run", "--devices", "all", "--no-api", "--log-level", "info",
                                 "--status-interval", "0", NULL},
                "starting: opening the devices", &o);
  expect_clean_stop(&o);
  /* It stopped whether the signal came before the devices were open or after. */
  CU_ASSERT(strstr(o.err, "stopped during start-up") || strstr(o.err, "hashing on"));
}

int main(void)
{
  static const struct synth_test tests[] = {
    SYNTH_TEST(test_usage_errors),
    SYNTH_TEST(test_help_and_version),
    SYNTH_TEST(test_devices),
    SYNTH_TEST(test_device_options),
    SYNTH_TEST(test_run_json_summary),
    SYNTH_TEST(test_run_trace_and_target_latency),
#if SYNTH_TEST_WITH_VULKAN
    SYNTH_TEST(test_run_vulkan_device),
#endif
    SYNTH_TEST(test_sigint_stops_cleanly),
    SYNTH_TEST(test_sigint_during_start_up),
    SYNTH_TEST_END,
  };
  return synth_test_run("cli", tests);
}
