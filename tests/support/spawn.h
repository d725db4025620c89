/* spawn.h: starts a program with its stdout and stderr on pipes, for the command-line tests. */
#ifndef SYNTH_TESTS_SPAWN_H
#define SYNTH_TESTS_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Runs path with args (NULL-terminated, at most 30, argv[0] is path). Returns the pid, or -1;
 * *out_fd and *err_fd are the read ends of the child's stdout and stderr. */
pid_t synth_test_spawn(const char *path, const char *const *args, int *out_fd, int *err_fd);

/* What a finished program left. */
struct synth_test_outcome {
  int status;     /* exit code, or 128 + signal */
  bool timed_out; /* killed after 120 s */
  char out[65536], err[65536];
  size_t out_len, err_len;
};

/* Runs path with args to its end, capturing stdout and stderr (each NUL-terminated, cut at
 * the buffer's size); sends SIGINT after signal_after_ms when that is not 0. Returns false when
 * it could not be started. */
bool synth_test_run_program(const char *path, const char *const *args, unsigned signal_after_ms,
                            struct synth_test_outcome *o);

#endif
