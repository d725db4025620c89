/* mpi_worker.c: a rank's half of synth_mpi: asks the root for chunks, hashes each as a work on
 * its own runtime (two in hand, so its devices never wait), and sends back hits and ends. */
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"
#include "synth/error.h"

/* Device threads: each hit of a chunk is queued for the loop to send. */
static void on_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device)
{
  (void)device;
  struct slot *s = user;
  struct synth_mpi *m = s->m;
  struct worker *w = &m->w;
  if (atomic_load(&m->cancel))
    return;
  pthread_mutex_lock(&m->lock);
  if (w->nhits == w->hits_cap) {
    size_t cap = w->hits_cap ? 2 * w->hits_cap : 64;
    struct wire_hit *grown = realloc(w->hits, cap * sizeof *grown);
    if (!grown) { /* said by the loop: the run cannot promise every hit any more */
      atomic_store(&m->failed, true);
      pthread_mutex_unlock(&m->lock);
      return;
    }
    w->hits = grown;
    w->hits_cap = cap;
  }
  struct wire_hit *h = &w->hits[w->nhits++];
  memset(h, 0, sizeof *h);
  h->chunk = s->id;
  h->index = index;
  h->hash_size = v->hash_size <= SYNTH_VERDICT_HASH_MAX ? v->hash_size : SYNTH_VERDICT_HASH_MAX;
  memcpy(h->hash, v->hash, h->hash_size);
  h->meets = v->meets_target;
  pthread_mutex_unlock(&m->lock);
}

/* Called once, after the chunk's last on_hit returned. */
static void on_done(void *user, int status)
{
  struct slot *s = user;
  atomic_store_explicit(&s->status, status, memory_order_relaxed);
  atomic_store_explicit(&s->done, true, memory_order_release);
}

static void say(struct synth_mpi *m, uint32_t type, uint64_t id, uint64_t start, int status)
{
  struct wire_head h = {.type = type, .id = id, .start = start, .status = status};
  m->w.sent_ns = mpi_now_ns();
  wire_send(m, m->cfg.root, &h, NULL, 0);
}

void worker_on_chunk(struct synth_mpi *m, const struct wire_head *h)
{
  struct worker *w = &m->w;
  w->requested = false;
  struct slot *s = NULL;
  for (unsigned i = 0; i < SLOTS && !s; i++)
    if (!w->slots[i].used)
      s = &w->slots[i];
  if (w->ended || !s) { /* the root gave more than was asked: given back undone */
    say(m, W_DONE, h->id, 0, SYNTH_EAGAIN);
    return;
  }
  if (!w->first_ns)
    w->first_ns = mpi_now_ns();
  *s = (struct slot){.used = true, .id = h->id, .start = h->start, .end = h->end, .m = m};
  atomic_init(&s->done, false);
  atomic_init(&s->status, 0);
  struct synth_work_config wc = m->cfg.work;
  wc.data = m->data;
  wc.start = h->start;
  wc.end = h->end;
  wc.on_hit = on_hit;
  wc.on_done = on_done;
  wc.user = s;
  wc.timeout_ms = 0;
  wc.replace = 0;
  pthread_mutex_lock(&m->lock);
  m->stats.chunks++;
  pthread_mutex_unlock(&m->lock);
  int rc = synth_runtime_submit(m->cfg.rt, &wc, &s->work);
  if (rc != 0) {
    s->used = false;
    mpi_log(m, SYNTH_LOG_ERROR, "rank %d: cannot hash chunk %llu: %s", m->rank,
            (unsigned long long)h->id, synth_strerror(rc));
    say(m, W_DONE, h->id, 0, rc);
  }
}

/* Ends every chunk in hand (no callback runs after) and forgets it. */
static void drop_slots(struct synth_mpi *m)
{
  for (unsigned i = 0; i < SLOTS; i++) {
    struct slot *s = &m->w.slots[i];
    if (!s->used)
      continue;
    synth_work_cancel(s->work);
    pthread_mutex_lock(&m->lock);
    if (m->rank != m->cfg.root) /* the root counts chunks done, by any rank */
      m->stats.hashed += synth_work_hashed(s->work);
    pthread_mutex_unlock(&m->lock);
    synth_work_release(s->work);
    s->used = false;
  }
}

void worker_on_end(struct synth_mpi *m, int status, unsigned lost)
{
  struct worker *w = &m->w;
  if (w->ended)
    return;
  w->ended = true;
  w->result = status;
  if (m->rank != m->cfg.root) {
    pthread_mutex_lock(&m->lock);
    m->stats.ranks_lost = lost;
    pthread_mutex_unlock(&m->lock);
  }
  atomic_store(&m->cancel, true); /* hits from here on are not the run's */
  drop_slots(m);
  if (m->rank != m->cfg.root)
    say(m, W_BYE, 0, 0, 0); /* the last it sends */
}

