/* runtime.h: the synthetic GPU: every selected device hashing works of one workload, hits out by
 * callback. */
#ifndef SYNTH_RUNTIME_H
#define SYNTH_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "synth/export.h"
#include "synth/log.h"
#include "synth/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct synth_runtime synth_runtime;

/* The kinds of the backends this header names: stable numbers for callers that switch on them.
 * A backend added since brings its own number (its folder's own, above these) and is named by
 * synth_device_kind_name(), which reads the library's backend registry, not this list. */
enum synth_device_kind {
  SYNTH_DEVICE_CPU = 0,
  SYNTH_DEVICE_OPENCL = 1,
  SYNTH_DEVICE_VULKAN = 2,
};

/* The name of the backend of this kind built into this library; "unknown" for a kind it was
 * built without. Thread-safe. */
SYNTH_EXTERN const char *synth_device_kind_name(enum synth_device_kind kind);

/* What the telemetry loop makes of a device (see docs/architecture.md, "Health"). */
enum synth_device_state {
  SYNTH_DEVICE_IDLE = 0,        /* not started yet, or stopped */
  SYNTH_DEVICE_TUNING = 1,      /* its batch size is still moving towards the target latency */
  SYNTH_DEVICE_OK = 2,          /* batches land within the target latency */
  SYNTH_DEVICE_BACKING_OFF = 3, /* failed batches above the error-rate limit: smaller batches,
                                 * lower priority */
  SYNTH_DEVICE_SICK = 4,        /* batches overran their deadline many times over: its work went
                                 * back to the queues; probed again later with a small batch */
  SYNTH_DEVICE_OUT = 5,         /* taken out for good, the reason logged */
  SYNTH_DEVICE_PAUSED = 6,      /* paused by the caller (synth_runtime_set_paused): its work went
                                 * to the others, it takes none until resumed */
};

/* "idle", "tuning", "ok", "backing-off", "sick", "out", "paused"; "unknown" otherwise. Thread-safe.
 */
SYNTH_EXTERN const char *synth_device_state_name(enum synth_device_state state);

/* Zero-initialise, then set what you need: every zero field means its default. */
struct synth_runtime_config {
  /* Which devices hash: "all" (the default, NULL), "everything", or a comma-separated list
   * of "cpu", "opencl", "vulkan", "opencl:N", "vulkan:N". OpenCL and Vulkan devices that
   * hash on the host CPU (PoCL, lavapipe) share the native CPU workers' cores, so "all"
   * leaves them out; "everything" takes them too, as does their own id, or "opencl" /
   * "vulkan" when no native CPU worker runs. A GPU both APIs reach hashes through one of
   * them (prefer) unless both of its ids are named. */
  const char *devices;
  /* Settings of the backends, as a comma-separated list of KIND.OPTION=VALUE:
   * "opencl.lanes=8,vulkan.nonces=4,cpu.core=avx2". KIND is a backend's kind name ("cpu",
   * "opencl", "vulkan"); synth_device_option() lists every option with its type, range and
   * default (docs/api.md has the table). A value may hold commas ("cpu.affinity=0,2-3"): an item
   * ends only at a comma that starts another KIND.OPTION=. An option not given has its default;
   * one given twice takes the later value. An unknown backend or option, or a value of the
   * wrong type or out of range, is SYNTH_EINVAL with a message naming the option. NULL or "":
   * every default. */
  const char *device_options;
  /* A GPU that both OpenCL and Vulkan reach hashes through one of them only: NULL or "auto"
   * (the faster, by a short benchmark when the runtime is created), "opencl" or "vulkan". A
   * device named by its id ("vulkan:0") is always driven as named. */
  const char *prefer;
  /* No batch is called overrun (see overrun_factor) before it has run this many
   * milliseconds, whatever the device's speed. 0 means 2000. */
  unsigned batch_timeout_ms;
  /* A folder for compiled device programs, so a restart does not recompile; created if
   * missing. NULL: nothing is cached. */
  const char *cache_dir;
  /* Wanted wall time of one CPU batch in milliseconds; 0 means 5. */
  double cpu_target_latency_ms;
  /* Wanted device time of one OpenCL or Vulkan launch in milliseconds; 0 means 50. */
  double gpu_target_latency_ms;
  /* Health thresholds (0 means the default in brackets). A device whose recent batches fail
   * more often than error_rate_limit [0.05] backs off: its batch is halved and others take its
   * queued work first. A batch running overrun_factor [10] times longer than the device's
   * measured speed says or than its target latency, and longer than batch_timeout_ms, makes
   * the device sick (a CPU batch once it returns): its work goes back to the queues and it is
   * probed again with a small batch after sick_retry_ms [5000]. So do 8 failed batches in a
   * row; a CPU scan that returns short without being asked to stop counts as failed. A device
   * sick sick_limit [3] times in a row is taken out. */
  double error_rate_limit;
  double overrun_factor;
  unsigned sick_retry_ms;
  unsigned sick_limit;
  /* log2 of the nonces in one WorkUnit (8..24); 0 means 14. */
  unsigned unit_log2;

