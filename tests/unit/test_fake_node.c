/* test_fake_node.c: placeholder */
#include "support/fake_node.h"
#include "support/harness.h"
static void test_start(void)
{
  struct fake_node *n;
  CU_ASSERT_EQUAL_FATAL(fake_node_start(&n, NULL), 0);
  fake_node_destroy(n);
}
SYNTH_TEST_MAIN("fake_node", SYNTH_TEST(test_start))
