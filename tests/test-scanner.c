/* test-scanner.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hearth-chunk-reader.h"
#include "hearth-scanner.h"
#include "hearth-test-util.h"

/* Files written less than the scanner's racy window before a scan are read
 * again by the next one (see hearth-scanner.c). Tests that check that an
 * unchanged file is not read wait this long after writing. */
#define SETTLE_US (150 * 1000)

typedef struct
{
  char            *tmpdir;
  char            *root;
  HearthInventory *inventory;
  HearthScanner   *scanner;
  HearthFolder    *folder;
  guint            n_progress;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  f->tmpdir = hearth_test_make_tmpdir ();
  f->root = g_build_filename (f->tmpdir, "folder", NULL);
  g_assert_cmpint (g_mkdir (f->root, 0755), ==, 0);

  db = g_build_filename (f->tmpdir, "inventory.db", NULL);
  f->inventory = hearth_inventory_open (db, &error);
  g_assert_no_error (error);

  f->folder = hearth_inventory_add_folder (f->inventory, f->root, &error);
  g_assert_no_error (error);

  f->scanner = hearth_scanner_new (f->inventory);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->scanner);
  g_clear_object (&f->inventory);
  g_clear_pointer (&f->folder, hearth_folder_free);
  hearth_test_rm_rf (f->tmpdir);
  g_clear_pointer (&f->tmpdir, g_free);
  g_clear_pointer (&f->root, g_free);
}

static char *
path_in (Fixture    *f,
         const char *relative)
{
  return g_build_filename (f->root, relative, NULL);
}

static void
write_in (Fixture    *f,
          const char *relative,
          const char *text)
{
  g_autofree char *path = path_in (f, relative);

  hearth_test_write_file (path, text, strlen (text));
}

static void
mkdir_in (Fixture    *f,
          const char *relative)
{
  g_autofree char *path = path_in (f, relative);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
}

typedef struct
{
  GMainLoop        *loop;
  HearthScanReport *report;
  GError           *error;
} Wait;