  synth_log_fn log_fn; /* NULL: nothing is logged */
  void *log_user;
  enum synth_log_level log_level; /* messages above this level are not formatted */

  /* What the devices hash (required; must outlive the runtime): a workload descriptor (work
   * through synth_runtime_submit()); synth/miner.h has the built-in one and a miner's create.
   * Devices the workload has no code for (no OpenCL kernel, no SPIR-V) are left out, said in the
   * log. NULL is SYNTH_EINVAL. */
  const struct synth_workload *workload;

  /* How the scheduler shares work among the devices: NULL or "work-stealing" (the default: each
   * device's queue topped up with batches of its own size, idle devices steal from busy ones,
   * batches shrink near the end of a finite range), or "rate-proportional" (work placed in
   * proportion to the devices' measured rates, no stealing, the end of a finite range split by
   * rate so the devices end together). See synth_scheduler_policy_name(); another name is
   * refused (SYNTH_EINVAL). */
  const char *scheduler_policy;

  /* Sensors and limits (docs/api.md, "Power and temperature"). Each device's temperature,
   * power and energy are read every sensor_period_ms [500] through NVML (NVIDIA GPUs), Linux
   * hwmon (AMD GPUs, CPU temperatures) and powercap RAPL (CPU package energy); a device without
   * sensors just has none. sensor_root prefixes /sys (NULL: "/"; tests use a recorded tree);
   * nvml_library is the NVML to load (NULL: "libnvidia-ml.so.1"; "": none). */
  const char *sensor_root;
  const char *nvml_library;
  unsigned sensor_period_ms;
  /* Above temp_limit_c a device hashes less (idle gaps between batches) until it is
   * hysteresis (3 C) below; at temp_abort_c it stops, its work going back to the queues, until
   * it has cooled by as much. power_limit: "W" for every device, or a list of KIND=W and
   * ID=W ("gpu=350,cpu=60", "opencl:0=300"; an id wins over a kind; "gpu" is every OpenCL and
   * Vulkan GPU, "cpu" every native CPU worker's package), held by duty cycle. 0 / NULL: none.
   * A malformed list is SYNTH_EINVAL. */
  double temp_limit_c;
  double temp_abort_c;
  const char *power_limit;
  /* Non-zero: a power limit on an NVIDIA GPU also sets the GPU's own (NVML; needs root),
   * put back as it was when the limit is lifted or the runtime destroyed. Without the rights
   * it is said in the log, and the duty cycle holds the limit alone. */
  int device_power_limit;
};

/* The name of scheduling policy index, what scheduler_policy takes: 0 is the default
 * ("work-stealing"), NULL past the last. Thread-safe. */
SYNTH_EXTERN const char *synth_scheduler_policy_name(unsigned index);

/*
 * Probes the backends, selects the devices cfg asks for, opens each one and runs its
 * known-answer self-test. No thread is started yet. Returns 0 and *out, or SYNTH_EINVAL (a
 * malformed device list, device option or config, or a workload descriptor that breaks
 * synth/workload.h's contract: a payload_size of 0, not a multiple of 16 or over SYNTH_PAYLOAD_MAX,
 * a missing name, prepare_roll, verify or CPU scan list, a kernel without source or entry),
 * SYNTH_ENODEV (a device that does not exist, or a list that selects none), SYNTH_ESELFTEST,
 * SYNTH_ENOMEM, SYNTH_ESYSTEM; the reason is logged and in synth_last_error(). Thread-safe;
 * the returned runtime is not shared with any other.
 */
SYNTH_EXTERN int synth_runtime_create(synth_runtime **out, const struct synth_runtime_config *cfg);

