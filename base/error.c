/* error.c: names and messages of synth's error codes, from the table in synth/error.h. */
#include "synth/error.h"

const char *synth_strerror(int code)
{
  switch (code) {
  case 0:
    return "success";
#define SYNTH__ERR_MSG(name, value, msg)                                                           \
  case SYNTH_##name:                                                                               \
    return msg;
    SYNTH_ERRNO_MAP(SYNTH__ERR_MSG)
#undef SYNTH__ERR_MSG
  default:
    return "unknown error";
  }
}

const char *synth_err_name(int code)
{
  switch (code) {
  case 0:
    return "SYNTH_OK";
#define SYNTH__ERR_NAME(name, value, msg)                                                          \
  case SYNTH_##name:                                                                               \
    return "SYNTH_" #name;
    SYNTH_ERRNO_MAP(SYNTH__ERR_NAME)
#undef SYNTH__ERR_NAME
  default:
    return "SYNTH_UNKNOWN";
  }
}
