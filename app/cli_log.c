/* cli_log.c: the library's log messages on stderr, and exit statuses for its errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

void cli_log_message(void *user, enum synth_log_level level, const char *message)
{
  struct cli_log *log = user;
  static const char *const names[] = {"error", "warning", "info", "debug"};
  if (level == SYNTH_LOG_ERROR)
    atomic_store(&log->error_seen, true);
  fprintf(stderr, "synthminer: %s: %s\n", names[level], message);
}

int cli_log_level(const char *command, const char *name, enum synth_log_level *level)
{
  static const char *const names[] = {"error", "warn", "info", "debug"};
  for (int i = 0; i < 4; i++) {
    if (strcmp(name, names[i]) == 0) {
      *level = (enum synth_log_level)i;
      return 0;
    }
  }
  fprintf(stderr, "synthminer %s: --log-level '%s': expected error, warn, info or debug\n", command,
          name);
  return CLI_EXIT_USAGE;
}

void cli_device_config(struct cli_device_flags *flags, struct synth_runtime_config *cfg)
{
  cfg->devices = flags->devices;
  cfg->cpu_threads = flags->threads;
  cfg->cpu_affinity = flags->affinity;
  cfg->cpu_core = flags->cpu_core;
  cfg->opencl_work_group = flags->opencl_work_group;
  cfg->opencl_lanes = flags->opencl_lanes;
  cfg->opencl_build_options = flags->opencl_build_options;
  cfg->vulkan_work_group = flags->vulkan_work_group;
  cfg->vulkan_nonces = flags->vulkan_nonces;
  if (flags->vulkan_mad_adds != CLI_UNSET)
    cfg->vulkan_mad_adds = flags->vulkan_mad_adds ? (int)flags->vulkan_mad_adds : -1;
  cfg->prefer = flags->prefer;
  cfg->cache_dir = NULL;
  if (flags->no_cache)
    return;
  if (flags->cache_dir) {
    cfg->cache_dir = flags->cache_dir;
    return;
  }
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  if (xdg && *xdg)
    snprintf(flags->default_cache, sizeof flags->default_cache, "%s/synthminer", xdg);
  else if (home && *home)
    snprintf(flags->default_cache, sizeof flags->default_cache, "%s/.cache/synthminer", home);
  cfg->cache_dir = flags->default_cache[0] ? flags->default_cache : NULL;
}

int cli_exit_for(int synth_error)
{
  return synth_error == SYNTH_EINVAL || synth_error == SYNTH_ENODEV ? CLI_EXIT_USAGE : 1;
}
