/* test_device_twins.c: one GPU seen through OpenCL and Vulkan: paired by UUID or PCI address,
 * driven through one API by preference, by name, or by a measured race. */
#include <stdio.h>
#include <string.h>

#include "base/logger.h"
#include "runtime/device_twins.h"
#include "sha256d/sha256d_workload.h"
#include "support/fake_device.h"
#include "support/harness.h"
#include "synth/error.h"

static char logged[4096];
static void capture(void *user, enum synth_log_level level, const char *msg)
{
  (void)user, (void)level;
  size_t n = strlen(logged);
  snprintf(logged + n, sizeof logged - n, "%s\n", msg);
}
static const struct synth__logger logger = {capture, NULL, SYNTH_LOG_DEBUG};

static const unsigned char uuid_gpu[16] = {0x89, 0xcc, 0xdb, 0x96, 1, 2,  3,  4,
                                           5,    6,    7,    8,    9, 10, 11, 12};
static const unsigned char uuid_other[16] = {0x6d, 0x65, 0x73, 0x61, 1, 1, 1, 1};

static struct synth__device_desc desc(enum synth_device_kind kind, int index,
                                      const unsigned char *uuid, const char *pci)
{
  struct synth__device_desc d = {.kind = kind, .index0 = index, .selected = 1};
  snprintf(d.id, sizeof d.id, "%s:%d", kind == SYNTH_DEVICE_OPENCL ? "opencl" : "vulkan", index);
  if (uuid) {
    memcpy(d.uuid, uuid, 16);
    d.has_uuid = 1;
  }
  snprintf(d.pci, sizeof d.pci, "%s", pci ? pci : "");
  return d;
}

/* Two lists of up to four devices each. */
struct lists {
  struct synth__device_desc cl_items[4], vk_items[4];
  struct synth__desc_list cl, vk;
};

static void lists_init(struct lists *l)
{
  memset(l, 0, sizeof *l);
  l->cl = (struct synth__desc_list){.items = l->cl_items, .capacity = 4};
  l->vk = (struct synth__desc_list){.items = l->vk_items, .capacity = 4};
}

static void test_pairs_by_uuid(void)
{
  struct lists l;
  lists_init(&l);
  l.cl_items[l.cl.count++] = desc(SYNTH_DEVICE_OPENCL, 0, NULL, NULL); /* PoCL: no UUID */
  l.cl_items[l.cl.count++] = desc(SYNTH_DEVICE_OPENCL, 1, uuid_gpu, "0000:17:00.0");
  l.vk_items[l.vk.count++] = desc(SYNTH_DEVICE_VULKAN, 0, uuid_other, NULL); /* lavapipe */
  l.vk_items[l.vk.count++] = desc(SYNTH_DEVICE_VULKAN, 1, uuid_gpu, NULL);
  CU_ASSERT_EQUAL(synth__twins_pair(&l.cl, &l.vk, SYNTH_PREFER_AUTO, &logger), 1);
  CU_ASSERT_STRING_EQUAL(l.cl_items[1].twin, "vulkan:1");
  CU_ASSERT_STRING_EQUAL(l.vk_items[1].twin, "opencl:1");
  CU_ASSERT_STRING_EQUAL(l.cl_items[0].twin, "");
  CU_ASSERT_STRING_EQUAL(l.vk_items[0].twin, "");
  /* auto: both stay selected, for the runtime to measure */
  CU_ASSERT_TRUE(l.cl_items[1].selected && l.vk_items[1].selected);
}

