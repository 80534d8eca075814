/* hearth-pack.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthStore"

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "hearth-chunker.h"
#include "hearth-pack.h"
#include "hearth-sha256.h"
#include "hearth-store.h"

/* A pack, byte by byte (docs/store.md, "Store format v1"); integers are
 * little-endian:
 *
 *   header   16   "HRTHPACK", version u32, pack number u32
 *   record   52 + stored_len, repeated:
 *              0   4  "HREC"
 *              4  32  chunk ID, the SHA-256 of the raw bytes
 *             36   4  raw_len
 *             40   4  stored_len
 *             44   1  compression (HearthPackCompression)
 *             45   3  zero
 *             48   4  the first 4 bytes of the SHA-256 of bytes 0..47
 *             52      the stored bytes
 *   trailer  56 per record, only once sealed:
 *              0  32  chunk ID
 *             32   8  offset of the record
 *             40   4  raw_len
 *             44   4  stored_len
 *             48   1  compression
 *             49   7  zero
 *   footer   56, only once sealed:
 *              0   8  "HRTHSEAL"
 *              8   4  version
 *             12   4  number of trailer entries
 *             16   8  offset of the trailer
 *             24  32  SHA-256 of the trailer
 *
 * Each record carries what is needed to find the next one, so a pack
 * whose writer died before sealing it is read by walking its records. The
 * header check keeps that walk from following a damaged length: without
 * it, one flipped bit in stored_len would hide every record after it. The
 * stored bytes need no checksum of their own: they must decompress to
 * bytes whose SHA-256 is the chunk ID, which every read verifies. */

#define PACK_MAGIC     "HRTHPACK"
#define RECORD_MAGIC   "HREC"
#define FOOTER_MAGIC   "HRTHSEAL"

/* zstd's own default: on incompressible chunks it gives up early, and on
 * compressible ones it runs at several hundred MB/s per core. */
#define ZSTD_LEVEL 3

struct _HearthPackWriter
{
  int        fd;
  char      *display_name;
  guint32    number;
  guint64    size;
  GArray    *entries;   /* (element-type HearthPackEntry) */
  ZSTD_CCtx *cctx;
  guint8    *buffer;
  gsize      buffer_size;
  guint      sealed : 1;
};

struct _HearthPackReader
{
  int      fd;
  char    *display_name;
  guint32  number;
  guint64  size;
};

typedef enum
{
  RECORD_OK,
  RECORD_INVALID,
  RECORD_TORN,
} RecordState;

static inline void
put_u32 (guint8  *p,
         guint32  v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, sizeof v);
}

static inline void
put_u64 (guint8  *p,
         guint64  v)
{
  v = GUINT64_TO_LE (v);
  memcpy (p, &v, sizeof v);
}

static inline guint32
get_u32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_LE (v);
}

static inline guint64
get_u64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

static gboolean set_io_error (GError     **error,
                              int          saved_errno,
                              const char  *format,
                              ...) G_GNUC_PRINTF (3, 4);

/* @saved_errno comes first, read before anything can change errno. */
static gboolean
set_io_error (GError     **error,
              int          saved_errno,
              const char  *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s: %s", message, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
set_corrupt_error (GError     **error,
                   const char  *display_name,
                   guint64      offset,
                   const char  *detail)
{
  /* xgettext cannot see through G_GUINT64_FORMAT: format the number apart. */
  g_autofree char *where = g_strdup_printf ("%" G_GUINT64_FORMAT, offset);

  g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_CORRUPT,
               _("The pack “%s” is damaged at byte %s: %s"),
               display_name, where, detail);
  return FALSE;
}

static gboolean
write_all (int           fd,
           const void   *data,
           gsize         len,
           guint64       offset,
           const char   *display_name,
           GError      **error)
{
  const guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = pwrite (fd, p, len, (off_t) offset);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_io_error (error, errno, _("Could not write to the pack “%s”"), display_name);
        }

      p += n;
      len -= (gsize) n;
      offset += (guint64) n;
    }

  return TRUE;
}

/* Returns the number of bytes read, which is less than @len only at the
 * end of the file, or -1 with @error set. */
static gssize
read_at (int          fd,
         void        *data,
         gsize        len,
         guint64      offset,
         const char  *display_name,
         GError     **error)
{
  guint8 *p = data;
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = pread (fd, p + done, len - done, (off_t) (offset + done));

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          set_io_error (error, errno, _("Could not read the pack “%s”"), display_name);
          return -1;
        }
      if (n == 0)
        break;
      done += (gsize) n;
    }

  return (gssize) done;
}

