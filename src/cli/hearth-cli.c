/* hearth-cli.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthCli"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hearth-chunk-reader.h"
#include "hearth-command-line.h"
#include "hearth-profile.h"
#include "hearth-scanner.h"

typedef struct
{
  char     *profile_dir;
  gboolean  json;
  gboolean  show_progress;
} CliOptions;

static CliOptions cli_options;

static const GOptionEntry common_entries[] = {
  { "profile", 'p', 0, G_OPTION_ARG_FILENAME, &cli_options.profile_dir,
    N_("Use the client profile in DIR (default: $HEARTH_PROFILE, else the user data folder)"), N_("DIR") },
  { "json", 0, 0, G_OPTION_ARG_NONE, &cli_options.json,
    N_("Print one JSON document on standard output"), NULL },
  { NULL }
};

/* Output */

/* JSON holds UTF-8 only. A name that is not UTF-8 is shown with its bad
 * bytes replaced, and given byte-exact in base64 beside it, so that a
 * script can still name the file (docs/cli.md). */
static void
json_add_path (JsonBuilder *builder,
               const char  *member,
               const char  *path)
{
  json_builder_set_member_name (builder, member);

  if (g_utf8_validate (path, -1, NULL))
    {
      json_builder_add_string_value (builder, path);
    }
  else
    {
      g_autofree char *shown = g_utf8_make_valid (path, -1);
      g_autofree char *member_b64 = g_strconcat (member, "_base64", NULL);
      g_autofree char *encoded = g_base64_encode ((const guchar *) path, strlen (path));

      json_builder_add_string_value (builder, shown);
      json_builder_set_member_name (builder, member_b64);
      json_builder_add_string_value (builder, encoded);
    }
}

static void
clear_progress_line (void)
{
  if (cli_options.show_progress)
    g_printerr ("\r\033[K");
}

/* Profile and folders */

static HearthProfile *
open_profile (CliOptions  *options,
              GError     **error)
{
  return hearth_profile_open (options->profile_dir, error);
}

/* @path with symlinks and ".." resolved, as folders are stored. */
static char *
resolve_path (const char  *path,
              GError     **error)
{
  char *resolved = realpath (path, NULL);

  if (resolved == NULL)
    {
      int saved_errno = errno;
      g_autofree char *shown = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot use “%s”: %s"), shown, g_strerror (saved_errno));
    }

  return resolved;
}

static char *
resolve_directory (const char  *path,
                   GError     **error)
{
  g_autofree char *resolved = resolve_path (path, error);
  g_autofree char *shown = NULL;

  if (resolved == NULL)
    return NULL;

  shown = g_filename_display_name (path);
  if (!g_file_test (resolved, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   _("“%s” is not a folder"), shown);
      return NULL;
    }

  return g_steal_pointer (&resolved);
}

/* The folder that holds @path, for `scan PATH` given any path inside it. */
static HearthFolder *
find_containing_folder (HearthInventory  *inventory,
                        const char       *path,
                        GError          **error)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autofree char *resolved = resolve_path (path, error);
  g_autofree char *shown = NULL;
  HearthFolder *best = NULL;

  if (resolved == NULL)
    return NULL;

  folders = hearth_inventory_list_folders (inventory, error);
  if (folders == NULL)
    return NULL;

  for (guint i = 0; i < folders->len; i++)
    {
      HearthFolder *folder = g_ptr_array_index (folders, i);
      gsize len = strlen (folder->path);
      gboolean inside = strcmp (folder->path, "/") == 0 ||
                        (strncmp (resolved, folder->path, len) == 0 &&
                         (resolved[len] == '\0' || resolved[len] == '/'));

      if (inside && (best == NULL || len > strlen (best->path)))
        best = folder;
    }

  if (best == NULL)
    {
      shown = g_filename_display_name (path);
      g_set_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND,
                   _("“%s” is not in a backed-up folder; add it with “hearth-cli add-folder”"),
                   shown);
      return NULL;
    }

  return hearth_inventory_get_folder (inventory, best->id, error);
}

/* add-folder */

