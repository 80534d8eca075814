/* hearth-scanner.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthScanner"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hearth-chunk-reader.h"
#include "hearth-file-hasher.h"
#include "hearth-ignore.h"
#include "hearth-scanner.h"

/* How a scan runs. One thread (the GTask's) walks the folder and owns the
 * inventory: it alone reads and writes SQLite. Files that are new or whose
 * metadata changed go to a pool of hashing threads (HearthFileHasher);
 * their results come back through a queue and the walking thread records
 * them in batched transactions. An unchanged file
 * costs one fstatat() and one hash-table lookup, nothing else.
 *
 * Files go to the pool in batches of one directory's files, with a file
 * descriptor of that directory: a worker opens each by its name alone, not
 * by a path the kernel would resolve component by component, and a
 * thousand small files cost one hand-over between threads, not a thousand.
 * A large file is a batch of its own, so that large files spread over all
 * the workers. */

/* Writes are committed in batches: one transaction per file would make a
 * first scan of 50,000 small files wait on 50,000 WAL commits. */
#define TRANSACTION_MAX_WRITES 4096
#define TRANSACTION_MAX_US     (G_USEC_PER_SEC / 2)
#define PROGRESS_EVERY_US  (G_USEC_PER_SEC / 10)

#define HASH_BATCH_MAX_FILES  256
#define HASH_BATCH_MAX_BYTES  (16 * 1024 * 1024)
#define HASH_LARGE_FILE       (4 * 1024 * 1024)

/* Each batch holds a directory file descriptor: bounding the batches in
 * flight bounds the descriptors, and the memory of a walk that runs far
 * ahead of the hashing. */
#define HASH_BATCHES_IN_FLIGHT 256

#define HEARTHIGNORE_MAX_SIZE (1024 * 1024)
#define CACHEDIR_TAG_NAME      "CACHEDIR.TAG"
#define CACHEDIR_TAG_SIGNATURE "Signature: 8a477f597d28d172789f06886806bc55"

struct _HearthScanner
{
  GObject          parent_instance;

  HearthInventory *inventory;
  GPtrArray       *excludes;
  guint            n_workers;
  gint             busy;       /* atomic: set by scan_async, cleared by the scan's thread */
};

enum {
  PROP_0,
  PROP_INVENTORY,
  PROP_N_WORKERS,
  N_PROPS
};

enum {
  PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HearthScanner, hearth_scanner, G_TYPE_OBJECT)

G_DEFINE_QUARK (hearth-scanner-error-quark, hearth_scanner_error)

/* What the inventory holds of one path. The path is the hash table's key
 * and lives in the same allocation: a rescan of 50,000 files makes 50,000
 * of these, not twice that. */
typedef struct
{
  HearthFileStat stat;
  gboolean       seen;
  char           path[];
} KnownEntry;

typedef struct
{
  dev_t dev;
  ino_t ino;
} DevIno;

/* The names of one directory, in one buffer: a walk lists every directory
 * of the folder, and a string per name was a malloc and a free per file. */
typedef struct
{
  GString *names;     /* NUL-separated */
  GArray  *offsets;   /* of gsize: where each name starts */
  gboolean has_ignore_file;
  gboolean has_cache_tag;
} Listing;

typedef struct _ScanJob ScanJob;

struct _ScanJob
{
  HearthScanner      *scanner;
  HearthInventory    *inventory;
  HearthFolder       *folder;
  GCancellable       *cancellable;
  GMainContext       *context;

  int                 root_fd;
  GHashTable         *known;            /* path → KnownEntry */
  HearthIgnore       *ignore;
  GArray             *excluded_ids;     /* of DevIno */
  GHashTable         *unreadable_dirs;  /* set of paths whose contents must not be marked deleted */
  Listing             listing;          /* of the directory being walked */
  GString            *path;             /* of the entry being visited */
  gboolean            root_is_mount_point;

  HearthFileHasher   *hasher;
  HearthHashBatch    *filling;    /* the batch the walk is adding to */

  guint               transaction_writes;
  gint64              transaction_started_us;
  gboolean            in_transaction;
  GError             *write_error;

  gint64              started_us;
  gint64              last_progress_us;
  HearthScanReport   *report;
};

typedef struct
{
  HearthScanner      *scanner;
  HearthScanProgress  progress;
} ProgressEmit;

static void
scan_job_free (ScanJob *job)
{
  g_clear_pointer (&job->hasher, hearth_file_hasher_free);
  g_clear_pointer (&job->filling, hearth_hash_batch_free);
  if (job->root_fd >= 0)
    close (job->root_fd);
  g_clear_pointer (&job->known, g_hash_table_unref);
  g_clear_object (&job->ignore);
  g_clear_pointer (&job->excluded_ids, g_array_unref);
  g_clear_pointer (&job->unreadable_dirs, g_hash_table_unref);
  if (job->listing.names != NULL)
    g_string_free (job->listing.names, TRUE);
  g_clear_pointer (&job->listing.offsets, g_array_unref);
  if (job->path != NULL)
    g_string_free (job->path, TRUE);
  g_clear_pointer (&job->folder, hearth_folder_free);
  g_clear_pointer (&job->report, hearth_scan_report_free);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_clear_error (&job->write_error);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->inventory);
  g_clear_object (&job->scanner);
  g_free (job);
}