/* Stops the runtime if it runs, ends every work in flight (SYNTH_ESTALE) and releases
 * everything. Returns 0 (NULL is ignored), or SYNTH_EDEADLK with nothing done when called from
 * inside one of the runtime's callbacks (it would join the thread it runs on, or free what
 * that thread goes on to use). Not thread-safe against other calls on the same runtime. */
SYNTH_EXTERN int synth_runtime_destroy(synth_runtime *rt);

/* Starts one pinned worker thread per device and the scheduler's service thread. Devices
 * idle until a job is set. Idempotent. Returns 0, or SYNTH_ESYSTEM if a thread could not be
 * started (nothing is left running). */
SYNTH_EXTERN int synth_runtime_start(synth_runtime *rt);

/* Replaces the temperature and power limits (the config's temp_limit_c, temp_abort_c and
 * power_limit, same meanings) while the runtime runs or not; 0 / NULL lifts one. Returns 0,
 * or SYNTH_EINVAL (out of range, a malformed list; the limits stay as they were). Thread-safe. */
SYNTH_EXTERN int synth_runtime_set_limits(synth_runtime *rt, double temp_limit_c,
                                          double temp_abort_c, const char *power_limit);

/* Every device at once, for the per-device calls below. */
#define SYNTH_ALL_DEVICES 0xffffffffu

/* Pauses device index (or SYNTH_ALL_DEVICES) when paused is non-zero, else resumes it. A paused
 * device gives what it holds back to the queues (nothing is lost: the others hash it, as with a
 * sick device), takes no work, and shows SYNTH_DEVICE_PAUSED; its batches in flight are cut
 * short. Works while the runtime runs or not (a device paused before start never hashes).
 * Returns 0 or SYNTH_EINVAL (index out of range). Thread-safe. */
SYNTH_EXTERN int synth_runtime_set_paused(synth_runtime *rt, unsigned index, int paused);

/* Aims device index's (or every device's: SYNTH_ALL_DEVICES) batches at latency_ms, as the
 * config's cpu_ / gpu_target_latency_ms do at create; 0 puts back what it was created with. The
 * tuner moves the batch size over the next few batches. Returns 0, or SYNTH_EINVAL (index out
 * of range, latency_ms negative, not finite or over 60000). Thread-safe. */
SYNTH_EXTERN int synth_runtime_set_target_latency(synth_runtime *rt, unsigned index,
                                                  double latency_ms);

/* Seconds since the scheduler's service thread (job switches, refills) last went round its
 * loop, which it does at least every few milliseconds while the runtime runs; negative when the
 * runtime is not running. A supervisor's watchdog (systemd's WatchdogSec) can take a value of
 * seconds as a wedged runtime. Thread-safe. */
SYNTH_EXTERN double synth_runtime_heartbeat_age(synth_runtime *rt);

/* Stops hashing: batches in flight are cut short and their results collected, hits found
 * so far are delivered, threads are joined. Works in flight wait, queued, for the next start.
 * Idempotent; returns 0, or SYNTH_EDEADLK (nothing done) from inside a callback. */
SYNTH_EXTERN int synth_runtime_stop(synth_runtime *rt);

/* ---- work over an index range, for any workload ---- */

typedef struct synth_work synth_work;

/* A hit of submitted work: index = roll << 32 | nonce, and the CPU's re-check of it. Called on
 * the device thread that found it: be quick and thread-safe. It may cancel its own or another
 * work and submit more; stop, destroy and wait refuse inside it (SYNTH_EDEADLK). */
typedef void (*synth_hit_fn)(void *user, uint64_t index, const struct synth_verdict *verdict,
                             unsigned device);

/*
 * The work ended, with status: 0 when every index of a finite range was hashed; SYNTH_ESTALE
 * when it was cancelled or replaced (or the runtime destroyed); SYNTH_ERANGE when open-ended
 * work of a workload of your own reached index 2^64; SYNTH_ETIMEDOUT when its timeout_ms
 * passed; SYNTH_ENODEV when every device was taken out; or the negative code prepare_roll
 * returned for one of its rolls. Called exactly once, from a device thread, the runtime's
 * service thread or the cancelling (replacing) thread, after every on_hit of the work
 * returned; no on_hit follows it. The same rules as on_hit hold; synth_work_wait on its own
 * work returns the status at once.
 */
typedef void (*synth_done_fn)(void *user, int status);

