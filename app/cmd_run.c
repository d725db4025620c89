/* cmd_run.c: `synthminer run`: every selected device hashes the job until time or a signal. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_server.h"
#include "api_snapshot.h"
#include "batch_trace.h"
#include "bench_source.h"
#include "cli.h"
#include "latency_spec.h"
#include "options.h"
#include "pool_source.h"
#include "report.h"
#include "run_control.h"
#include "run_settings.h"
#include "service_notify.h"

/* Set by SIGINT/SIGTERM and by POST /api/stop; lock-free, so a signal handler may set it. */
static atomic_int stop_requested;

/* The first signal asks for a clean stop; a second one, when the stop itself is what the user
 * waits on (a device that does not give its batches back), ends the process as it would have
 * without a handler. Only async-signal-safe calls here. */
static void on_stop_signal(int sig)
{
  int expected = 0;
  if (!atomic_compare_exchange_strong(&stop_requested, &expected, sig)) {
    signal(sig, SIG_DFL);
    raise(sig);
  }
}

/* Set by SIGHUP: the main loop reloads the config. */
static atomic_bool reload_requested;

static void on_reload_signal(int sig)
{
  (void)sig;
  atomic_store(&reload_requested, true);
}

static void on_api_stop(void *user)
{
  (void)user;
  atomic_store(&stop_requested, SIGTERM); /* the same graceful stop as a signal */
}

struct run_state {
  bool verbose;
  struct api_state api;
  struct pool_source pool;    /* loaded, until control takes it; count 0: the benchmark job */
  struct run_control control; /* from the runtime's creation on: the source in force, reloads */
  bool control_ready;
  struct cli_log *log;
  bool failed; /* the pool or node client gave up: the run ends with status 2 */
};

static unsigned on_control(void *user, const char *path, json_t *body, char *msg, size_t size)
{
  struct run_state *st = user;
  bool reload = strcmp(path, "reload") == 0;
  if (reload)
    service_reloading();
  unsigned status = control_request(&st->control, path, body, msg, size);
  if (reload)
    service_reload_done();
  return status;
}

static void on_share(void *user, const struct synth_share *share)
{
  struct run_state *st = user;
  /* The control exists before the runtime starts, so before any share. */
  if (!handover_route(&st->control.source, share))
    api_state_count_share(&st->api, share->device);
  if (st->verbose)
    fprintf(stderr, "share: device %u, job %s, nonce %08x, difficulty %.6g\n", share->device,
            share->job_id, share->nonce, share->difficulty);
}

static void install_signals(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sa.sa_handler = on_reload_signal;
  sigaction(SIGHUP, &sa, NULL);
}

static const char about[] =
    "Hashes on every selected device until --duration passes or SIGINT/SIGTERM arrives,\n"
    "then prints a per-device table (or, with --json, one JSON document) on stdout.\n"
    "With no pool, the built-in benchmark job is hashed. While it runs, a local HTTP API\n"
    "(JSON and Prometheus /metrics) serves on 127.0.0.1:4077 unless --no-api; with\n"
    "--api-token it also takes control requests. SIGHUP re-reads the --config file.";

/* The API flags. */
struct api_flags {
  const char *bind; /* NULL: API_DEFAULT_BIND */
  unsigned port;    /* CLI_UNSET: API_DEFAULT_PORT */
  const char *token;
  bool off;
};

/* What can be refused before any device opens. Returns 0, or prints one line and returns
 * CLI_EXIT_USAGE. */
static int check_api_flags(struct api_flags *f)
{
  if (!f->token) { /* the environment keeps the token out of `ps` */
    const char *env = getenv("SYNTHMINER_API_TOKEN");
    f->token = env && *env ? env : NULL;
  }
  if (f->off)
    return 0;
  char msg[256];
  struct api_server_config cfg = {.bind = f->bind ? f->bind : API_DEFAULT_BIND, .token = f->token};
  if (api_server_check(&cfg, msg, sizeof msg) != 0) {
    fprintf(stderr, "synthminer run: %s\n", msg);
    return CLI_EXIT_USAGE;
  }
  return 0;
}

