/* bench_cpu_ops.c: instructions per nonce of each CPU scan core, counted exactly by
 * single-stepping a child that scans, and the vector ones sorted by what they cost.
 *
 *   bench_cpu_ops [--nonces N] [CORE...]        (x86-64 Linux; default: every core here runs)
 *
 * The child scans N and then 2N nonces of the known-answer payload with a target no nonce
 * meets early; the difference of the two counts, divided by N, leaves the per-nonce work alone
 * (set-up, the first poll and the exit cancel). Each stepped instruction is decoded from the
 * parent's own copy of the code (a fork: the same text at the same addresses) far enough to
 * sort it:
 *
 *   vec ops     SIMD instructions that compute (VEX, EVEX, legacy SSE), loads folded into them
 *               counted here and again under "folded"; on two 512-bit ports (Intel) the rate
 *               limit is vec ops / 2 cycles
 *   shift/rot   of vec ops, shifts and rotates: one port only for 512 bits on Intel
 *   copies      register-to-register vector moves (renamed away on most cores, still decoded)
 *   ld / st     vector loads and stores (spills, reloads, constants) outside vec ops
 *   other       scalar, mask-register and everything else
 */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sha256d/sha256d_cores.h"
#include "sha256d/sha256d_payload.h"

enum op_class { OP_VEC, OP_SHIFT, OP_FOLDED, OP_COPY, OP_LOAD, OP_STORE, OP_OTHER, OP_CLASSES };
static const char *const class_names[OP_CLASSES] = {"vec ops", "shift/rot", "folded", "copies",
                                                    "ld",      "st",        "other"};

struct op_counts {
  uint64_t total, by_class[OP_CLASSES];
};

/* Opcode map (1 = 0F, 2 = 0F38, 3 = 0F3A), opcode and ModRM of a SIMD instruction at p, or
 * map 0 when it is not one. */
struct simd_insn {
  int map, opcode, modrm;
};

static struct simd_insn decode(const uint8_t *p)
{
  struct simd_insn in = {0, 0, 0};
  int sse = 0;
  for (;; p++) { /* legacy prefixes; 66/F2/F3 select SSE forms */
    if (*p == 0x66 || *p == 0xf2 || *p == 0xf3)
      sse = 1;
    else if (!(*p == 0x67 || *p == 0xf0 || *p == 0x2e || *p == 0x3e || *p == 0x26 || *p == 0x36 ||
               *p == 0x64 || *p == 0x65))
      break;
  }
  if (*p == 0x62) /* EVEX: 62 P0 P1 P2 opcode ModRM */
    return (struct simd_insn){p[1] & 7, p[4], p[5]};
  if (*p == 0xc5) /* two-byte VEX: map 0F */
    return (struct simd_insn){1, p[2], p[3]};
  if (*p == 0xc4)
    return (struct simd_insn){p[1] & 0x1f, p[3], p[4]};
  if ((*p & 0xf0) == 0x40) /* REX */
    p++;
  if (*p != 0x0f)
    return in;
  if (p[1] == 0x38 || p[1] == 0x3a)
    return (struct simd_insn){p[1] == 0x38 ? 2 : 3, p[2], p[3]};
  int op = p[1];
  /* Legacy SSE integer and move opcodes; SSE2's packed-integer space is 60-7F and D0-FF. */
  if ((op >= 0x60 && op <= 0x7f && sse) || (op >= 0xd0 && sse) || op == 0x28 || op == 0x29 ||
      op == 0x10 || op == 0x11)
    return (struct simd_insn){1, op, p[2]};
  return in;
}

/* Map 0F's vector moves (in: loads or copies; out: stores or copies) and mask instructions. */
static bool move_in(int op)
{
  return op == 0x6f || op == 0x28 || op == 0x10;
}

static bool move_out(int op)
{
  return op == 0x7f || op == 0x29 || op == 0x11 || op == 0xe7;
}

static bool mask_op(int op)
{
  return (op >= 0x41 && op <= 0x4b) || (op >= 0x90 && op <= 0x93) || op == 0x98 || op == 0x99;
}

/* Shifts and rotates: by an immediate, by a vector, per lane; and the funnel shifts. */
static bool shift_op(int map, int op)
{
  if (map == 1)
    return (op >= 0x71 && op <= 0x73) || (op >= 0xd1 && op <= 0xd3) || op == 0xe1 || op == 0xe2 ||
           (op >= 0xf1 && op <= 0xf3);
  if (map == 2)
    return op == 0x14 || op == 0x15 || (op >= 0x45 && op <= 0x47);
  return map == 3 && op >= 0x70 && op <= 0x73;
}