/* Zero-initialise, then set what you need. */
struct synth_work_config {
  const void *data; /* handed to the workload's prepare_roll; copied (data_size bytes, > 0) */
  size_t data_size;
  uint64_t start;        /* first index */
  uint64_t end;          /* one past the last; 0: open-ended (until cancelled, or 2^64) */
  synth_hit_fn on_hit;   /* may be NULL */
  synth_done_fn on_done; /* may be NULL */
  void *user;
  /* Its share of the devices against the other works in flight: works get nonces in
   * proportion to their weights. 0 means 1; otherwise above 0, at most 1e6. */
  double weight;
  /* The work fails with SYNTH_ETIMEDOUT if it has not ended this many milliseconds after
   * submit (while the runtime runs). 0: no deadline. */
  unsigned timeout_ms;
  /* Non-zero: end every other work in flight first (SYNTH_ESTALE). */
  int replace;
};

/*
 * Adds cfg to the works in flight: they share the devices by weight, each with its own hits,
 * cancel and on_done (with cfg->replace it replaces them instead). A job set through the
 * miner's calls (synth/miner.h) gives way. The work's first roll is prepared here, so data the
 * workload refuses is refused now. Returns 0 and *out (release it with synth_work_release), or
 * SYNTH_EINVAL (an empty range, no data, a bad weight, or what prepare_roll returned for the
 * data), SYNTH_EAGAIN (256 works in flight already), SYNTH_ENOMEM; the reason is logged and in
 * synth_last_error(). Thread-safe, also from inside on_hit or on_done.
 *
 * A workload may take data of its own shape (adopt_data): synth/miner.h says what the
 * built-in SHA-256d workload takes.
 */
SYNTH_EXTERN int synth_runtime_submit(synth_runtime *rt, const struct synth_work_config *cfg,
                                      synth_work **out);

/* Waits until the work ended and its on_done returned; returns the status on_done got (see
 * synth_done_fn), or SYNTH_ETIMEDOUT when it is still running after timeout_ms. Thread-safe;
 * from inside its own on_done it returns that status at once; from inside any other callback
 * SYNTH_EDEADLK. */
SYNTH_EXTERN int synth_work_wait(synth_work *work, unsigned timeout_ms);

/* Stops the work if it is still running (its on_done gets SYNTH_ESTALE). When it returns, no
 * callback of the work is running on another thread and none will start. Thread-safe, and
 * may be called from the work's own on_hit. */
SYNTH_EXTERN void synth_work_cancel(synth_work *work);

/* Indexes hashed so far. Thread-safe. */
SYNTH_EXTERN uint64_t synth_work_hashed(synth_work *work);

/* Drops the caller's handle (the work itself ends only by finishing or synth_work_cancel).
 * Not thread-safe against other calls on the same handle. */
SYNTH_EXTERN void synth_work_release(synth_work *work);