static void
scan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *wait = user_data;

  wait->report = hearth_scanner_scan_finish (HEARTH_SCANNER (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
on_progress (HearthScanner            *scanner,
             const HearthScanProgress *progress,
             Fixture                  *f)
{
  f->n_progress++;
}

static HearthScanReport *
scan_with (Fixture       *f,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait wait = { loop, NULL, NULL };

  hearth_scanner_scan_async (f->scanner, f->folder->id, cancellable, scan_done_cb, &wait);
  g_main_loop_run (loop);

  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.report;
}

static HearthScanReport *
scan (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  HearthScanReport *report = scan_with (f, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static HearthInventoryFile *
lookup (Fixture    *f,
        const char *relative)
{
  g_autoptr(GError) error = NULL;
  HearthInventoryFile *file = hearth_inventory_get_file (f->inventory, f->folder->id, relative, &error);

  if (g_error_matches (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND))
    return NULL;
  g_assert_no_error (error);
  return file;
}

static void
assert_live (Fixture        *f,
             const char     *relative,
             HearthFileType  type)
{
  g_autoptr(HearthInventoryFile) file = lookup (f, relative);

  g_assert_nonnull (file);
  g_assert_cmpint (file->deleted_ns, ==, 0);
  g_assert_cmpint (file->stat.type, ==, type);
}

static void
assert_absent (Fixture    *f,
               const char *relative)
{
  g_autoptr(HearthInventoryFile) file = lookup (f, relative);

  g_assert_null (file);
}

static gint64
count_live (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  gint64 n = hearth_inventory_count_files (f->inventory, f->folder->id, &error);

  g_assert_no_error (error);
  return n;
}

static const HearthScanProblem *
find_problem (const HearthScanReport *report,
              HearthScanProblemKind   kind,
              const char             *path)
{
  for (guint i = 0; i < report->problems->len; i++)
    {
      const HearthScanProblem *p = g_ptr_array_index (report->problems, i);

      if (p->kind == kind && g_strcmp0 (p->path, path) == 0)
        return p;
    }
  return NULL;
}

static void
test_first_scan_and_rescan (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) second = NULL;
  g_autoptr(HearthInventoryFile) big = NULL;
  g_autoptr(HearthChunkReader) reader = hearth_chunk_reader_new ();
  g_autoptr(HearthFileDescriptor) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big_path = path_in (f, "docs/big.bin");
  gulong handler;

  mkdir_in (f, "docs/deep/er");
  write_in (f, "a.txt", "hello");
  write_in (f, "docs/deep/er/b.txt", "world");
  write_in (f, "empty", "");
  hearth_test_write_random (big_path, 3 * 1024 * 1024 + 17, 42);
  g_usleep (SETTLE_US);

  handler = g_signal_connect (f->scanner, "progress", G_CALLBACK (on_progress), f);
  first = scan (f);
  g_signal_handler_disconnect (f->scanner, handler);

  /* a.txt, empty, docs, docs/big.bin, docs/deep, docs/deep/er, b.txt */
  g_assert_cmpuint (first->counts.files_seen, ==, 7);
  g_assert_cmpuint (first->counts.files_hashed, ==, 4);
  g_assert_cmpuint (first->counts.bytes_hashed, ==, 5 + 5 + 3 * 1024 * 1024 + 17);
  g_assert_cmpuint (first->counts.files_new, ==, 7);
  g_assert_cmpuint (first->problems->len, ==, 0);
  g_assert_cmpuint (f->n_progress, >=, 1);
  g_assert_cmpint (count_live (f), ==, 7);

  assert_live (f, "docs", HEARTH_FILE_TYPE_DIRECTORY);
  assert_live (f, "docs/deep/er/b.txt", HEARTH_FILE_TYPE_REGULAR);

  big = lookup (f, "docs/big.bin");
  expected = hearth_chunk_reader_read_path (reader, big_path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (big->descriptor);
  g_assert_true (hearth_chunk_id_equal (hearth_file_descriptor_get_id (big->descriptor),
                                        hearth_file_descriptor_get_id (expected)));
  g_assert_cmpuint (big->stat.size, ==, 3 * 1024 * 1024 + 17);

  second = scan (f);
  g_assert_cmpuint (second->counts.files_seen, ==, 7);
  g_assert_cmpuint (second->counts.files_hashed, ==, 0);
  g_assert_cmpuint (second->counts.bytes_hashed, ==, 0);
  g_assert_cmpuint (second->counts.files_new + second->counts.files_changed + second->counts.files_deleted, ==, 0);
}

static void
test_changed_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) second = NULL;
  g_autoptr(HearthInventoryFile) before = NULL;
  g_autoptr(HearthInventoryFile) after = NULL;

  write_in (f, "note.txt", "version one");
  write_in (f, "other.txt", "untouched");
  g_usleep (SETTLE_US);
  first = scan (f);
  before = lookup (f, "note.txt");

  /* Same size, new content: only the metadata can tell. */
  write_in (f, "note.txt", "version two");
  g_usleep (SETTLE_US);
  second = scan (f);
  after = lookup (f, "note.txt");

  g_assert_cmpuint (second->counts.files_hashed, ==, 1);
  g_assert_cmpuint (second->counts.files_changed, >=, 1);
  g_assert_false (hearth_chunk_id_equal (hearth_file_descriptor_get_id (before->descriptor),
                                         hearth_file_descriptor_get_id (after->descriptor)));
}

static void
test_racy_file_read_again (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) second = NULL;
  g_autoptr(HearthScanReport) third = NULL;

  /* Scanned at once after writing: a write within the same clock tick
   * could go unseen, so the next scan must read it again, once. */
  write_in (f, "fresh.txt", "just written");
  first = scan (f);
  g_assert_cmpuint (first->counts.files_hashed, ==, 1);

  g_usleep (SETTLE_US);
  second = scan (f);
  g_assert_cmpuint (second->counts.files_hashed, ==, 1);

  third = scan (f);
  g_assert_cmpuint (third->counts.files_hashed, ==, 0);
}

static void
test_deleted_files (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) second = NULL;
  g_autoptr(HearthInventoryFile) gone = NULL;
  g_autofree char *file = path_in (f, "sub/gone.txt");
  g_autofree char *dir = path_in (f, "sub");

  mkdir_in (f, "sub");
  write_in (f, "sub/gone.txt", "bye");
  write_in (f, "stays.txt", "hi");
  g_usleep (SETTLE_US);
  first = scan (f);
  g_assert_cmpint (count_live (f), ==, 3);

  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  second = scan (f);

  g_assert_cmpuint (second->counts.files_deleted, ==, 2);
  g_assert_cmpint (count_live (f), ==, 1);
  gone = lookup (f, "sub/gone.txt");
  g_assert_nonnull (gone);
  g_assert_cmpint (gone->deleted_ns, >, 0);
}

