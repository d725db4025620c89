/* cache_file.c: compiled device code kept on disk, one file per key, shared by the backends. */
#include "devices/cache_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void synth__cache_path(const char *cache_dir, const char *api, const uint8_t key[32], char *path,
                       size_t size)
{
  char hex[65];
  for (int i = 0; i < 32; i++)
    snprintf(hex + 2 * i, 3, "%02x", key[i]);
  snprintf(path, size, "%s/%s/%s.bin", cache_dir, api, hex);
}

void *synth__cache_read(const char *path, size_t *size)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  unsigned char *data = NULL;
  long n = 0;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (data = malloc((size_t)n)) && fread(data, 1, (size_t)n, f) != (size_t)n) {
    free(data);
    data = NULL;
  }
  fclose(f);
  if (data)
    *size = (size_t)n;
  return data;
}

/* mkdir -p of the folder holding path. */
static int make_parent_dirs(const char *path)
{
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash || slash == dir)
    return 0;
  *slash = '\0';
  for (char *p = dir + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
      *p = '/';
    }
  }
  return mkdir(dir, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int synth__cache_write(const char *path, const void *data, size_t size)
{
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
  if (make_parent_dirs(path) != 0)
    return -1;
  FILE *f = fopen(tmp, "wb");
  if (!f)
    return -1;
  bool ok = fwrite(data, 1, size, f) == size;
  if (fclose(f) != 0)
    ok = false;
  if (ok && rename(tmp, path) != 0)
    ok = false;
  if (!ok)
    unlink(tmp);
  return ok ? 0 : -1;
}
