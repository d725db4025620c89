/* cpu_options.c: the CPU backend's settings, checked by the generic parser before it opens. */
#include "devices/cpu/cpu_options.h"

#include "devices/cpu/pu_list.h"

const struct synth__device_option synth__cpu_options[] = {
    [SYNTH_CPU_OPT_THREADS] = {"threads", SYNTH_OPTION_UINT, 1, SYNTH_PU_LIST_MAX, NULL,
                               "one per core (per listed PU with cpu.affinity)",
                               "CPU workers: the first N cores (or listed PUs)", NULL},
    [SYNTH_CPU_OPT_AFFINITY] = {"affinity", SYNTH_OPTION_STRING, 1, 1023, NULL,
                                "each worker pinned to one whole core",
                                "one worker per listed processing unit (OS index), e.g. 0,2-3",
                                NULL},
    [SYNTH_CPU_OPT_CORE] = {"core", SYNTH_OPTION_STRING, 1, 63, NULL, "auto",
                            "scan core: auto (fastest by a self-benchmark) or one by name: "
                            "sha-ni, avx512, avx2, sse, sse2, generic, ...",
                            NULL},
    {NULL},
};
