/* pool_consumer.c: a program linking the Stratum client (libsynth-pool) as installed: a pool
 * config it refuses proves the library answers through its API. */
#include <stdio.h>

#include <synth/synth.h>

int main(void)
{
  struct synth_pool_config cfg = {0}; /* no URL: refused */
  synth_pool *pool = NULL;
  int rc = synth_pool_create(&pool, NULL, &cfg);
  if (rc != SYNTH_EINVAL || pool) {
    fprintf(stderr, "synth_pool_create accepted an empty config (%d)\n", rc);
    return 1;
  }
  return 0;
}