static gboolean
read_exact (int          fd,
            void        *data,
            gsize        len,
            guint64      offset,
            const char  *display_name,
            GError     **error)
{
  gssize n = read_at (fd, data, len, offset, display_name, error);

  if (n < 0)
    return FALSE;
  if ((gsize) n < len)
    return set_corrupt_error (error, display_name, offset, _("the file ends early"));

  return TRUE;
}

static guint32
header_check (const guint8 *header)
{
  HearthChunkId digest;

  hearth_sha256_digest (header, HEARTH_PACK_RECORD_HEADER_SIZE - 4, &digest);
  return get_u32 (digest.bytes);
}

static void
encode_record_header (const HearthPackEntry *entry,
                      guint8                 out[HEARTH_PACK_RECORD_HEADER_SIZE])
{
  memset (out, 0, HEARTH_PACK_RECORD_HEADER_SIZE);
  memcpy (out, RECORD_MAGIC, 4);
  memcpy (out + 4, entry->id.bytes, HEARTH_CHUNK_ID_LEN);
  put_u32 (out + 36, entry->raw_len);
  put_u32 (out + 40, entry->stored_len);
  out[44] = entry->compression;
  put_u32 (out + 48, header_check (out));
}

/* Lengths no writer of this format produces: a chunk over the chunker's
 * maximum, or stored bytes larger than zstd's bound for it. */
static gboolean
lengths_are_valid (guint32 raw_len,
                   guint32 stored_len,
                   guint8  compression)
{
  if (raw_len > HEARTH_CHUNK_SIZE_MAX)
    return FALSE;

  switch (compression)
    {
    case HEARTH_PACK_COMPRESSION_NONE:
      return stored_len == raw_len;
    case HEARTH_PACK_COMPRESSION_ZSTD:
      return stored_len > 0 && stored_len < raw_len;
    default:
      return FALSE;
    }
}

static gboolean
decode_record_header (const guint8    *header,
                      guint64          offset,
                      HearthPackEntry *out)
{
  static const guint8 zero[3] = { 0 };

  if (memcmp (header, RECORD_MAGIC, 4) != 0 ||
      memcmp (header + 45, zero, sizeof zero) != 0 ||
      get_u32 (header + 48) != header_check (header))
    return FALSE;

  memcpy (out->id.bytes, header + 4, HEARTH_CHUNK_ID_LEN);
  out->offset = offset;
  out->raw_len = get_u32 (header + 36);
  out->stored_len = get_u32 (header + 40);
  out->compression = header[44];

  return lengths_are_valid (out->raw_len, out->stored_len, out->compression);
}

/* A new file's name is durable only once its directory is synced. */
static gboolean
sync_parent_dir (const char  *path,
                 GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  int saved_errno;

  if (fd < 0 || fsync (fd) != 0)
    {
      saved_errno = errno;
      if (fd >= 0)
        g_close (fd, NULL);
      return set_io_error (error, saved_errno, _("Could not sync the folder “%s”"), dir);
    }

  return g_close (fd, error);
}

/**
 * hearth_pack_writer_create:
 * @path: the new pack file; must not exist
 * @display_name: the pack's name in messages
 * @number: the pack number written in its header
 *
 * Creates the pack with its header, private to the user, and syncs its
 * directory so that the file survives a crash once its data is synced.
 */
HearthPackWriter *
hearth_pack_writer_create (const char  *path,
                           const char  *display_name,
                           guint32      number,
                           GError     **error)
{
  g_autoptr(HearthPackWriter) self = NULL;
  guint8 header[HEARTH_PACK_HEADER_SIZE];
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_io_error (error, errno, _("Could not create the pack “%s”"), display_name);
      return NULL;
    }

  self = g_new0 (HearthPackWriter, 1);
  self->fd = fd;
  self->display_name = g_strdup (display_name);
  self->number = number;
  self->entries = g_array_new (FALSE, FALSE, sizeof (HearthPackEntry));

  memcpy (header, PACK_MAGIC, 8);
  put_u32 (header + 8, HEARTH_PACK_FORMAT_VERSION);
  put_u32 (header + 12, number);

  if (!write_all (fd, header, sizeof header, 0, display_name, error) ||
      !sync_parent_dir (path, error))
    {
      g_unlink (path);
      return NULL;
    }

  self->size = HEARTH_PACK_HEADER_SIZE;
  return g_steal_pointer (&self);
}