static char *
child_path (const char *dir,
            const char *name)
{
  if (dir[0] == '\0')
    return g_strdup (name);
  return g_strconcat (dir, "/", name, NULL);
}

/* Progress */

static gboolean
emit_progress_cb (gpointer data)
{
  ProgressEmit *emit = data;

  g_signal_emit (emit->scanner, signals[PROGRESS], 0, &emit->progress);
  return G_SOURCE_REMOVE;
}

static void
progress_emit_free (gpointer data)
{
  ProgressEmit *emit = data;

  g_object_unref (emit->scanner);
  g_free (emit);
}

static void
report_progress (ScanJob  *job,
                 gboolean  force)
{
  gint64 now = g_get_monotonic_time ();
  ProgressEmit *emit;

  if (!force && now - job->last_progress_us < PROGRESS_EVERY_US)
    return;
  job->last_progress_us = now;

  emit = g_new0 (ProgressEmit, 1);
  emit->scanner = g_object_ref (job->scanner);
  emit->progress = job->report->counts;
  /* Finished files are counted by the walking thread; the bytes of files
   * still being read come from the workers, so a large file shows motion. */
  if (job->hasher != NULL)
    emit->progress.bytes_hashed = MAX (emit->progress.bytes_hashed,
                                       hearth_file_hasher_get_bytes_read (job->hasher));
  /* Files read twice, because they changed meanwhile, count twice above. */
  emit->progress.bytes_hashed = MIN (emit->progress.bytes_hashed, emit->progress.bytes_to_hash);
  emit->progress.elapsed_us = now - job->started_us;

  g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT,
                              emit_progress_cb, emit, progress_emit_free);
}

/* Inventory writes, batched */

static gboolean
transaction_begin (ScanJob *job)
{
  if (job->in_transaction || job->write_error != NULL)
    return job->write_error == NULL;

  if (!hearth_inventory_begin (job->inventory, &job->write_error))
    return FALSE;

  job->in_transaction = TRUE;
  job->transaction_writes = 0;
  job->transaction_started_us = g_get_monotonic_time ();
  return TRUE;
}

static void
transaction_commit (ScanJob *job)
{
  if (!job->in_transaction)
    return;

  job->in_transaction = FALSE;
  if (job->write_error == NULL)
    hearth_inventory_commit (job->inventory, &job->write_error);
  else
    hearth_inventory_rollback (job->inventory);
}

static void
transaction_count_write (ScanJob *job)
{
  job->transaction_writes++;
  if (job->transaction_writes >= TRANSACTION_MAX_WRITES ||
      g_get_monotonic_time () - job->transaction_started_us >= TRANSACTION_MAX_US)
    transaction_commit (job);
}

static void
record_entry (ScanJob              *job,
              const char           *path,
              const HearthFileStat *stat,
              const char           *symlink_target,
              HearthFileDescriptor *descriptor)
{
  if (!transaction_begin (job))
    return;

  if (hearth_inventory_put_file (job->inventory, job->folder->id, path, stat,
                                 symlink_target, descriptor,
                                 g_get_real_time () * 1000, &job->write_error))
    transaction_count_write (job);
}

static void
record_deleted (ScanJob    *job,
                const char *path,
                gint64      when_ns)
{
  if (!transaction_begin (job))
    return;

  if (hearth_inventory_mark_deleted (job->inventory, job->folder->id, path,
                                     when_ns, &job->write_error))
    transaction_count_write (job);
}

/* Hashing results, back on the walking thread */

static void
handle_hash_result (ScanJob  *job,
                    HearthHashItem *item)
{
  HearthScanProgress *counts = &job->report->counts;
  KnownEntry *known = g_hash_table_lookup (job->known, item->path);

  /* A file that vanished stays unseen and is marked deleted at the end; one
   * that could not be read keeps its previous version. */
  if (known != NULL && item->outcome != HEARTH_HASH_VANISHED)
    known->seen = TRUE;

  switch (item->outcome)
    {
    case HEARTH_HASH_OK:
      record_entry (job, item->path, &item->stat, NULL, item->descriptor);
      counts->files_hashed++;
      counts->bytes_hashed += hearth_file_descriptor_get_size (item->descriptor);
      if (item->is_new)
        counts->files_new++;
      else
        counts->files_changed++;
      break;

    case HEARTH_HASH_UNREADABLE:
      hearth_scan_report_add_problem (job->report, HEARTH_SCAN_PROBLEM_UNREADABLE, item->path,
                                      item->message ? item->message : _("The file could not be read"));
      break;

    case HEARTH_HASH_CHANGING:
      hearth_scan_report_add_problem (job->report, HEARTH_SCAN_PROBLEM_CHANGING, item->path,
                                      _("The file kept changing while it was read; it will be backed up once it is still"));
      break;

    case HEARTH_HASH_VANISHED:
    case HEARTH_HASH_REPLACED:
    case HEARTH_HASH_CANCELLED:
    default:
      break;
    }
}

