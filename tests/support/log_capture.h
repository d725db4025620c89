/* log_capture.h: the library's log messages kept in memory, for tests that look for them. */
#ifndef SYNTH_TESTS_LOG_CAPTURE_H
#define SYNTH_TESTS_LOG_CAPTURE_H

#include <stdbool.h>

#include "synth/log.h"

/* A synth_log_fn (user ignored) that appends each message and a newline; the oldest text is
 * kept when the buffer (64 KiB) is full. Thread-safe. */
void log_capture_fn(void *user, enum synth_log_level level, const char *message);

/* Forgets what was captured. */
void log_capture_clear(void);

/* Whether any captured message contains what. */
bool log_capture_has(const char *what);

#endif
