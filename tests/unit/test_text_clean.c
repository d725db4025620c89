/* test_text_clean.c: text shown on a terminal keeps no control characters and stays UTF-8. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "app/text_clean.h"
#include "support/harness.h"

static void expect(const char *in, bool utf8, const char *want)
{
  char out[256];
  size_t n = text_clean(out, sizeof out, in, utf8);
  CU_ASSERT_STRING_EQUAL(out, want);
  CU_ASSERT_EQUAL(n, strlen(want));
}

static void test_controls(void)
{
  for (int utf8 = 0; utf8 < 2; utf8++) {
    expect("plain text 0-9 ~", utf8, "plain text 0-9 ~");
    expect("\x1b[31mred\x1b[0m", utf8, "?[31mred?[0m");
    expect("\x1b]0;title\x07", utf8, "?]0;title?");
    expect("a\tb\nc\rd\x7f"
           "e\x01",
           utf8, "a?b?c?d?e?");
    expect("", utf8, "");
  }
}

static void test_utf8(void)
{
  expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", true,
         "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  expect("caf\xc3\xa9", false, "caf??");
  expect("\xc2\x9b"
         "2J",
         true, "?2J"); /* C1 CSI, as UTF-8: one character, one '?' */
  expect("\xc2\x80\xc2\x9f\xc2\xa0", true, "??\xc2\xa0"); /* U+00A0 is the first kept */
  expect("\x9b"
         "2J",
         true, "?2J");                      /* a raw C1 byte is not UTF-8 */
  expect("\xc0\x80", true, "??");           /* overlong NUL */
  expect("\xe0\x80\xaf", true, "???");      /* overlong '/' */
  expect("\xed\xa0\x80", true, "???");      /* a surrogate */
  expect("\xf4\x90\x80\x80", true, "????"); /* past U+10FFFF */
  expect("ab\xe2\x82", true, "ab??");       /* cut short */
  expect("\xe2\x82"
         "x",
         true, "??x");
  expect("\xff\xfe", true, "??");
}

static void test_fits(void)
{
  char out[5];
  CU_ASSERT_EQUAL(text_clean(out, 4, "ab\xc3\xa9", true), 2); /* é does not fit whole */
  CU_ASSERT_STRING_EQUAL(out, "ab");
  CU_ASSERT_EQUAL(text_clean(out, 5, "ab\xc3\xa9", true), 4);
  CU_ASSERT_STRING_EQUAL(out, "ab\xc3\xa9");
  CU_ASSERT_EQUAL(text_clean(out, 3, "\x1b[31m", true), 2);
  CU_ASSERT_STRING_EQUAL(out, "?[");
  CU_ASSERT_EQUAL(text_clean(out, 1, "abc", true), 0);
  CU_ASSERT_STRING_EQUAL(out, "");

  CU_ASSERT_EQUAL(text_prefix("ab\xc3\xa9", 3), 2);
  CU_ASSERT_EQUAL(text_prefix("ab\xc3\xa9", 4), 4);
  CU_ASSERT_EQUAL(text_prefix("ab\xc3\xa9", 9), 4);
  CU_ASSERT_EQUAL(text_prefix("\xe2\x82\xac", 1), 0);
  CU_ASSERT_EQUAL(text_prefix("\xe2\x82\xac", 2), 0);
  CU_ASSERT_EQUAL(text_prefix("\xe2\x82\xac"
                              "x",
                              3),
                  3);
  CU_ASSERT_EQUAL(text_prefix("\x80\x80\x80\x80\x80", 4), 4); /* not UTF-8: cut anywhere */
}

/* What glibc's UTF-8 decoder makes of s: the reference for text_clean(s, true). */
static void reference(const char *s, char *out)
{
  mbstate_t st;
  size_t k = 0, n = strlen(s);
  while (*s) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x80) {
      out[k++] = c >= 0x20 && c != 0x7f ? (char)c : '?';
      s++, n--;
      continue;
    }
    wchar_t wc;
    memset(&st, 0, sizeof st);
    size_t len = mbrtowc(&wc, s, n, &st);
    /* glibc decodes lead bytes up to 0xf7 past U+10FFFF, where Unicode (RFC 3629) ends. */
    if (len == (size_t)-1 || len == (size_t)-2 || (unsigned long)wc > 0x10ffff) {
      out[k++] = '?';
      s++, n--;
    } else if (wc <= 0x9f) {
      out[k++] = '?';
      s += len, n -= len;
    } else {
      memcpy(out + k, s, len);
      k += len, s += len, n -= len;
    }
  }
  out[k] = '\0';
}

/* A byte that is often one of the interesting ones: controls, leads, continuations. */
static char pick(void)
{
  static const unsigned char hot[] = {0x1b, 0x07, 0x0a, 0x7f, 0x80, 0x9b, 0x9f, 0xa0, 0xbf, 0xc0,
                                      0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff};
  uint64_t r = synth_test_rand();
  unsigned char c = r % 3 ? (unsigned char)(r >> 8) : hot[(r >> 8) % sizeof hot];
  return c ? (char)c : 'x';
}

static void test_random_against_glibc(void)
{
  if (!setlocale(LC_CTYPE, "C.UTF-8") && !setlocale(LC_CTYPE, "C.utf8")) {
    CU_FAIL("no C.UTF-8 locale for the reference decoder");
    return;
  }
  synth_test_seed();
  for (int round = 0; round < 20000; round++) {
    char in[64], want[64], got[64], ascii[64];
    size_t n = synth_test_rand() % (sizeof in - 1);
    for (size_t i = 0; i < n; i++)
      in[i] = pick();
    in[n] = '\0';
    reference(in, want);
    text_clean(got, sizeof got, in, true);
    CU_ASSERT_STRING_EQUAL(got, want);
    text_clean(ascii, sizeof ascii, in, false);
    for (const char *p = ascii; *p; p++)
      CU_ASSERT_TRUE(*p >= 0x20 && *p < 0x7f);
    /* A cut of the clean text at any width still decodes whole. */
    size_t max = synth_test_rand() % (strlen(got) + 2), cut = text_prefix(got, max);
    CU_ASSERT_TRUE(cut <= max && cut + 3 >= (max < strlen(got) ? max : strlen(got)));
    mbstate_t st;
    memset(&st, 0, sizeof st);
    const char *p = got;
    for (size_t left = cut; left > 0;) {
      size_t len = mbrtowc(NULL, p, left, &st);
      CU_ASSERT_TRUE_FATAL(len != (size_t)-1 && len != (size_t)-2 && len > 0);
      p += len, left -= len;
    }
  }
  setlocale(LC_CTYPE, "C");
}

SYNTH_TEST_MAIN("text_clean", SYNTH_TEST(test_controls), SYNTH_TEST(test_utf8),
                SYNTH_TEST(test_fits), SYNTH_TEST(test_random_against_glibc))
