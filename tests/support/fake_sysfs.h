/* fake_sysfs.h: a sysfs tree (hwmon, powercap) built from a recording in a fresh temp
 * directory, whose files a test then rewrites: counters that move or wrap, garbage, files gone
 * or unreadable. The sensor readers take its root as theirs. */
#ifndef SYNTH_TESTS_FAKE_SYSFS_H
#define SYNTH_TESTS_FAKE_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Builds the tree of @recording (tests/data/sysfs/...) under a fresh temp directory and puts
 * that directory, the root to give the readers, in @root. The recording's lines, with paths
 * relative to sys/ ('#' starts a comment):
 *   dir PATH             a directory (files' and links' parents are made anyway)
 *   file PATH CONTENT    a file holding the rest of the line and a newline
 *   link PATH TARGET     a symbolic link, TARGET relative as sysfs's are
 * Returns 0, or -1 with the line at fault on stderr (what was built is removed).
 */
int fake_sysfs_build(const char *recording, char *root, size_t root_size);

/* Applies one recording line to the tree at @root: a device that comes later. Returns 0 or -1. */
int fake_sysfs_line(const char *root, const char *line);

/* @root "/sys/" @path into @out, for a test's own checks. Returns 0, or -1 when too long. */
int fake_sysfs_path(const char *root, const char *path, char *out, size_t size);

/* Replaces @path's content by exactly @content (no newline added): a counter that moved, a
 * wrap, garbage; a file made unreadable becomes a file again. Returns 0 or -1. */
int fake_sysfs_write(const char *root, const char *path, const char *content);

/* Removes the file at @path (or what fake_sysfs_unreadable put there). Returns 0 or -1. */
int fake_sysfs_remove(const char *root, const char *path);

/* Puts a directory in place of the file at @path (there or not): opening it works and reading fails
 * (EISDIR), as a hwmon file that answers EIO does, and unlike mode 000 this stops root too. */
int fake_sysfs_unreadable(const char *root, const char *path);

/* Mode 000 on @path: EACCES for anyone but root; see fake_sysfs_unprivileged. */
int fake_sysfs_deny(const char *root, const char *path);

/* @on: runs on as user nobody (the effective user only) when running as root, so that
 * permissions count; off: back to root. Returns 0, or -1 when the switch is refused (root
 * without CAP_SETUID). Not root: nothing to do, 0. */
int fake_sysfs_unprivileged(bool on);

/* Removes the tree at @root. */
void fake_sysfs_destroy(const char *root);

#endif
