/* cmd_run.c: `synthminer run`: every selected device hashes the job until time or a signal. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_source.h"
#include "cli.h"
#include "options.h"
#include "report.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
  stop_requested = sig;
}

struct run_state {
  bool verbose;
  atomic_ulong shares;
};

static void on_share(void *user, const struct synth_share *share)
{
  struct run_state *st = user;
  atomic_fetch_add_explicit(&st->shares, 1, memory_order_relaxed);
  if (st->verbose)
    fprintf(stderr, "share: device %u, job %s, nonce %08x, difficulty %.6g\n", share->device,
            share->job_id, share->nonce, share->difficulty);
}

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void install_signals(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

static void usage(const struct cli_option *opts)
{
  printf("usage: synthminer run [options]\n\n"
         "Hashes on every selected device until --duration passes or SIGINT/SIGTERM arrives,\n"
         "then prints a per-device table (or, with --json, one JSON document) on stdout.\n"
         "With no pool, the built-in benchmark job is hashed.\n\noptions:\n");
  cli_print_options(opts);
}

/* Hashes until the duration passes or a signal arrives, printing status lines and renewing
 * the job. Returns the elapsed seconds. */
static double hash_until_done(synth_runtime *rt, struct bench_source *src, double duration,
                              double status_every)
{
  double start = now_s(), next_status = start + status_every, elapsed = 0;
  const struct timespec tick = {0, 100 * 1000 * 1000};
  while (!stop_requested) {
    nanosleep(&tick, NULL);
    double now = now_s();
    elapsed = now - start;
    if (duration > 0 && elapsed >= duration)
      break;
    if (bench_source_tick(src, rt, now) != 0)
      fprintf(stderr, "synthminer run: cannot renew the benchmark job\n");
    if (status_every > 0 && now >= next_status) {
      struct report r;
      if (report_collect(rt, &r) == 0) {
        report_status(&r, elapsed);
        report_free(&r);
      }
      next_status += status_every;
    }
  }
  return elapsed;
}

int cmd_run(int argc, char **argv)
{
  struct cli_device_flags dev = CLI_DEVICE_FLAGS_INIT;
  const char *log_level = "warn";
  double duration = 0, difficulty = 0, status_every = 5;
  unsigned batch_timeout_ms = 0;
  bool json = false, verbose = false, help = false;
  const struct cli_option opts[] = {
      CLI_DEVICE_OPTIONS(dev),
      {"--duration", 0, CLI_DOUBLE, &duration, 0.1, 1e9, "SECONDS",
       "stop after this long (default: until interrupted)"},
      {"--difficulty", 0, CLI_DOUBLE, &difficulty, 1e-12, 1e15, "D",
       "fixed share difficulty of the benchmark job (default: about 3 shares/s per device)"},
      {"--status-interval", 0, CLI_DOUBLE, &status_every, 0, 3600, "SECONDS",
       "status line period on stderr, 0 for none (default 5)"},
      {"--batch-timeout", 0, CLI_UINT, &batch_timeout_ms, 100, 3600000, "MS",
       "a device batch running longer means a hung device, taken out (default 10000)"},
      {"--json", 0, CLI_FLAG, &json, 0, 0, NULL, "print the final summary as JSON"},
      {"--log-level", 0, CLI_STRING, &log_level, 0, 0, "LEVEL",
       "error, warn (default), info or debug"},
      {"--verbose", 'v', CLI_FLAG, &verbose, 0, 0, NULL, "print every share on stderr"},
      {"--help", 'h', CLI_FLAG, &help, 0, 0, NULL, "show this help"},
      {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
  };
  int rc = cli_parse("run", opts, argc, argv);
  if (rc != 0)
    return rc;
  if (help) {
    usage(opts);
    return 0;
  }
  struct cli_log log = {0};
  if ((rc = cli_log_level("run", log_level, &log.level)) != 0)
    return rc;

  struct run_state state = {.verbose = verbose};
  struct synth_runtime_config cfg = {
      .log_fn = cli_log_message,
      .log_user = &log,
      .log_level = log.level,
      .share_fn = on_share,
      .share_user = &state,
      .batch_timeout_ms = batch_timeout_ms,
  };
  cli_device_config(&dev, &cfg);
  synth_runtime *rt;
  rc = synth_runtime_create(&rt, &cfg);
  if (rc != 0) {
    if (!atomic_load(&log.error_seen))
      fprintf(stderr, "synthminer run: %s\n", synth_strerror(rc));
    return cli_exit_for(rc);
  }
  struct bench_source src;
  bench_source_init(&src, difficulty, rt);
  install_signals();
  rc = synth_runtime_start(rt);
  if (rc == 0)
    rc = bench_source_tick(&src, rt, now_s());
  if (rc != 0) {
    fprintf(stderr, "synthminer run: cannot start: %s\n", synth_strerror(rc));
    synth_runtime_destroy(rt);
    return 1;
  }
  double elapsed = hash_until_done(rt, &src, duration, status_every);
  synth_runtime_stop(rt);

  struct report r;
  int exit_code = 0;
  if (report_collect(rt, &r) != 0) {
    fprintf(stderr, "synthminer run: out of memory\n");
    exit_code = 1;
  } else {
    if (json)
      exit_code = report_json(&r, "benchmark", src.difficulty, elapsed, stdout);
    else
      report_table(&r, stdout);
    report_free(&r);
  }
  synth_runtime_destroy(rt);
  return exit_code;
}
