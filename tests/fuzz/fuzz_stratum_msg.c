/* fuzz_stratum_msg.c: libFuzzer target for the pool message parser and what reads its results.
 * Every input must be refused or parsed, never crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pool/stratum_msg.h"
#include "pool/stratum_work.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct stratum_msg m;
  char why[256];
  if (stratum_msg_parse((const char *)data, size, &m, why, sizeof why) != 0)
    return 0;
  if (m.kind == STRATUM_RESPONSE) {
    uint8_t en1[SYNTH_EXTRANONCE_MAX];
    size_t en1_len, en2_size;
    bool rolling;
    uint32_t mask;
    (void)stratum_subscribe_result(m.result, en1, &en1_len, &en2_size, why, sizeof why);
    (void)stratum_configure_result(m.result, &rolling, &mask, why, sizeof why);
  } else if (m.kind == STRATUM_NOTIFY) {
    struct stratum_session ses = {.extranonce1_len = 4, .extranonce2_size = 4, .difficulty = 1};
    struct synth_job job;
    (void)stratum_job_from_notify(m.u.notify, &ses, true, &job);
  }
  stratum_msg_free(&m);
  return 0;
}
