/* run_settings.h: what `run` tunes besides the pools (target latency, temperature and power
 * limits), from the flags over the config file's keys; a reload applies them anew. */
#ifndef SYNTH_CLI_RUN_SETTINGS_H
#define SYNTH_CLI_RUN_SETTINGS_H

#include <stdbool.h>

#include <synth/synth.h>

/* The flags (NULL / 0: not given). */
struct run_setting_flags {
  const char *target_latency; /* --target-latency */
  double temp_limit, temp_abort;
  const char *power_limit;
};

struct run_settings {
  double cpu_latency_ms, gpu_latency_ms; /* 0: the library's default */
  double temp_limit, temp_abort;         /* 0: none */
  char power_limit[512];                 /* "": none */
};

/* Whether key is one of the config's settings keys ("target_latency", "temp_limit",
 * "temp_abort", "power_limit"). */
bool run_settings_key(const char *key);

/*
 * The settings: each flag given wins over the config file's key (path may be NULL: flags only).
 * "target_latency" is "MS" or "cpu=MS,gpu=MS" (or a number), "temp_limit" and "temp_abort"
 * numbers of degrees C (1 to 150), "power_limit" as --power-limit (or a number). Returns 0, or
 * prints one line (cli_say) and returns 2.
 */
int run_settings_load(struct run_settings *rs, const struct run_setting_flags *f, const char *path);

/* Applies the limits and every device's target latency (CPU workers cpu_latency_ms, the others
 * gpu_latency_ms; 0 puts back the default) to a running rt. Returns 0, or prints one line and
 * returns 2 when the runtime refuses the limits (nothing is changed then). */
int run_settings_apply(const struct run_settings *rs, synth_runtime *rt);

#endif
