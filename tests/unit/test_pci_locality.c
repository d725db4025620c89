/* test_pci_locality.c: a GPU's feeder thread bound beside its PCI device: the PUs the kernel
 * lists as its local ones, the thread's own affinity after, and a clear reason when there is
 * nothing to bind to. */
#include <dirent.h>
#include <hwloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "devices/pci_locality.h"
#include "support/harness.h"

static void test_no_device_no_binding(void)
{
  char where[128];
  CU_ASSERT_EQUAL(synth__bind_near_pci(NULL, where, sizeof where), -1);
  CU_ASSERT_STRING_EQUAL(where, "no PCI address");
  CU_ASSERT_EQUAL(synth__bind_near_pci("", where, sizeof where), -1);
  CU_ASSERT_STRING_EQUAL(where, "no PCI address");
  CU_ASSERT_EQUAL(synth__bind_near_pci("not-a-bus-id", where, sizeof where), -1);
  CU_ASSERT_STRING_EQUAL(where, "no PCI address");
  /* A well-formed address no machine has. */
  CU_ASSERT_EQUAL(synth__bind_near_pci("ffff:fe:1f.7", where, sizeof where), -1);
  CU_ASSERT_STRING_EQUAL(where, "ffff:fe:1f.7: no such PCI device");
}

/* Each machine's own PCI devices, from sysfs: the first one binds the thread, and the thread's
 * affinity is then what was said. */
static void *bind_one(void *arg)
{
  char *where = arg;
  DIR *d = opendir("/sys/bus/pci/devices");
  struct dirent *e;
  int bound = 0;
  while (d && !bound && (e = readdir(d)))
    if (e->d_name[0] != '.' && synth__bind_near_pci(e->d_name, where, 128) == 0)
      bound = 1;
  if (d)
    closedir(d);
  return bound ? where : NULL;
}

static void test_binds_beside_a_real_device(void)
{
  static char where[128];
  pthread_t t;
  void *got = NULL;
  CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, bind_one, where), 0);
  pthread_join(t, &got);
  if (!got) {
    fprintf(stderr, "\n    no PCI device here: only the refusals were tested\n");
    return;
  }
  CU_ASSERT_EQUAL(strncmp(where, "PUs ", 4), 0);
  /* The same again on this thread, and its affinity is the set said. */
  cpu_set_t before;
  CU_ASSERT_EQUAL(sched_getaffinity(0, sizeof before, &before), 0);
  CU_ASSERT_PTR_NOT_NULL(bind_one(where));
  cpu_set_t after;
  CU_ASSERT_EQUAL(sched_getaffinity(0, sizeof after, &after), 0);
  char list[64] = "";
  CU_ASSERT_EQUAL(sscanf(where, "PUs %63s", list), 1);
  hwloc_bitmap_t said = hwloc_bitmap_alloc();
  CU_ASSERT_EQUAL(hwloc_bitmap_list_sscanf(said, list), 0);
  for (int c = 0; c < CPU_SETSIZE && c < 1024; c++)
    CU_ASSERT_EQUAL(CPU_ISSET(c, &after) != 0, hwloc_bitmap_isset(said, (unsigned)c) != 0);
  hwloc_bitmap_free(said);
  CU_ASSERT(CPU_COUNT(&after) >= 1);
  sched_setaffinity(0, sizeof before, &before); /* the rest of the suite as it was */
}

SYNTH_TEST_MAIN("pci_locality", SYNTH_TEST(test_no_device_no_binding),
                SYNTH_TEST(test_binds_beside_a_real_device))