static void
test_symlinks_not_followed (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(HearthScanReport) report = NULL;
  g_autoptr(HearthInventoryFile) link = NULL;
  g_autofree char *outside = g_build_filename (f->tmpdir, "outside", NULL);
  g_autofree char *outside_file = g_build_filename (outside, "secret.txt", NULL);
  g_autofree char *link_path = path_in (f, "link-to-outside");
  g_autofree char *dangling = path_in (f, "dangling");

  g_assert_cmpint (g_mkdir (outside, 0755), ==, 0);
  hearth_test_write_file (outside_file, "not ours", 8);
  g_assert_cmpint (symlink (outside, link_path), ==, 0);
  g_assert_cmpint (symlink ("no/such/target", dangling), ==, 0);

  report = scan (f);

  link = lookup (f, "link-to-outside");
  g_assert_nonnull (link);
  g_assert_cmpint (link->stat.type, ==, HEARTH_FILE_TYPE_SYMLINK);
  g_assert_cmpstr (link->symlink_target, ==, outside);
  g_assert_null (link->descriptor);
  assert_live (f, "dangling", HEARTH_FILE_TYPE_SYMLINK);
  assert_absent (f, "link-to-outside/secret.txt");
  g_assert_cmpuint (report->counts.files_hashed, ==, 0);
  g_assert_cmpuint (report->problems->len, ==, 0);
}