/*
 * Starts the API unless it is off. Returns 0 (*out NULL when the default port was busy: one
 * warning, the run goes on), or prints one line and returns CLI_EXIT_USAGE when what the
 * flags asked for cannot be served.
 */
static int start_api(const struct api_flags *f, struct run_state *state, struct api_server **out)
{
  *out = NULL;
  if (f->off)
    return 0;
  struct api_server_config cfg = {
      .bind = f->bind ? f->bind : API_DEFAULT_BIND,
      .port = f->port == CLI_UNSET ? API_DEFAULT_PORT : f->port,
      .token = f->token,
      .state = &state->api,
      .stop_fn = on_api_stop,
      .control_fn = on_control,
      .control_user = state,
  };
  char msg[256];
  int rc = api_server_start(out, &cfg, msg, sizeof msg);
  if (rc == 0) {
    const char *b = cfg.bind;
    fprintf(stderr,
            strchr(b, ':') ? "synthminer run: API at http://[%s]:%u/\n"
                           : "synthminer run: API at http://%s:%u/\n",
            b, api_server_port(*out));
    return 0;
  }
  if (f->bind || f->port != CLI_UNSET) {
    fprintf(stderr, "synthminer run: %s\n", msg);
    return CLI_EXIT_USAGE;
  }
  /* Most likely another instance holds the default port: this one hashes all the same. */
  fprintf(stderr, "synthminer run: warning: %s; running without the API (see --api-port)\n", msg);
  return 0;
}

/* "1.23 GH/s on 3 devices, pool stratum+tcp://..." for systemd's status. */
static void service_line(const struct report *r, struct run_state *st, char *buf, size_t size)
{
  char rate[32];
  const char *url = handover_url(&st->control.source);
  snprintf(buf, size, "%s on %u devices, %s%s",
           report_rate(r->total.hashrate_10s, rate, sizeof rate), r->count,
           url[0] ? "pool " : "benchmark job", url);
}

/* Hashes until the duration passes or a stop is asked for, printing status lines, renewing the
 * job, reloading on SIGHUP and keeping systemd's watchdog fed. Returns the elapsed seconds. */
static double hash_until_done(synth_runtime *rt, struct run_state *st, struct batch_trace *trace,
                              double duration, double status_every)
{
  double start = api_now_s(), next_status = start + status_every, elapsed = 0;
  double next_service = start + 5;
  bool notifying = service_notifying(); /* no systemd to tell: no status line built for it */
  const struct timespec tick = {0, 100 * 1000 * 1000};
  while (!atomic_load(&stop_requested)) {
    nanosleep(&tick, NULL);
    double now = api_now_s();
    elapsed = now - start;
    if (duration > 0 && elapsed >= duration)
      break;
    if (atomic_exchange(&reload_requested, false)) {
      char msg[512];
      service_reloading();
      control_reload(&st->control, "SIGHUP", msg, sizeof msg); /* said in the log either way */
      service_reload_done();
    }
    if (control_tick(&st->control, now) != 0) {
      st->failed = true; /* the client gave up for good, and said why */
      break;
    }
    service_watchdog(rt, now);
    if (trace && trace->out && batch_trace_poll(trace, rt) != 0)
      trace = NULL; /* said once; the run goes on */
    bool status_due = status_every > 0 && now >= next_status;
    bool service_due = notifying && now >= next_service;
    if (status_due || service_due) {
      struct report r;
      if (report_collect(rt, &r) == 0) {
        if (status_due)
          report_status(&r, elapsed);
        if (service_due) {
          char line[256];
          service_line(&r, st, line, sizeof line);
          service_status(line);
        }
        report_free(&r);
      }
      if (status_due)
        next_status += status_every;
      if (service_due)
        next_service = now + 5;
    }
  }
  return elapsed;
}

