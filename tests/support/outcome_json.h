/* outcome_json.h: the JSON document a command printed, for the tests that run it with --json. */
#ifndef SYNTH_TESTS_OUTCOME_JSON_H
#define SYNTH_TESTS_OUTCOME_JSON_H

#include <jansson.h>

#include "support/spawn.h"

/* The document on @o's stdout, once its program exited 0. Fails the test (fatally) when it did
 * not, or when stdout does not parse: nothing after it could be checked. The caller
 * json_decref()s the result. */
json_t *synth_test_outcome_json(const struct synth_test_outcome *o);

#endif