static void
handle_hash_batch (ScanJob         *job,
                   HearthHashBatch *batch)
{
  for (guint i = 0; i < batch->items->len; i++)
    handle_hash_result (job, &g_array_index (batch->items, HearthHashItem, i));

  hearth_hash_batch_free (batch);
}

/* Records what the workers finished. With @wait_below, blocks until fewer
 * than that many batches are in flight (0: until all are done). */
static void
drain_results (ScanJob *job,
               guint    wait_below)
{
  HearthHashBatch *batch;
  guint in_flight;

  while ((in_flight = hearth_file_hasher_get_in_flight (job->hasher)) > 0)
    {
      gboolean wait = wait_below == 0 || in_flight >= wait_below;

      batch = hearth_file_hasher_pop (job->hasher, wait ? PROGRESS_EVERY_US : 0);

      if (batch != NULL)
        handle_hash_batch (job, batch);
      else if (!wait)
        break;
      else
        /* Waiting on a large file: let others use the inventory meanwhile
         * rather than hold SQLite's write lock for as long as it takes. */
        transaction_commit (job);

      report_progress (job, FALSE);
    }
}

static void
flush_filling_batch (ScanJob *job)
{
  if (job->filling != NULL)
    hearth_file_hasher_push (job->hasher, g_steal_pointer (&job->filling));
}

/* Returns a batch with room for a file of @size in @dir_fd's directory, or
 * NULL when no descriptor can be had for it. */
static HearthHashBatch *
batch_for_file (ScanJob *job,
                int      dir_fd,
                guint64  size)
{
  HearthHashBatch *batch;
  int fd;

  if (job->filling != NULL && size < HASH_LARGE_FILE &&
      job->filling->items->len < HASH_BATCH_MAX_FILES &&
      job->filling->bytes + size <= HASH_BATCH_MAX_BYTES)
    return job->filling;

  flush_filling_batch (job);
  drain_results (job, HASH_BATCHES_IN_FLIGHT);

  fd = fcntl (dir_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0)
    return NULL;

  batch = hearth_hash_batch_new (fd);
  if (size >= HASH_LARGE_FILE)
    return batch;

  job->filling = batch;
  return batch;
}

static gboolean
queue_hash (ScanJob              *job,
            int                   dir_fd,
            const char           *path,
            const HearthFileStat *stat,
            gboolean              is_new)
{
  HearthHashBatch *batch = batch_for_file (job, dir_fd, stat->size);

  if (batch == NULL)
    {
      hearth_scan_report_add_problem (job->report, HEARTH_SCAN_PROBLEM_UNREADABLE, path,
                                      g_strerror (errno));
      return FALSE;
    }

  hearth_hash_batch_add (batch, path, stat, is_new);
  job->report->counts.files_to_hash++;
  job->report->counts.bytes_to_hash += stat->size;

  if (batch != job->filling)
    hearth_file_hasher_push (job->hasher, batch);
  return TRUE;
}

/* The walk */

static gboolean
is_excluded_id (ScanJob           *job,
                const struct stat *st)
{
  for (guint i = 0; i < job->excluded_ids->len; i++)
    {
      const DevIno *id = &g_array_index (job->excluded_ids, DevIno, i);

      if (id->dev == st->st_dev && id->ino == st->st_ino)
        return TRUE;
    }
  return FALSE;
}

/* Returns the contents of a small regular file, NUL-terminated, or NULL
 * with a %G_IO_ERROR: %G_IO_ERROR_MESSAGE_TOO_LARGE when larger than
 * @max_size, and the chunk reader's codes for a symlink or another kind. */
static char *
read_small_file_at (int          dir_fd,
                    const char  *name,
                    gsize        max_size,
                    gsize       *len,
                    GError     **error)
{
  g_autofree char *buf = NULL;
  struct stat st;
  gsize done = 0;
  int fd;

  fd = hearth_chunk_reader_open_file_at (dir_fd, name, &st, error);
  if (fd < 0)
    return NULL;

  if ((guint64) st.st_size > max_size)
    {
      close (fd);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "too large");
      return NULL;
    }

  buf = g_malloc ((gsize) st.st_size + 1);
  while (done < (gsize) st.st_size)
    {
      gssize n = read (fd, buf + done, (gsize) st.st_size - done);

      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      done += (gsize) n;
    }
  close (fd);

  buf[done] = '\0';
  *len = done;
  return g_steal_pointer (&buf);
}

static void
report_unreadable (ScanJob    *job,
                   const char *path,
                   int         saved_errno)
{
  hearth_scan_report_add_problem (job->report, HEARTH_SCAN_PROBLEM_UNREADABLE,
                                  path, g_strerror (saved_errno));
}

