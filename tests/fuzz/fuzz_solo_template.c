/* fuzz_solo_template.c: libFuzzer target for the getblocktemplate reader and the job and block
 * made from what it accepts. Every input must be refused or parsed, never crash, leak or read
 * out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "pool/solo_job.h"
#include "pool/solo_template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct synth__solo_template t;
  char why[256];
  if (synth__solo_template_parse_text((const char *)data, size, &t, why, sizeof why) != 0)
    return 0;
  static const uint8_t payout[] = {0x51}, en1[4] = {1, 2, 3, 4}, en2[4] = {5, 6, 7, 8};
  struct synth__solo_job_spec spec = {payout, sizeof payout, NULL, 0, en1};
  struct synth__solo_job j;
  if (synth__solo_job_build(&t, &spec, &j, why, sizeof why) == 0) {
    uint8_t header[80], *block;
    size_t len;
    if (synth__solo_job_block(&j, en2, j.job.ntime, j.job.version, 0, header, &block, &len) == 0)
      free(block);
  }
  synth__solo_template_free(&t);
  return 0;
}