static int
cmd_add_folder (int      argc,
                char   **argv,
                GError **error)
{
  CliOptions *options = &cli_options;
  g_autoptr(HearthProfile) profile = NULL;
  g_autoptr(HearthFolder) folder = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  gboolean already = FALSE;

  if (argc != 2)
    {
      g_printerr ("%s\n", _("Usage: hearth-cli add-folder PATH"));
      return HEARTH_EXIT_USAGE;
    }

  path = resolve_directory (argv[1], error);
  if (path == NULL)
    return EXIT_FAILURE;

  profile = open_profile (options, error);
  if (profile == NULL)
    return EXIT_FAILURE;

  folder = hearth_inventory_add_folder (hearth_profile_get_inventory (profile), path, &local_error);
  /* Adding a folder twice leaves it as it is: scripts may simply repeat it. */
  if (g_error_matches (local_error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_EXISTS))
    {
      g_clear_error (&local_error);
      folder = hearth_inventory_find_folder (hearth_profile_get_inventory (profile), path, &local_error);
      already = TRUE;
    }
  if (folder == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return EXIT_FAILURE;
    }

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      hearth_json_add_int (builder, "id", folder->id);
      json_add_path (builder, "path", folder->path);
      json_builder_set_member_name (builder, "added");
      json_builder_add_boolean_value (builder, !already);
      json_builder_end_object (builder);
      hearth_json_print (builder);
    }
  else
    {
      g_autofree char *shown = g_filename_display_name (folder->path);

      if (already)
        g_print (_("“%s” is already backed up.\n"), shown);
      else
        g_print (_("Added “%s”. Run “hearth-cli scan” to read it.\n"), shown);
    }

  return EXIT_SUCCESS;
}

/* scan */

typedef struct
{
  GMainLoop        *loop;
  HearthScanReport *report;
  GError           *error;
  const char       *folder_name;
} ScanWait;

static void
on_scanner_progress (HearthScanner            *scanner,
                     const HearthScanProgress *progress,
                     gpointer                  user_data)
{
  ScanWait *wait = user_data;
  double seconds = MAX (progress->elapsed_us, 1) / (double) G_USEC_PER_SEC;
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *seen = NULL;

  if (!cli_options.show_progress)
    return;

  done = g_format_size (progress->bytes_hashed);
  total = g_format_size (progress->bytes_to_hash);
  rate = g_format_size ((guint64) (progress->bytes_hashed / seconds));
  seen = hearth_format_count (ngettext ("%s file seen", "%s files seen", progress->files_seen),
                       progress->files_seen);

  g_printerr ("\r\033[K");
  /* Translators: folder name, files seen, bytes read, bytes to read, speed */
  g_printerr (_("%s: %s, %s of %s read (%s/s)"),
              wait->folder_name, seen, done, total, rate);
}