/* Per-device figures. Fields are only ever appended: pass sizeof(struct synth_device_stats). */
struct synth_device_stats {
  char id[32]; /* "cpu:0" */
  enum synth_device_kind kind;
  char name[128];
  uint64_t nonces; /* hashed */
  uint64_t batches;
  uint64_t hits;          /* hits the device reported */
  uint64_t hits_verified; /* of those, re-checked on the CPU (the workload's verify) and met */
  uint64_t hw_errors;     /* hits whose CPU re-check did not meet the target */
  uint64_t hits_stale;    /* hits of a work that had been replaced or cancelled meanwhile */
  uint64_t duplicates;    /* hits already reported */
  double seconds;         /* time the device has been running */
  double hashrate;        /* nonces / seconds */
  double hashrate_ewma;   /* exponentially weighted, time constant 5 s */
  double hashrate_window; /* over the last (up to) 30 one-second snapshots */
  double latency_ms;      /* of the last batch */
  uint64_t batch_nonces;  /* the tuner's current batch size */
  char engine[32];        /* what it hashes with: "sha-ni", "avx2", ... for a CPU worker */
  /* Telemetry: */
  double hashrate_10s; /* H/s over the last 10 s, 60 s and 15 min (or since start) */
  double hashrate_60s;
  double hashrate_15m;
  double latency_p50_ms; /* device time of the last (up to) 64 batches: median, 95th pct */
  double latency_p95_ms;
  double target_latency_ms;  /* what the tuner aims each batch at */
  double error_rate;         /* share of recent batches that failed (about the last 20) */
  uint64_t batch_errors;     /* batches the device failed, in all */
  uint64_t batch_max_nonces; /* the batch size's upper clamp (device limits, oversize failures) */
  enum synth_device_state state;
  unsigned sick_count; /* times it was found sick */
  /* The newest job the device has hashed (its serial, see synth_runtime_job_serial) and when
   * its first batch of it could start on the device (CLOCK_MONOTONIC ns): how long a job
   * switch took to reach it. */
  uint32_t job_serial;
  uint64_t job_started_ns;
  /* Hits a batch found beyond the SYNTH_BATCH_MAX_HITS its result buffer holds: counted and
   * logged, but not delivered. A workload's target should keep them at zero (see
   * docs/api.md). */
  uint64_t hits_overflowed;
  /* Why the device was last found sick or taken out, "" if never (see docs/api.md, "Device
   * health"). */
  char health_reason[128];
  /* Sensors (docs/api.md, "Power and temperature"); sensed says which of the figures below
   * were read (SYNTH_SENSED_*). A CPU package's power and energy are shared evenly among the
   * workers on it: each shows its share. */
  char sensor[64]; /* where they come from: "nvml", "hwmon amdgpu", "rapl package-0, hwmon
                      k10temp"; "" for a device without sensors */
  unsigned sensed;
  double temp_c;        /* the hottest of its temperatures */
  double power_w;       /* power draw now */
  double energy_j;      /* since its sensors were first read */
  double clock_mhz;     /* core clock */
  double power_limit_w; /* the power limit the device itself enforces */
  unsigned throttle;    /* the device's own slowdowns now: SYNTH_THROTTLE_* */
  /* Efficiency since the sensors' first reading: joules per 10^12 hashes, and hashes per
   * joule; 0 while unknown (no energy reading, nothing hashed yet). */
  double joules_per_th;
  double hashes_per_joule;
  double duty;      /* share of time its limits let it hash: 1 when none holds it */
  unsigned limited; /* what holds it now: SYNTH_LIMITED_* */
  /* Where its thread runs, once started: a CPU worker's core ("package 0, core 1, PU 1"), a
   * GPU's feeder thread bound beside the GPU ("PUs 0-15 (NUMA node 0)", by its PCI address in
   * hwloc's topology), or why not ("unbound: ..."). */
  char thread_at[128];
};

/* synth_device_stats.sensed */
enum {
  SYNTH_SENSED_TEMP = 1u << 0,
  SYNTH_SENSED_POWER = 1u << 1,
  SYNTH_SENSED_ENERGY = 1u << 2,
  SYNTH_SENSED_CLOCK = 1u << 3,
  SYNTH_SENSED_POWER_LIMIT = 1u << 4,
  SYNTH_SENSED_THROTTLE = 1u << 5,
};
/* synth_device_stats.throttle: why the device slows itself down */
enum {
  SYNTH_THROTTLE_POWER = 1u << 0,
  SYNTH_THROTTLE_THERMAL = 1u << 1,
  SYNTH_THROTTLE_OTHER = 1u << 2,
};
/* synth_device_stats.limited: which of the runtime's limits holds the device */
enum {
  SYNTH_LIMITED_TEMP = 1u << 0,  /* above temp_limit_c: its duty is lowered */
  SYNTH_LIMITED_POWER = 1u << 1, /* its power limit: its duty is lowered */
  SYNTH_LIMITED_HOT = 1u << 2,   /* reached temp_abort_c: stopped until it cools down */
};

/* The miner's calls on a runtime (synth_runtime_set_job, synth_runtime_job_serial) are in
 * synth/miner.h. */

/* Number of devices the runtime drives. Thread-safe. */
SYNTH_EXTERN unsigned synth_runtime_device_count(const synth_runtime *rt);

/* Copies device index's figures into out (out_size bytes of it). Returns 0, or SYNTH_EINVAL
 * for an index out of range or out_size too small for the fields up to `seconds`.
 * Thread-safe; figures are read without stopping the devices. */
SYNTH_EXTERN int synth_runtime_device_stats(synth_runtime *rt, unsigned index,
                                            struct synth_device_stats *out, size_t out_size);

/* One finished batch, as the telemetry loop saw it. */
struct synth_batch_record {
  uint64_t seq;                  /* the device's batch number, from 1 */
  double t_s;                    /* when it finished, seconds since the runtime was created */
  uint64_t size;                 /* nonces it was given */
  uint64_t nonces;               /* nonces it hashed */
  double latency_ms;             /* device time: from when it could start to when it finished */
  uint64_t next_batch_nonces;    /* the tuner's batch size after it */
  int status;                    /* 0, or the SYNTH_E* code it failed with */
  enum synth_device_state state; /* the device's state after it */
};

