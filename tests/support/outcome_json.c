/* outcome_json.c: the JSON document a command printed (outcome_json.h). */
#include "support/outcome_json.h"

#include "support/harness.h"

json_t *synth_test_outcome_json(const struct synth_test_outcome *o)
{
  CU_ASSERT_EQUAL_FATAL(o->status, 0);
  json_error_t e;
  json_t *root = json_loads(o->out, 0, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  return root;
}
