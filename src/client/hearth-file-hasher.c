/* hearth-file-hasher.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthScanner"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hearth-chunk-reader.h"
#include "hearth-file-hasher.h"

/* A file whose ctime is this close to when we began reading it may change
 * again within the same tick of the kernel's coarse file-time clock without
 * its metadata changing (git's "racily clean" case). Such an entry is
 * recorded with ctime_ns 0, so the next scan reads it once more. */
#define RACY_WINDOW_NS  (G_GINT64_CONSTANT (100) * 1000 * 1000)

/* A file that keeps changing while read is tried this often in one scan,
 * then left for the next one. */
#define CHANGING_TRIES  3

struct _HearthFileHasher
{
  GThreadPool  *pool;
  GAsyncQueue  *readers;     /* one HearthChunkReader per thread */
  GAsyncQueue  *results;
  GCancellable *cancellable;
  guint         in_flight;   /* owned by the pushing thread */
  gsize         bytes_read;  /* atomic */
};

typedef struct
{
  HearthFileHasher *hasher;
  HearthHashBatch  *batch;
} Work;

static void
hash_item_clear (gpointer data)
{
  HearthHashItem *item = data;

  g_clear_pointer (&item->path, g_free);
  g_clear_pointer (&item->descriptor, hearth_file_descriptor_unref);
  g_clear_pointer (&item->message, g_free);
}

/**
 * hearth_hash_batch_new:
 * @dir_fd: a directory descriptor, which the batch now owns
 */
HearthHashBatch *
hearth_hash_batch_new (int dir_fd)
{
  HearthHashBatch *batch = g_new0 (HearthHashBatch, 1);

  batch->dir_fd = dir_fd;
  batch->items = g_array_new (FALSE, TRUE, sizeof (HearthHashItem));
  g_array_set_clear_func (batch->items, hash_item_clear);
  return batch;
}

void
hearth_hash_batch_add (HearthHashBatch      *batch,
                       const char           *path,
                       const HearthFileStat *stat,
                       gboolean              is_new)
{
  HearthHashItem item = { 0 };
  const char *slash;

  item.path = g_strdup (path);
  slash = strrchr (item.path, '/');
  item.name = slash != NULL ? slash + 1 : item.path;
  item.is_new = is_new;
  item.stat = *stat;
  g_array_append_val (batch->items, item);
  batch->bytes += stat->size;
}

void
hearth_hash_batch_free (HearthHashBatch *batch)
{
  if (batch == NULL)
    return;

  if (batch->dir_fd >= 0)
    close (batch->dir_fd);
  g_array_unref (batch->items);
  g_free (batch);
}

static gboolean
count_bytes_cb (const HearthChunk  *chunk,
                const guint8       *data,
                gpointer            user_data,
                GError            **error)
{
  HearthFileHasher *self = user_data;

  g_atomic_pointer_add (&self->bytes_read, chunk->length);
  return TRUE;
}

static gboolean
stat_matches_content (const struct stat *before,
                      const struct stat *after)
{
  return before->st_size == after->st_size &&
         before->st_mtim.tv_sec == after->st_mtim.tv_sec &&
         before->st_mtim.tv_nsec == after->st_mtim.tv_nsec &&
         before->st_ctim.tv_sec == after->st_ctim.tv_sec &&
         before->st_ctim.tv_nsec == after->st_ctim.tv_nsec;
}

static HearthHashOutcome
outcome_of_open_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
    return HEARTH_HASH_VANISHED;

  /* Replaced by a symlink, a folder or a pipe since the walk saw it: no
   * use trying again, and no problem to report; the next scan records
   * what is there now. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE))
    return HEARTH_HASH_REPLACED;

  return HEARTH_HASH_UNREADABLE;
}

/* Reads the file once. The metadata recorded is the one taken before the
 * read; if it differs afterwards, the bytes read may be torn, so they are
 * thrown away and the file is tried again. */
static HearthHashOutcome
hash_file_once (HearthFileHasher   *self,
                int                 dir_fd,
                HearthHashItem     *item,
                HearthChunkReader  *reader,
                GError            **error)
{
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  struct stat before, after;
  gint64 read_started_ns;
  int fd;

  fd = hearth_chunk_reader_open_file_at (dir_fd, item->name, &before, error);
  if (fd < 0)
    return outcome_of_open_error (*error);

  read_started_ns = g_get_real_time () * 1000;
  descriptor = hearth_chunk_reader_read_fd (reader, fd, count_bytes_cb, self,
                                            self->cancellable, error);
  if (descriptor == NULL)
    {
      close (fd);
      if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return HEARTH_HASH_CANCELLED;
      return HEARTH_HASH_UNREADABLE;
    }

  if (fstat (fd, &after) != 0 || !stat_matches_content (&before, &after) ||
      hearth_file_descriptor_get_size (descriptor) != (guint64) before.st_size)
    {
      close (fd);
      return HEARTH_HASH_CHANGING;
    }
  close (fd);

  hearth_file_stat_from_stat (&item->stat, &before);
  if (read_started_ns - item->stat.ctime_ns < RACY_WINDOW_NS)
    item->stat.ctime_ns = 0;
  item->descriptor = g_steal_pointer (&descriptor);

  return HEARTH_HASH_OK;
}