static void
test_special_files_skipped (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(HearthScanReport) report = NULL;
  g_autofree char *fifo = path_in (f, "pipe");
  g_autofree char *sock_path = path_in (f, "sock");
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int sock;

  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  sock = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (sock, >=, 0);
  g_assert_cmpuint (strlen (sock_path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, sock_path);
  g_assert_cmpint (bind (sock, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  write_in (f, "normal.txt", "fine");

  /* A scan that opened the pipe would block here for ever. */
  report = scan (f);
  close (sock);

  g_assert_nonnull (find_problem (report, HEARTH_SCAN_PROBLEM_SPECIAL, "pipe"));
  g_assert_nonnull (find_problem (report, HEARTH_SCAN_PROBLEM_SPECIAL, "sock"));
  g_assert_cmpuint (hearth_scan_report_count_problems (report, HEARTH_SCAN_PROBLEM_SPECIAL), ==, 2);
  assert_absent (f, "pipe");
  assert_absent (f, "sock");
  assert_live (f, "normal.txt", HEARTH_FILE_TYPE_REGULAR);
}

static void
test_non_utf8_names (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(HearthScanReport) report = NULL;
  g_autoptr(HearthInventoryFile) file = NULL;
  const char *dir_name = "caf\xe9";
  const char *file_rel = "caf\xe9/\xff\xfe name.txt";

  mkdir_in (f, dir_name);
  write_in (f, file_rel, "latin-1 and worse");
  report = scan (f);

  g_assert_cmpuint (report->problems->len, ==, 0);
  assert_live (f, dir_name, HEARTH_FILE_TYPE_DIRECTORY);
  file = lookup (f, file_rel);
  g_assert_nonnull (file);
  g_assert_cmpmem (file->path, strlen (file->path), file_rel, strlen (file_rel));
  g_assert_cmpuint (file->stat.size, ==, strlen ("latin-1 and worse"));
}

static void
test_excludes (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) second = NULL;
  g_autofree char *profile = path_in (f, "my-profile");
  const char *tag = "Signature: 8a477f597d28d172789f06886806bc55\n# a cache\n";

  mkdir_in (f, "build/objects");
  write_in (f, "build/CACHEDIR.TAG", tag);
  write_in (f, "build/objects/x.o", "object code");
  mkdir_in (f, "fake-cache");
  write_in (f, "fake-cache/CACHEDIR.TAG", "Signature: wrong");
  write_in (f, "fake-cache/kept.txt", "kept");
  mkdir_in (f, ".cache/thumbnails");
  write_in (f, ".cache/thumbnails/t.png", "png");
  mkdir_in (f, "photos/raw");
  write_in (f, ".hearthignore", "*.tmp\n/top-only.txt\n");
  write_in (f, "photos/.hearthignore", "raw/\n!keep.tmp\n");
  write_in (f, "photos/raw/img.cr2", "raw image");
  write_in (f, "photos/a.tmp", "temp");
  write_in (f, "photos/keep.tmp", "re-included");
  write_in (f, "photos/top-only.txt", "anchored rule is for the root only");
  write_in (f, "top-only.txt", "excluded");
  mkdir_in (f, "my-profile");
  write_in (f, "my-profile/inventory.db", "hearth's own data");
  hearth_scanner_add_exclude (f->scanner, profile);

  first = scan (f);

  assert_live (f, "build", HEARTH_FILE_TYPE_DIRECTORY);
  assert_live (f, "build/CACHEDIR.TAG", HEARTH_FILE_TYPE_REGULAR);
  assert_absent (f, "build/objects");
  assert_absent (f, "build/objects/x.o");
  assert_live (f, "fake-cache/kept.txt", HEARTH_FILE_TYPE_REGULAR);
  assert_absent (f, ".cache");
  assert_absent (f, ".cache/thumbnails/t.png");
  assert_live (f, ".hearthignore", HEARTH_FILE_TYPE_REGULAR);
  assert_absent (f, "photos/raw");
  assert_absent (f, "photos/a.tmp");
  assert_live (f, "photos/keep.tmp", HEARTH_FILE_TYPE_REGULAR);
  assert_live (f, "photos/top-only.txt", HEARTH_FILE_TYPE_REGULAR);
  assert_absent (f, "top-only.txt");
  assert_absent (f, "my-profile");
  assert_absent (f, "my-profile/inventory.db");
  g_assert_cmpuint (first->counts.files_excluded, >=, 6);

  /* A rule added later removes what was backed up before from the
   * folder's current state. */
  write_in (f, ".hearthignore", "*.tmp\n/top-only.txt\nfake-cache/\n");
  second = scan (f);
  g_assert_cmpuint (second->counts.files_deleted, >=, 3);
  {
    g_autoptr(HearthInventoryFile) kept = lookup (f, "fake-cache/kept.txt");
    g_assert_cmpint (kept->deleted_ns, >, 0);
  }
}

static void
test_oversized_ignore_file (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(HearthScanReport) report = NULL;
  g_autofree char *path = path_in (f, "sub/.hearthignore");
  gsize size = 1024 * 1024 + 1;
  g_autofree char *rules = g_malloc (size);

  /* Every line would exclude *.log, but the file is too large to use. */
  for (gsize i = 0; i < size; i += 6)
    memcpy (rules + i, "*.log\n", MIN (6, size - i));
  mkdir_in (f, "sub");
  hearth_test_write_file (path, rules, size);
  write_in (f, "sub/app.log", "still backed up");

  report = scan (f);

  g_assert_nonnull (find_problem (report, HEARTH_SCAN_PROBLEM_UNREADABLE, "sub/.hearthignore"));
  assert_live (f, "sub/app.log", HEARTH_FILE_TYPE_REGULAR);
}

static void
test_missing_folder (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = g_build_filename (f->tmpdir, "unplugged", NULL);

  write_in (f, "on-the-drive.txt", "data");
  first = scan (f);
  g_assert_cmpint (g_rename (f->root, moved), ==, 0);

  report = scan_with (f, NULL, &error);
  g_assert_error (error, HEARTH_SCANNER_ERROR, HEARTH_SCANNER_ERROR_FOLDER_MISSING);
  g_assert_null (report);
  /* An unplugged drive is not a deletion. */
  assert_live (f, "on-the-drive.txt", HEARTH_FILE_TYPE_REGULAR);
}

static void
make_sparse_file (Fixture    *f,
                  const char *relative,
                  goffset     size)
{
  g_autofree char *path = path_in (f, relative);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, size), ==, 0);
  close (fd);
}

static void
touch_in (Fixture    *f,
          const char *relative,
          time_t      when)
{
  g_autofree char *path = path_in (f, relative);
  struct timespec times[2] = { { when, 0 }, { when, 0 } };

  g_assert_cmpint (utimensat (AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), ==, 0);
}

static void
cancel_on_progress (HearthScanner            *scanner,
                    const HearthScanProgress *progress,
                    GCancellable             *cancellable)
{
  g_cancellable_cancel (cancellable);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) cancelled = NULL;
  g_autoptr(HearthScanReport) full = NULL;
  g_autoptr(GError) error = NULL;
  gulong handler;

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *name = g_strdup_printf ("d%u/f%03u", i % 10, i);

      if (i < 10)
        {
          g_autofree char *dir = g_strdup_printf ("d%u", i);
          mkdir_in (f, dir);
        }
      write_in (f, name, name);
    }
  make_sparse_file (f, "big.bin", 512 * 1024 * 1024);
  g_usleep (SETTLE_US);
  first = scan (f);
  g_assert_cmpint (count_live (f), ==, 211);

  /* Everything changed, and the scan is stopped at its first progress,
   * long before 512 MiB are read. */
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *name = g_strdup_printf ("d%u/f%03u", i % 10, i);
      touch_in (f, name, 1000000000 + i);
    }
  touch_in (f, "big.bin", 1000000000);

  handler = g_signal_connect (f->scanner, "progress", G_CALLBACK (cancel_on_progress), cancellable);
  cancelled = scan_with (f, cancellable, &error);
  g_signal_handler_disconnect (f->scanner, handler);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (cancelled);

  /* A cancelled scan proves nothing about what is gone. */
  g_assert_cmpint (count_live (f), ==, 211);

  full = scan (f);
  g_assert_cmpuint (full->counts.files_deleted, ==, 0);
  g_assert_cmpint (count_live (f), ==, 211);
  g_assert_cmpuint (full->problems->len, ==, 0);
}

