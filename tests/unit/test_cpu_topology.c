/* test_cpu_topology.c: worker layout on recorded (synthetic) topologies, and on this machine. */
#include <stdlib.h>
#include <string.h>

#include "base/logger.h"
#include "devices/cpu/cpu_topology.h"
#include "support/harness.h"
#include "synth/error.h"

static int errors;
static void count_errors(void *user, enum synth_log_level level, const char *msg)
{
  (void)user, (void)msg;
  errors += level == SYNTH_LOG_ERROR;
}
static const struct synth__logger logger = {count_errors, NULL, SYNTH_LOG_DEBUG};

/* Two packages of four cores with two hardware threads each. */
#define SMT_BOX "package:2 core:4 pu:2"

static void test_one_worker_per_core(void)
{
  struct synth__cpu_topology t;
  CU_ASSERT_EQUAL_FATAL(synth__cpu_topology_load(&t, SMT_BOX), 0);
  CU_ASSERT_EQUAL(t.packages, 2);
  CU_ASSERT_EQUAL(t.cores, 8);
  CU_ASSERT_EQUAL(t.pus, 16);
  struct synth__cpu_slot *slots;
  size_t n;
  CU_ASSERT_EQUAL_FATAL(synth__cpu_topology_layout(&t, 0, NULL, &logger, &slots, &n), 0);
  CU_ASSERT_EQUAL(n, 8);
  for (size_t i = 0; i < n; i++) {
    CU_ASSERT_TRUE(slots[i].selected);
    CU_ASSERT_EQUAL(slots[i].package, (int)i / 4);
    CU_ASSERT_EQUAL(slots[i].core, (int)i);
  }
  CU_ASSERT_STRING_EQUAL(slots[0].pus, "0-1"); /* both hardware threads of core 0 */
  CU_ASSERT_STRING_EQUAL(slots[5].pus, "10-11");
  free(slots);

  CU_ASSERT_EQUAL_FATAL(synth__cpu_topology_layout(&t, 3, NULL, &logger, &slots, &n), 0);
  CU_ASSERT_EQUAL(n, 8);
  CU_ASSERT_TRUE(slots[2].selected);
  CU_ASSERT_FALSE(slots[3].selected);
  free(slots);
  synth__cpu_topology_unload(&t);
}

static void test_affinity_list(void)
{
  struct synth__cpu_topology t;
  CU_ASSERT_EQUAL_FATAL(synth__cpu_topology_load(&t, SMT_BOX), 0);
  struct synth__cpu_slot *slots;
  size_t n;
  CU_ASSERT_EQUAL_FATAL(synth__cpu_topology_layout(&t, 0, "15,2-3", &logger, &slots, &n), 0);
  CU_ASSERT_EQUAL(n, 3);
  CU_ASSERT_STRING_EQUAL(slots[0].pus, "15");
  CU_ASSERT_EQUAL(slots[0].core, 7);
  CU_ASSERT_EQUAL(slots[0].package, 1);
  CU_ASSERT_STRING_EQUAL(slots[2].pus, "3");
  CU_ASSERT_EQUAL(slots[2].core, 1);
  free(slots);
  synth__cpu_topology_unload(&t);
}

static void test_impossible_layouts(void)
{
  struct synth__cpu_topology t;
  CU_ASSERT_EQUAL_FATAL(synth__cpu_topology_load(&t, SMT_BOX), 0);
  struct synth__cpu_slot *slots;
  size_t n;
  static const struct {
    unsigned threads;
    const char *affinity;
  } bad[] = {{9, NULL}, {0, "16"}, {0, "1,x"}, {3, "0,1"}, {0, ""}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    errors = 0;
    CU_ASSERT_EQUAL(
        synth__cpu_topology_layout(&t, bad[i].threads, bad[i].affinity, &logger, &slots, &n),
        SYNTH_EINVAL);
    CU_ASSERT_EQUAL(errors, 1);
  }
  synth__cpu_topology_unload(&t);
  CU_ASSERT_EQUAL(synth__cpu_topology_load(&t, "not a topology"), SYNTH_EINVAL);
}

/* On the real machine: a worker can pin itself to the PUs of its slot. */
static void test_pin_on_this_machine(void)
{
  struct synth__cpu_topology t;
  CU_ASSERT_EQUAL_FATAL(synth__cpu_topology_load(&t, NULL), 0);
  CU_ASSERT(t.cores >= 1);
  struct synth__cpu_slot *slots;
  size_t n;
  CU_ASSERT_EQUAL_FATAL(synth__cpu_topology_layout(&t, 1, NULL, &logger, &slots, &n), 0);
  CU_ASSERT_EQUAL(synth__cpu_topology_pin(&t, slots[0].pus), 0);
  hwloc_bitmap_t now = hwloc_bitmap_alloc(), want = hwloc_bitmap_alloc();
  hwloc_get_cpubind(t.topo, now, HWLOC_CPUBIND_THREAD);
  hwloc_bitmap_list_sscanf(want, slots[0].pus);
  CU_ASSERT_TRUE(hwloc_bitmap_isequal(now, want));
  hwloc_bitmap_free(now);
  hwloc_bitmap_free(want);
  free(slots);
  synth__cpu_topology_unload(&t);
}

SYNTH_TEST_MAIN("cpu_topology", SYNTH_TEST(test_one_worker_per_core),
                SYNTH_TEST(test_affinity_list), SYNTH_TEST(test_impossible_layouts),
                SYNTH_TEST(test_pin_on_this_machine))
