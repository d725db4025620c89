/* test_stratum_msg.c: pool messages parsed strictly, hostile ones refused, shares formatted. */
#include <stdio.h>
#include <string.h>

#include "pool/stratum_msg.h"
#include "pool/stratum_work.h"
#include "support/harness.h"

static int parse(const char *line, struct stratum_msg *m)
{
  char why[256];
  return stratum_msg_parse(line, strlen(line), m, why, sizeof why);
}

static const char notify_line[] =
    "{\"params\":[\"bf\",\"4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000\","
    "\"01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20020862"
    "062f503253482f04b8864e5008\",\"072f736c7573682f000000000100f2052a010000001976a914d23fcdf86f"
    "7e756a64a7a9688ef9903327048ed988ac00000000\",[\"57351e8569cb9d036187a79fd1844fd930c1309efcd"
    "16c46af9bb9713b6ee734\"],\"00000002\",\"1c2ac4af\",\"504e86b9\",false],\"id\":null,"
    "\"method\":\"mining.notify\"}";

static void test_notify(void)
{
  struct stratum_msg m;
  CU_ASSERT_EQUAL_FATAL(parse(notify_line, &m), 0);
  CU_ASSERT_EQUAL(m.kind, STRATUM_NOTIFY);
  struct stratum_notify *n = m.u.notify;
  CU_ASSERT_STRING_EQUAL(n->job_id, "bf");
  /* Word-reversed: the first word "4d16b6f8" is the header's bytes f8 b6 16 4d. */
  CU_ASSERT(n->prevhash[0] == 0xf8 && n->prevhash[1] == 0xb6 && n->prevhash[2] == 0x16 &&
            n->prevhash[3] == 0x4d);
  CU_ASSERT(n->prevhash[28] == 0 && n->prevhash[31] == 0);
  CU_ASSERT_EQUAL(n->coinb1_len, 58);
  CU_ASSERT_EQUAL(n->coinb2_len, 51);
  CU_ASSERT_EQUAL(n->nbranches, 1);
  CU_ASSERT_EQUAL(n->branches[0][0], 0x57);
  CU_ASSERT_EQUAL(n->version, 2);
  CU_ASSERT_EQUAL(n->nbits, 0x1c2ac4af);
  CU_ASSERT_EQUAL(n->ntime, 0x504e86b9);
  CU_ASSERT_FALSE(n->clean);

  struct stratum_session ses = {.extranonce1 = {0x08, 0x00, 0x00, 0x02},
                                .extranonce1_len = 4,
                                .extranonce2_size = 4,
                                .difficulty = 2,
                                .version_mask = 0x1fffe000};
  struct synth_job job;
  CU_ASSERT_EQUAL(stratum_job_from_notify(n, &ses, true, &job), 0);
  CU_ASSERT_STRING_EQUAL(job.job_id, "bf");
  CU_ASSERT_EQUAL(job.coinb1_len, 58);
  CU_ASSERT_EQUAL(job.extranonce2_size, 4);
  CU_ASSERT_EQUAL(job.version_mask, 0x1fffe000u); /* version 2: no bit inside the mask */
  CU_ASSERT_TRUE(job.clean);
  /* A version with bits inside the mask (regtest's 0x30000000, a signalling period): only the
   * mask bits it leaves 0 are rolled. */
  n->version = 0x30000000;
  CU_ASSERT_EQUAL(stratum_job_from_notify(n, &ses, true, &job), 0);
  CU_ASSERT_EQUAL(job.version_mask, 0x0fffe000u);
  n->version = 0x20002000;
  CU_ASSERT_EQUAL(stratum_job_from_notify(n, &ses, true, &job), 0);
  CU_ASSERT_EQUAL(job.version_mask, 0x1fffc000u);
  /* Difficulty 2: half the difficulty-1 target, 0x00000000 7fff8000... big-endian. */
  CU_ASSERT(job.share_target[31] == 0 && job.share_target[27] == 0x7f &&
            job.share_target[26] == 0xff && job.share_target[25] == 0x80);
  stratum_msg_free(&m);
}