static void
hash_item (HearthFileHasher  *self,
           int                dir_fd,
           HearthHashItem    *item,
           HearthChunkReader *reader)
{
  item->outcome = HEARTH_HASH_CANCELLED;

  for (guint attempt = 0; attempt < CHANGING_TRIES; attempt++)
    {
      g_autoptr(GError) error = NULL;

      if (g_cancellable_is_cancelled (self->cancellable))
        break;

      item->outcome = hash_file_once (self, dir_fd, item, reader, &error);
      g_clear_pointer (&item->message, g_free);
      if (error != NULL)
        item->message = g_strdup (error->message);
      if (item->outcome != HEARTH_HASH_CHANGING)
        break;

      g_usleep (20 * 1000 * (attempt + 1));
    }
}

static void
hash_worker (gpointer data,
             gpointer user_data)
{
  HearthFileHasher *self = user_data;
  HearthHashBatch *batch = data;
  HearthChunkReader *reader = g_async_queue_pop (self->readers);

  for (guint i = 0; i < batch->items->len; i++)
    hash_item (self, batch->dir_fd, &g_array_index (batch->items, HearthHashItem, i), reader);

  g_async_queue_push (self->readers, reader);
  g_async_queue_push (self->results, batch);
}

/* Largest first: a walk runs far ahead of the hashing, so the queue sees
 * most of the folder, and a large file left for last would keep one core
 * busy while the others wait. */
static gint
compare_batches_largest_first (gconstpointer a,
                               gconstpointer b,
                               gpointer      user_data)
{
  const HearthHashBatch *batch_a = a;
  const HearthHashBatch *batch_b = b;

  if (batch_a->bytes != batch_b->bytes)
    return batch_a->bytes > batch_b->bytes ? -1 : 1;
  return 0;
}

static void
destroy_reader (gpointer data)
{
  hearth_chunk_reader_free (data);
}

HearthFileHasher *
hearth_file_hasher_new (guint          n_workers,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(HearthFileHasher) self = g_new0 (HearthFileHasher, 1);

  g_return_val_if_fail (n_workers > 0, NULL);

  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  self->readers = g_async_queue_new_full (destroy_reader);
  self->results = g_async_queue_new_full ((GDestroyNotify) hearth_hash_batch_free);

  for (guint i = 0; i < n_workers; i++)
    g_async_queue_push (self->readers, hearth_chunk_reader_new ());

  self->pool = g_thread_pool_new (hash_worker, self, n_workers, TRUE, error);
  if (self->pool == NULL)
    return NULL;
  g_thread_pool_set_sort_function (self->pool, compare_batches_largest_first, NULL);

  return g_steal_pointer (&self);
}

/* Waits for the batches still queued (they finish quickly once the
 * cancellable is cancelled) and drops the results nobody popped. */
void
hearth_file_hasher_free (HearthFileHasher *self)
{
  if (self == NULL)
    return;

  if (self->pool != NULL)
    g_thread_pool_free (self->pool, FALSE, TRUE);
  g_clear_pointer (&self->results, g_async_queue_unref);
  g_clear_pointer (&self->readers, g_async_queue_unref);
  g_clear_object (&self->cancellable);
  g_free (self);
}

void
hearth_file_hasher_push (HearthFileHasher *self,
                         HearthHashBatch  *batch)
{
  self->in_flight++;
  g_thread_pool_push (self->pool, batch, NULL);
}

/**
 * hearth_file_hasher_pop:
 * @timeout_us: how long to wait; 0 does not wait
 *
 * Returns: (transfer full) (nullable): a finished batch, or %NULL when none
 *   was finished in time
 */
HearthHashBatch *
hearth_file_hasher_pop (HearthFileHasher *self,
                        gint64            timeout_us)
{
  HearthHashBatch *batch;

  if (self->in_flight == 0)
    return NULL;

  if (timeout_us > 0)
    batch = g_async_queue_timeout_pop (self->results, timeout_us);
  else
    batch = g_async_queue_try_pop (self->results);

  if (batch != NULL)
    self->in_flight--;
  return batch;
}

guint
hearth_file_hasher_get_in_flight (HearthFileHasher *self)
{
  return self->in_flight;
}

/* Bytes read so far, retries included: for progress while files are
 * still being read. */
guint64
hearth_file_hasher_get_bytes_read (HearthFileHasher *self)
{
  return (guint64) g_atomic_pointer_get (&self->bytes_read);
}
