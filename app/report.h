/* report.h: the run's status line, final table and JSON summary. */
#ifndef SYNTH_CLI_REPORT_H
#define SYNTH_CLI_REPORT_H

#include <stdio.h>

#include <synth/synth.h>

/* Figures of every device at one moment, and their sums. */
struct report {
  struct synth_device_stats *devices;
  unsigned count;
  struct synth_device_stats total; /* id "total"; rates and counts summed, seconds the max;
                                      power and energy of the devices with sensors */
  double energy_hashes;            /* hashes the total energy was spent on */
  unsigned energy_devices;         /* devices whose energy is in it */
};

/* Reads every device's figures. Returns 0 or SYNTH_ENOMEM. */
int report_collect(synth_runtime *rt, struct report *r);
void report_free(struct report *r);

/* "12.34 MH/s" into buf. */
const char *report_rate(double hps, char *buf, size_t size);

/* One status line on stderr: elapsed time, hashrate, shares, errors. */
void report_status(const struct report *r, double elapsed_s);

/* The final per-device table. */
void report_table(const struct report *r, FILE *out);

/* The final summary as one JSON document. Returns 0, or 1 when it could not be written. */
int report_json(const struct report *r, const char *job_id, double difficulty, double elapsed_s,
                FILE *out);

#endif
