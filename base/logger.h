/* logger.h: the library's internal logging: formats a message and hands it to the host. */
#ifndef SYNTH_RUNTIME_LOGGER_H
#define SYNTH_RUNTIME_LOGGER_H

#include "synth/export.h"
#include "synth/log.h"

/* The host's callback and threshold. A NULL logger, or a NULL fn, drops every message. */
struct synth__logger {
  synth_log_fn fn;
  void *user;
  enum synth_log_level level;
};

/* Formats and delivers one message if level passes the threshold. Thread-safe as far as the
 * host's callback is. */
/* Exported from libsynth.so, though not part of the API, for its sibling libsynth-pool (the
 * Stratum client), so that both log the same way and share synth_last_error(). */
SYNTH_EXTERN void synth__log(const struct synth__logger *log, enum synth_log_level level,
                             const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define synth__log_error(log, ...) synth__log((log), SYNTH_LOG_ERROR, __VA_ARGS__)
#define synth__log_warn(log, ...) synth__log((log), SYNTH_LOG_WARN, __VA_ARGS__)
#define synth__log_info(log, ...) synth__log((log), SYNTH_LOG_INFO, __VA_ARGS__)
#define synth__log_debug(log, ...) synth__log((log), SYNTH_LOG_DEBUG, __VA_ARGS__)

#endif
