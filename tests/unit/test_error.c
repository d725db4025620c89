/* test_error.c: every error code has a distinct name and message; unknown codes are safe. */
#include <stdio.h>
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

/* The number and the string the library reports say the same version, each part fits its
 * byte of the number, and the library is the one the headers describe. */
static void test_version(void)
{
  unsigned major, minor, patch;
  char rest;
  const char *text = synth_version_string();
  CU_ASSERT_EQUAL_FATAL(sscanf(text, "%u.%u.%u%c", &major, &minor, &patch, &rest), 3);
  CU_ASSERT(minor < 256 && patch < 256);
  CU_ASSERT_EQUAL(synth_version(), major << 16 | minor << 8 | patch);
  CU_ASSERT_EQUAL(major, SYNTH_VERSION_MAJOR);
  CU_ASSERT_EQUAL(minor, SYNTH_VERSION_MINOR);
  CU_ASSERT_EQUAL(patch, SYNTH_VERSION_PATCH);
  CU_ASSERT_STRING_EQUAL(text, "0.2.0");
}

SYNTH_TEST_MAIN("error", SYNTH_TEST(test_codes_are_named), SYNTH_TEST(test_unknown_codes),
                SYNTH_TEST(test_version))