/* The final table, or the JSON summary. Returns the exit status. */
static int final_report(synth_runtime *rt, struct api_state *api, bool json, double elapsed)
{
  if (json) {
    json_t *doc = api_final_report(api, elapsed);
    int rc = doc && json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) == 0 ? 0 : 1;
    fputc('\n', stdout);
    json_decref(doc);
    if (rc != 0)
      fprintf(stderr, "synthminer run: cannot write the JSON summary\n");
    return rc;
  }
  struct report r;
  if (report_collect(rt, &r) != 0) {
    fprintf(stderr, "synthminer run: out of memory\n");
    return 1;
  }
  report_table(&r, stdout);
  report_free(&r);
  return 0;
}

/* Starts hashing and the API, runs, stops. Returns the exit status. */
static int run(synth_runtime *rt, struct run_state *state, const struct api_flags *api_flags,
               const char *trace_path, double duration, double status_every, bool json)
{
  struct batch_trace trace = {0};
  if (trace_path) {
    int trc = batch_trace_open(&trace, trace_path, rt);
    if (trc != 0)
      return trc;
  }
  if (atomic_load(&stop_requested)) { /* asked while the devices opened: nothing to start */
    if (state->log->level >= SYNTH_LOG_INFO)
      fprintf(stderr, "synthminer run: stopped during start-up\n");
    batch_trace_close(&trace);
    return final_report(rt, &state->api, json, 0);
  }
  struct run_control *ctl = &state->control;
  struct pool_source *src = &ctl->source.cur;
  ctl->bench_on = src->count == 0;
  if (ctl->bench_on)
    bench_source_init(&ctl->bench, ctl->bench_difficulty, rt);
  int rc = synth_runtime_start(rt);
  if (rc == 0 && ctl->bench_on)
    rc = bench_source_tick(&ctl->bench, rt, api_now_s());
  if (rc != 0) {
    fprintf(stderr, "synthminer run: cannot start: %s\n", synth_strerror(rc));
    batch_trace_close(&trace);
    return 1;
  }
  if (ctl->bench_on) {
    /* The API starts with a job in place, so no response shows an empty one. */
    api_state_set_job(&state->api, ctl->bench.job_id, "benchmark", ctl->bench.difficulty);
  } else {
    /* The devices wait for the pool's first job. */
    api_state_set_job(&state->api, "", "pool", 0);
    if ((rc = pool_source_start(src, rt, state->log, false)) != 0) {
      synth_runtime_stop(rt);
      batch_trace_close(&trace);
      return rc;
    }
    api_state_set_client(&state->api, src->pool, src->solo.client);
  }
  struct api_server *server;
  if ((rc = start_api(api_flags, state, &server)) != 0) {
    batch_trace_close(&trace);
    return rc;
  }
  if (state->log->level >= SYNTH_LOG_INFO) /* the line scripts (and tests) wait for */
    fprintf(stderr, "synthminer run: hashing on %u devices\n", synth_runtime_device_count(rt));
  char ready[160];
  snprintf(ready, sizeof ready, "hashing on %u devices", synth_runtime_device_count(rt));
  service_ready(ready);
  double elapsed = hash_until_done(rt, state, &trace, duration, status_every);
  service_stopping();
  api_server_stop(server); /* first: no request sees a runtime half stopped */
  synth_runtime_stop(rt);
  pthread_mutex_lock(&ctl->lock);
  handover_settle(&ctl->source, &state->api);
  src = &ctl->source.cur;
  synth_pool_stop(src->pool); /* its figures final: every share found is in one count */
  synth_solo_stop(src->solo.client);
  if (src->pool || src->solo.client)
    pool_source_report(src);
  pthread_mutex_unlock(&ctl->lock);
  if (trace.out) {
    batch_trace_poll(&trace, rt); /* the batches cut short by the stop */
    if (batch_trace_close(&trace) != 0)
      fprintf(stderr, "synthminer run: --trace: cannot finish the file\n");
  }
  rc = final_report(rt, &state->api, json, elapsed);
  return state->failed ? CLI_EXIT_USAGE : rc;
}