static gboolean
is_cache_directory (int dir_fd)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  contents = read_small_file_at (dir_fd, CACHEDIR_TAG_NAME, 4096, &len, NULL);
  if (contents == NULL)
    return FALSE;

  return len >= strlen (CACHEDIR_TAG_SIGNATURE) &&
         memcmp (contents, CACHEDIR_TAG_SIGNATURE, strlen (CACHEDIR_TAG_SIGNATURE)) == 0;
}

static void
load_ignore_file (ScanJob    *job,
                  int         dir_fd,
                  const char *dir_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  const char *message;
  gsize len = 0;

  contents = read_small_file_at (dir_fd, HEARTH_IGNORE_FILE_NAME, HEARTHIGNORE_MAX_SIZE, &len, &error);
  if (contents != NULL)
    {
      hearth_ignore_add_patterns (job->ignore, dir_path, contents, len);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return;

  /* Rules the user wrote and we could not follow are worth telling: the
   * files they meant to leave out are being backed up. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
    message = _("This exclusion file is larger than 1 MiB, so its rules were not used");
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS))
    message = _("This exclusion file is a symbolic link, so its rules were not used");
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
    message = _("This exclusion file is not a regular file, so its rules were not used");
  else
    message = error->message;

  path = child_path (dir_path, HEARTH_IGNORE_FILE_NAME);
  hearth_scan_report_add_problem (job->report, HEARTH_SCAN_PROBLEM_UNREADABLE, path, message);
}


static void
listing_add (Listing    *listing,
             const char *name)
{
  gsize offset = listing->names->len;

  g_string_append_len (listing->names, name, strlen (name) + 1);
  g_array_append_val (listing->offsets, offset);
}

static const char *
listing_name (const Listing *listing,
              guint          i)
{
  return listing->names->str + g_array_index (listing->offsets, gsize, i);
}

/* Fills @listing (emptied first); returns 0 or an errno value. */
static int
list_directory (int      dir_fd,
                Listing *listing)
{
  int fd = dup (dir_fd);
  struct dirent *entry;
  int saved_errno;
  DIR *dir;

  g_string_truncate (listing->names, 0);
  g_array_set_size (listing->offsets, 0);
  listing->has_ignore_file = FALSE;
  listing->has_cache_tag = FALSE;

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      saved_errno = errno;
      if (fd >= 0)
        close (fd);
      return saved_errno;
    }

  errno = 0;
  while ((entry = readdir (dir)) != NULL)
    {
      const char *name = entry->d_name;

      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
        continue;

      if (strcmp (name, HEARTH_IGNORE_FILE_NAME) == 0)
        listing->has_ignore_file = TRUE;
      else if (strcmp (name, CACHEDIR_TAG_NAME) == 0)
        listing->has_cache_tag = TRUE;

      listing_add (listing, name);
      errno = 0;
    }
  saved_errno = errno;
  closedir (dir);

  return saved_errno;
}

/* Linux caps a symlink's target at PATH_MAX. st_size is not used to size
 * the buffer: some file systems report 0 for symlinks, and a broken or
 * hostile one could report anything. */
static gboolean
read_symlink_target (ScanJob     *job,
                     int          dir_fd,
                     const char  *name,
                     const char  *path,
                     char       **target)
{
  g_autofree char *buf = g_malloc (PATH_MAX + 1);
  gssize n = readlinkat (dir_fd, name, buf, PATH_MAX + 1);

  if (n < 0)
    {
      /* Gone, or no longer a symlink: the next scan sees what is there. */
      if (errno != ENOENT && errno != EINVAL)
        report_unreadable (job, path, errno);
      return FALSE;
    }

  if (n > PATH_MAX)
    {
      report_unreadable (job, path, ENAMETOOLONG);
      return FALSE;
    }

  buf[n] = '\0';
  *target = g_steal_pointer (&buf);
  return TRUE;
}

/* Records a changed directory or symlink at once; a changed regular file
 * goes to the hashing pool. Returns FALSE when nothing could be recorded
 * or queued, so that the entry's previous version stays. */
static gboolean
record_or_queue (ScanJob              *job,
                 int                   dir_fd,
                 const char           *name,
                 const char           *path,
                 const HearthFileStat *stat,
                 gboolean              is_new)
{
  g_autofree char *target = NULL;

  switch (stat->type)
    {
    case HEARTH_FILE_TYPE_REGULAR:
      return queue_hash (job, dir_fd, path, stat, is_new);

    case HEARTH_FILE_TYPE_DIRECTORY:
      record_entry (job, path, stat, NULL, NULL);
      break;

    case HEARTH_FILE_TYPE_SYMLINK:
      if (!read_symlink_target (job, dir_fd, name, path, &target))
        return FALSE;
      record_entry (job, path, stat, target, NULL);
      break;

    default:
      g_assert_not_reached ();
    }

  if (is_new)
    job->report->counts.files_new++;
  else
    job->report->counts.files_changed++;
  return TRUE;
}

static void
visit_unchanged_or_record (ScanJob              *job,
                           const char           *path,
                           const HearthFileStat *stat,
                           int                   dir_fd,
                           const char           *name)
{
  KnownEntry *known = g_hash_table_lookup (job->known, path);
  gboolean queued;

  if (known != NULL && hearth_file_stat_equal (&known->stat, stat))
    {
      known->seen = TRUE;
      return;
    }

  queued = record_or_queue (job, dir_fd, name, path, stat, known == NULL);

  /* A queued file's fate is decided when its hash comes back; until then
   * (or if it could not even be queued) its old version stands. */
  if (known != NULL)
    known->seen = !(queued && stat->type == HEARTH_FILE_TYPE_REGULAR);
}

/* A directory to walk, and who it was when its parent was listed. */
typedef struct
{
  char  *path;
  dev_t  dev;
  ino_t  ino;
} PendingDir;

static void
pending_dir_free (gpointer data)
{
  PendingDir *dir = data;

  if (dir == NULL)
    return;

  g_free (dir->path);
  g_free (dir);
}

static PendingDir *
pending_dir_new (char              *path,
                 const struct stat *st)
{
  PendingDir *dir = g_new (PendingDir, 1);

  dir->path = path;
  dir->dev = st->st_dev;
  dir->ino = st->st_ino;
  return dir;
}

/* What lies under @path is not known this time: keep what was recorded. */
static void
keep_subtree (ScanJob    *job,
              const char *path)
{
  g_hash_table_add (job->unreadable_dirs, g_strdup (path));
}

static void
visit_entry (ScanJob    *job,
             int         dir_fd,
             const char *path,
             const char *name,
             GPtrArray  *subdirs)
{
  HearthFileStat stat;
  struct stat st;

  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      int saved_errno = errno;
      KnownEntry *known;

      if (saved_errno == ENOENT)
        return;

      /* Listed but not looked at (a folder without execute permission, a
       * failing disk): an error, not a deletion. */
      report_unreadable (job, path, saved_errno);
      if ((known = g_hash_table_lookup (job->known, path)) != NULL)
        known->seen = TRUE;
      keep_subtree (job, path);
      return;
    }

  if (!hearth_file_stat_from_stat (&stat, &st))
    {
      hearth_scan_report_add_problem (job->report, HEARTH_SCAN_PROBLEM_SPECIAL, path,
                                      _("Skipped: devices, sockets and pipes are not backed up"));
      return;
    }

  if (hearth_ignore_is_excluded (job->ignore, path, stat.type == HEARTH_FILE_TYPE_DIRECTORY) ||
      (stat.type == HEARTH_FILE_TYPE_DIRECTORY && is_excluded_id (job, &st)))
    {
      job->report->counts.files_excluded++;
      return;
    }

  job->report->counts.files_seen++;
  visit_unchanged_or_record (job, path, &stat, dir_fd, name);

  if (stat.type == HEARTH_FILE_TYPE_DIRECTORY)
    g_ptr_array_add (subdirs, pending_dir_new (g_strdup (path), &st));
}

