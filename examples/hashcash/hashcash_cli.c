/* hashcash_cli.c: the hashcash example's options, its hit collector, and the check of the hits
 * against the reference. */
#include "hashcash_cli.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hashcash_on_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device)
{
  struct found *f = user;
  char where[40];
  struct synth_device_stats st;
  if (f->rt && synth_runtime_device_stats(f->rt, device, &st, sizeof st) == 0)
    snprintf(where, sizeof where, "%s", st.id);
  else
    snprintf(where, sizeof where, "rank %u", device);
  pthread_mutex_lock(&f->lock);
  if (f->n < HITS_MAX)
    f->hits[f->n++] = index;
  else
    f->dropped++;
  if (!f->quiet) {
    printf("hit: index %" PRIu64 " (0x%016" PRIx64 ") on %s, hash ", index, index, where);
    for (int i = 0; i < 32; i++)
      printf("%02x", v->hash[i]);
    printf("\n");
  }
  bool first = f->n + f->dropped == 1;
  pthread_cond_signal(&f->cond);
  pthread_mutex_unlock(&f->lock);
  if (first && f->on_first)
    f->on_first(f->first_user);
}

void hashcash_on_log(void *user, enum synth_log_level level, const char *message)
{
  (void)user;
  fprintf(stderr, "synth %s: %s\n",
          level == SYNTH_LOG_ERROR  ? "error"
          : level == SYNTH_LOG_WARN ? "warning"
                                    : "note",
          message);
}

int hashcash_usage(const char *why)
{
  fprintf(stderr,
          "hashcash: %s\nusage: hashcash [--devices LIST] [--options LIST] [--bits N] [--start S] "
          "[--count C] [--first] [--check] [--every-device] [--quiet] [--mpi [--chunk-s S] "
          "[--calibrate S] [--silence-ms MS]] DATA\n",
          why);
  return 2;
}

static int number(const char *s, uint64_t *out)
{
  char *end;
  if (!s || !*s || *s == '-')
    return -1;
  *out = strtoull(s, &end, 0);
  return *end ? -1 : 0;
}

int hashcash_parse(int argc, char **argv, struct options *o)
{
  *o = (struct options){.devices = "all", .bits = 24, .count = 1ull << 28};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    uint64_t n;
    if (!strcmp(a, "--devices") && v)
      o->devices = v, i++;
    else if (!strcmp(a, "--bits") && !number(v, &n) && n <= HASHCASH_BITS_MAX)
      o->bits = (unsigned)n, i++;
    else if (!strcmp(a, "--start") && !number(v, &n))
      o->start = n, i++;
    else if (!strcmp(a, "--count") && !number(v, &n) && n > 0)
      o->count = n, i++;
    else if (!strcmp(a, "--first"))
      o->first = 1;
    else if (!strcmp(a, "--check"))
      o->check = 1;
    else if (!strcmp(a, "--every-device"))
      o->every_device = 1;
    else if (!strcmp(a, "--quiet"))
      o->quiet = 1;
    else if (!strcmp(a, "--options") && v)
      o->device_options = v, i++;
    else if (!strcmp(a, "--mpi"))
      o->mpi = 1;
    else if (!strcmp(a, "--chunk-s") && v && atof(v) > 0)
      o->chunk_s = atof(v), i++;
    else if (!strcmp(a, "--calibrate") && v && atof(v) > 0)
      o->calibrate = atof(v), i++;
    else if (!strcmp(a, "--silence-ms") && !number(v, &n) && n >= 100 && n <= 3600000)
      o->silence_ms = (unsigned)n, i++;
    else if (a[0] != '-' && !o->data)
      o->data = a;
    else
      return hashcash_usage(a[0] == '-' ? "a bad option or value" : "one DATA only");
  }
  if (!o->data)
    return hashcash_usage("no DATA");
  if (o->start + o->count < o->start && o->start + o->count != 0)
    return hashcash_usage("the range runs past 2^64");
  return 0;
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Every hit re-hashed from the data; with check, the range's hits by the reference too. */
int hashcash_verify_hits(const struct options *o, const struct hashcash_job *job, struct found *f)
{
  int bad = 0;
  uint8_t digest[32];
  for (size_t i = 0; i < f->n; i++) {
    hashcash_hash(job, f->hits[i], digest);
    if (!hashcash_meets(job, digest) || f->hits[i] - o->start >= o->count) {
      fprintf(stderr, "hashcash: index %" PRIu64 " is not a hit of the range\n", f->hits[i]);
      bad = 1;
    }
  }
  qsort(f->hits, f->n, sizeof f->hits[0], cmp_u64);
  for (size_t i = 1; i < f->n; i++)
    if (f->hits[i] == f->hits[i - 1]) {
      fprintf(stderr, "hashcash: index %" PRIu64 " reported twice\n", f->hits[i]);
      bad = 1;
    }
  if (!o->check || o->first)
    return bad;
  size_t expect = 0, j = 0;
  for (uint64_t k = 0; k < o->count; k++) {
    hashcash_hash(job, o->start + k, digest);
    if (!hashcash_meets(job, digest))
      continue;
    expect++;
    if (j < f->n && f->hits[j] == o->start + k)
      j++;
    else {
      fprintf(stderr, "hashcash: the devices missed index %" PRIu64 "\n", o->start + k);
      bad = 1;
    }
  }
  printf("check: %zu hits in the range by the reference, %zu found\n", expect, f->n);
  return bad || expect != f->n;
}
