/* test_job_table.c: the lock-free (job, key) table: add, get, duplicates, drop, races. */
#include <pthread.h>
#include <string.h>

#include "base/rcu_thread.h"
#include "precompute/job_table.h"
#include "support/harness.h"
#include "synth/error.h"

static void test_add_get_drop(void)
{
  synth__rcu_online();
  struct synth__job_table *t;
  CU_ASSERT_EQUAL_FATAL(synth__job_table_create(&t, 16), 0);
  uint8_t v[16], out[16];
  for (uint32_t job = 1; job <= 3; job++) {
    for (uint64_t key = 0; key < 1000; key++) {
      memset(v, (int)(job * 7 + key), sizeof v);
      CU_ASSERT_EQUAL(synth__job_table_add(t, job, key << 20, v), 0);
    }
  }
  CU_ASSERT_EQUAL(synth__job_table_count(t), 3000);
  memset(v, 1, sizeof v);
  CU_ASSERT_EQUAL(synth__job_table_add(t, 2, 5 << 20, v), SYNTH_EDUPLICATE);
  CU_ASSERT_EQUAL(synth__job_table_get(t, 2, 5 << 20, out), 0);
  CU_ASSERT_EQUAL(out[0], (uint8_t)(2 * 7 + 5)); /* the first value stays */
  CU_ASSERT_EQUAL(synth__job_table_get(t, 4, 5 << 20, out), SYNTH_ENOENT);
  CU_ASSERT_EQUAL(synth__job_table_get(t, 2, 5, out), SYNTH_ENOENT);

  CU_ASSERT_EQUAL(synth__job_table_drop_job(t, 2), 1000);
  CU_ASSERT_EQUAL(synth__job_table_count(t), 2000);
  CU_ASSERT_EQUAL(synth__job_table_get(t, 2, 5 << 20, out), SYNTH_ENOENT);
  CU_ASSERT_EQUAL(synth__job_table_get(t, 3, 5 << 20, out), 0);
  CU_ASSERT_EQUAL(synth__job_table_drop_job(t, 2), 0);
  synth__job_table_destroy(t);
  synth__rcu_offline();
}

struct racer {
  struct synth__job_table *t;
  pthread_barrier_t *go;
  unsigned won;
};

static void *race(void *arg)
{
  struct racer *r = arg;
  synth__rcu_online();
  pthread_barrier_wait(r->go);
  for (uint64_t key = 0; key < 20000; key++) {
    if (synth__job_table_add(r->t, 9, key, NULL) == 0)
      r->won++;
    if (key % 5000 == 0)
      synth__job_table_drop_job(r->t, 8); /* concurrent drops of another job */
  }
  synth__rcu_offline();
  return NULL;
}

/* Four threads add the same keys at once: each key is won exactly once. */
static void test_racing_adds_win_once(void)
{
  struct synth__job_table *t;
  CU_ASSERT_EQUAL_FATAL(synth__job_table_create(&t, 0), 0);
  pthread_barrier_t go;
  pthread_barrier_init(&go, NULL, 4);
  struct racer r[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    r[i] = (struct racer){t, &go, 0};
    pthread_create(&th[i], NULL, race, &r[i]);
  }
  unsigned total = 0;
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    total += r[i].won;
  }
  CU_ASSERT_EQUAL(total, 20000);
  CU_ASSERT_EQUAL(synth__job_table_count(t), 20000);
  pthread_barrier_destroy(&go);
  synth__job_table_destroy(t);
}

SYNTH_TEST_MAIN("job_table", SYNTH_TEST(test_add_get_drop), SYNTH_TEST(test_racing_adds_win_once))