/* For paths longer than PATH_MAX: one component at a time, each without
 * following a symlink. */
static int
open_directory_stepwise (int         root_fd,
                         const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  int fd = dup (root_fd);

  for (guint i = 0; parts[i] != NULL && fd >= 0; i++)
    {
      int next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int saved_errno = errno;

      close (fd);
      fd = next;
      errno = saved_errno;
    }

  return fd;
}

/* Opens @dir, and makes sure it is the directory its parent's listing
 * showed. O_NOFOLLOW guards only the last component: had a directory above
 * been swapped for a symlink since, the path would lead out of the folder,
 * to a directory with another device and inode. Returns -1 with errno set;
 * ESTALE when the path now leads elsewhere. */
static int
open_directory (ScanJob          *job,
                const PendingDir *dir)
{
  struct stat st;
  int fd;

  if (dir->path[0] == '\0')
    return dup (job->root_fd);

  fd = openat (job->root_fd, dir->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENAMETOOLONG)
    fd = open_directory_stepwise (job->root_fd, dir->path);
  if (fd < 0)
    return -1;

  if (fstat (fd, &st) != 0 || st.st_dev != dir->dev || st.st_ino != dir->ino)
    {
      close (fd);
      errno = ESTALE;
      return -1;
    }

  return fd;
}