static void
scan_again_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Wait *wait = user_data;
  g_autoptr(HearthScanReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = hearth_scanner_scan_finish (HEARTH_SCANNER (object), result, &error);
  g_assert_no_error (error);

  /* The next scan may start from the callback of the last one. */
  hearth_scanner_scan_async (HEARTH_SCANNER (object), report->folder_id, NULL, scan_done_cb, wait);
}

static void
test_scan_from_callback (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait wait = { loop, NULL, NULL };

  write_in (f, "a", "a");
  hearth_scanner_scan_async (f->scanner, f->folder->id, NULL, scan_again_cb, &wait);
  g_main_loop_run (loop);

  g_assert_no_error (wait.error);
  g_assert_nonnull (wait.report);
  hearth_scan_report_free (wait.report);
}

static void
test_far_future_times (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) second = NULL;
  g_autoptr(HearthInventoryFile) file = NULL;

  /* Year 2446: more nanoseconds than 64 bits hold. ext4 stores it. */
  write_in (f, "future.txt", "from the future");
  touch_in (f, "future.txt", (time_t) G_GINT64_CONSTANT (16000000000));
  g_usleep (SETTLE_US);

  first = scan (f);
  file = lookup (f, "future.txt");
  g_assert_nonnull (file);
  g_assert_cmpint (file->stat.mtime_ns, >, G_GINT64_CONSTANT (4000000000) * 1000000000);

  second = scan (f);
  g_assert_cmpuint (second->counts.files_hashed, ==, 0);
}

/* Deeper than PATH_MAX: the kernel will not resolve such a path in one
 * call, so the walk must not need it to. */
