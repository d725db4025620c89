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

int cli_device_config(const char *command, struct cli_device_flags *flags,
                      struct synth_runtime_config *cfg)
{
  cfg->devices = flags->devices;
  int rc = cli_device_options(command, flags, &cfg->device_options);
  if (rc != 0)
    return rc;
  cfg->prefer = flags->prefer;
  cfg->sensor_root = flags->sensor_root;
  cfg->nvml_library = flags->nvml_library;
  cfg->cache_dir = NULL;
  if (flags->no_cache)
    return 0;
  if (flags->cache_dir) {
    cfg->cache_dir = flags->cache_dir;
    return 0;
  }
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  if (xdg && *xdg)
    snprintf(flags->default_cache, sizeof flags->default_cache, "%s/synthminer", xdg);
  else if (home && *home)
    snprintf(flags->default_cache, sizeof flags->default_cache, "%s/.cache/synthminer", home);
  cfg->cache_dir = flags->default_cache[0] ? flags->default_cache : NULL;
  return 0;
}

int cli_exit_for(int synth_error)
{
  return synth_error == SYNTH_EINVAL || synth_error == SYNTH_ENODEV ? CLI_EXIT_USAGE : 1;
}