static void
walk_directory (ScanJob          *job,
                const PendingDir *dir,
                GPtrArray        *stack)
{
  g_autoptr(GPtrArray) subdirs = NULL;
  Listing *listing = &job->listing;
  const char *dir_path = dir->path;
  GString *path = job->path;
  int saved_errno = 0;
  gsize prefix_len;
  int dir_fd;

  dir_fd = open_directory (job, dir);
  if (dir_fd < 0)
    {
      saved_errno = errno;
      /* Gone since its parent was listed: its contents are gone too. */
      if (saved_errno == ENOENT)
        return;

      /* Replaced since (ENOTDIR, ELOOP, ESTALE): the next scan sees what
       * is there now, and until then what was recorded stands. */
      if (saved_errno != ENOTDIR && saved_errno != ELOOP && saved_errno != ESTALE)
        report_unreadable (job, dir_path, saved_errno);
      keep_subtree (job, dir_path);
      return;
    }

  saved_errno = list_directory (dir_fd, listing);
  if (saved_errno != 0)
    {
      report_unreadable (job, dir_path[0] ? dir_path : ".", saved_errno);
      keep_subtree (job, dir_path);
      close (dir_fd);
      return;
    }

  if (listing->has_ignore_file)
    load_ignore_file (job, dir_fd, dir_path);

  /* A tagged cache keeps its tag, so a restore shows why it is empty. */
  if (listing->has_cache_tag && is_cache_directory (dir_fd))
    {
      job->report->counts.files_excluded += listing->offsets->len - 1;
      g_string_truncate (listing->names, 0);
      g_array_set_size (listing->offsets, 0);
      listing_add (listing, CACHEDIR_TAG_NAME);
    }

  /* Each entry's path is the directory's, a slash, and its name, built in
   * one buffer that the next entry overwrites. */
  g_string_assign (path, dir_path);
  if (path->len > 0)
    g_string_append_c (path, '/');
  prefix_len = path->len;

  subdirs = g_ptr_array_new_with_free_func (pending_dir_free);
  for (guint i = 0; i < listing->offsets->len; i++)
    {
      const char *name = listing_name (listing, i);

      g_string_truncate (path, prefix_len);
      g_string_append (path, name);
      visit_entry (job, dir_fd, path->str, name, subdirs);
      drain_results (job, G_MAXUINT);
      report_progress (job, FALSE);
    }
  flush_filling_batch (job);
  close (dir_fd);

  /* Pushed in reverse so the walk goes depth first in listing order. */
  for (guint i = subdirs->len; i > 0; i--)
    g_ptr_array_add (stack, g_steal_pointer (&g_ptr_array_index (subdirs, i - 1)));
}

static void
walk_folder (ScanJob           *job,
             const struct stat *root)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (pending_dir_free);

  g_ptr_array_add (stack, pending_dir_new (g_strdup (""), root));

  while (stack->len > 0 && !g_cancellable_is_cancelled (job->cancellable))
    {
      PendingDir *dir = g_ptr_array_steal_index (stack, stack->len - 1);

      walk_directory (job, dir, stack);
      pending_dir_free (dir);
      if (job->write_error != NULL)
        break;
    }
}

/* Whether @path or a directory above it is in the set: one lookup per
 * ancestor, so the deletion pass costs the depth of each unseen path. */
static gboolean
is_under_unreadable_dir (ScanJob    *job,
                         const char *path)
{
  g_autofree char *ancestor = NULL;
  char *slash;

  if (g_hash_table_size (job->unreadable_dirs) == 0)
    return FALSE;
  if (g_hash_table_contains (job->unreadable_dirs, ""))
    return TRUE;

  ancestor = g_strdup (path);
  while ((slash = strrchr (ancestor, '/')) != NULL)
    {
      *slash = '\0';
      if (g_hash_table_contains (job->unreadable_dirs, ancestor))
        return TRUE;
    }
  return FALSE;
}

static void
mark_unseen_deleted (ScanJob *job)
{
  gint64 now_ns = g_get_real_time () * 1000;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, job->known);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      KnownEntry *known = value;

      if (known->seen || is_under_unreadable_dir (job, key))
        continue;

      record_deleted (job, key, now_ns);
      job->report->counts.files_deleted++;
    }
}

static gboolean
load_known_cb (const char           *path,
               const HearthFileStat *stat,
               gpointer              user_data)
{
  ScanJob *job = user_data;
  gsize len = strlen (path);
  KnownEntry *known = g_malloc (sizeof (KnownEntry) + len + 1);

  known->stat = *stat;
  known->seen = FALSE;
  memcpy (known->path, path, len + 1);
  g_hash_table_insert (job->known, known->path, known);
  return TRUE;
}

static gboolean
set_root_error (ScanJob  *job,
                int       saved_errno,
                GError  **error)
{
  g_autofree char *shown = g_filename_display_name (job->folder->path);

  if (saved_errno == ENOENT || saved_errno == ENOTDIR)
    g_set_error (error, HEARTH_SCANNER_ERROR, HEARTH_SCANNER_ERROR_FOLDER_MISSING,
                 _("The folder “%s” is not there: if it is on a removable drive, connect it"),
                 shown);
  else
    g_set_error (error, HEARTH_SCANNER_ERROR, HEARTH_SCANNER_ERROR_FOLDER_UNREADABLE,
                 _("The folder “%s” cannot be read: %s"), shown, g_strerror (saved_errno));
  return FALSE;
}

