/* cli.h: what the synthminer subcommands share. */
#ifndef SYNTH_CLI_CLI_H
#define SYNTH_CLI_CLI_H

#include <stdatomic.h>
#include <stdbool.h>

#include <synth/synth.h>

#include "options.h"

/* The options that choose devices, the same for every command that takes them. */
struct cli_device_flags {
  const char *devices;
  unsigned threads;
  const char *affinity;
  const char *cpu_core;
  unsigned opencl_work_group;
  unsigned opencl_lanes;
  const char *opencl_build_options;
  unsigned vulkan_work_group;
  unsigned vulkan_nonces;
  unsigned vulkan_mad_adds; /* CLI_UNSET: the device's default */
  const char *prefer;
  const char *cache_dir;
  bool no_cache;
  const char *sensor_root;   /* --sensor-root: /sys under another root */
  const char *nvml_library;  /* --nvml-library */
  char default_cache[512];   /* $XDG_CACHE_HOME/synthminer or ~/.cache/synthminer */
  struct cli_list options;   /* -O KEY=VALUE, in the order given */
  char device_options[4096]; /* the flags above and options as the library's list */
};

#define CLI_UNSET 0xffffffffu

/* What a command's device flags start as. */
#define CLI_DEVICE_FLAGS_INIT                                                                      \
  {                                                                                                \
    .devices = "all", .vulkan_mad_adds = CLI_UNSET                                                 \
  }

/* clang-format off */
#define CLI_DEVICE_OPTIONS(flags)                                                        \
  {"--devices", 0, CLI_STRING, &(flags).devices, 0, 0, "LIST",                           \
   "all (default), everything (all + OpenCL/Vulkan on the host CPU), cpu, opencl, "      \
   "vulkan, opencl:N, vulkan:N; comma-separated"},                                       \
  {"--threads", 't', CLI_UINT, &(flags).threads, 1, 4096, "N",                           \
   "CPU workers (default: one per core)"},                                               \
  {"--cpu-affinity", 0, CLI_STRING, &(flags).affinity, 0, 0, "LIST",                     \
   "one CPU worker per listed processing unit (OS index), e.g. 0,2-3"},                  \
  {"--cpu-core", 0, CLI_STRING, &(flags).cpu_core, 0, 0, "NAME",                         \
   "CPU hash core: auto (default), sha-ni, avx512, avx2, sse, generic, ..."},            \
  {"--opencl-work-group", 0, CLI_UINT, &(flags).opencl_work_group, 1, 65536, "N",        \
   "OpenCL work-group size (default: from the device's preferred multiple)"},            \
  {"--opencl-lanes", 0, CLI_UINT, &(flags).opencl_lanes, 1, 16, "N",                     \
   "nonces per OpenCL work-item: 1, 2, 4, 8, 16 (default: the device's preference)"},    \
  {"--opencl-build-options", 0, CLI_STRING, &(flags).opencl_build_options, 0, 0, "OPTS", \
   "extra OpenCL compiler options, for tuning"},                                         \
  {"--vulkan-work-group", 0, CLI_UINT, &(flags).vulkan_work_group, 1, 65536, "N",        \
   "Vulkan workgroup size (default: NVIDIA 512, others 256)"},                           \
  {"--vulkan-nonces", 0, CLI_UINT, &(flags).vulkan_nonces, 1, 64, "N",                   \
   "nonces per Vulkan invocation (default: GPU 1, CPU device 8)"},                      \
  {"--vulkan-mad-adds", 0, CLI_UINT, &(flags).vulkan_mad_adds, 0, 7, "N",                \
   "Vulkan kernel adds done as multiply-adds, 0-7 (default: NVIDIA 7, others 0)"},      \
  {"--device-option", 'O', CLI_LIST, &(flags).options, 0, CLI_LIST_MAX, "KEY=VALUE",     \
   "a backend's setting, e.g. opencl.lanes=8 (repeatable; synthminer devices --options "  \
   "lists them)"},                                                                        \
  {"--prefer", 0, CLI_STRING, &(flags).prefer, 0, 0, "API",                              \
   "a GPU both APIs reach: auto (faster, default), opencl or vulkan"},                   \
  {"--cache-dir", 0, CLI_STRING, &(flags).cache_dir, 0, 0, "DIR",                        \
   "where compiled kernels are kept (default: $XDG_CACHE_HOME/synthminer)"},             \
  {"--no-cache", 0, CLI_FLAG, &(flags).no_cache, 0, 0, NULL,                             \
   "compile kernels every time, keep nothing on disk"},                                  \
  {"--sensor-root", 0, CLI_STRING, &(flags).sensor_root, 0, 0, "DIR",                    \
   "read hwmon and RAPL under DIR/sys instead of /sys (a recorded tree, for tests)"},    \
  {"--nvml-library", 0, CLI_STRING, &(flags).nvml_library, 0, 0, "PATH",                 \
   "the NVML to load for NVIDIA sensors (default libnvidia-ml.so.1; \"\" for none)"}
/* clang-format on */

/* Copies the device flags into a runtime config (flags must outlive cfg). Returns 0, or prints
 * one line and returns 2 when the device options do not fit. */
int cli_device_config(const char *command, struct cli_device_flags *flags,
                      struct synth_runtime_config *cfg);

/* The backends' flags (--threads, --opencl-lanes, ...) and each -O, in that order so that -O
 * wins, as one device_options list in flags->device_options; *out is NULL when there are none.
 * Returns 0, or prints one line and returns 2 when they do not fit. */
int cli_device_options(const char *command, struct cli_device_flags *flags, const char **out);

/* Prints the option table of every backend the library has (`devices --options`), as text
 * or JSON. Returns 0. */
int cli_print_device_options(bool json);

int cmd_run(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_stats(int argc, char **argv);

/* The library's log messages go to stderr, prefixed; error_seen tells the caller that the
 * reason for a failure was already printed. */
struct cli_log {
  enum synth_log_level level;
  atomic_bool error_seen; /* set from the library's threads */
};

void cli_log_message(void *user, enum synth_log_level level, const char *message);

/* Parses a --log-level name into level. Returns 0, or prints one line and returns 2. */
int cli_log_level(const char *command, const char *name, enum synth_log_level *level);

/* Prints one user-facing line (fmt ends with its newline) on stderr and remembers it, for this
 * thread, until the next: cli_said() without the newline ("" after cli_said_clear()). */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *cli_said(void);
void cli_said_clear(void);

/* Exit status for a create error: 2 for what the user asked wrongly, 1 otherwise. */
int cli_exit_for(int synth_error);

#endif