/*
 * The device's batches after *cursor (start with 0), oldest first, up to max of them into
 * out; *count says how many, and *cursor moves past them. Only the last 256 batches are kept:
 * a gap in seq is how many were missed. Returns 0, or SYNTH_EINVAL (index out of range, NULL
 * pointers). Thread-safe; never slows the device down.
 */
SYNTH_EXTERN int synth_runtime_batch_trace(synth_runtime *rt, unsigned index, uint64_t *cursor,
                                           struct synth_batch_record *out, size_t max,
                                           size_t *count);

/* A device a backend found, as listed by synth_probe(). */
struct synth_device_desc {
  const char *id; /* "cpu:0", "opencl:1" */
  enum synth_device_kind kind;
  const char *name;
  const char *detail;   /* where it sits: "package 0, core 1, PU 1" */
  const char *topology; /* the backend's view of the machine, the same for each of its devices */
  const char *engine;   /* what it would hash with ("avx2"); topology says why */
  int selected;         /* 1 if cfg would make it hash */
  const char *uuid;     /* the device UUID the API reports ("6d657361-..."), or "" */
  const char *pci;      /* its PCI address ("0000:17:00.0"), or "" */
  /* The id of the same hardware through the other API ("vulkan:0"), or "". When both would
   * hash, synth_runtime_create() drives it through one: see synth_runtime_config.prefer. */
  const char *twin;
  /* Its sensors, as a runtime would bind them (cfg's sensor_root, nvml_library): where they
   * come from ("nvml", "rapl package-0, hwmon k10temp"; "" for none), and one reading now:
   * sensed says which of temp_c, power_w were read (SYNTH_SENSED_*; a CPU package's power
   * needs two readings, so only a runtime shows it). */
  const char *sensors;
  unsigned sensed;
  double temp_c;
  double power_w;
};

typedef void (*synth_probe_fn)(void *user, const struct synth_device_desc *desc);

/* Lists every device the built-in backends find, marking those cfg selects; desc is valid
 * only during the call. Nothing is opened. Each desc's engine is what it would hash cfg's
 * workload with; cfg->workload may be NULL here, and then no engine is chosen. Returns 0 or an
 * error as synth_runtime_create(). Thread-safe. */
SYNTH_EXTERN int synth_probe(const struct synth_runtime_config *cfg, synth_probe_fn fn, void *user);

/* ---- device options: each backend's own settings (synth_runtime_config.device_options) ---- */

enum synth_device_option_type {
  SYNTH_OPTION_UINT = 0,   /* a whole number, decimal, within [min, max] */
  SYNTH_OPTION_INT = 1,    /* a whole number that may be negative, within [min, max] */
  SYNTH_OPTION_STRING = 2, /* text of min to max bytes */
  SYNTH_OPTION_ENUM = 3,   /* one of values */
};

/* "uint", "int", "string", "enum"; "unknown" otherwise. Thread-safe. */
SYNTH_EXTERN const char *synth_device_option_type_name(enum synth_device_option_type type);

/* One option a backend of this build takes. Fields are only ever appended. */
struct synth_device_option_desc {
  char name[64]; /* "opencl.lanes": the backend's kind name, a dot, the option's own name */
  enum synth_device_kind kind;
  enum synth_device_option_type type;
  long long min, max;        /* uint, int: the range; string: the length in bytes */
  const char *const *values; /* enum: the names it takes, NULL-ended; otherwise NULL */
  const char *default_value; /* what leaving it out means ("NVIDIA 512, others 256") */
  const char *help;          /* one line: what it sets, and any rule past its range */
};

/* How many options the backends of this build take, in all. Thread-safe. */
SYNTH_EXTERN unsigned synth_device_option_count(void);

/* Copies option index (0 to synth_device_option_count() - 1: backends in probe order, each
 * one's options in its own order) into out (out_size bytes of it; pass sizeof *out). Returns
 * 0, or SYNTH_EINVAL for an index out of range, a NULL out or out_size too small for the
 * fields up to help. The strings are static. Thread-safe. */
SYNTH_EXTERN int synth_device_option(unsigned index, struct synth_device_option_desc *out,
                                     size_t out_size);

#ifdef __cplusplus
}
#endif

#endif
