/* sysfs_read.c: strict reads of sysfs attribute files. */
#include "telemetry/sysfs_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Longer than any attribute these readers want: a file that fills it is not one of them. */
#define ATTR_MAX 64

int synth__sysfs_path(char *out, size_t size, const char *root, const char *fmt, ...)
{
  size_t len = root ? strlen(root) : 0;
  while (len > 0 && root[len - 1] == '/')
    len--; /* "/" and "/tmp/x/" join without a doubled slash */
  if (len >= size)
    return -1;
  memcpy(out, root ? root : "", len);
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out + len, size - len, fmt, ap);
  va_end(ap);
  return n < 0 || (size_t)n >= size - len ? -1 : 0;
}

/* The whole file, NUL-terminated; the length, or -1 with errno (EINVAL when it fills @buf). */
static ssize_t read_whole(const char *path, char *buf, size_t size)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t len = 0;
  for (;;) {
    ssize_t n = read(fd, buf + len, size - 1 - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      errno = err;
      return -1;
    }
    if (n == 0)
      break;
    len += (size_t)n;
    if (len == size - 1) {
      close(fd);
      errno = EINVAL;
      return -1;
    }
  }
  close(fd);
  buf[len] = '\0';
  return (ssize_t)len;
}

int synth__sysfs_int(const char *path, bool negative_ok, int64_t *out)
{
  char buf[ATTR_MAX];
  ssize_t len = read_whole(path, buf, sizeof buf);
  if (len < 0)
    return -1;
  const char *p = buf;
  bool negative = negative_ok && *p == '-';
  if (negative)
    p++;
  /* Digits up to the one newline that ends the file: strtoll would take spaces, '+', "0x". A
   * NUL (the end of the buffer: no newline) is no digit either. */
  if (*p == '\n') {
    errno = EINVAL;
    return -1;
  }
  uint64_t v = 0;
  for (; *p != '\n'; p++) {
    if (*p < '0' || *p > '9') {
      errno = EINVAL;
      return -1;
    }
    unsigned d = (unsigned)(*p - '0');
    if (v > ((uint64_t)INT64_MAX - d) / 10) {
      errno = ERANGE;
      return -1;
    }
    v = v * 10 + d;
  }
  if (p + 1 != buf + len) {
    errno = EINVAL; /* a second line */
    return -1;
  }
  *out = negative ? -(int64_t)v : (int64_t)v;
  return 0;
}

int synth__sysfs_word(const char *path, char *out, size_t size)
{
  char buf[ATTR_MAX];
  ssize_t len = read_whole(path, buf, sizeof buf);
  if (len < 0)
    return -1;
  if (len < 2 || buf[len - 1] != '\n') {
    errno = EINVAL;
    return -1;
  }
  for (ssize_t i = 0; i < len - 1; i++) {
    if (buf[i] <= ' ' || buf[i] > '~') {
      errno = EINVAL;
      return -1;
    }
  }
  if ((size_t)len - 1 >= size) {
    errno = ERANGE;
    return -1;
  }
  memcpy(out, buf, (size_t)len - 1);
  out[len - 1] = '\0';
  return 0;
}
