/* logger.c: the library's internal logging: formats a message and hands it to the host. */
#include "runtime/logger.h"

#include <stdarg.h>
#include <stdio.h>

void synth__log(const struct synth__logger *log, enum synth_log_level level, const char *fmt, ...)
{
  if (!log || !log->fn || level > log->level)
    return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  log->fn(log->user, level, msg);
}
