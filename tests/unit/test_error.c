/* test_error.c: every error code has a distinct name and message; unknown codes are safe. */
#include <string.h>

#include "support/harness.h"
#include "synth/synth.h"

static void test_codes_are_named(void)
{
  static const int codes[] = {
#define CODE(name, value, msg) SYNTH_##name,
      SYNTH_ERRNO_MAP(CODE)
#undef CODE
  };
  size_t n = sizeof codes / sizeof codes[0];
  for (size_t i = 0; i < n; i++) {
    CU_ASSERT(codes[i] < 0);
    CU_ASSERT_STRING_NOT_EQUAL(synth_strerror(codes[i]), "unknown error");
    CU_ASSERT_STRING_NOT_EQUAL(synth_err_name(codes[i]), "SYNTH_UNKNOWN");
    for (size_t j = 0; j < i; j++) {
      CU_ASSERT(codes[i] != codes[j]);
      CU_ASSERT_STRING_NOT_EQUAL(synth_strerror(codes[i]), synth_strerror(codes[j]));
    }
  }
  CU_ASSERT_STRING_EQUAL(synth_err_name(SYNTH_EINVAL), "SYNTH_EINVAL");
}

static void test_unknown_codes(void)
{
  CU_ASSERT_STRING_EQUAL(synth_strerror(0), "success");
  CU_ASSERT_STRING_EQUAL(synth_strerror(-12345), "unknown error");
  CU_ASSERT_STRING_EQUAL(synth_err_name(42), "SYNTH_UNKNOWN");
}

static void test_version(void)
{
  CU_ASSERT_EQUAL(synth_version(), SYNTH_VERSION_HEX);
  CU_ASSERT_STRING_EQUAL(synth_version_string(), "0.1.0");
}

int main(void)
{
  static const struct synth_test tests[] = {
      SYNTH_TEST(test_codes_are_named),
      SYNTH_TEST(test_unknown_codes),
      SYNTH_TEST(test_version),
      SYNTH_TEST_END,
  };
  return synth_test_run("error", tests);
}