/* This rank's rate so far: what it hashed since its first chunk came. */
static double rate(struct synth_mpi *m)
{
  struct worker *w = &m->w;
  if (!w->first_ns)
    return 0;
  uint64_t hashed = w->hashed_done;
  for (unsigned i = 0; i < SLOTS; i++)
    if (w->slots[i].used)
      hashed += synth_work_hashed(w->slots[i].work);
  double s = (double)(mpi_now_ns() - w->first_ns) * 1e-9;
  return s > 0.05 ? (double)hashed / s : 0; /* too early to say */
}

/* The hits queued so far, in messages of HITS_PER_MESSAGE: when a chunk ended (before its end
 * is said), when a message is full, or HITS_EVERY_NS after the last (a proof of work's first
 * hit reaches the root soon); not at every turn of the loop. */
#define HITS_EVERY_NS 50000000ull
static void send_hits(struct synth_mpi *m, bool now)
{
  struct worker *w = &m->w;
  pthread_mutex_lock(&m->lock);
  if (!w->nhits ||
      (!now && w->nhits < HITS_PER_MESSAGE && mpi_now_ns() - w->hits_sent_ns < HITS_EVERY_NS)) {
    pthread_mutex_unlock(&m->lock);
    return;
  }
  w->hits_sent_ns = mpi_now_ns();
  struct wire_hit *hits = w->hits;
  size_t n = w->nhits;
  w->hits = NULL;
  w->nhits = w->hits_cap = 0;
  m->stats.hits += m->rank == m->cfg.root ? 0 : n;
  pthread_mutex_unlock(&m->lock);
  for (size_t i = 0; i < n; i += HITS_PER_MESSAGE) {
    size_t k = n - i < HITS_PER_MESSAGE ? n - i : HITS_PER_MESSAGE;
    struct wire_head h = {.type = W_HITS, .count = (uint32_t)k};
    w->sent_ns = mpi_now_ns();
    wire_send(m, m->cfg.root, &h, hits + i, k * sizeof *hits);
  }
  free(hits);
}

void worker_step(struct synth_mpi *m)
{
  struct worker *w = &m->w;
  if (w->ended)
    return;
  if (atomic_load(&m->cancel) && !w->cancel_sent) {
    w->cancel_sent = true;
    say(m, W_CANCEL, 0, 0, SYNTH_ESTALE);
  }
  /* The chunks done before their hits are sent: every hit of a chunk was queued before it
   * ended, so its hits leave before its end. */
  bool done[SLOTS], any = false;
  for (unsigned i = 0; i < SLOTS; i++) {
    done[i] = w->slots[i].used && atomic_load_explicit(&w->slots[i].done, memory_order_acquire);
    any |= done[i];
  }
  send_hits(m, any);
  for (unsigned i = 0; i < SLOTS; i++) {
    struct slot *s = &w->slots[i];
    if (!done[i])
      continue;
    uint64_t hashed = synth_work_hashed(s->work);
    int status = atomic_load_explicit(&s->status, memory_order_relaxed);
    synth_work_release(s->work);
    s->used = false;
    w->hashed_done += hashed;
    pthread_mutex_lock(&m->lock);
    m->stats.hashed += m->rank == m->cfg.root ? 0 : hashed;
    pthread_mutex_unlock(&m->lock);
    say(m, W_DONE, s->id, hashed, status);
    if (w->ended)
      return; /* the root answered it at once (it was the last) */
  }
  unsigned held = 0;
  for (unsigned i = 0; i < SLOTS; i++)
    held += w->slots[i].used;
  if (!w->requested && held < SLOTS && !atomic_load(&m->cancel)) {
    w->requested = true;
    struct wire_head h = {.type = W_REQUEST, .rate = rate(m)};
    w->sent_ns = mpi_now_ns();
    wire_send(m, m->cfg.root, &h, NULL, 0);
  }
  if (m->rank != m->cfg.root && mpi_now_ns() - w->sent_ns > mpi_silence_ns(m) / 4) {
    struct wire_head h = {.type = W_ALIVE, .rate = rate(m)};
    w->sent_ns = mpi_now_ns();
    wire_send(m, m->cfg.root, &h, NULL, 0);
  }
}

void worker_free(struct synth_mpi *m)
{
  drop_slots(m);
  free(m->w.hits);
  m->w.hits = NULL;
}