static enum op_class classify(const uint8_t *p, int *folded)
{
  struct simd_insn in = decode(p);
  *folded = 0;
  if (in.map == 0)
    return OP_OTHER;
  int reg = (in.modrm >> 6) == 3;
  if (in.map == 1 && (move_in(in.opcode) || move_out(in.opcode)))
    return reg ? OP_COPY : move_in(in.opcode) ? OP_LOAD : OP_STORE;
  if (in.map == 1 && mask_op(in.opcode))
    return OP_OTHER;
  *folded = !reg;
  return shift_op(in.map, in.opcode) ? OP_SHIFT : OP_VEC;
}

/* Every instruction the child runs from its start to its exit, sorted; -1 when tracing fails. */
static int count_scan(const struct synth_cpu_core *core, const void *payload, uint32_t nonces,
                      struct op_counts *out)
{
  memset(out, 0, sizeof *out);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    uint32_t hits[64];
    atomic_uint epoch = 0;
    struct synth_scan_ctl ctl = {.epoch_now = &epoch, .hits = hits, .max_hits = 64};
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
      _exit(1);
    raise(SIGSTOP);
    core->scan(payload, 0, nonces, &ctl);
    _exit(0);
  }
  int status;
  if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
    return -1;
  for (;;) {
    if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) != 0 || waitpid(pid, &status, 0) != pid)
      return -1;
    if (WIFEXITED(status))
      return WEXITSTATUS(status) == 0 ? 0 : -1;
    if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    long rip = ptrace(PTRACE_PEEKUSER, pid, (void *)offsetof(struct user_regs_struct, rip), NULL);
    int folded;
    /* The parent's text is the child's (a fork without exec); the vDSO is too. */
    enum op_class c = classify((const uint8_t *)(uintptr_t)rip, &folded);
    out->total++;
    out->by_class[c]++;
    if (c == OP_SHIFT)
      out->by_class[OP_VEC]++;
    out->by_class[OP_FOLDED] += (uint64_t)folded;
  }
}

static int count_core(const struct synth_cpu_core *core, uint32_t nonces)
{
  uint8_t header[80], target[32];
  for (int i = 0; i < 80; i++)
    header[i] = (uint8_t)(i * 37 + 11);
  memset(target, 0, sizeof target); /* top word 0: survivors 1 in 2^32, none in this range */
  target[0] = 1;
  struct synth__sha256d_payload p;
  synth__sha256d_payload_init(&p, header, target);
  struct op_counts one, two;
  if (count_scan(core, &p, nonces, &one) != 0 || count_scan(core, &p, 2 * nonces, &two) != 0) {
    fprintf(stderr, "bench_cpu_ops: could not trace core %s\n", core->name);
    return -1;
  }
  double n = nonces;
  printf("%-14s %8.1f", core->name, (double)(two.total - one.total) / n);
  for (int c = 0; c < OP_CLASSES; c++)
    printf(" %9.1f", (double)(two.by_class[c] - one.by_class[c]) / n);
  printf("\n");
  fflush(stdout);
  return 0;
}

static int named(const char *name, int argc, char **argv, int first)
{
  if (first >= argc)
    return 1;
  for (int i = first; i < argc; i++) {
    if (strcmp(argv[i], name) == 0)
      return 1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  uint32_t nonces = 1024;
  int first = 1;
  if (argc > 2 && strcmp(argv[1], "--nonces") == 0) {
    nonces = (uint32_t)strtoul(argv[2], NULL, 0);
    first = 3;
  }
  if (nonces == 0 || nonces > (1u << 24)) {
    fprintf(stderr, "usage: %s [--nonces N] [CORE...]\n", argv[0]);
    return 2;
  }
  printf("per nonce, from %u and %u nonces\n%-14s %8s", nonces, 2 * nonces, "CORE", "instr");
  for (int c = 0; c < OP_CLASSES; c++)
    printf(" %9s", class_names[c]);
  printf("\n");
  int failed = 0;
  for (const struct synth_cpu_core *c = synth__sha256d_cpu_cores; c->scan; c++) {
    if (named(c->name, argc, argv, first) && (!c->supported || c->supported()))
      failed |= count_core(c, nonces);
  }
  return failed ? 1 : 0;
}
