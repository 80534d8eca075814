/* hearth-chunk-reader.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthEngine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hearth-chunk-reader.h"
#include "hearth-chunk-reader-private.h"
#include "hearth-chunker.h"
#include "hearth-sha256.h"

/* Four maximum chunks: a refill starts with less than one left, so every
 * read() asks for 12 MiB or more.
 *
 * The buffer is a ring mapped twice, back to back, so that the unread
 * bytes and the free space after them are always contiguous in memory:
 * the chunker needs a whole chunk in one piece, and without the mirror the
 * unread tail had to be moved to the front before each refill, which cost
 * 4% of a first scan's CPU time. Where the mirror cannot be had (no
 * memfd_create()), a plain buffer and the move do the same job. */
#define BUFFER_SIZE (4 * HEARTH_CHUNK_SIZE_MAX)

/* After a file of more chunks than this (some 4.5 GiB), the chunk array is
 * replaced, so that one huge file does not pin its list in the reader. */
#define CHUNKS_KEPT 4096

struct _HearthChunkReader
{
  guint8       *buffer;
  gboolean      mirrored;   /* buffer[BUFFER_SIZE + i] is buffer[i] */
  HearthSha256 *sha;
  GArray       *chunks;
};

/* The unread part of the file sits in buffer[start, end); with the mirror,
 * start < BUFFER_SIZE and end - start <= BUFFER_SIZE. */
typedef struct
{
  int         fd;
  const char *path;
  gsize       start;
  gsize       end;
  gboolean    eof;
  guint64     offset;
} ReadState;

static guint8 *
map_mirrored (gsize size)
{
  guint8 *base;
  int fd;

  fd = memfd_create ("hearth-chunk-reader", MFD_CLOEXEC);
  if (fd < 0)
    return NULL;

  if (ftruncate (fd, size) != 0)
    {
      close (fd);
      return NULL;
    }

  /* Reserve both halves, then put the same pages in each. */
  base = mmap (NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base != MAP_FAILED &&
      (mmap (base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
       mmap (base + size, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED))
    {
      munmap (base, 2 * size);
      base = MAP_FAILED;
    }
  close (fd);

  return base != MAP_FAILED ? base : NULL;
}

static HearthChunkReader *
chunk_reader_new (gboolean try_mirror)
{
  HearthChunkReader *self = g_new0 (HearthChunkReader, 1);

  /* Not zeroed: read() writes every byte before it is used, and pages never
   * written are never touched, so a reader that only meets small files
   * costs a few pages of its 16 MiB. */
  self->buffer = try_mirror ? map_mirrored (BUFFER_SIZE) : NULL;
  self->mirrored = self->buffer != NULL;
  if (!self->mirrored)
    self->buffer = g_malloc (BUFFER_SIZE);
  self->sha = hearth_sha256_new ();
  self->chunks = g_array_new (FALSE, FALSE, sizeof (HearthChunk));

  return self;
}

HearthChunkReader *
hearth_chunk_reader_new (void)
{
  return chunk_reader_new (TRUE);
}

HearthChunkReader *
_hearth_chunk_reader_new_unmirrored (void)
{
  return chunk_reader_new (FALSE);
}

void
hearth_chunk_reader_free (HearthChunkReader *self)
{
  if (self == NULL)
    return;

  if (self->mirrored)
    munmap (self->buffer, 2 * BUFFER_SIZE);
  else
    g_free (self->buffer);
  hearth_sha256_free (self->sha);
  g_array_unref (self->chunks);
  g_free (self);
}

/* Error messages name the file by its display name, made only when an
 * error needs it: most files are read without one. */
static void
set_read_error (GError     **error,
                int          errsv,
                const char  *path)
{
  if (path != NULL)
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not read “%s”: %s"), name, g_strerror (errsv));
    }
  else
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not read the file: %s"), g_strerror (errsv));
    }
}

/* Files are opened with O_NONBLOCK, so that a FIFO put in a file's place
 * cannot block the open. Local file systems ignore it for regular files;
 * some network and FUSE ones honour it and answer EAGAIN, and only then is
 * it worth a syscall to clear. */
static gboolean
clear_nonblocking (int fd)
{
  int flags = fcntl (fd, F_GETFL);

  if (flags < 0 || (flags & O_NONBLOCK) == 0)
    return FALSE;

  return fcntl (fd, F_SETFL, flags & ~O_NONBLOCK) == 0;
}

