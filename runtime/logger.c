/* logger.c: the library's internal logging: formats a message and hands it to the host. */
#include "runtime/logger.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "scheduler/callback_guard.h"
#include "synth/error.h"

/* The latest error message on this thread, for synth_last_error(). */
static _Thread_local char last_error[512];

void synth__log(const struct synth__logger *log, enum synth_log_level level, const char *fmt, ...)
{
  bool deliver = log && log->fn && level <= log->level;
  if (!deliver && level != SYNTH_LOG_ERROR)
    return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (level == SYNTH_LOG_ERROR)
    memcpy(last_error, msg, sizeof msg);
  if (!deliver)
    return;
  synth__callback_enter();
  log->fn(log->user, level, msg);
  synth__callback_leave();
}

const char *synth_last_error(void)
{
  return last_error;
}