/* Without a UUID on one side, the PCI address decides; an all-zero UUID counts as none. */
static void test_pairs_by_pci_without_uuid(void)
{
  static const unsigned char zero[16];
  struct lists l;
  lists_init(&l);
  l.cl_items[l.cl.count++] = desc(SYNTH_DEVICE_OPENCL, 0, NULL, "0000:17:00.0");
  l.cl_items[l.cl.count++] = desc(SYNTH_DEVICE_OPENCL, 1, zero, "0000:65:00.0");
  l.vk_items[l.vk.count++] = desc(SYNTH_DEVICE_VULKAN, 0, uuid_gpu, "0000:65:00.0");
  l.vk_items[l.vk.count++] = desc(SYNTH_DEVICE_VULKAN, 1, uuid_other, "0000:17:00.0");
  CU_ASSERT_EQUAL(synth__twins_pair(&l.cl, &l.vk, SYNTH_PREFER_AUTO, &logger), 2);
  CU_ASSERT_STRING_EQUAL(l.cl_items[0].twin, "vulkan:1");
  CU_ASSERT_STRING_EQUAL(l.cl_items[1].twin, "vulkan:0");
  /* different UUIDs on both sides: different devices, whatever the PCI strings say */
  lists_init(&l);
  l.cl_items[l.cl.count++] = desc(SYNTH_DEVICE_OPENCL, 0, uuid_other, "0000:17:00.0");
  l.vk_items[l.vk.count++] = desc(SYNTH_DEVICE_VULKAN, 0, uuid_gpu, "0000:17:00.0");
  CU_ASSERT_EQUAL(synth__twins_pair(&l.cl, &l.vk, SYNTH_PREFER_AUTO, &logger), 0);
  /* nothing to go by */
  lists_init(&l);
  l.cl_items[l.cl.count++] = desc(SYNTH_DEVICE_OPENCL, 0, NULL, NULL);
  l.vk_items[l.vk.count++] = desc(SYNTH_DEVICE_VULKAN, 0, NULL, NULL);
  CU_ASSERT_EQUAL(synth__twins_pair(&l.cl, &l.vk, SYNTH_PREFER_AUTO, &logger), 0);
}

static void one_pair(struct lists *l, bool cl_named, bool vk_named)
{
  lists_init(l);
  l->cl_items[l->cl.count++] = desc(SYNTH_DEVICE_OPENCL, 0, uuid_gpu, NULL);
  l->vk_items[l->vk.count++] = desc(SYNTH_DEVICE_VULKAN, 0, uuid_gpu, NULL);
  l->cl_items[0].named = cl_named;
  l->vk_items[0].named = vk_named;
}

/* One pair, then the choice between its twins under @prefer. */
static void one_pair_chosen(struct lists *l, bool cl_named, bool vk_named,
                            enum synth__prefer prefer)
{
  one_pair(l, cl_named, vk_named);
  synth__twins_pair(&l->cl, &l->vk, prefer, &logger);
}

static void test_preference_leaves_one(void)
{
  struct lists l;
  one_pair_chosen(&l, false, false, SYNTH_PREFER_OPENCL);
  CU_ASSERT_TRUE(l.cl_items[0].selected);
  CU_ASSERT_FALSE(l.vk_items[0].selected);
  one_pair_chosen(&l, false, false, SYNTH_PREFER_VULKAN);
  CU_ASSERT_FALSE(l.cl_items[0].selected);
  CU_ASSERT_TRUE(l.vk_items[0].selected);
}

/* "--devices opencl:0,vulkan": the device named by its id wins over its twin, whatever the
 * preference; naming both hashes through both, with a warning. */
static void test_named_device_wins(void)
{
  struct lists l;
  one_pair_chosen(&l, true, false, SYNTH_PREFER_VULKAN);
  CU_ASSERT_TRUE(l.cl_items[0].selected);
  CU_ASSERT_FALSE(l.vk_items[0].selected);
  one_pair(&l, true, true);
  logged[0] = '\0';
  synth__twins_pair(&l.cl, &l.vk, SYNTH_PREFER_OPENCL, &logger);
  CU_ASSERT_TRUE(l.cl_items[0].selected && l.vk_items[0].selected);
  CU_ASSERT_PTR_NOT_NULL(strstr(logged, "through both APIs"));
}