/* Reads until the buffer is full or the file ends. */
static gboolean
refill (HearthChunkReader  *self,
        ReadState          *state,
        GCancellable       *cancellable,
        GError            **error)
{
  if (!self->mirrored && state->start > 0)
    {
      memmove (self->buffer, self->buffer + state->start, state->end - state->start);
      state->end -= state->start;
      state->start = 0;
    }

  while (state->end - state->start < BUFFER_SIZE && !state->eof)
    {
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      n = read (state->fd, self->buffer + state->end,
                BUFFER_SIZE - (state->end - state->start));

      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;

          if (errsv == EAGAIN && clear_nonblocking (state->fd))
            continue;

          set_read_error (error, errsv, state->path);
          return FALSE;
        }

      if (n == 0)
        state->eof = TRUE;
      else if (state->offset == 0 && state->end == 0 && (gsize) n == BUFFER_SIZE)
        /* A large file: worth a syscall to ask for more read-ahead. It is
         * only a hint, and fails on pipes, which are read all the same. */
        (void) posix_fadvise (state->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      state->end += n;
    }

  return TRUE;
}

/* Cuts and hashes the next chunk from the buffer and hands it on. */
static gboolean
emit_chunk (HearthChunkReader  *self,
            ReadState          *state,
            HearthChunkFunc     func,
            gpointer            user_data,
            GError            **error)
{
  const guint8 *data = self->buffer + state->start;
  HearthChunk chunk = { .offset = state->offset };
  gsize length;

  length = hearth_chunker_next_chunk (data, state->end - state->start, self->sha, &chunk.id);
  chunk.length = (guint32) length;

  if (func != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      if (!func (&chunk, data, user_data, &local_error))
        {
          if (local_error == NULL)
            local_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                               _("Reading was stopped by the chunk handler"));
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  g_array_append_val (self->chunks, chunk);
  state->start += length;
  state->offset += length;

  if (self->mirrored && state->start >= BUFFER_SIZE)
    {
      state->start -= BUFFER_SIZE;
      state->end -= BUFFER_SIZE;
    }

  return TRUE;
}

static void
reset_chunks (HearthChunkReader *self)
{
  if (self->chunks->len > CHUNKS_KEPT)
    {
      g_array_unref (self->chunks);
      self->chunks = g_array_new (FALSE, FALSE, sizeof (HearthChunk));
    }
  else
    {
      g_array_set_size (self->chunks, 0);
    }
}

static HearthFileDescriptor *
read_open_file (HearthChunkReader  *self,
                int                 fd,
                const char         *path,
                HearthChunkFunc     func,
                gpointer            user_data,
                GCancellable       *cancellable,
                GError            **error)
{
  ReadState state = { .fd = fd, .path = path };
  HearthFileDescriptor *descriptor = NULL;

  for (;;)
    {
      gsize available = state.end - state.start;

      /* A cut needs a whole maximum chunk in view, or the end of the file:
       * otherwise where a chunk ends would depend on where a read ended. */
      if (available < HEARTH_CHUNK_SIZE_MAX && !state.eof)
        {
          if (!refill (self, &state, cancellable, error))
            goto out;
          continue;
        }

      if (available == 0)
        break;

      if (!emit_chunk (self, &state, func, user_data, error))
        goto out;
    }

  descriptor = hearth_file_descriptor_new ((const HearthChunk *) self->chunks->data,
                                           self->chunks->len);
  g_assert (descriptor != NULL);

out:
  reset_chunks (self);
  return descriptor;
}

/**
 * hearth_chunk_reader_read_fd:
 * @self: a reader
 * @fd: a file open for reading, positioned at its start; not closed
 * @func: (nullable): called with each chunk
 * @user_data: for @func
 * @cancellable: (nullable): checked between reads
 * @error: return location for an error
 *
 * Reads @fd to its end. If the file changes meanwhile, the descriptor is
 * of what was read: compare fstat() before and after to notice.
 *
 * Returns: (transfer full): the file's descriptor, or %NULL with @error set
 */
HearthFileDescriptor *
hearth_chunk_reader_read_fd (HearthChunkReader  *self,
                             int                 fd,
                             HearthChunkFunc     func,
                             gpointer            user_data,
                             GCancellable       *cancellable,
                             GError            **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return read_open_file (self, fd, NULL, func, user_data, cancellable, error);
}

/* O_NOATIME spares a metadata write per file read, but only the file's
 * owner (or root) may ask for it: anyone else gets EPERM and asks again
 * without it. O_NONBLOCK keeps a FIFO that replaced the file since the
 * caller looked from blocking open(). */
static int
open_for_reading (int         dir_fd,
                  const char *path)
{
  int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
  int fd;

  do
    fd = openat (dir_fd, path, flags | O_NOATIME);
  while (fd < 0 && errno == EINTR);

  if (fd < 0 && errno == EPERM)
    {
      do
        fd = openat (dir_fd, path, flags);
      while (fd < 0 && errno == EINTR);
    }

  return fd;
}

static void
set_open_error (GError     **error,
                int          errsv,
                const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);

  /* With O_NOFOLLOW, ELOOP means the path itself is a symbolic link. */
  if (errsv == ELOOP)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                 _("Could not open “%s”: it is a symbolic link, which is not followed"),
                 name);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("Could not open “%s”: %s"), name, g_strerror (errsv));
}

