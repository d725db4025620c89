/* version.c: the run-time version of the library. */
#include "synth/version.h"

#define SYNTH__STR(x) #x
#define SYNTH__XSTR(x) SYNTH__STR(x)

unsigned synth_version(void)
{
  return SYNTH_VERSION_HEX;
}

const char *synth_version_string(void)
{
  return SYNTH__XSTR(SYNTH_VERSION_MAJOR) "." SYNTH__XSTR(SYNTH_VERSION_MINOR) "." SYNTH__XSTR(
      SYNTH_VERSION_PATCH);
}
