/* version.h: compile-time and run-time version of the synth library. */
#ifndef SYNTH_VERSION_H
#define SYNTH_VERSION_H

#include "synth/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SYNTH_VERSION_MAJOR 0
#define SYNTH_VERSION_MINOR 2
#define SYNTH_VERSION_PATCH 0
#define SYNTH_VERSION_HEX                                                                          \
  ((SYNTH_VERSION_MAJOR << 16) | (SYNTH_VERSION_MINOR << 8) | SYNTH_VERSION_PATCH)

/* The version of the library linked at run time, as SYNTH_VERSION_HEX and as "0.2.0".
 * Thread-safe. */
SYNTH_EXTERN unsigned synth_version(void);
SYNTH_EXTERN const char *synth_version_string(void);

#ifdef __cplusplus
}
#endif

#endif