static void
set_not_regular_error (GError     **error,
                       mode_t       mode,
                       const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);

  if (S_ISDIR (mode))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                 _("Could not read “%s”: it is a folder"), name);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                 _("Could not read “%s”: it is not a regular file"), name);
}

/* Only regular files are read: a device or FIFO could block or never end. */
static gboolean
check_regular_file (int           fd,
                    const char   *path,
                    struct stat  *st,
                    GError      **error)
{
  if (fstat (fd, st) != 0)
    {
      set_open_error (error, errno, path);
      return FALSE;
    }

  if (!S_ISREG (st->st_mode))
    {
      set_not_regular_error (error, st->st_mode, path);
      return FALSE;
    }

  return TRUE;
}

/**
 * hearth_chunk_reader_open_file_at:
 * @dir_fd: a directory, or %AT_FDCWD
 * @path: a regular file, relative to @dir_fd; a symbolic link there is an
 *   error, not followed
 * @st: (out): the file's metadata, taken once it is open
 * @error: return location for an error
 *
 * Opens a file the way the reader wants it: never following a symbolic
 * link, never blocking on a FIFO or device put in its place, and without
 * updating its access time where that is allowed. Errors are %G_IO_ERROR:
 * %G_IO_ERROR_TOO_MANY_LINKS for a symbolic link, %G_IO_ERROR_IS_DIRECTORY
 * and %G_IO_ERROR_NOT_REGULAR_FILE for other kinds.
 *
 * Returns: a file descriptor to close(), or -1 with @error set
 */
int
hearth_chunk_reader_open_file_at (int           dir_fd,
                                  const char   *path,
                                  struct stat  *st,
                                  GError      **error)
{
  int fd;

  g_return_val_if_fail (path != NULL, -1);
  g_return_val_if_fail (st != NULL, -1);

  fd = open_for_reading (dir_fd, path);
  if (fd < 0)
    {
      set_open_error (error, errno, path);
      return -1;
    }

  if (!check_regular_file (fd, path, st, error))
    {
      close (fd);
      return -1;
    }

  return fd;
}

/**
 * hearth_chunk_reader_read_path:
 * @self: a reader
 * @path: a regular file; a symbolic link there is an error, not followed
 * @func: (nullable): called with each chunk
 * @user_data: for @func
 * @cancellable: (nullable): checked between reads
 * @error: return location for an error
 *
 * Returns: (transfer full): the file's descriptor, or %NULL with @error set
 */
HearthFileDescriptor *
hearth_chunk_reader_read_path (HearthChunkReader  *self,
                               const char         *path,
                               HearthChunkFunc     func,
                               gpointer            user_data,
                               GCancellable       *cancellable,
                               GError            **error)
{
  HearthFileDescriptor *descriptor;
  struct stat st;
  int fd;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  fd = hearth_chunk_reader_open_file_at (AT_FDCWD, path, &st, error);
  if (fd < 0)
    return NULL;

  descriptor = read_open_file (self, fd, path, func, user_data, cancellable, error);
  close (fd);
  return descriptor;
}