/* Closes the file; a pack not sealed stays readable by its records. */
void
hearth_pack_writer_free (HearthPackWriter *self)
{
  if (self == NULL)
    return;

  if (self->fd >= 0)
    g_close (self->fd, NULL);
  g_clear_pointer (&self->entries, g_array_unref);
  g_clear_pointer (&self->cctx, ZSTD_freeCCtx);
  g_free (self->buffer);
  g_free (self->display_name);
  g_free (self);
}

guint32
hearth_pack_writer_get_number (HearthPackWriter *self)
{
  return self->number;
}

guint64
hearth_pack_writer_get_size (HearthPackWriter *self)
{
  return self->size;
}

guint
hearth_pack_writer_get_n_entries (HearthPackWriter *self)
{
  return self->entries->len;
}

/* Compresses @data into the writer's buffer. Returns the compressed size,
 * or 0 when zstd does not make it smaller (then the chunk is stored raw). */
static gsize
compress_chunk (HearthPackWriter *self,
                const guint8     *data,
                gsize             len)
{
  gsize n;

  if (len == 0)
    return 0;

  if (self->cctx == NULL)
    {
      self->cctx = ZSTD_createCCtx ();
      self->buffer_size = ZSTD_compressBound (HEARTH_CHUNK_SIZE_MAX);
      self->buffer = g_malloc (self->buffer_size);
    }

  n = ZSTD_compressCCtx (self->cctx, self->buffer, self->buffer_size, data, len, ZSTD_LEVEL);
  if (ZSTD_isError (n) || n >= len)
    return 0;

  return n;
}

/**
 * hearth_pack_writer_append:
 * @id: the SHA-256 of @data, verified by the caller
 * @data: (array length=len): the chunk, at most HEARTH_CHUNK_SIZE_MAX bytes
 *
 * Appends the chunk's record, compressed when that makes it smaller. The
 * record is not durable until hearth_pack_writer_sync().
 */
gboolean
hearth_pack_writer_append (HearthPackWriter     *self,
                           const HearthChunkId  *id,
                           const guint8         *data,
                           gsize                 len,
                           HearthPackEntry      *out_entry,
                           GError              **error)
{
  guint8 header[HEARTH_PACK_RECORD_HEADER_SIZE];
  HearthPackEntry entry = { 0 };
  const guint8 *stored = data;
  gsize compressed;

  g_return_val_if_fail (self != NULL && !self->sealed, FALSE);
  g_return_val_if_fail (len <= HEARTH_CHUNK_SIZE_MAX, FALSE);

  compressed = compress_chunk (self, data, len);

  entry.id = *id;
  entry.offset = self->size;
  entry.raw_len = (guint32) len;
  if (compressed > 0)
    {
      entry.compression = HEARTH_PACK_COMPRESSION_ZSTD;
      entry.stored_len = (guint32) compressed;
      stored = self->buffer;
    }
  else
    {
      entry.compression = HEARTH_PACK_COMPRESSION_NONE;
      entry.stored_len = (guint32) len;
    }

  encode_record_header (&entry, header);

  if (!write_all (self->fd, header, sizeof header, entry.offset, self->display_name, error) ||
      !write_all (self->fd, stored, entry.stored_len,
                  entry.offset + sizeof header, self->display_name, error))
    return FALSE;

  self->size += hearth_pack_entry_record_size (&entry);
  g_array_append_val (self->entries, entry);

  if (out_entry != NULL)
    *out_entry = entry;

  return TRUE;
}

/* fdatasync() and not fsync(): it still syncs the file's size, the one
 * piece of metadata needed to read the records back. */
gboolean
hearth_pack_writer_sync (HearthPackWriter  *self,
                         GError           **error)
{
  while (fdatasync (self->fd) != 0)
    {
      if (errno != EINTR)
        return set_io_error (error, errno, _("Could not sync the pack “%s”"), self->display_name);
    }

  return TRUE;
}

/* Drops the records from @size on, after a batch that failed part way. */
gboolean
hearth_pack_writer_truncate (HearthPackWriter  *self,
                             guint64            size,
                             GError           **error)
{
  g_return_val_if_fail (!self->sealed, FALSE);
  g_return_val_if_fail (size >= HEARTH_PACK_HEADER_SIZE && size <= self->size, FALSE);

  if (ftruncate (self->fd, (off_t) size) != 0)
    return set_io_error (error, errno, _("Could not truncate the pack “%s”"), self->display_name);

  while (self->entries->len > 0 &&
         g_array_index (self->entries, HearthPackEntry, self->entries->len - 1).offset >= size)
    g_array_set_size (self->entries, self->entries->len - 1);

  self->size = size;
  return TRUE;
}

