/* mpi_wire.c: synth_mpi's messages over MPI: sends that never block, receives of whatever has
 * come, and a rank's messages to itself handled at once (the root is a worker too). */
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"
#include "synth/error.h"

static void count(struct synth_mpi *m, uint64_t *field)
{
  pthread_mutex_lock(&m->lock);
  (*field)++;
  pthread_mutex_unlock(&m->lock);
}

/* A send to `to` failed: the root gives that rank up, a worker has lost the root. */
static void send_failed(struct synth_mpi *m, int to)
{
  if (m->rank == m->cfg.root)
    coord_lose(m, to, "a send to it failed");
  else
    atomic_store(&m->failed, true);
}

void wire_send(struct synth_mpi *m, int to, const struct wire_head *h, const void *payload,
               size_t len)
{
  if (to == m->rank) { /* the root's own worker and coordinator */
    wire_handle(m, to, h, payload, len);
    return;
  }
  struct outbox *o = &m->out;
  if (o->n == o->cap) {
    size_t cap = o->cap ? 2 * o->cap : 16;
    MPI_Request *req = realloc(o->req, cap * sizeof *req);
    if (req)
      o->req = req;
    void **buf = req ? realloc(o->buf, cap * sizeof *buf) : NULL;
    if (!buf) {
      send_failed(m, to);
      return;
    }
    o->buf = buf;
    o->cap = cap;
  }
  size_t size = sizeof *h + len;
  char *b = malloc(size);
  if (!b) {
    send_failed(m, to);
    return;
  }
  memcpy(b, h, sizeof *h);
  if (len)
    memcpy(b + sizeof *h, payload, len);
  if (MPI_Isend(b, (int)size, MPI_BYTE, to, WIRE_TAG, m->comm, &o->req[o->n]) != MPI_SUCCESS) {
    free(b);
    send_failed(m, to);
    return;
  }
  o->buf[o->n++] = b;
  count(m, &m->stats.messages_sent);
}

void wire_flush(struct synth_mpi *m, uint64_t wait_ns)
{
  struct outbox *o = &m->out;
  uint64_t until = mpi_now_ns() + wait_ns;
  do {
    size_t k = 0;
    for (size_t i = 0; i < o->n; i++) {
      int done = 0;
      if (MPI_Test(&o->req[i], &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        done = 1; /* failed: MPI is done with the buffer either way */
      if (done) {
        free(o->buf[i]);
      } else {
        o->req[k] = o->req[i];
        o->buf[k++] = o->buf[i];
      }
    }
    o->n = k;
  } while (o->n && wait_ns && mpi_now_ns() < until);
}

void wire_free(struct synth_mpi *m)
{
  struct outbox *o = &m->out;
  for (size_t i = 0; i < o->n; i++)
    free(o->buf[i]); /* not sent in time: left to MPI_Finalize, which cleans up after them */
  free(o->req);
  free(o->buf);
  memset(o, 0, sizeof *o);
}

int wire_poll(struct synth_mpi *m)
{
  for (int rounds = 0; rounds < 64; rounds++) { /* a busy sender cannot hold the loop */
    int flag = 0;
    MPI_Status st;
    if (MPI_Iprobe(MPI_ANY_SOURCE, WIRE_TAG, m->comm, &flag, &st) != MPI_SUCCESS)
      return -1;
    if (!flag)
      return 0;
    int size = 0;
    MPI_Get_count(&st, MPI_BYTE, &size);
    char *b = malloc(size > 0 ? (size_t)size : 1);
    if (!b)
      return -1;
    if (MPI_Recv(b, size, MPI_BYTE, st.MPI_SOURCE, WIRE_TAG, m->comm, MPI_STATUS_IGNORE) !=
        MPI_SUCCESS) {
      free(b);
      return -1;
    }
    count(m, &m->stats.messages_received);
    if ((size_t)size >= sizeof(struct wire_head)) {
      struct wire_head h;
      memcpy(&h, b, sizeof h);
      wire_handle(m, st.MPI_SOURCE, &h, b + sizeof h, (size_t)size - sizeof h);
    }
    free(b);
  }
  return 0;
}

void wire_handle(struct synth_mpi *m, int from, const struct wire_head *h, const void *payload,
                 size_t len)
{
  bool root = m->rank == m->cfg.root;
  if (from == m->cfg.root)
    m->w.root_heard_ns = mpi_now_ns();
  if (h->type == W_CHUNK && from == m->cfg.root)
    worker_on_chunk(m, h);
  else if (h->type == W_END && from == m->cfg.root)
    worker_on_end(m, h->status, h->count);
  else if (root) /* what workers say, the root's own worker included */
    coord_handle(m, from, h, payload, len);
  /* else: the root's keep-alive, counted above */
}
