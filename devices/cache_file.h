/* cache_file.h: compiled device code kept on disk, one file per key, shared by the backends. */
#ifndef SYNTH_DEVICES_CACHE_FILE_H
#define SYNTH_DEVICES_CACHE_FILE_H

#include <stddef.h>
#include <stdint.h>

/* "<cache_dir>/<api>/<64 hex digits of key>.bin". */
void synth__cache_path(const char *cache_dir, const char *api, const uint8_t key[32], char *path,
                       size_t size);

/* The file's bytes (malloc'd, free() them) and their count, or NULL when it is missing, empty
 * or unreadable. */
void *synth__cache_read(const char *path, size_t *size);

/* Writes the file, creating its folders; written aside and renamed, so a reader never sees
 * half a file. Returns 0 or -1. */
int synth__cache_write(const char *path, const void *data, size_t size);

#endif