static void test_other_requests(void)
{
  struct stratum_msg m;
  CU_ASSERT_EQUAL_FATAL(
      parse("{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[0.5]}", &m), 0);
  CU_ASSERT_EQUAL(m.kind, STRATUM_SET_DIFFICULTY);
  CU_ASSERT_EQUAL(m.u.difficulty, 0.5);
  stratum_msg_free(&m);
  CU_ASSERT_EQUAL_FATAL(parse("{\"method\":\"mining.set_extranonce\",\"params\":[\"abcd\",3]}", &m),
                        0);
  CU_ASSERT_EQUAL(m.kind, STRATUM_SET_EXTRANONCE);
  CU_ASSERT_EQUAL(m.u.extranonce.extranonce1_len, 2);
  CU_ASSERT_EQUAL(m.u.extranonce.extranonce2_size, 3);
  stratum_msg_free(&m);
  CU_ASSERT_EQUAL_FATAL(
      parse("{\"method\":\"mining.set_version_mask\",\"params\":[\"1fffe000\"]}", &m), 0);
  CU_ASSERT_EQUAL(m.u.version_mask, 0x1fffe000u);
  stratum_msg_free(&m);
  CU_ASSERT_EQUAL_FATAL(
      parse("{\"id\":7,\"method\":\"client.reconnect\",\"params\":[\"pool.example\",\"3333\",5]}",
            &m),
      0);
  CU_ASSERT_EQUAL(m.kind, STRATUM_RECONNECT);
  CU_ASSERT_STRING_EQUAL(m.u.reconnect.host, "pool.example");
  CU_ASSERT_EQUAL(m.u.reconnect.port, 3333);
  CU_ASSERT_EQUAL(m.u.reconnect.wait_s, 5);
  stratum_msg_free(&m);
  CU_ASSERT_EQUAL_FATAL(parse("{\"id\":8,\"method\":\"client.reconnect\",\"params\":[]}", &m), 0);
  CU_ASSERT_STRING_EQUAL(m.u.reconnect.host, "");
  CU_ASSERT_EQUAL(m.u.reconnect.port, 0);
  stratum_msg_free(&m);
  /* Control characters never reach a terminal. */
  CU_ASSERT_EQUAL_FATAL(
      parse("{\"method\":\"client.show_message\",\"params\":[\"hi\\u001b[2Jthere\"]}", &m), 0);
  CU_ASSERT_STRING_EQUAL(m.u.message, "hi?[2Jthere");
  stratum_msg_free(&m);
  CU_ASSERT_EQUAL_FATAL(parse("{\"id\":9,\"method\":\"client.get_version\",\"params\":[]}", &m), 0);
  CU_ASSERT_EQUAL(m.kind, STRATUM_GET_VERSION);
  CU_ASSERT_TRUE(m.has_id);
  CU_ASSERT_EQUAL(m.id, 9);
  stratum_msg_free(&m);
  CU_ASSERT_EQUAL_FATAL(parse("{\"id\":10,\"method\":\"mining.frobnicate\",\"params\":[1]}", &m),
                        0);
  CU_ASSERT_EQUAL(m.kind, STRATUM_UNKNOWN); /* ignored, not an error */
  stratum_msg_free(&m);
}

