/* fake_sysfs.c: a recorded sysfs tree in a temp directory, and its files rewritten. */
#include "support/fake_sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the unprivileged switch becomes: "nobody", which owns nothing in the tree. */
#define NOBODY_UID 65534

int fake_sysfs_path(const char *root, const char *path, char *out, size_t size)
{
  int n = snprintf(out, size, "%s/sys/%s", root, path);
  return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Whether @path stays inside the tree: relative, no ".." step. */
static bool inside(const char *path)
{
  if (!*path || *path == '/')
    return false;
  for (const char *p = path;; p++) {
    if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || !p[2]))
      return false;
    p = strchr(p, '/');
    if (!p)
      return true;
  }
}

/* mkdir -p of @full's parents (@all: and of @full itself). */
static int make_dirs(char *full, bool all)
{
  size_t len = strlen(full);
  for (size_t i = 1; i <= len; i++) {
    if (full[i] != '/' && (full[i] || !all))
      continue;
    char c = full[i];
    full[i] = '\0';
    struct stat st;
    int rc = mkdir(full, 0755);
    if (rc != 0 && !(errno == EEXIST && stat(full, &st) == 0 && S_ISDIR(st.st_mode))) {
      full[i] = c;
      return -1;
    }
    full[i] = c;
  }
  return 0;
}

static int write_file(const char *full, const char *content)
{
  int fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EISDIR && rmdir(full) == 0)
    fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  size_t len = strlen(content);
  ssize_t n = write(fd, content, len);
  int rc = close(fd);
  return n == (ssize_t)len && rc == 0 ? 0 : -1;
}

int fake_sysfs_line(const char *root, const char *line)
{
  char kind[8], path[512], full[1024];
  int used = 0;
  while (*line == ' ' || *line == '\t')
    line++;
  if (!*line || *line == '#' || *line == '\n')
    return 0;
  if (sscanf(line, "%7s %511s%n", kind, path, &used) != 2 || !inside(path) ||
      fake_sysfs_path(root, path, full, sizeof full) != 0)
    return -1;
  const char *rest = line + used;
  if (*rest == ' ')
    rest++;
  char arg[512];
  size_t arg_len = strcspn(rest, "\n");
  if (arg_len >= sizeof arg - 1)
    return -1;
  memcpy(arg, rest, arg_len);
  arg[arg_len] = '\0';
  if (strcmp(kind, "dir") == 0)
    return make_dirs(full, true);
  if (make_dirs(full, false) != 0)
    return -1;
  if (strcmp(kind, "file") == 0) {
    arg[arg_len] = '\n';
    arg[arg_len + 1] = '\0';
    return write_file(full, arg);
  }
  if (strcmp(kind, "link") == 0)
    return arg_len && symlink(arg, full) == 0 ? 0 : -1;
  return -1;
}

int fake_sysfs_build(const char *recording, char *root, size_t root_size)
{
  const char *tmp = getenv("TMPDIR");
  if (snprintf(root, root_size, "%s/synth-sysfs-XXXXXX", tmp && *tmp ? tmp : "/tmp") >=
          (int)root_size ||
      !mkdtemp(root)) {
    fprintf(stderr, "fake_sysfs: no temp directory: %s\n", strerror(errno));
    return -1;
  }
  /* Others may look in: the unprivileged switch must reach the files to be refused by them. */
  chmod(root, 0755);
  FILE *f = fopen(recording, "r");
  if (!f) {
    fprintf(stderr, "fake_sysfs: %s: %s\n", recording, strerror(errno));
    fake_sysfs_destroy(root);
    return -1;
  }
  char *line = NULL;
  size_t cap = 0;
  int rc = 0;
  for (unsigned no = 1; rc == 0 && getline(&line, &cap, f) > 0; no++) {
    rc = fake_sysfs_line(root, line);
    if (rc != 0)
      fprintf(stderr, "fake_sysfs: %s:%u: cannot apply: %s", recording, no, line);
  }
  free(line);
  fclose(f);
  if (rc != 0)
    fake_sysfs_destroy(root);
  return rc;
}

int fake_sysfs_write(const char *root, const char *path, const char *content)
{
  char full[1024];
  return fake_sysfs_path(root, path, full, sizeof full) == 0 ? write_file(full, content) : -1;
}

int fake_sysfs_remove(const char *root, const char *path)
{
  char full[1024];
  if (fake_sysfs_path(root, path, full, sizeof full) != 0)
    return -1;
  return unlink(full) == 0 || (errno == EISDIR && rmdir(full) == 0) ? 0 : -1;
}

int fake_sysfs_unreadable(const char *root, const char *path)
{
  char full[1024];
  if ((fake_sysfs_remove(root, path) != 0 && errno != ENOENT) ||
      fake_sysfs_path(root, path, full, sizeof full) != 0)
    return -1;
  return mkdir(full, 0755);
}

int fake_sysfs_deny(const char *root, const char *path)
{
  char full[1024];
  return fake_sysfs_path(root, path, full, sizeof full) == 0 ? chmod(full, 0) : -1;
}

int fake_sysfs_unprivileged(bool on)
{
  if (getuid() != 0)
    return 0;
  return seteuid(on ? NOBODY_UID : 0);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st, (void)flag, (void)ftw;
  remove(path);
  return 0;
}

void fake_sysfs_destroy(const char *root)
{
  if (root && *root)
    nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