static void
test_deeper_than_path_max (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) second = NULL;
  g_autoptr(HearthInventoryFile) file = NULL;
  const char *name = "a-rather-long-folder-name";
  GString *relative = g_string_new (NULL);
  guint depth = 2 * PATH_MAX / strlen (name);
  int fd = open (f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  for (guint i = 0; i < depth; i++)
    {
      int next;

      g_assert_cmpint (mkdirat (fd, name, 0755), ==, 0);
      next = openat (fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      g_assert_cmpint (next, >=, 0);
      close (fd);
      fd = next;
      g_string_append_printf (relative, "%s%s", i ? "/" : "", name);
    }
  {
    int file_fd = openat (fd, "bottom.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

    g_assert_cmpint (file_fd, >=, 0);
    g_assert_cmpint (write (file_fd, "deep", 4), ==, 4);
    close (file_fd);
  }
  close (fd);
  g_string_append (relative, "/bottom.txt");
  g_assert_cmpuint (relative->len, >, PATH_MAX);
  g_usleep (SETTLE_US);

  first = scan (f);
  g_assert_cmpuint (first->problems->len, ==, 0);
  g_assert_cmpuint (first->counts.files_seen, ==, depth + 1);
  file = lookup (f, relative->str);
  g_assert_nonnull (file);
  g_assert_cmpuint (file->stat.size, ==, 4);

  second = scan (f);
  g_assert_cmpuint (second->counts.files_hashed, ==, 0);
  g_assert_cmpuint (second->counts.files_deleted, ==, 0);
  g_string_free (relative, TRUE);
}

typedef struct
{
  char     *path;
  gboolean  stop;
} Writer;

static gpointer
keep_writing (gpointer data)
{
  Writer *writer = data;
  guint8 byte = 0;

  while (!g_atomic_int_get (&writer->stop))
    {
      int fd = open (writer->path, O_WRONLY);

      if (fd >= 0)
        {
          byte++;
          g_assert_cmpint (pwrite (fd, &byte, 1, 0), ==, 1);
          close (fd);
        }
      g_usleep (500);
    }
  return NULL;
}

static void
test_file_changing_while_read (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(HearthScanReport) during = NULL;
  g_autoptr(HearthScanReport) after = NULL;
  g_autofree char *path = path_in (f, "busy.bin");
  Writer writer = { path, FALSE };
  GThread *thread;

  hearth_test_write_random (path, 48 * 1024 * 1024, 7);
  write_in (f, "calm.txt", "calm");
  g_usleep (SETTLE_US);

  thread = g_thread_new ("writer", keep_writing, &writer);
  during = scan (f);
  g_atomic_int_set (&writer.stop, TRUE);
  g_thread_join (thread);

  /* Never stored torn: not recorded at all, and said so. */
  g_assert_nonnull (find_problem (during, HEARTH_SCAN_PROBLEM_CHANGING, "busy.bin"));
  assert_absent (f, "busy.bin");
  assert_live (f, "calm.txt", HEARTH_FILE_TYPE_REGULAR);

  g_usleep (SETTLE_US);
  after = scan (f);
  g_assert_cmpuint (after->problems->len, ==, 0);
  assert_live (f, "busy.bin", HEARTH_FILE_TYPE_REGULAR);
}

typedef struct
{
  Fixture *f;
  guint    n_files;
  gboolean deleted;
} Vanisher;

/* Deletes every other small file once the walk has queued them all and
 * the one hashing thread is still busy with the large file, which the pool
 * takes first: so they vanish between being listed and being read. */
static void
delete_while_queued (HearthScanner            *scanner,
                     const HearthScanProgress *progress,
                     Vanisher                 *v)
{
  if (v->deleted || progress->files_to_hash < v->n_files + 1 || progress->files_hashed > 0)
    return;

  for (guint i = 0; i < v->n_files; i += 2)
    {
      g_autofree char *name = g_strdup_printf ("v/%04u", i);
      g_autofree char *path = path_in (v->f, name);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  v->deleted = TRUE;
}

static void
test_vanishing_files (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) during = NULL;
  Vanisher v = { f, 2000, FALSE };
  gulong handler;

  mkdir_in (f, "v");
  for (guint i = 0; i < v.n_files; i++)
    {
      g_autofree char *name = g_strdup_printf ("v/%04u", i);
      write_in (f, name, name);
    }
  make_sparse_file (f, "big.bin", 512 * 1024 * 1024);
  g_usleep (SETTLE_US);
  first = scan (f);
  g_assert_cmpint (count_live (f), ==, 2 + v.n_files);

  /* All of them changed: all are read again, and half go away meanwhile. */
  for (guint i = 0; i < v.n_files; i++)
    {
      g_autofree char *name = g_strdup_printf ("v/%04u", i);
      touch_in (f, name, 1000000000 + i);
    }
  touch_in (f, "big.bin", 1000000000);

  hearth_scanner_set_n_workers (f->scanner, 1);
  handler = g_signal_connect (f->scanner, "progress", G_CALLBACK (delete_while_queued), &v);
  during = scan (f);
  g_signal_handler_disconnect (f->scanner, handler);

  g_assert_true (v.deleted);
  /* Files that went away mid-scan are deletions, not problems. */
  g_assert_cmpuint (during->problems->len, ==, 0);
  g_assert_cmpuint (during->counts.files_hashed, ==, 1 + v.n_files / 2);
  g_assert_cmpuint (during->counts.files_deleted, ==, v.n_files / 2);
  g_assert_cmpint (count_live (f), ==, 2 + v.n_files / 2);
}

typedef struct
{
  char     *db_path;
  guint     attempts;
  guint     locked;
} LockProbe;

/* While a large file is read, nothing else is written: the inventory's
 * write lock must be free for others meanwhile. */
static void
probe_write_lock (HearthScanner            *scanner,
                  const HearthScanProgress *progress,
                  LockProbe                *probe)
{
  sqlite3 *db = NULL;

  if (progress->files_hashed > 0 || progress->bytes_hashed == 0 || progress->elapsed_us < 300000)
    return;

  g_assert_cmpint (sqlite3_open (probe->db_path, &db), ==, SQLITE_OK);
  probe->attempts++;
  if (sqlite3_exec (db, "BEGIN IMMEDIATE; ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
    probe->locked++;
  sqlite3_close (db);
}

static void
test_write_lock_released_while_hashing (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(HearthScanReport) report = NULL;
  LockProbe probe = { g_build_filename (f->tmpdir, "inventory.db", NULL), 0, 0 };
  gulong handler;

  mkdir_in (f, "dir");
  make_sparse_file (f, "dir/huge.bin", G_GINT64_CONSTANT (1536) * 1024 * 1024);

  handler = g_signal_connect (f->scanner, "progress", G_CALLBACK (probe_write_lock), &probe);
  report = scan (f);
  g_signal_handler_disconnect (f->scanner, handler);

  g_assert_cmpuint (probe.attempts, >, 0);
  g_assert_cmpuint (probe.locked, ==, 0);
  g_free (probe.db_path);
}

/* A folder that is a mount point: unmounted, it is an empty directory. */
static void
test_unmounted_drive (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) report = NULL;
  g_autoptr(HearthScanReport) back = NULL;
  g_autoptr(GError) error = NULL;

  if (geteuid () != 0 || mount ("hearth-test", f->root, "tmpfs", 0, "size=4m") != 0)
    {
      g_test_skip ("mounting a tmpfs needs root");
      return;
    }

  write_in (f, "on-the-drive.txt", "data");
  first = scan (f);
  assert_live (f, "on-the-drive.txt", HEARTH_FILE_TYPE_REGULAR);

  g_assert_cmpint (umount (f->root), ==, 0);
  report = scan_with (f, NULL, &error);
  g_assert_error (error, HEARTH_SCANNER_ERROR, HEARTH_SCANNER_ERROR_FOLDER_MISSING);
  g_assert_null (report);
  assert_live (f, "on-the-drive.txt", HEARTH_FILE_TYPE_REGULAR);

  /* Plugged in again (a new, empty drive here): scanned as usual. */
  g_assert_cmpint (mount ("hearth-test", f->root, "tmpfs", 0, "size=4m"), ==, 0);
  back = scan (f);
  g_assert_cmpuint (back->counts.files_deleted, ==, 1);
  g_assert_cmpint (umount (f->root), ==, 0);
}

static void
unreadable_subprocess (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) second = NULL;
  g_autofree char *locked_file = NULL;
  g_autofree char *locked_dir = NULL;
  g_autofree char *list_only = NULL;

  if (!hearth_test_drop_root ())
    return;

  fixture_set_up (f, NULL);
  locked_file = path_in (f, "locked.txt");
  locked_dir = path_in (f, "private");
  list_only = path_in (f, "list-only");

  write_in (f, "open.txt", "readable");
  write_in (f, "locked.txt", "secret");
  mkdir_in (f, "private");
  write_in (f, "private/inside.txt", "was readable once");
  mkdir_in (f, "list-only/sub");
  write_in (f, "list-only/a.txt", "a");
  write_in (f, "list-only/sub/b.txt", "b");
  g_usleep (SETTLE_US);
  first = scan (f);
  assert_live (f, "private/inside.txt", HEARTH_FILE_TYPE_REGULAR);
  assert_live (f, "list-only/sub/b.txt", HEARTH_FILE_TYPE_REGULAR);

  /* Changed and locked since: the old version stays, the scan goes on. */
  write_in (f, "locked.txt", "secret, changed");
  g_assert_cmpint (g_chmod (locked_file, 0), ==, 0);
  g_assert_cmpint (g_chmod (locked_dir, 0), ==, 0);
  g_assert_cmpint (g_chmod (list_only, 0444), ==, 0);
  write_in (f, "new.txt", "scanned anyway");

  second = scan (f);
  g_assert_nonnull (find_problem (second, HEARTH_SCAN_PROBLEM_UNREADABLE, "locked.txt"));
  g_assert_nonnull (find_problem (second, HEARTH_SCAN_PROBLEM_UNREADABLE, "private"));
  assert_live (f, "locked.txt", HEARTH_FILE_TYPE_REGULAR);
  assert_live (f, "new.txt", HEARTH_FILE_TYPE_REGULAR);
  /* Unreadable is not deleted: not behind a folder that cannot be read,
   * nor behind one that can be listed but not entered. */
  assert_live (f, "private/inside.txt", HEARTH_FILE_TYPE_REGULAR);
  g_assert_nonnull (find_problem (second, HEARTH_SCAN_PROBLEM_UNREADABLE, "list-only/a.txt"));
  assert_live (f, "list-only/a.txt", HEARTH_FILE_TYPE_REGULAR);
  assert_live (f, "list-only/sub", HEARTH_FILE_TYPE_DIRECTORY);
  assert_live (f, "list-only/sub/b.txt", HEARTH_FILE_TYPE_REGULAR);
  g_assert_cmpuint (second->counts.files_deleted, ==, 0);

  g_chmod (locked_dir, 0755);
  g_chmod (list_only, 0755);
  fixture_tear_down (f, NULL);
}

static void
test_unreadable (void)
{
  if (g_test_subprocess ())
    {
      unreadable_subprocess ();
      return;
    }
  hearth_test_run_unprivileged ("/scanner/unreadable");
}

static void
unreadable_root_subprocess (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(HearthScanReport) report = NULL;
  g_autoptr(GError) error = NULL;

  if (!hearth_test_drop_root ())
    return;

  fixture_set_up (f, NULL);
  write_in (f, "x.txt", "x");
  g_assert_cmpint (g_chmod (f->root, 0), ==, 0);

  report = scan_with (f, NULL, &error);
  g_assert_error (error, HEARTH_SCANNER_ERROR, HEARTH_SCANNER_ERROR_FOLDER_UNREADABLE);
  g_assert_null (report);

  g_chmod (f->root, 0755);
  fixture_tear_down (f, NULL);
}

static void
test_unreadable_root (void)
{
  if (g_test_subprocess ())
    {
      unreadable_root_subprocess ();
      return;
    }
  hearth_test_run_unprivileged ("/scanner/unreadable-root");
}

static void
test_many_files_batched (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HearthScanReport) first = NULL;
  g_autoptr(HearthScanReport) second = NULL;
  guint n = 10000;

  for (guint d = 0; d < 50; d++)
    {
      g_autofree char *dir = g_strdup_printf ("d%02u", d);
      mkdir_in (f, dir);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("d%02u/file-%05u", i % 50, i);
      write_in (f, name, name);
    }
  g_usleep (SETTLE_US);

  first = scan (f);
  g_assert_cmpuint (first->counts.files_hashed, ==, n);
  g_assert_cmpint (count_live (f), ==, n + 50);

  second = scan (f);
  g_assert_cmpuint (second->counts.files_seen, ==, n + 50);
  g_assert_cmpuint (second->counts.files_hashed, ==, 0);
}

static void
test_busy (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GMainLoop) loop2 = g_main_loop_new (NULL, FALSE);
  Wait first = { loop, NULL, NULL };
  Wait second = { loop2, NULL, NULL };

  write_in (f, "a", "a");
  hearth_scanner_scan_async (f->scanner, f->folder->id, NULL, scan_done_cb, &first);
  hearth_scanner_scan_async (f->scanner, f->folder->id, NULL, scan_done_cb, &second);
  g_main_loop_run (loop2);
  g_assert_error (second.error, HEARTH_SCANNER_ERROR, HEARTH_SCANNER_ERROR_BUSY);
  g_clear_error (&second.error);
  if (first.report == NULL)
    g_main_loop_run (loop);
  g_assert_no_error (first.error);
  g_assert_nonnull (first.report);
  hearth_scan_report_free (first.report);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/scanner/first-scan-and-rescan", test_first_scan_and_rescan);
  ADD ("/scanner/changed-file", test_changed_file);
  ADD ("/scanner/racy-file-read-again", test_racy_file_read_again);
  ADD ("/scanner/deleted-files", test_deleted_files);
  ADD ("/scanner/symlinks-not-followed", test_symlinks_not_followed);
  ADD ("/scanner/special-files-skipped", test_special_files_skipped);
  ADD ("/scanner/non-utf8-names", test_non_utf8_names);
  ADD ("/scanner/excludes", test_excludes);
  ADD ("/scanner/oversized-ignore-file", test_oversized_ignore_file);
  ADD ("/scanner/missing-folder", test_missing_folder);
  ADD ("/scanner/cancel", test_cancel);
  ADD ("/scanner/scan-from-callback", test_scan_from_callback);
  ADD ("/scanner/far-future-times", test_far_future_times);
  ADD ("/scanner/deeper-than-path-max", test_deeper_than_path_max);
  ADD ("/scanner/write-lock-released-while-hashing", test_write_lock_released_while_hashing);
  ADD ("/scanner/unmounted-drive", test_unmounted_drive);
  ADD ("/scanner/file-changing-while-read", test_file_changing_while_read);
  ADD ("/scanner/vanishing-files", test_vanishing_files);
  ADD ("/scanner/many-files-batched", test_many_files_batched);
  ADD ("/scanner/busy", test_busy);
  g_test_add_func ("/scanner/unreadable", test_unreadable);
  g_test_add_func ("/scanner/unreadable-root", test_unreadable_root);

#undef ADD

  return g_test_run ();
}
