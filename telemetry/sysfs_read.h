/* sysfs_read.h: strict reads of sysfs attribute files (one number or one word and a newline),
 * under a root prefix so tests can point the readers at a recorded tree. */
#ifndef SYNTH_TELEMETRY_SYSFS_READ_H
#define SYNTH_TELEMETRY_SYSFS_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* @root ("", NULL or "/": the real one) joined with the printf-formatted rest, which starts with
 * "/sys/...". Returns 0, or -1 when it does not fit @size. */
int synth__sysfs_path(char *out, size_t size, const char *root, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The decimal integer in @path: digits (a '-' first only when @negative_ok) and one newline,
 * nothing else. Returns 0, or -1 with errno: the open's or read's own (ENOENT, EACCES, EIO,
 * EISDIR, ...), EINVAL for anything else in the file, ERANGE past int64. */
int synth__sysfs_int(const char *path, bool negative_ok, int64_t *out);

/* The one word in @path ("k10temp\n", "package-0\n": printable, no space) into @out. Returns 0,
 * or -1 with errno as synth__sysfs_int's (ERANGE: longer than @size - 1). */
int synth__sysfs_word(const char *path, char *out, size_t size);

#endif