static void
encode_index_entry (const HearthPackEntry *entry,
                    guint8                *out)
{
  memset (out, 0, HEARTH_PACK_INDEX_ENTRY_SIZE);
  memcpy (out, entry->id.bytes, HEARTH_CHUNK_ID_LEN);
  put_u64 (out + 32, entry->offset);
  put_u32 (out + 40, entry->raw_len);
  put_u32 (out + 44, entry->stored_len);
  out[48] = entry->compression;
}

/**
 * hearth_pack_writer_seal:
 *
 * Appends the trailer and the footer and syncs the pack, records included.
 * Nothing can be appended afterwards.
 */
gboolean
hearth_pack_writer_seal (HearthPackWriter  *self,
                         GError           **error)
{
  gsize index_size = (gsize) self->entries->len * HEARTH_PACK_INDEX_ENTRY_SIZE;
  g_autofree guint8 *buf = g_malloc (index_size + HEARTH_PACK_FOOTER_SIZE);
  guint8 *footer = buf + index_size;
  HearthChunkId digest;

  g_return_val_if_fail (!self->sealed, FALSE);

  for (guint i = 0; i < self->entries->len; i++)
    encode_index_entry (&g_array_index (self->entries, HearthPackEntry, i),
                        buf + (gsize) i * HEARTH_PACK_INDEX_ENTRY_SIZE);

  hearth_sha256_digest (buf, index_size, &digest);
  memcpy (footer, FOOTER_MAGIC, 8);
  put_u32 (footer + 8, HEARTH_PACK_FORMAT_VERSION);
  put_u32 (footer + 12, self->entries->len);
  put_u64 (footer + 16, self->size);
  memcpy (footer + 24, digest.bytes, HEARTH_CHUNK_ID_LEN);

  if (!write_all (self->fd, buf, index_size + HEARTH_PACK_FOOTER_SIZE,
                  self->size, self->display_name, error) ||
      !hearth_pack_writer_sync (self, error))
    return FALSE;

  self->size += index_size + HEARTH_PACK_FOOTER_SIZE;
  self->sealed = TRUE;
  return TRUE;
}

/**
 * hearth_pack_reader_open:
 *
 * Opens a pack for reading and checks its header. The reader sees the
 * file's size at this moment; records appended later are not visible.
 */
HearthPackReader *
hearth_pack_reader_open (const char  *path,
                         const char  *display_name,
                         GError     **error)
{
  g_autoptr(HearthPackReader) self = NULL;
  guint8 header[HEARTH_PACK_HEADER_SIZE];
  struct stat st;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_io_error (error, errno, _("Could not open the pack “%s”"), display_name);
      return NULL;
    }

  self = g_new0 (HearthPackReader, 1);
  self->fd = fd;
  self->display_name = g_strdup (display_name);

  if (fstat (fd, &st) != 0)
    {
      set_io_error (error, errno, _("Could not open the pack “%s”"), display_name);
      return NULL;
    }
  self->size = (guint64) st.st_size;

  if (!read_exact (fd, header, sizeof header, 0, display_name, error))
    return NULL;

  if (memcmp (header, PACK_MAGIC, 8) != 0)
    {
      set_corrupt_error (error, display_name, 0, _("this is not a Hearth pack"));
      return NULL;
    }

  if (get_u32 (header + 8) != HEARTH_PACK_FORMAT_VERSION)
    {
      g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_TOO_NEW,
                   _("The pack “%s” has format version %u, which this version of Hearth cannot read"),
                   display_name, get_u32 (header + 8));
      return NULL;
    }

  self->number = get_u32 (header + 12);
  return g_steal_pointer (&self);
}

void
hearth_pack_reader_free (HearthPackReader *self)
{
  if (self == NULL)
    return;

  if (self->fd >= 0)
    g_close (self->fd, NULL);
  g_free (self->display_name);
  g_free (self);
}

guint32
hearth_pack_reader_get_number (HearthPackReader *self)
{
  return self->number;
}

guint64
hearth_pack_reader_get_size (HearthPackReader *self)
{
  return self->size;
}