static void test_responses(void)
{
  struct stratum_msg m;
  CU_ASSERT_EQUAL_FATAL(
      parse("{\"id\":1,\"result\":[[[\"mining.notify\",\"ae6812eb4cd7735a302a8a9dd95cf71f\"]],"
            "\"08000002\",4],\"error\":null}",
            &m),
      0);
  CU_ASSERT_EQUAL(m.kind, STRATUM_RESPONSE);
  CU_ASSERT_EQUAL(m.id, 1);
  CU_ASSERT_PTR_NULL(m.error);
  uint8_t en1[SYNTH_EXTRANONCE_MAX];
  size_t en1_len, en2_size;
  char why[256];
  CU_ASSERT_EQUAL(stratum_subscribe_result(m.result, en1, &en1_len, &en2_size, why, sizeof why), 0);
  CU_ASSERT_EQUAL(en1_len, 4);
  CU_ASSERT_EQUAL(en1[0], 8);
  CU_ASSERT_EQUAL(en2_size, 4);
  stratum_msg_free(&m);
  CU_ASSERT_EQUAL_FATAL(
      parse("{\"id\":4,\"result\":null,\"error\":[23,\"Low difficulty share\",null]}", &m), 0);
  CU_ASSERT_PTR_NOT_NULL(m.error);
  stratum_msg_free(&m);
  CU_ASSERT_EQUAL_FATAL(parse("{\"id\":2,\"result\":{\"version-rolling\":true,\"version-rolling."
                              "mask\":\"1fffe000\"},\"error\":null}",
                              &m),
                        0);
  bool rolling;
  uint32_t mask;
  CU_ASSERT_EQUAL(stratum_configure_result(m.result, &rolling, &mask, why, sizeof why), 0);
  CU_ASSERT_TRUE(rolling);
  CU_ASSERT_EQUAL(mask, 0x1fffe000u);
  stratum_msg_free(&m);
  /* Bad subscribe results are refused, not half used. */
  static const char *const bad_subscribe[] = {
      "{\"id\":1,\"result\":[[],\"0800000\",4],\"error\":null}",            /* odd hex */
      "{\"id\":1,\"result\":[[],\"080000020800000208\",4],\"error\":null}", /* 9 bytes */
      "{\"id\":1,\"result\":[[],\"08000002\",0],\"error\":null}",
      "{\"id\":1,\"result\":[[],\"08000002\",9],\"error\":null}",
      "{\"id\":1,\"result\":[[],\"08000002\"],\"error\":null}",
      "{\"id\":1,\"result\":true,\"error\":null}",
  };
  for (size_t i = 0; i < sizeof bad_subscribe / sizeof bad_subscribe[0]; i++) {
    CU_ASSERT_EQUAL_FATAL(parse(bad_subscribe[i], &m), 0);
    CU_ASSERT_EQUAL(stratum_subscribe_result(m.result, en1, &en1_len, &en2_size, why, sizeof why),
                    -1);
    stratum_msg_free(&m);
  }
}

