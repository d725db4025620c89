/* latency_spec.h: parses --target-latency: "MS" for every device, or "cpu=MS,gpu=MS". */
#ifndef SYNTH_CLI_LATENCY_SPEC_H
#define SYNTH_CLI_LATENCY_SPEC_H

/* Sets *cpu_ms and/or *gpu_ms (left alone when the spec does not name them). Returns 0, or
 * prints one line naming the problem and returns 2. */
int latency_spec_parse(const char *command, const char *spec, double *cpu_ms, double *gpu_ms);

#endif
