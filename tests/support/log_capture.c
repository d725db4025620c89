/* log_capture.c: the library's log messages kept in memory, for tests that look for them. */
#include "support/log_capture.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static char text[65536];
static size_t len;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void log_capture_fn(void *user, enum synth_log_level level, const char *message)
{
  (void)user, (void)level;
  pthread_mutex_lock(&lock);
  int n = snprintf(text + len, sizeof text - len, "%s\n", message);
  if (n > 0 && (size_t)n < sizeof text - len)
    len += (size_t)n;
  else
    text[len] = 0; /* full: keep what was there whole */
  pthread_mutex_unlock(&lock);
}

void log_capture_clear(void)
{
  pthread_mutex_lock(&lock);
  len = 0;
  text[0] = 0;
  pthread_mutex_unlock(&lock);
}

bool log_capture_has(const char *what)
{
  pthread_mutex_lock(&lock);
  bool found = strstr(text, what) != NULL;
  pthread_mutex_unlock(&lock);
  return found;
}
