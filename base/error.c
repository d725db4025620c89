/* error.c: names and messages of synth's error codes, from the table in synth/error.h. */
#include "synth/error.h"

#include <stddef.h>

/* 0 and every code of the table, with its name and message. */
struct error_row {
  int code;
  const char *name, *message;
};

#define SYNTH__ERR_ROW(name, value, msg) {SYNTH_##name, "SYNTH_" #name, msg},
static const struct error_row rows[] = {{0, "SYNTH_OK", "success"},
                                        SYNTH_ERRNO_MAP(SYNTH__ERR_ROW)};
#undef SYNTH__ERR_ROW

static const struct error_row *row_of(int code)
{
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    if (rows[i].code == code)
      return &rows[i];
  return NULL;
}

const char *synth_strerror(int code)
{
  const struct error_row *r = row_of(code);
  return r ? r->message : "unknown error";
}

const char *synth_err_name(int code)
{
  const struct error_row *r = row_of(code);
  return r ? r->name : "SYNTH_UNKNOWN";
}