/* Every one of these is refused with a reason, none crashes or reads past its line. */
static void test_hostile(void)
{
  static const char *const lines[] = {
      "",
      "not json",
      "[1,2,3]",
      "{\"id\":1}",
      "{\"id\":1,\"id\":2,\"result\":true}", /* duplicate key */
      "{\"method\":5,\"params\":[]}",
      "{\"method\":\"mining.notify\",\"params\":{}}",
      "{\"method\":\"mining.notify\",\"params\":[\"j\"]}",
      "{\"method\":\"mining.set_difficulty\",\"params\":[-1]}",
      "{\"method\":\"mining.set_difficulty\",\"params\":[\"1\"]}",
      "{\"method\":\"mining.set_difficulty\",\"params\":[0]}",
      "{\"method\":\"mining.set_extranonce\",\"params\":[\"zz\",4]}",
      "{\"method\":\"mining.set_extranonce\",\"params\":[\"abcd\",0]}",
      "{\"method\":\"mining.set_extranonce\",\"params\":[\"abcd\",9]}",
      "{\"method\":\"mining.set_extranonce\",\"params\":[\"000000000000000000\",4]}",
      "{\"method\":\"mining.set_version_mask\",\"params\":[\"1fffe00\"]}",
      "{\"method\":\"client.reconnect\",\"params\":[\"evil host\",3333,0]}",
      "{\"method\":\"client.reconnect\",\"params\":[\"h\",70000,0]}",
      "{\"method\":\"client.reconnect\",\"params\":[\"h\",3333,-5]}",
      "{\"method\":\"client.show_message\",\"params\":[5]}",
  };
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    struct stratum_msg m;
    char why[256] = "";
    int rc = stratum_msg_parse(lines[i], strlen(lines[i]), &m, why, sizeof why);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT(strlen(why) > 0);
    if (rc == 0)
      stratum_msg_free(&m);
  }
  /* Notify fields, each broken in turn inside an otherwise valid message. */
  static const char *const swaps[][2] = {
      {"\"bf\"", "\"b\\u0001f\""},               /* control character in the job id */
      {"\"bf\"", "\"\""},                        /* empty job id */
      {"4d16b6f8", "4d16b6fg"},                  /* not hex */
      {"4d16b6f85af6", "4d16b6f85af"},           /* odd length prevhash */
      {"\"00000002\"", "\"0000002\""},           /* short version */
      {"\"1c2ac4af\"", "1"},                     /* nbits not a string */
      {"false]", "0]"},                          /* clean_jobs not a boolean */
      {"[\"57351e85", "[5,\"57351e85"},          /* branch not a string */
      {"ed988ac00000000\"", "ed988ac0000000\""}, /* odd coinb2 */
  };
  for (size_t i = 0; i < sizeof swaps / sizeof swaps[0]; i++) {
    char line[4096];
    const char *at = strstr(notify_line, swaps[i][0]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    size_t pre = (size_t)(at - notify_line);
    snprintf(line, sizeof line, "%.*s%s%s", (int)pre, notify_line, swaps[i][1],
             at + strlen(swaps[i][0]));
    struct stratum_msg m;
    CU_ASSERT_EQUAL(parse(line, &m), -1);
  }
  /* 33 branches, a coinbase over 4 KiB, a line over the bound. */
  static char big[40000];
  int n = snprintf(big, sizeof big,
                   "{\"method\":\"mining.notify\",\"params\":[\"j\",\"%064d\",\"00\",\"00\",[", 0);
  for (int i = 0; i < 33; i++)
    n += snprintf(big + n, sizeof big - (size_t)n, "%s\"%064d\"", i ? "," : "", 0);
  snprintf(big + n, sizeof big - (size_t)n, "],\"00000002\",\"1c2ac4af\",\"504e86b9\",true]}");
  struct stratum_msg m;
  CU_ASSERT_EQUAL(parse(big, &m), -1);
  n = snprintf(big, sizeof big, "{\"method\":\"mining.notify\",\"params\":[\"j\",\"%064d\",\"", 0);
  for (int i = 0; i < 4097; i++)
    n += snprintf(big + n, sizeof big - (size_t)n, "00");
  snprintf(big + n, sizeof big - (size_t)n,
           "\",\"00\",[],\"00000002\",\"1c2ac4af\",\"504e86b9\",true]}");
  CU_ASSERT_EQUAL(parse(big, &m), -1);
  memset(big, ' ', sizeof big - 1);
  big[0] = '{';
  big[sizeof big - 2] = '}';
  big[sizeof big - 1] = 0;
  char why[128];
  CU_ASSERT_EQUAL(stratum_msg_parse(big, sizeof big - 1, &m, why, sizeof why), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "longer"));
}

static void test_submit_line(void)
{
  struct synth_share share = {.job_id = "t1",
                              .extranonce2 = {0x01, 0x02, 0x03, 0x04},
                              .extranonce2_size = 4,
                              .ntime = 0x504e86b9,
                              .nonce = 0x0000abcd,
                              .version = 0x30006000,
                              .version_bits = 0x00006000};
  char line[512];
  int n = stratum_submit_line(line, sizeof line, 42, "wor\"ker", "bf", &share, 0);
  CU_ASSERT(n > 0);
  CU_ASSERT_STRING_EQUAL(line, "{\"id\":42,\"method\":\"mining.submit\",\"params\":[\"wor\\\"ker\","
                               "\"bf\",\"01020304\",\"504e86b9\",\"0000abcd\"]}\n");
  /* Rolling: the whole masked part of the header's version, the job's bit 28 included. */
  n = stratum_submit_line(line, sizeof line, 43, "w", "bf", &share, 0x1fffe000);
  CU_ASSERT_PTR_NOT_NULL(strstr(line, "\"0000abcd\",\"10006000\"]}\n"));
  CU_ASSERT_EQUAL(stratum_submit_line(line, 40, 44, "w", "bf", &share, 0x1fffe000), -1);
}

SYNTH_TEST_MAIN("stratum_msg", SYNTH_TEST(test_notify), SYNTH_TEST(test_other_requests),
                SYNTH_TEST(test_responses), SYNTH_TEST(test_hostile), SYNTH_TEST(test_submit_line))
