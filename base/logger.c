/* logger.c: the library's internal logging: formats a message and hands it to the host. */
#include "base/logger.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/callback_guard.h"
#include "synth/error.h"

/* The latest error message on this thread, for synth_last_error(). */
static _Thread_local char last_error[512];
/* Inside the host's log callback: a library call it makes that logs is not delivered again
 * (it would recurse), only kept in last_error. */
static _Thread_local bool in_log_fn;

void synth__log(const struct synth__logger *log, enum synth_log_level level, const char *fmt, ...)
{
  bool deliver = log && log->fn && level <= log->level && !in_log_fn;
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
  in_log_fn = true;
  log->fn(log->user, level, msg);
  in_log_fn = false;
  synth__callback_leave();
}

const char *synth_last_error(void)
{
  return last_error;
}
