/* mpi_coord.c: the root's half of synth_mpi: chunks sized by each rank's rate and shrinking
 * towards the end, lost ranks' chunks handed out again, hits delivered once each. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"
#include "synth/error.h"

#define FIRST_CHUNK (1ull << 22) /* before a rank's rate is known: a moment's work anywhere */
#define MIN_CHUNK (1ull << 14)

int coord_init(struct synth_mpi *m)
{
  struct coord *c = &m->c;
  memset(c, 0, sizeof *c);
  c->next = m->cfg.work.start;
  c->end = m->cfg.work.end;
  c->ranks = calloc((size_t)m->ranks, sizeof *c->ranks);
  c->seen_cap = 1024;
  c->seen = calloc(c->seen_cap, sizeof *c->seen);
  if (!c->ranks || !c->seen)
    return SYNTH_ENOMEM;
  uint64_t now = mpi_now_ns();
  for (int r = 0; r < m->ranks; r++)
    c->ranks[r].heard_ns = c->ranks[r].told_ns = now;
  return 0;
}

void coord_free(struct synth_mpi *m)
{
  struct coord *c = &m->c;
  free(c->chunks);
  free(c->redo);
  free(c->ranks);
  free(c->seen);
  memset(c, 0, sizeof *c);
}

/* ---- hits, once each ---- */