int cmd_run(int argc, char **argv)
{
  /* First of all: a stop asked for at any moment from here on, start-up included, is clean. */
  install_signals();
  struct cli_device_flags dev = CLI_DEVICE_FLAGS_INIT;
  struct api_flags api = {.port = CLI_UNSET};
  const char *log_level = "warn";
  double duration = 0, difficulty = 0, status_every = 5;
  unsigned batch_timeout_ms = 0, sick_retry_ms = 0, sick_limit = 0;
  double error_rate_limit = 0, overrun_factor = 0;
  const char *target_latency = NULL, *trace_path = NULL, *policy = NULL, *power_limit = NULL;
  double temp_limit = 0, temp_abort = 0;
  bool device_power_limit = false;
  bool json = false, verbose = false, help = false;
  struct pool_flags pool = {0};
  const struct cli_option opts[] = {
      CLI_DEVICE_OPTIONS(dev),
      POOL_OPTIONS(pool),
      {"--duration", 0, CLI_DOUBLE, &duration, 0.1, 1e9, "SECONDS",
       "stop after this long (default: until interrupted)"},
      {"--difficulty", 0, CLI_DOUBLE, &difficulty, 1e-12, 1e15, "D",
       "fixed share difficulty of the benchmark job (default: about 3 shares/s per device)"},
      {"--status-interval", 0, CLI_DOUBLE, &status_every, 0, 3600, "SECONDS",
       "status line period on stderr, 0 for none (default 5)"},
      {"--target-latency", 0, CLI_STRING, &target_latency, 0, 0, "MS",
       "wanted time of one batch: MS for every device, or cpu=MS,gpu=MS (default cpu=5,gpu=50)"},
      {"--batch-timeout", 0, CLI_UINT, &batch_timeout_ms, 100, 3600000, "MS",
       "no batch counts as overrun (device sick) before it ran this long (default 2000)"},
      {"--overrun-factor", 0, CLI_DOUBLE, &overrun_factor, 1.5, 1e6, "X",
       "a batch running X times its expected time or target makes its device sick (default 10)"},
      {"--error-rate-limit", 0, CLI_DOUBLE, &error_rate_limit, 0.001, 1, "F",
       "failed batches above this share make a device back off (default 0.05)"},
      {"--sick-retry", 0, CLI_UINT, &sick_retry_ms, 10, 3600000, "MS",
       "a sick device is probed again after this long (default 5000)"},
      {"--sick-limit", 0, CLI_UINT, &sick_limit, 1, 1000, "N",
       "sick this many times in a row: taken out for good (default 3)"},
      {"--temp-limit", 0, CLI_DOUBLE, &temp_limit, 1, 150, "C",
       "above C a device hashes less (idle gaps) until it is 3 C below"},
      {"--temp-abort", 0, CLI_DOUBLE, &temp_abort, 1, 150, "C",
       "at C a device stops, its work going to the others, until it has cooled 3 C"},
      {"--power-limit", 0, CLI_STRING, &power_limit, 0, 0, "W",
       "hold each device's power under W: W, or gpu=W,cpu=W,opencl:0=W (by duty cycle)"},
      {"--power-limit-device", 0, CLI_FLAG, &device_power_limit, 0, 0, NULL,
       "also set an NVIDIA GPU's own power limit (needs root; put back at exit)"},
      {"--scheduler-policy", 0, CLI_STRING, &policy, 0, 0, "NAME",
       "how work is shared among devices: work-stealing (default) or rate-proportional"},
      {"--trace", 0, CLI_STRING, &trace_path, 0, 0, "FILE",
       "write every device batch as a JSON line to FILE (see tests/bench/tuning_trace.py)"},
      {"--json", 0, CLI_FLAG, &json, 0, 0, NULL, "print the final summary as JSON"},
      {"--api-bind", 0, CLI_STRING, &api.bind, 0, 0, "ADDR",
       "API address, IPv4 or IPv6 (default 127.0.0.1; others need --api-token)"},
      {"--api-port", 0, CLI_UINT, &api.port, 0, 65535, "N",
       "API port, 0 for any free one (default 4077)"},
      {"--api-token", 0, CLI_STRING, &api.token, 0, 0, "TOKEN",
       "require 'Authorization: Bearer TOKEN'; enables POST /api/stop "
       "(default: $SYNTHMINER_API_TOKEN)"},
      {"--no-api", 0, CLI_FLAG, &api.off, 0, 0, NULL, "serve no API"},
      {"--log-level", 0, CLI_STRING, &log_level, 0, 0, "LEVEL",
       "error, warn (default), info or debug"},
      {"--verbose", 'v', CLI_FLAG, &verbose, 0, 0, NULL, "print every share on stderr"},
      CLI_OPTIONS_END(help),
  };
  int rc = cli_parse_command("run", about, opts, argc, argv);
  if (rc != 0 || help)
    return rc;
  struct cli_log log = {0};
  if ((rc = cli_log_level("run", log_level, &log.level)) != 0)
    return rc;
  if ((rc = check_api_flags(&api)) != 0)
    return rc;
  struct run_setting_flags setting_flags = {target_latency, temp_limit, temp_abort, power_limit};
  struct run_settings settings;

  struct run_state *state = calloc(1, sizeof *state);
  if (!state) {
    fprintf(stderr, "synthminer run: out of memory\n");
    return 1;
  }
  if ((rc = pool_source_load(&state->pool, &pool)) != 0 ||
      (rc = run_settings_load(&settings, &setting_flags, pool.config)) != 0)
    goto out;
  if (state->pool.count && difficulty > 0) {
    fprintf(stderr, "synthminer run: --difficulty is the benchmark's; a pool sets its own\n");
    rc = CLI_EXIT_USAGE;
    goto out;
  }
  state->verbose = verbose;
  state->log = &log;
  struct synth_runtime_config cfg = {
      .log_fn = cli_log_message,
      .log_user = &log,
      .log_level = log.level,
      .batch_timeout_ms = batch_timeout_ms,
      .cpu_target_latency_ms = settings.cpu_latency_ms,
      .gpu_target_latency_ms = settings.gpu_latency_ms,
      .error_rate_limit = error_rate_limit,
      .overrun_factor = overrun_factor,
      .sick_retry_ms = sick_retry_ms,
      .sick_limit = sick_limit,
      .scheduler_policy = policy,
      .temp_limit_c = settings.temp_limit,
      .temp_abort_c = settings.temp_abort,
      .power_limit = settings.power_limit[0] ? settings.power_limit : NULL,
      .device_power_limit = device_power_limit,
  };
  if ((rc = cli_device_config("run", &dev, &cfg)) != 0)
    goto out;
  if (log.level >= SYNTH_LOG_INFO) /* from here a SIGINT stops cleanly; tests wait for it */
    fprintf(stderr, "synthminer run: starting: opening the devices\n");
  synth_runtime *rt;
  rc = synth_miner_create(&rt, &cfg, &(struct synth_miner_config){on_share, state});
  if (rc != 0) {
    if (!atomic_load(&log.error_seen))
      fprintf(stderr, "synthminer run: %s\n", synth_strerror(rc));
    rc = cli_exit_for(rc);
    goto out;
  }
  /* No share arrives before synth_runtime_start(), so the counters are ready in time. */
  if (api_state_init(&state->api, rt) != 0 ||
      control_init(&state->control, rt, &state->api, &state->pool, &settings, &log) != 0) {
    fprintf(stderr, "synthminer run: out of memory\n");
    rc = 1;
  } else {
    state->control_ready = true;
    state->control.pool_flags = &pool;
    state->control.setting_flags = &setting_flags;
    state->control.config = pool.config;
    state->control.bench_difficulty = difficulty;
    rc = run(rt, state, &api, trace_path, duration, status_every, json);
  }
  if (state->control_ready) /* the clients first: they set jobs on the runtime */
    control_free(&state->control);
  pool_source_free(&state->pool);
  synth_runtime_destroy(rt);
  api_state_free(&state->api);
  free(state);
  return rc;
out:
  pool_source_free(&state->pool);
  free(state);
  return rc;
}