/* "--devices vulkan": the OpenCL twin was never selected; nothing changes but the link. */
static void test_unselected_twin_changes_nothing(void)
{
  struct lists l;
  one_pair(&l, false, false);
  l.cl_items[0].selected = 0;
  CU_ASSERT_EQUAL(synth__twins_pair(&l.cl, &l.vk, SYNTH_PREFER_OPENCL, &logger), 1);
  CU_ASSERT_FALSE(l.cl_items[0].selected);
  CU_ASSERT_TRUE(l.vk_items[0].selected);
  CU_ASSERT_STRING_EQUAL(l.cl_items[0].twin, "vulkan:0");
}

static void test_prefer_parse(void)
{
  enum synth__prefer p;
  CU_ASSERT_EQUAL(synth__prefer_parse(NULL, &p, &logger), 0);
  CU_ASSERT_EQUAL(p, SYNTH_PREFER_AUTO);
  CU_ASSERT_EQUAL(synth__prefer_parse("auto", &p, &logger), 0);
  CU_ASSERT_EQUAL(p, SYNTH_PREFER_AUTO);
  CU_ASSERT_EQUAL(synth__prefer_parse("opencl", &p, &logger), 0);
  CU_ASSERT_EQUAL(p, SYNTH_PREFER_OPENCL);
  CU_ASSERT_EQUAL(synth__prefer_parse("vulkan", &p, &logger), 0);
  CU_ASSERT_EQUAL(p, SYNTH_PREFER_VULKAN);
  logged[0] = '\0';
  CU_ASSERT_EQUAL(synth__prefer_parse("cuda", &p, &logger), SYNTH_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(logged, "prefer 'cuda'")); /* the config field, */
  CU_ASSERT_PTR_NULL(strstr(logged, "--prefer"));          /* not the command's flag */
}

static struct synth__opened opened_fake(enum synth_device_kind kind, int index, const char *twin,
                                        unsigned sleep_us)
{
  struct fake_script script = {.sleep_us = sleep_us};
  struct synth__opened o = {.ops = &fake_device_ops,
                            .dev = fake_device_new(&synth__sha256d_workload, &script),
                            .desc = desc(kind, index, uuid_gpu, NULL)};
  snprintf(o.desc.twin, sizeof o.desc.twin, "%s", twin);
  return o;
}

/* The slow twin sleeps this long per batch: far more than a batch of the portable core takes,
 * even under the sanitizers, so the race cannot come out the other way. */
#define SLOW_US 300000

/* --prefer auto: both twins race on the known answer, the slower is closed, the rest stays in
 * order. Each way round, so neither API wins by position. */
static void test_race_keeps_the_faster(void)
{
  for (int slow_vulkan = 0; slow_vulkan < 2; slow_vulkan++) {
    struct synth__opened devs[3] = {
        opened_fake(SYNTH_DEVICE_VULKAN, 0, "opencl:0", slow_vulkan ? SLOW_US : 0),
        opened_fake(SYNTH_DEVICE_CPU, 7, "", 0),
        opened_fake(SYNTH_DEVICE_OPENCL, 0, "vulkan:0", slow_vulkan ? 0 : SLOW_US),
    };
    snprintf(devs[1].desc.id, sizeof devs[1].desc.id, "cpu:0");
    logged[0] = '\0';
    size_t n = synth__twins_choose(devs, 3, &synth__sha256d_workload, 100, &logger);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_STRING_EQUAL(devs[0].desc.id, slow_vulkan ? "cpu:0" : "vulkan:0");
    CU_ASSERT_STRING_EQUAL(devs[1].desc.id, slow_vulkan ? "opencl:0" : "cpu:0");
    CU_ASSERT_PTR_NOT_NULL(strstr(logged, "are one device"));
    for (size_t i = 0; i < n; i++)
      devs[i].ops->close(devs[i].dev);
  }
}

SYNTH_TEST_MAIN("device_twins", SYNTH_TEST(test_pairs_by_uuid),
                SYNTH_TEST(test_pairs_by_pci_without_uuid), SYNTH_TEST(test_preference_leaves_one),
                SYNTH_TEST(test_named_device_wins),
                SYNTH_TEST(test_unselected_twin_changes_nothing), SYNTH_TEST(test_prefer_parse),
                SYNTH_TEST(test_race_keeps_the_faster))