static RecordState
read_record_header (HearthPackReader  *self,
                    guint64            offset,
                    HearthPackEntry   *out,
                    GError           **error)
{
  guint8 header[HEARTH_PACK_RECORD_HEADER_SIZE];
  gssize n;

  if (offset < HEARTH_PACK_HEADER_SIZE || offset > self->size)
    return RECORD_TORN;

  n = read_at (self->fd, header, sizeof header, offset, self->display_name, error);
  if (n < 0)
    return RECORD_INVALID;
  if ((gsize) n < sizeof header)
    return RECORD_TORN;

  if (!decode_record_header (header, offset, out))
    return RECORD_INVALID;

  if (offset + hearth_pack_entry_record_size (out) > self->size)
    return RECORD_TORN;

  return RECORD_OK;
}

/**
 * hearth_pack_reader_read_entry:
 * @offset: where a record should start
 *
 * Reads and checks the record header at @offset: it must be whole, its
 * check must match, and its stored bytes must lie within the file.
 */
gboolean
hearth_pack_reader_read_entry (HearthPackReader  *self,
                               guint64            offset,
                               HearthPackEntry   *out_entry,
                               GError           **error)
{
  GError *local_error = NULL;

  switch (read_record_header (self, offset, out_entry, &local_error))
    {
    case RECORD_OK:
      return TRUE;

    case RECORD_TORN:
      return set_corrupt_error (error, self->display_name, offset,
                                _("the record runs past the end of the file"));

    case RECORD_INVALID:
    default:
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      return set_corrupt_error (error, self->display_name, offset,
                                _("there is no valid record here"));
    }
}

static gboolean
set_bad_chunk_error (HearthPackReader       *self,
                     const HearthPackEntry  *entry,
                     GError                **error,
                     const char             *detail)
{
  char hex[HEARTH_CHUNK_ID_HEX_LEN + 1];
  g_autofree char *message = NULL;

  hearth_chunk_id_to_hex (&entry->id, hex);
  message = g_strdup_printf (_("chunk %s %s"), hex, detail);
  return set_corrupt_error (error, self->display_name, entry->offset, message);
}

/**
 * hearth_pack_reader_read_chunk:
 * @entry: where the chunk is, from the index or the trailer
 *
 * Reads the chunk's stored bytes, decompresses them and checks that they
 * hash to @entry's ID.
 *
 * Returns: (transfer full): the chunk's bytes, or %NULL with @error set
 *   (HEARTH_STORE_ERROR_CORRUPT naming the pack for any damage)
 */
GBytes *
hearth_pack_reader_read_chunk (HearthPackReader       *self,
                               const HearthPackEntry  *entry,
                               GError                **error)
{
  g_autofree guint8 *stored = NULL;
  g_autofree guint8 *raw = NULL;
  HearthChunkId digest;
  guint64 data_offset = entry->offset + HEARTH_PACK_RECORD_HEADER_SIZE;

  if (!lengths_are_valid (entry->raw_len, entry->stored_len, entry->compression))
    {
      set_bad_chunk_error (self, entry, error, _("has impossible lengths in the index"));
      return NULL;
    }

  if (entry->offset < HEARTH_PACK_HEADER_SIZE ||
      entry->offset + hearth_pack_entry_record_size (entry) > self->size)
    {
      set_bad_chunk_error (self, entry, error, _("lies past the end of the file"));
      return NULL;
    }

  /* One byte more than needed, so that g_bytes_new_take() never gets a
   * NULL pointer for an empty chunk. */
  stored = g_malloc ((gsize) entry->stored_len + 1);
  if (!read_exact (self->fd, stored, entry->stored_len, data_offset, self->display_name, error))
    return NULL;

  if (entry->compression == HEARTH_PACK_COMPRESSION_ZSTD)
    {
      gsize n;

      raw = g_malloc ((gsize) entry->raw_len + 1);
      n = ZSTD_decompress (raw, entry->raw_len, stored, entry->stored_len);
      if (ZSTD_isError (n) || n != entry->raw_len)
        {
          set_bad_chunk_error (self, entry, error, _("does not decompress"));
          return NULL;
        }
    }
  else
    {
      raw = g_steal_pointer (&stored);
    }

  hearth_sha256_digest (raw, entry->raw_len, &digest);
  if (!hearth_chunk_id_equal (&digest, &entry->id))
    {
      set_bad_chunk_error (self, entry, error, _("does not match its ID"));
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&raw), entry->raw_len);
}

