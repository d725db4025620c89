/* spawn.h: starts a program with its stdout and stderr on pipes, for the command-line tests. */
#ifndef SYNTH_TESTS_SPAWN_H
#define SYNTH_TESTS_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Runs path with args (NULL-terminated, at most 30, argv[0] is path). Returns the pid, or -1;
 * *out_fd and *err_fd are the read ends of the child's stdout and stderr. */
pid_t synth_test_spawn(const char *path, const char *const *args, int *out_fd, int *err_fd);

/* @base (@nbase words), then @args (NULL-terminated), into @all (room for 32 pointers),
 * NULL-terminated: a test's fixed options followed by a case's own; cut at 30 words. */
void synth_test_argv(const char **all, const char *const *base, size_t nbase,
                     const char *const *args);

/* What a finished program left. */
struct synth_test_outcome {
  int status;      /* exit code, or 128 + signal */
  bool timed_out;  /* killed: it ran past the limit (SYNTH_TEST_PROGRAM_LIMIT_S) */
  bool signalled;  /* synth_test_run_until sent it SIGINT */
  bool stop_never; /* synth_test_run_until's condition never held before the program ended */
  char out[65536], err[65536];
  size_t out_len, err_len;
};

/* How long a program may run before it is killed as hung (seconds). */
#define SYNTH_TEST_PROGRAM_LIMIT_S 120

/* Runs path with args to its end, capturing stdout and stderr (each NUL-terminated, cut at
 * the buffer's size). Returns false when it could not be started. */
bool synth_test_run_program(const char *path, const char *const *args,
                            struct synth_test_outcome *o);

/* The same, but sends SIGINT once stop_when(user, o) holds: it is asked after every read of the
 * program's output and every 50 ms, with what was read so far in o. No fixed time: the test
 * says what it waits for (a line printed, a counter reached). */
bool synth_test_run_until(const char *path, const char *const *args,
                          bool (*stop_when)(void *user, const struct synth_test_outcome *o),
                          void *user, struct synth_test_outcome *o);

/* A stop_when for synth_test_run_until: true once stderr holds the string @user. */
bool synth_test_err_has(void *user, const struct synth_test_outcome *o);

#endif