/* A folder that is a drive's mount point is, once the drive is unmounted,
 * an empty directory on the file system below: scanned, it would look as
 * if every file had been deleted. The folder remembers that it was a mount
 * point; when it is no longer one, the drive is missing, not the files. */
static gboolean
open_root (ScanJob      *job,
           struct stat  *root,
           GError      **error)
{
  g_autofree char *shown = NULL;
  struct stat parent;

  job->root_fd = open (job->folder->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (job->root_fd < 0 || fstat (job->root_fd, root) != 0)
    return set_root_error (job, errno, error);

  if (fstatat (job->root_fd, "..", &parent, 0) != 0)
    return set_root_error (job, errno, error);

  job->root_is_mount_point = root->st_dev != parent.st_dev;
  if (job->folder->is_mount_point && !job->root_is_mount_point)
    {
      shown = g_filename_display_name (job->folder->path);
      g_set_error (error, HEARTH_SCANNER_ERROR, HEARTH_SCANNER_ERROR_FOLDER_MISSING,
                   _("The drive of the folder “%s” is not mounted: connect it, or remove the folder from the backup"),
                   shown);
      return FALSE;
    }

  return TRUE;
}

static gboolean
record_folder_scanned (ScanJob *job)
{
  if (!transaction_begin (job))
    return FALSE;

  if (job->root_is_mount_point != job->folder->is_mount_point &&
      !hearth_inventory_set_folder_mount_point (job->inventory, job->folder->id,
                                                job->root_is_mount_point, &job->write_error))
    return FALSE;

  return hearth_inventory_set_folder_scanned (job->inventory, job->folder->id,
                                              g_get_real_time () * 1000, &job->write_error);
}

static void
resolve_excludes (ScanJob *job)
{
  for (guint i = 0; i < job->scanner->excludes->len; i++)
    {
      const char *path = g_ptr_array_index (job->scanner->excludes, i);
      struct stat st;

      if (stat (path, &st) == 0)
        {
          DevIno id = { st.st_dev, st.st_ino };
          g_array_append_val (job->excluded_ids, id);
        }
    }
}

static gboolean
run_scan (ScanJob  *job,
          GError  **error)
{
  struct stat root;

  if (!open_root (job, &root, error))
    return FALSE;

  resolve_excludes (job);

  if (!hearth_inventory_foreach_file (job->inventory, job->folder->id, load_known_cb, job, error))
    return FALSE;
  g_debug ("%s: %u entries known, loaded in %" G_GINT64_FORMAT " ms",
           job->folder->path, g_hash_table_size (job->known),
           (g_get_monotonic_time () - job->started_us) / 1000);

  job->hasher = hearth_file_hasher_new (job->scanner->n_workers, job->cancellable, error);
  if (job->hasher == NULL)
    return FALSE;

  walk_folder (job, &root);
  g_debug ("%s: walked in %" G_GINT64_FORMAT " ms", job->folder->path,
           (g_get_monotonic_time () - job->started_us) / 1000);
  drain_results (job, 0);

  /* A cancelled walk proves nothing about what is gone. What was hashed
   * before the cancellation is kept: the next scan need not read it. */
  if (!g_cancellable_is_cancelled (job->cancellable) && job->write_error == NULL)
    {
      mark_unseen_deleted (job);
      record_folder_scanned (job);
    }
  transaction_commit (job);

  if (job->write_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job->write_error));
      return FALSE;
    }

  return !g_cancellable_set_error_if_cancelled (job->cancellable, error);
}

/* Before the caller hears of the end, the scan lets go of the inventory
 * (once the hashing threads are gone, the next scan may start from the
 * callback) and of the folder (which may be unmounted then). */
static void
scan_job_finish (ScanJob *job)
{
  g_clear_pointer (&job->hasher, hearth_file_hasher_free);
  if (job->root_fd >= 0)
    {
      close (job->root_fd);
      job->root_fd = -1;
    }
  g_atomic_int_set (&job->scanner->busy, FALSE);
}

static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ScanJob *job = task_data;
  g_autoptr(GError) error = NULL;

  job->started_us = g_get_monotonic_time ();

  if (!run_scan (job, &error))
    {
      scan_job_finish (job);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job->report->counts.elapsed_us = g_get_monotonic_time () - job->started_us;
  report_progress (job, TRUE);
  scan_job_finish (job);
  g_task_return_pointer (task, g_steal_pointer (&job->report),
                         (GDestroyNotify) hearth_scan_report_free);
}

static ScanJob *
scan_job_new (HearthScanner *self,
              HearthFolder  *folder,
              GCancellable  *cancellable)
{
  ScanJob *job = g_new0 (ScanJob, 1);

  job->scanner = g_object_ref (self);
  job->inventory = g_object_ref (self->inventory);
  job->folder = folder;
  job->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  job->context = g_main_context_ref_thread_default ();
  job->root_fd = -1;
  job->known = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  job->ignore = hearth_ignore_new ();
  job->excluded_ids = g_array_new (FALSE, FALSE, sizeof (DevIno));
  job->unreadable_dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->listing.names = g_string_new (NULL);
  job->listing.offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  job->path = g_string_new (NULL);
  job->report = hearth_scan_report_new (folder->id);

  return job;
}

