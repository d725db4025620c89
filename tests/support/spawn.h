/* spawn.h: starts a program with its stdout and stderr on pipes, for the command-line tests. */
#ifndef SYNTH_TESTS_SPAWN_H
#define SYNTH_TESTS_SPAWN_H

#include <sys/types.h>

/* Runs path with args (NULL-terminated, at most 30, argv[0] is path). Returns the pid, or -1;
 * *out_fd and *err_fd are the read ends of the child's stdout and stderr. */
pid_t synth_test_spawn(const char *path, const char *const *args, int *out_fd, int *err_fd);

#endif