static void
scan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ScanWait *wait = user_data;

  wait->report = hearth_scanner_scan_finish (HEARTH_SCANNER (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_CONTINUE;
}

static HearthScanReport *
scan_one_folder (HearthScanner  *scanner,
                 HearthFolder   *folder,
                 GCancellable   *cancellable,
                 GError        **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *name = g_filename_display_basename (folder->path);
  ScanWait wait = { loop, NULL, NULL, name };
  gulong handler;

  handler = g_signal_connect (scanner, "progress", G_CALLBACK (on_scanner_progress), &wait);
  hearth_scanner_scan_async (scanner, folder->id, cancellable, scan_done_cb, &wait);
  g_main_loop_run (loop);
  g_signal_handler_disconnect (scanner, handler);
  clear_progress_line ();

  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.report;
}

static void
json_add_counts (JsonBuilder              *builder,
                 const HearthScanProgress *counts)
{
  hearth_json_add_int (builder, "files_seen", counts->files_seen);
  hearth_json_add_int (builder, "files_hashed", counts->files_hashed);
  hearth_json_add_int (builder, "bytes_hashed", counts->bytes_hashed);
  hearth_json_add_int (builder, "files_new", counts->files_new);
  hearth_json_add_int (builder, "files_changed", counts->files_changed);
  hearth_json_add_int (builder, "files_deleted", counts->files_deleted);
  hearth_json_add_int (builder, "files_excluded", counts->files_excluded);
  hearth_json_add_int (builder, "elapsed_ms", counts->elapsed_us / 1000);
}

static void
json_add_problems (JsonBuilder            *builder,
                   const HearthScanReport *report)
{
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->problems->len; i++)
    {
      const HearthScanProblem *problem = g_ptr_array_index (report->problems, i);

      json_builder_begin_object (builder);
      hearth_json_add_string (builder, "kind", hearth_scan_problem_kind_to_string (problem->kind));
      json_add_path (builder, "path", problem->path);
      hearth_json_add_string (builder, "message", problem->message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_counts (HearthScanProgress       *total,
            const HearthScanProgress *counts)
{
  total->files_seen += counts->files_seen;
  total->files_hashed += counts->files_hashed;
  total->bytes_hashed += counts->bytes_hashed;
  total->files_new += counts->files_new;
  total->files_changed += counts->files_changed;
  total->files_deleted += counts->files_deleted;
  total->files_excluded += counts->files_excluded;
  total->elapsed_us += counts->elapsed_us;
}

static void
print_scan_report (const HearthFolder     *folder,
                   const HearthScanReport *report)
{
  const HearthScanProgress *c = &report->counts;
  g_autofree char *shown = g_filename_display_name (folder->path);
  g_autofree char *bytes = g_format_size (c->bytes_hashed);
  g_autofree char *seen = hearth_format_count (ngettext ("%s file seen", "%s files seen", c->files_seen),
                                        c->files_seen);
  g_autofree char *read = hearth_format_count (ngettext ("%s read", "%s read", c->files_hashed),
                                        c->files_hashed);
  g_autofree char *added = hearth_format_count (ngettext ("%s new", "%s new", c->files_new),
                                         c->files_new);
  g_autofree char *changed = hearth_format_count (ngettext ("%s changed", "%s changed", c->files_changed),
                                           c->files_changed);
  g_autofree char *deleted = hearth_format_count (ngettext ("%s deleted", "%s deleted", c->files_deleted),
                                           c->files_deleted);

  /* Translators: folder, files seen, files read, their size, then the
   * counts of new, changed and deleted entries */
  g_print (_("%s: %s, %s (%s): %s, %s, %s\n"),
           shown, seen, read, bytes, added, changed, deleted);

  for (guint i = 0; i < report->problems->len; i++)
    {
      const HearthScanProblem *problem = g_ptr_array_index (report->problems, i);
      g_autofree char *path = g_filename_display_name (problem->path);

      g_printerr ("  %s: %s\n", path, problem->message);
    }
}

static int
cmd_scan (int      argc,
          char   **argv,
          GError **error)
{
  CliOptions *options = &cli_options;
  g_autoptr(HearthProfile) profile = NULL;
  g_autoptr(HearthScanner) scanner = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  HearthInventory *inventory;
  HearthScanProgress total = { 0 };
  guint sigint, sigterm;
  int status = EXIT_SUCCESS;

  /* Progress lines would only garble a pipe or a log. */
  cli_options.show_progress = !options->json && isatty (STDERR_FILENO);

  if (argc > 2)
    {
      g_printerr ("%s\n", _("Usage: hearth-cli scan [PATH]"));
      return HEARTH_EXIT_USAGE;
    }

  profile = open_profile (options, error);
  if (profile == NULL)
    return EXIT_FAILURE;
  inventory = hearth_profile_get_inventory (profile);

  if (argc == 2)
    {
      HearthFolder *folder = find_containing_folder (inventory, argv[1], error);

      if (folder == NULL)
        return EXIT_FAILURE;
      folders = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_folder_free);
      g_ptr_array_add (folders, folder);
    }
  else if ((folders = hearth_inventory_list_folders (inventory, error)) == NULL)
    {
      return EXIT_FAILURE;
    }

  if (folders->len == 0 && !options->json)
    g_printerr ("%s\n", _("No folders to scan yet; add one with “hearth-cli add-folder PATH”"));

  scanner = hearth_scanner_new (inventory);
  hearth_scanner_add_exclude (scanner, hearth_profile_get_dir (profile));

  sigint = g_unix_signal_add (SIGINT, interrupted_cb, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, interrupted_cb, cancellable);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "folders");
  json_builder_begin_array (builder);

  /* One folder that cannot be scanned (a drive not connected) does not
   * keep the others from being scanned; it makes the exit status 1. */
  for (guint i = 0; i < folders->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      HearthFolder *folder = g_ptr_array_index (folders, i);
      g_autoptr(HearthScanReport) report = NULL;
      g_autoptr(GError) folder_error = NULL;

      report = scan_one_folder (scanner, folder, cancellable, &folder_error);

      json_builder_begin_object (builder);
      hearth_json_add_int (builder, "id", folder->id);
      json_add_path (builder, "path", folder->path);

      if (report != NULL)
        {
          add_counts (&total, &report->counts);
          if (!options->json)
            print_scan_report (folder, report);
          json_add_counts (builder, &report->counts);
          json_add_problems (builder, report);
        }
      else
        {
          status = EXIT_FAILURE;
          /* An interruption is said once, as the command's error. */
          if ((!options->json || folders->len == 1) &&
              !g_error_matches (folder_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_printerr ("hearth-cli: %s\n", folder_error->message);
          hearth_json_add_string (builder, "error", folder_error->message);
        }

      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
  json_add_counts (builder, &total);
  json_builder_end_object (builder);

  g_source_remove (sigint);
  g_source_remove (sigterm);

  if (options->json)
    hearth_json_print (builder);

  return g_cancellable_set_error_if_cancelled (cancellable, error) ? EXIT_FAILURE : status;
}

/* inspect */

static int
cmd_inspect (int      argc,
             char   **argv,
             GError **error)
{
  CliOptions *options = &cli_options;
  g_autoptr(HearthChunkReader) reader = NULL;
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  char hex[HEARTH_CHUNK_ID_HEX_LEN + 1];
  const HearthChunk *chunks;
  guint n_chunks;

  if (argc != 2)
    {
      g_printerr ("%s\n", _("Usage: hearth-cli inspect FILE"));
      return HEARTH_EXIT_USAGE;
    }

  reader = hearth_chunk_reader_new ();
  descriptor = hearth_chunk_reader_read_path (reader, argv[1], NULL, NULL, NULL, error);
  if (descriptor == NULL)
    return EXIT_FAILURE;

  chunks = hearth_file_descriptor_get_chunks (descriptor, &n_chunks);
  hearth_chunk_id_to_hex (hearth_file_descriptor_get_id (descriptor), hex);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      hearth_json_add_int (builder, "size", hearth_file_descriptor_get_size (descriptor));
      hearth_json_add_string (builder, "id", hex);
      json_builder_set_member_name (builder, "chunks");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_chunks; i++)
        {
          hearth_chunk_id_to_hex (&chunks[i].id, hex);
          json_builder_begin_object (builder);
          hearth_json_add_int (builder, "offset", chunks[i].offset);
          hearth_json_add_int (builder, "length", chunks[i].length);
          hearth_json_add_string (builder, "id", hex);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      hearth_json_print (builder);
      return EXIT_SUCCESS;
    }

  {
    g_autofree char *size = hearth_format_count (ngettext ("Size: %s byte", "Size: %s bytes",
                                                    hearth_file_descriptor_get_size (descriptor)),
                                          hearth_file_descriptor_get_size (descriptor));

    g_print ("%s\n", size);
    g_print (_("File ID: %s\n"), hex);
    g_print (_("Chunks: %u\n"), n_chunks);
  }
  for (guint i = 0; i < n_chunks; i++)
    {
      hearth_chunk_id_to_hex (&chunks[i].id, hex);
      g_print ("%12" G_GUINT64_FORMAT " %10u %s\n", chunks[i].offset, chunks[i].length, hex);
    }

  return EXIT_SUCCESS;
}

/* Dispatch */

static const HearthCommand commands[] = {
  { "add-folder", N_("PATH"), N_("Add a folder to back up"), NULL, cmd_add_folder },
  { "scan", N_("[PATH]"), N_("Read new and changed files of every folder, or of the one holding PATH"), NULL, cmd_scan },
  { "inspect", N_("FILE"), N_("Show how a file is cut into chunks, and their IDs"), NULL, cmd_inspect },
};

int
main (int    argc,
      char **argv)
{
  const HearthCommandLine command_line = {
    .program = "hearth-cli",
    .summary = N_("Hearth: family backup that shares."),
    .common_entries = common_entries,
    .place_option = &cli_options.profile_dir,
    .commands = commands,
    .n_commands = G_N_ELEMENTS (commands),
  };
  int status = hearth_command_line_run (&command_line, argc, argv);

  g_clear_pointer (&cli_options.profile_dir, g_free);
  return status;
}