/* GObject */

static void
hearth_scanner_finalize (GObject *object)
{
  HearthScanner *self = (HearthScanner *)object;

  g_clear_object (&self->inventory);
  g_clear_pointer (&self->excludes, g_ptr_array_unref);

  G_OBJECT_CLASS (hearth_scanner_parent_class)->finalize (object);
}

static void
hearth_scanner_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HearthScanner *self = HEARTH_SCANNER (object);

  switch (prop_id)
    {
    case PROP_INVENTORY:
      g_value_set_object (value, self->inventory);
      break;

    case PROP_N_WORKERS:
      g_value_set_uint (value, self->n_workers);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_scanner_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  HearthScanner *self = HEARTH_SCANNER (object);

  switch (prop_id)
    {
    case PROP_INVENTORY:
      self->inventory = g_value_dup_object (value);
      break;

    case PROP_N_WORKERS:
      hearth_scanner_set_n_workers (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_scanner_class_init (HearthScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hearth_scanner_finalize;
  object_class->get_property = hearth_scanner_get_property;
  object_class->set_property = hearth_scanner_set_property;

  properties[PROP_INVENTORY] =
    g_param_spec_object ("inventory", NULL, NULL,
                         HEARTH_TYPE_INVENTORY,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_N_WORKERS] =
    g_param_spec_uint ("n-workers", NULL, NULL,
                       1, 256, 1,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HearthScanner::progress:
   * @progress: (type gpointer): the #HearthScanProgress so far
   *
   * Emitted on the main context of the caller of hearth_scanner_scan_async(),
   * at most ten times a second, and once when the scan finishes.
   */
  signals[PROGRESS] =
    g_signal_new ("progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
hearth_scanner_init (HearthScanner *self)
{
  self->n_workers = MAX (1, g_get_num_processors ());
  self->excludes = g_ptr_array_new_with_free_func (g_free);
}

HearthScanner *
hearth_scanner_new (HearthInventory *inventory)
{
  g_return_val_if_fail (HEARTH_IS_INVENTORY (inventory), NULL);

  return g_object_new (HEARTH_TYPE_SCANNER, "inventory", inventory, NULL);
}

HearthInventory *
hearth_scanner_get_inventory (HearthScanner *self)
{
  g_return_val_if_fail (HEARTH_IS_SCANNER (self), NULL);

  return self->inventory;
}

guint
hearth_scanner_get_n_workers (HearthScanner *self)
{
  g_return_val_if_fail (HEARTH_IS_SCANNER (self), 0);

  return self->n_workers;
}

void
hearth_scanner_set_n_workers (HearthScanner *self,
                              guint          n_workers)
{
  g_return_if_fail (HEARTH_IS_SCANNER (self));
  g_return_if_fail (n_workers > 0);

  if (self->n_workers == n_workers)
    return;

  self->n_workers = n_workers;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WORKERS]);
}

/**
 * hearth_scanner_add_exclude:
 * @absolute_path: a directory never to back up
 *
 * For Hearth's own data (the profile directory) when it lies inside a
 * backed-up folder. The directory is recognised by its device and inode,
 * so any path that reaches it is skipped.
 */
void
hearth_scanner_add_exclude (HearthScanner *self,
                            const char    *absolute_path)
{
  g_return_if_fail (HEARTH_IS_SCANNER (self));
  g_return_if_fail (absolute_path != NULL);

  g_ptr_array_add (self->excludes, g_strdup (absolute_path));
}

/**
 * hearth_scanner_scan_async:
 * @folder_id: a folder of the scanner's inventory
 *
 * Walks the folder, reads what is new or changed and records it in the
 * inventory. The inventory must not be used by anyone else until the scan
 * finishes. One scan at a time per scanner.
 */
void
hearth_scanner_scan_async (HearthScanner       *self,
                           gint64               folder_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  HearthFolder *folder;

  g_return_if_fail (HEARTH_IS_SCANNER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_scanner_scan_async);

  if (g_atomic_int_get (&self->busy))
    {
      g_task_return_new_error (task, HEARTH_SCANNER_ERROR, HEARTH_SCANNER_ERROR_BUSY,
                               _("A scan is already running"));
      return;
    }

  folder = hearth_inventory_get_folder (self->inventory, folder_id, &error);
  if (folder == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_atomic_int_set (&self->busy, TRUE);

  g_task_set_task_data (task, scan_job_new (self, folder, cancellable),
                        (GDestroyNotify) scan_job_free);
  g_task_run_in_thread (task, scan_thread);
}

HearthScanReport *
hearth_scanner_scan_finish (HearthScanner  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (HEARTH_IS_SCANNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