static gboolean
decode_index_entry (const guint8    *p,
                    guint64          index_offset,
                    HearthPackEntry *out)
{
  static const guint8 zero[7] = { 0 };

  memcpy (out->id.bytes, p, HEARTH_CHUNK_ID_LEN);
  out->offset = get_u64 (p + 32);
  out->raw_len = get_u32 (p + 40);
  out->stored_len = get_u32 (p + 44);
  out->compression = p[48];

  return memcmp (p + 49, zero, sizeof zero) == 0 &&
         lengths_are_valid (out->raw_len, out->stored_len, out->compression) &&
         out->offset >= HEARTH_PACK_HEADER_SIZE &&
         out->offset <= index_offset &&
         hearth_pack_entry_record_size (out) <= index_offset - out->offset;
}

/**
 * hearth_pack_reader_read_trailer:
 * @out_entries: (out) (transfer full) (nullable): the sealed pack's
 *   entries, or %NULL when the pack is not sealed
 *
 * Returns: %FALSE with @error set when the pack ends with a footer that
 *   is damaged or does not fit the file; TRUE otherwise
 */
gboolean
hearth_pack_reader_read_trailer (HearthPackReader  *self,
                                 GArray           **out_entries,
                                 GError           **error)
{
  g_autoptr(GArray) entries = NULL;
  g_autofree guint8 *index = NULL;
  guint8 footer[HEARTH_PACK_FOOTER_SIZE];
  HearthChunkId digest;
  guint64 footer_offset;
  guint64 index_offset;
  guint64 index_size;
  guint32 count;

  *out_entries = NULL;

  if (self->size < HEARTH_PACK_HEADER_SIZE + HEARTH_PACK_FOOTER_SIZE)
    return TRUE;

  footer_offset = self->size - HEARTH_PACK_FOOTER_SIZE;
  if (!read_exact (self->fd, footer, sizeof footer, footer_offset, self->display_name, error))
    return FALSE;

  if (memcmp (footer, FOOTER_MAGIC, 8) != 0)
    return TRUE;

  count = get_u32 (footer + 12);
  index_offset = get_u64 (footer + 16);
  index_size = (guint64) count * HEARTH_PACK_INDEX_ENTRY_SIZE;

  if (get_u32 (footer + 8) != HEARTH_PACK_FORMAT_VERSION ||
      index_offset < HEARTH_PACK_HEADER_SIZE ||
      index_offset > footer_offset ||
      footer_offset - index_offset != index_size)
    return set_corrupt_error (error, self->display_name, footer_offset,
                              _("the footer does not fit the file"));

  index = g_malloc (index_size + 1);
  if (!read_exact (self->fd, index, index_size, index_offset, self->display_name, error))
    return FALSE;

  hearth_sha256_digest (index, index_size, &digest);
  if (memcmp (digest.bytes, footer + 24, HEARTH_CHUNK_ID_LEN) != 0)
    return set_corrupt_error (error, self->display_name, index_offset,
                              _("the trailer does not match its checksum"));

  entries = g_array_sized_new (FALSE, FALSE, sizeof (HearthPackEntry), count);
  for (guint32 i = 0; i < count; i++)
    {
      HearthPackEntry entry;

      if (!decode_index_entry (index + (gsize) i * HEARTH_PACK_INDEX_ENTRY_SIZE, index_offset, &entry))
        return set_corrupt_error (error, self->display_name,
                                  index_offset + (guint64) i * HEARTH_PACK_INDEX_ENTRY_SIZE,
                                  _("a trailer entry is invalid"));
      g_array_append_val (entries, entry);
    }

  *out_entries = g_steal_pointer (&entries);
  return TRUE;
}

/**
 * hearth_pack_reader_scan:
 * @out_entries: (out) (transfer full): the records found
 * @out_end: (out) (optional): where the walk stopped
 *
 * Walks the records from the first one on, as long as each header is
 * valid and its record lies within the file. A record cut short by a
 * crash, or anything that is not a record (the trailer of a sealed pack),
 * ends the walk without an error. Only the headers are read; the caller
 * verifies the data when it needs to.
 */
gboolean
hearth_pack_reader_scan (HearthPackReader  *self,
                         GArray           **out_entries,
                         guint64           *out_end,
                         GError           **error)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (HearthPackEntry));
  guint64 offset = HEARTH_PACK_HEADER_SIZE;

  for (;;)
    {
      GError *local_error = NULL;
      HearthPackEntry entry;

      if (read_record_header (self, offset, &entry, &local_error) != RECORD_OK)
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, local_error);
              return FALSE;
            }
          break;
        }

      g_array_append_val (entries, entry);
      offset += hearth_pack_entry_record_size (&entry);
    }

  *out_entries = g_steal_pointer (&entries);
  if (out_end != NULL)
    *out_end = offset;

  return TRUE;
}
