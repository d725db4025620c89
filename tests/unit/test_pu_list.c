/* test_pu_list.c: processing-unit lists are parsed strictly. */
#include "devices/cpu/pu_list.h"
#include "support/harness.h"
#include "synth/error.h"

static void test_valid_lists(void)
{
  unsigned out[16];
  size_t n;
  CU_ASSERT_EQUAL(synth__pu_list_parse("0", out, 16, &n), 0);
  CU_ASSERT_EQUAL(n, 1);
  CU_ASSERT_EQUAL(synth__pu_list_parse("3,0-2,7", out, 16, &n), 0);
  CU_ASSERT_EQUAL(n, 5);
  unsigned want[] = {3, 0, 1, 2, 7};
  for (size_t i = 0; i < 5; i++)
    CU_ASSERT_EQUAL(out[i], want[i]);
  CU_ASSERT_EQUAL(synth__pu_list_parse("5-5", out, 16, &n), 0);
  CU_ASSERT_EQUAL(n, 1);
}

static void test_invalid_lists(void)
{
  static const char *const bad[] = {"",    ",",     "1,",      ",1",  "1,,2", "a",   "-1",
                                    "1-",  "3-1",   "1 ,2",    " 1",  "+1",   "1,1", "0-2,1",
                                    "0x1", "99999", "1-70000", "1;2", "0-16"};
  unsigned out[16];
  size_t n;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CU_ASSERT_EQUAL(synth__pu_list_parse(bad[i], out, 16, &n), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth__pu_list_parse(NULL, out, 16, &n), SYNTH_EINVAL);
}

SYNTH_TEST_MAIN("pu_list", SYNTH_TEST(test_valid_lists), SYNTH_TEST(test_invalid_lists))
