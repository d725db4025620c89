/* sha256d_cores_portable.c: the SHA-256d scan cores where no x86-64 vector core is built. */
#include "sha256d/sha256d_cores.h"

const struct synth_cpu_core synth__sha256d_cpu_cores[] = {
    {.name = "generic", .scan = synth__sha256d_scan_generic, .supported = NULL},
    {.name = NULL, .scan = NULL, .supported = NULL},
};
