/* gbt_template.h: a getblocktemplate result of Bitcoin Core's shape, for the solo tests: two
 * transactions, the second segwit (its hash differs from its txid), the second depending on the
 * first, a coinbaseaux flag and a default_witness_commitment. */
#ifndef SYNTH_TESTS_GBT_TEMPLATE_H
#define SYNTH_TESTS_GBT_TEMPLATE_H

#define H64(c)                                                                                     \
  c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
      c c c c c c c c c c c c c c c c

static const char synth_test_gbt_valid[] =
    "{\"capabilities\":[\"proposal\"],\"version\":536870912,"
    "\"rules\":[\"csv\",\"!segwit\",\"taproot\"],\"vbavailable\":{},\"vbrequired\":0,"
    "\"previousblockhash\":\"00000000000000000001a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7\","
    "\"transactions\":["
    "{\"data\":\"0100000001aa\",\"txid\":\"" H64("1") "\",\"hash\":\"" H64(
        "1") "\",\"depends\":[],\"fee\":1000,\"sigops\":4,\"weight\":400},"
             "{\"data\":\"02000000000101bb\",\"txid\":\"" H64("2") "\",\"hash\":\"" H64(
                 "3") "\",\"depends\":[1],\"fee\":250,\"sigops\":1,\"weight\":561}],"
                      "\"coinbaseaux\":{\"flags\":\"0a0b\"},\"coinbasevalue\":312501250,"
                      "\"longpollid\":\"00000000000000000001a2b3c4d5e6f7123\","
                      "\"target\":"
                      "\"000000000000000004a1b0000000000000000000000000000000000000000000\","
                      "\"mintime\":1700000000,\"mutable\":[\"time\",\"transactions\",\"prevblock\"]"
                      ","
                      "\"noncerange\":\"00000000ffffffff\",\"sigoplimit\":80000,\"sizelimit\":"
                      "4000000,"
                      "\"weightlimit\":4000000,\"curtime\":1700001234,\"bits\":\"17034219\","
                      "\"height\":820000,"
                      "\"default_witness_commitment\":"
                      "\"6a24aa21a9ed" H64("c") "\"}";

#endif
