/* log.h: the library never prints; it hands each message to a callback the host sets. */
#ifndef SYNTH_LOG_H
#define SYNTH_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

enum synth_log_level {
  SYNTH_LOG_ERROR = 0,
  SYNTH_LOG_WARN = 1,
  SYNTH_LOG_INFO = 2,
  SYNTH_LOG_DEBUG = 3,
};

/*
 * Called with one complete message, without a trailing newline. It may be called from any
 * of the runtime's threads at once, so it must be thread-safe. It should not call back into
 * the runtime that logged: synth_runtime_stop(), synth_runtime_destroy() and
 * synth_work_wait() refuse there (SYNTH_EDEADLK), and what a call from inside it logs is not
 * handed to it again.
 */
typedef void (*synth_log_fn)(void *user, enum synth_log_level level, const char *message);

#ifdef __cplusplus
}
#endif

#endif