static uint64_t mix(uint64_t x)
{
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

/* Adds index; false when it was there already (a chunk hashed twice, a rank lost). */
static bool seen_add(struct coord *c, uint64_t index)
{
  if (index == 0) {
    bool fresh = !c->seen_zero;
    c->seen_zero = true;
    return fresh;
  }
  if (2 * (c->seen_n + 1) > c->seen_cap) {
    size_t cap = 2 * c->seen_cap;
    uint64_t *grown = calloc(cap, sizeof *grown);
    if (!grown)
      return true; /* no room to remember it: delivered, and only a repeat could follow */
    for (size_t i = 0; i < c->seen_cap; i++)
      for (size_t j = mix(c->seen[i]) & (cap - 1); c->seen[i]; j = (j + 1) & (cap - 1))
        if (!grown[j]) {
          grown[j] = c->seen[i];
          break;
        }
    free(c->seen);
    c->seen = grown;
    c->seen_cap = cap;
  }
  for (size_t j = mix(index) & (c->seen_cap - 1);; j = (j + 1) & (c->seen_cap - 1)) {
    if (c->seen[j] == index)
      return false;
    if (!c->seen[j]) {
      c->seen[j] = index;
      c->seen_n++;
      return true;
    }
  }
}

static void deliver(struct synth_mpi *m, int from, const struct wire_hit *h)
{
  struct coord *c = &m->c;
  if (c->finished || atomic_load(&m->cancel) || !seen_add(c, h->index))
    return;
  struct synth_verdict v = {.hash_size = h->hash_size, .meets_target = h->meets != 0};
  memcpy(v.hash, h->hash, h->hash_size <= sizeof v.hash ? h->hash_size : sizeof v.hash);
  pthread_mutex_lock(&m->lock);
  m->stats.hits++;
  pthread_mutex_unlock(&m->lock);
  if (m->cfg.work.on_hit)
    m->cfg.work.on_hit(m->cfg.work.user, h->index, &v, (unsigned)from);
}

/* ---- chunks ---- */

static uint64_t left(const struct coord *c)
{
  uint64_t n = c->end - c->next;
  for (size_t i = 0; i < c->nredo; i++)
    n += c->redo[i].end - c->redo[i].start;
  return n;
}

/* About chunk_s of the rank's rate, at most half its share of what is left (by rate among the
 * live ranks), at least MIN_CHUNK; FIRST_CHUNK while its rate is unknown. */
static uint64_t chunk_size(struct synth_mpi *m, int rank)
{
  struct coord *c = &m->c;
  uint64_t rest = left(c);
  double total = 0, known = 0;
  unsigned live = 0, unknown = 0;
  for (int r = 0; r < m->ranks; r++) {
    if (c->ranks[r].lost)
      continue;
    live++;
    if (c->ranks[r].rate > 0)
      total += c->ranks[r].rate, known++;
    else
      unknown++;
  }
  if (known > 0)
    total += unknown * (total / known); /* the unknown as the average */
  double rate = c->ranks[rank].rate, size;
  if (rate > 0 && total > 0) {
    double chunk_s = m->cfg.chunk_s > 0 ? m->cfg.chunk_s : 1.0;
    size = fmin(rate * chunk_s, 0.5 * (double)rest * rate / total);
  } else {
    size = fmin((double)FIRST_CHUNK, (double)rest / (2.0 * (live ? live : 1)));
  }
  uint64_t n = size < (double)MIN_CHUNK ? MIN_CHUNK : (uint64_t)size;
  return n < rest ? n : rest;
}

static bool add_chunk(struct coord *c, uint64_t start, uint64_t end, int rank, uint64_t *id)
{
  if (c->nchunks == c->chunks_cap) {
    size_t cap = c->chunks_cap ? 2 * c->chunks_cap : 64;
    struct chunk *grown = realloc(c->chunks, cap * sizeof *grown);
    if (!grown)
      return false;
    c->chunks = grown;
    c->chunks_cap = cap;
  }
  c->chunks[c->nchunks] = (struct chunk){start, end, rank, false, false};
  *id = c->nchunks++;
  return true;
}

/* Gives a waiting rank its next chunk: a lost rank's first, else from the frontier. */
static void assign(struct synth_mpi *m, int rank)
{
  struct coord *c = &m->c;
  struct rank_state *rs = &c->ranks[rank];
  if (c->finished || rs->lost || !rs->waiting || left(c) == 0)
    return;
  uint64_t size = chunk_size(m, rank), start, end;
  if (c->nredo) {
    struct range *r = &c->redo[c->nredo - 1];
    start = r->start;
    end = r->end - r->start > size ? r->start + size : r->end;
    r->start = end;
    if (r->start == r->end)
      c->nredo--;
    pthread_mutex_lock(&m->lock);
    m->stats.chunks_reassigned++;
    pthread_mutex_unlock(&m->lock);
  } else {
    start = c->next;
    end = start + size;
    c->next = end;
  }
  uint64_t id;
  if (!add_chunk(c, start, end, rank, &id)) {
    coord_finish(m, SYNTH_ENOMEM);
    return;
  }
  rs->waiting = false;
  rs->held++;
  pthread_mutex_lock(&m->lock);
  m->stats.chunks++;
  pthread_mutex_unlock(&m->lock);
  mpi_log(m, SYNTH_LOG_DEBUG, "chunk %llu: %llu indexes from %llu to rank %d (%.3g H/s)",
          (unsigned long long)id, (unsigned long long)(end - start), (unsigned long long)start,
          rank, rs->rate);
  struct wire_head h = {.type = W_CHUNK, .id = id, .start = start, .end = end};
  rs->told_ns = mpi_now_ns();
  wire_send(m, rank, &h, NULL, 0);
}

static void assign_waiting(struct synth_mpi *m)
{
  for (int r = 0; r < m->ranks; r++)
    assign(m, r);
}

/* A chunk that will not be finished where it is goes back, whole: its hits so far are kept,
 * and any that come again are dropped by the seen set. */
static void redo(struct synth_mpi *m, struct chunk *ch)
{
  struct coord *c = &m->c;
  if (c->nredo == c->redo_cap) {
    size_t cap = c->redo_cap ? 2 * c->redo_cap : 16;
    struct range *grown = realloc(c->redo, cap * sizeof *grown);
    if (!grown) {
      coord_finish(m, SYNTH_ENOMEM);
      return;
    }
    c->redo = grown;
    c->redo_cap = cap;
  }
  c->redo[c->nredo++] = (struct range){ch->start, ch->end};
  ch->rank = -1;
  ch->redone = true;
}

void coord_lose(struct synth_mpi *m, int rank, const char *why)
{
  struct coord *c = &m->c;
  if (rank == m->cfg.root || rank < 0 || rank >= m->ranks || c->ranks[rank].lost)
    return;
  c->ranks[rank].lost = true;
  unsigned moved = 0;
  for (size_t i = 0; i < c->nchunks; i++)
    if (c->chunks[i].rank == rank && !c->chunks[i].done) {
      redo(m, &c->chunks[i]);
      moved++;
    }
  c->ranks[rank].held = 0;
  pthread_mutex_lock(&m->lock);
  m->stats.ranks_lost++;
  pthread_mutex_unlock(&m->lock);
  mpi_log(m, SYNTH_LOG_WARN, "rank %d lost (%s): its %u chunk%s go to the others", rank, why, moved,
          moved == 1 ? "" : "s");
  assign_waiting(m);
}

void coord_finish(struct synth_mpi *m, int result)
{
  struct coord *c = &m->c;
  if (c->finished)
    return;
  c->finished = true;
  c->result = result;
  pthread_mutex_lock(&m->lock);
  unsigned lost = m->stats.ranks_lost;
  pthread_mutex_unlock(&m->lock);
  /* count: ranks lost, so every rank knows (MPI_Finalize would wait for them). */
  struct wire_head h = {.type = W_END, .status = result, .count = lost};
  for (int r = 0; r < m->ranks; r++)
    if (!c->ranks[r].lost && r != m->cfg.root)
      wire_send(m, r, &h, NULL, 0);
  wire_send(m, m->cfg.root, &h, NULL, 0); /* the root's own worker last */
  if (m->cfg.work.on_done)
    m->cfg.work.on_done(m->cfg.work.user, result);
}

static void check_done(struct synth_mpi *m)
{
  struct coord *c = &m->c;
  if (c->finished || left(c))
    return;
  for (size_t i = 0; i < c->nchunks; i++)
    if (!c->chunks[i].done && !c->chunks[i].redone)
      return;
  coord_finish(m, 0);
}

static void on_done(struct synth_mpi *m, int from, const struct wire_head *h)
{
  struct coord *c = &m->c;
  if (h->id >= c->nchunks || c->chunks[h->id].rank != from || c->chunks[h->id].done)
    return; /* a chunk it lost meanwhile: handed out again already */
  struct chunk *ch = &c->chunks[h->id];
  c->ranks[from].held--;
  if (h->status == 0) {
    ch->done = true;
    pthread_mutex_lock(&m->lock);
    m->stats.hashed += h->start;
    pthread_mutex_unlock(&m->lock);
    check_done(m);
    return;
  }
  if (c->finished || h->status == SYNTH_ESTALE)
    return; /* ended by the run's end or cancel */
  redo(m, ch);
  if (h->status == SYNTH_EAGAIN) { /* given back: more than it could hold */
    assign_waiting(m);
    return;
  }
  mpi_log(m, SYNTH_LOG_WARN, "rank %d: chunk %llu failed: %s", from, (unsigned long long)h->id,
          synth_strerror(h->status));
  if (from == m->cfg.root) /* the root's own runtime fails: the run cannot promise the range */
    coord_finish(m, h->status);
  else
    coord_lose(m, from, "its runtime failed");
}

void coord_handle(struct synth_mpi *m, int from, const struct wire_head *h, const void *payload,
                  size_t len)
{
  struct coord *c = &m->c;
  if (from < 0 || from >= m->ranks)
    return;
  struct rank_state *rs = &c->ranks[from];
  rs->heard_ns = mpi_now_ns();
  if (rs->lost && h->type != W_BYE)
    return; /* given up on: what it still says is not counted */
  switch (h->type) {
  case W_REQUEST:
    rs->rate = h->rate > 0 ? h->rate : rs->rate;
    rs->waiting = true;
    assign(m, from);
    break;
  case W_ALIVE:
    rs->rate = h->rate > 0 ? h->rate : rs->rate;
    break;
  case W_DONE:
    on_done(m, from, h);
    break;
  case W_HITS:
    for (size_t i = 0; i < h->count && (i + 1) * sizeof(struct wire_hit) <= len; i++) {
      struct wire_hit hit;
      memcpy(&hit, (const char *)payload + i * sizeof hit, sizeof hit);
      deliver(m, from, &hit);
    }
    break;
  case W_CANCEL:
    coord_finish(m, SYNTH_ESTALE);
    break;
  case W_BYE:
    rs->bye = true;
    break;
  default:
    break;
  }
}

void coord_step(struct synth_mpi *m)
{
  struct coord *c = &m->c;
  uint64_t now = mpi_now_ns(), silence = mpi_silence_ns(m);
  if (atomic_load(&m->cancel) && !c->finished)
    coord_finish(m, SYNTH_ESTALE);
  for (int r = 0; r < m->ranks; r++) {
    struct rank_state *rs = &c->ranks[r];
    if (r == m->cfg.root || rs->lost || rs->bye)
      continue;
    if (now - rs->heard_ns > silence && (rs->held || rs->waiting || c->finished)) {
      char why[64];
      snprintf(why, sizeof why, "silent for %.1f s", (double)(now - rs->heard_ns) * 1e-9);
      coord_lose(m, r, why);
      continue;
    }
    if (!c->finished && now - rs->told_ns > silence / 4) { /* so it knows the root is there */
      struct wire_head h = {.type = W_ALIVE};
      rs->told_ns = now;
      wire_send(m, r, &h, NULL, 0);
    }
  }
}

bool coord_all_gone(struct synth_mpi *m)
{
  for (int r = 0; r < m->ranks; r++)
    if (r != m->cfg.root && !m->c.ranks[r].lost && !m->c.ranks[r].bye)
      return false;
  return true;
}
