/* test-cli.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "hearth-sha256.h"
#include "hearth-test-util.h"

/* These tests run the installed-to-be hearth-cli binary as a user or a
 * script would, and read only what it prints and exits with. */

#define SETTLE_US (150 * 1000)

typedef struct
{
  char *tmpdir;
  char *profile;
  char *folder;
} Fixture;


static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->tmpdir = hearth_test_make_tmpdir ();
  f->profile = g_build_filename (f->tmpdir, "profile", NULL);
  f->folder = g_build_filename (f->tmpdir, "Documents", NULL);
  g_assert_cmpint (g_mkdir (f->folder, 0755), ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hearth_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->profile);
  g_free (f->folder);
}

/* Runs hearth-cli with @args (NULL-terminated), HEARTH_PROFILE unset
 * unless @profile_env is given. */
static void
run_cli_env (HearthTestRun  *run,
             const char     *profile_env,
             const char     *first_arg,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) hearth_test_program_path ("HEARTH_CLI"));
  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  envp = g_environ_unsetenv (envp, "HEARTH_PROFILE");
  if (profile_env != NULL)
    envp = g_environ_setenv (envp, "HEARTH_PROFILE", profile_env, TRUE);

  hearth_test_run_argv (run, (const char * const *) argv->pdata, envp);
}

#define run_cli(run, ...) run_cli_env (run, NULL, __VA_ARGS__, NULL)

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static void
write_in (Fixture    *f,
          const char *relative,
          const char *text)
{
  g_autofree char *path = g_build_filename (f->folder, relative, NULL);

  hearth_test_write_file (path, text, strlen (text));
}

static void
assert_one_line_error (const HearthTestRun *run)
{
  g_assert_cmpint (run->status, ==, 1);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_true (g_str_has_prefix (run->err, "hearth-cli: "));
  g_assert_nonnull (strchr (run->err, '\n'));
  g_assert_cmpstr (strchr (run->err, '\n') + 1, ==, "");
}

static void
test_add_and_scan (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(HearthTestRun) add = { 0 };
  g_auto(HearthTestRun) again = { 0 };
  g_auto(HearthTestRun) first = { 0 };
  g_auto(HearthTestRun) second = { 0 };
  g_autoptr(JsonObject) added = NULL;
  g_autoptr(JsonObject) readded = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) rescan = NULL;
  JsonArray *folders;
  JsonObject *folder;

  write_in (f, "a.txt", "alpha");
  write_in (f, "b.txt", "beta!");
  g_usleep (SETTLE_US);

  run_cli (&add, "--profile", f->profile, "add-folder", "--json", f->folder);
  g_assert_cmpint (add.status, ==, 0);
  added = parse_object (add.out);
  g_assert_cmpstr (json_object_get_string_member (added, "path"), ==, f->folder);
  g_assert_true (json_object_get_boolean_member (added, "added"));

  run_cli (&again, "--profile", f->profile, "add-folder", "--json", f->folder);
  g_assert_cmpint (again.status, ==, 0);
  readded = parse_object (again.out);
  g_assert_false (json_object_get_boolean_member (readded, "added"));
  g_assert_cmpint (json_object_get_int_member (readded, "id"), ==,
                   json_object_get_int_member (added, "id"));

  run_cli (&first, "--profile", f->profile, "scan", "--json");
  g_assert_cmpint (first.status, ==, 0);
  g_assert_cmpstr (first.err, ==, "");
  report = parse_object (first.out);
  g_assert_cmpint (json_object_get_int_member (report, "files_seen"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (report, "files_hashed"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (report, "bytes_hashed"), ==, 10);
  folders = json_object_get_array_member (report, "folders");
  g_assert_cmpuint (json_array_get_length (folders), ==, 1);
  folder = json_array_get_object_element (folders, 0);
  g_assert_cmpstr (json_object_get_string_member (folder, "path"), ==, f->folder);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (folder, "problems")), ==, 0);

  run_cli (&second, "--profile", f->profile, "scan", "--json", f->folder);
  g_assert_cmpint (second.status, ==, 0);
  rescan = parse_object (second.out);
  g_assert_cmpint (json_object_get_int_member (rescan, "files_seen"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (rescan, "files_hashed"), ==, 0);
}

static void
test_profile_from_environment (Fixture       *f,
                               gconstpointer  data)
{
  g_auto(HearthTestRun) add = { 0 };
  g_auto(HearthTestRun) scan = { 0 };
  g_autofree char *db = g_build_filename (f->profile, "inventory.db", NULL);
  g_autoptr(JsonObject) report = NULL;
  GStatBuf st;

  write_in (f, "x", "x");
  run_cli_env (&add, f->profile, "add-folder", f->folder, NULL);
  g_assert_cmpint (add.status, ==, 0);
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_stat (f->profile, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  run_cli_env (&scan, f->profile, "scan", "--json", NULL);
  g_assert_cmpint (scan.status, ==, 0);
  report = parse_object (scan.out);
  g_assert_cmpint (json_object_get_int_member (report, "files_seen"), ==, 1);
}

static void
test_inspect (Fixture       *f,
              gconstpointer  data)
{
  g_auto(HearthTestRun) run = { 0 };
  g_autofree char *path = g_build_filename (f->tmpdir, "big.bin", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonObject) doc = NULL;
  gsize size = 9 * 1024 * 1024 + 3;
  gsize len = 0;
  JsonArray *chunks;
  gint64 expected_offset = 0;

  hearth_test_write_random (path, size, 2026);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));

  run_cli (&run, "inspect", "--json", path);
  g_assert_cmpint (run.status, ==, 0);
  doc = parse_object (run.out);
  g_assert_cmpint (json_object_get_int_member (doc, "size"), ==, size);
  g_assert_cmpuint (strlen (json_object_get_string_member (doc, "id")), ==, 64);

  chunks = json_object_get_array_member (doc, "chunks");
  g_assert_cmpuint (json_array_get_length (chunks), >=, 3);
  for (guint i = 0; i < json_array_get_length (chunks); i++)
    {
      JsonObject *chunk = json_array_get_object_element (chunks, i);
      gint64 offset = json_object_get_int_member (chunk, "offset");
      gint64 length = json_object_get_int_member (chunk, "length");
      g_autofree char *expected = NULL;

      g_assert_cmpint (offset, ==, expected_offset);
      expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                              (const guchar *) contents + offset, length);
      g_assert_cmpstr (json_object_get_string_member (chunk, "id"), ==, expected);
      expected_offset += length;
    }
  g_assert_cmpint (expected_offset, ==, size);
}

static void
test_inspect_human (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(HearthTestRun) run = { 0 };
  g_autofree char *path = g_build_filename (f->tmpdir, "small.txt", NULL);
  g_autofree char *id = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "small", -1);

  hearth_test_write_file (path, "small", 5);
  run_cli (&run, "inspect", path);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, id));
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_auto(HearthTestRun) missing_folder = { 0 };
  g_auto(HearthTestRun) not_added = { 0 };
  g_auto(HearthTestRun) missing_file = { 0 };
  g_auto(HearthTestRun) unknown = { 0 };
  g_auto(HearthTestRun) usage = { 0 };
  g_auto(HearthTestRun) bad_option = { 0 };
  g_autofree char *nowhere = g_build_filename (f->tmpdir, "nowhere", NULL);

  run_cli (&missing_folder, "--profile", f->profile, "add-folder", nowhere);
  assert_one_line_error (&missing_folder);
  g_assert_nonnull (strstr (missing_folder.err, "nowhere"));

  run_cli (&not_added, "--profile", f->profile, "scan", f->folder);
  assert_one_line_error (&not_added);
  g_assert_nonnull (strstr (not_added.err, "add-folder"));

  run_cli (&missing_file, "inspect", nowhere);
  assert_one_line_error (&missing_file);

  run_cli (&unknown, "--profile", f->profile, "frobnicate");
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "frobnicate"));

  run_cli (&usage, "--profile", f->profile, "add-folder");
  g_assert_cmpint (usage.status, ==, 2);

  run_cli (&bad_option, "scan", "--no-such-option");
  g_assert_cmpint (bad_option.status, ==, 2);
}

/* Standard output is the JSON document and nothing else, whatever is
 * logged meanwhile. */
static void
test_json_with_debug_logs (Fixture       *f,
                           gconstpointer  data)
{
  g_auto(HearthTestRun) add = { 0 };
  g_auto(HearthTestRun) scan = { 0 };
  g_autoptr(JsonObject) report = NULL;

  write_in (f, "x", "x");
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  run_cli (&add, "--profile", f->profile, "add-folder", f->folder);
  run_cli (&scan, "--profile", f->profile, "scan", "--json");
  g_unsetenv ("G_MESSAGES_DEBUG");

  g_assert_cmpint (scan.status, ==, 0);
  g_assert_nonnull (strstr (scan.err, "DEBUG"));
  report = parse_object (scan.out);
  g_assert_cmpint (json_object_get_int_member (report, "files_seen"), ==, 1);
}

static void
test_one_folder_missing (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(HearthTestRun) add_first = { 0 };
  g_auto(HearthTestRun) add_second = { 0 };
  g_auto(HearthTestRun) scan = { 0 };
  g_autofree char *second = g_build_filename (f->tmpdir, "Pictures", NULL);
  g_autofree char *moved = g_build_filename (f->tmpdir, "elsewhere", NULL);
  g_autoptr(JsonObject) report = NULL;
  JsonArray *folders;
  JsonObject *missing, *scanned;

  g_assert_cmpint (g_mkdir (second, 0755), ==, 0);
  write_in (f, "kept.txt", "still here");
  run_cli (&add_first, "--profile", f->profile, "add-folder", f->folder);
  run_cli (&add_second, "--profile", f->profile, "add-folder", second);
  g_assert_cmpint (add_first.status + add_second.status, ==, 0);
  g_assert_cmpint (g_rename (second, moved), ==, 0);

  /* The folder that is gone fails; the other is scanned all the same. */
  run_cli (&scan, "--profile", f->profile, "scan", "--json");
  g_assert_cmpint (scan.status, ==, 1);
  report = parse_object (scan.out);
  folders = json_object_get_array_member (report, "folders");
  g_assert_cmpuint (json_array_get_length (folders), ==, 2);
  scanned = json_array_get_object_element (folders, 0);
  missing = json_array_get_object_element (folders, 1);
  g_assert_cmpstr (json_object_get_string_member (scanned, "path"), ==, f->folder);
  g_assert_cmpint (json_object_get_int_member (scanned, "files_hashed"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (missing, "path"), ==, second);
  g_assert_nonnull (strstr (json_object_get_string_member (missing, "error"), "Pictures"));
  g_assert_cmpint (json_object_get_int_member (report, "files_seen"), ==, 1);
}

static void
test_corrupt_inventory (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(HearthTestRun) run = { 0 };
  g_autofree char *db = g_build_filename (f->profile, "inventory.db", NULL);
  g_autofree guint8 *garbage = hearth_test_random_bytes (64 * 1024, 99);
  g_autofree char *after = NULL;
  gsize len = 0;

  g_assert_cmpint (g_mkdir (f->profile, 0700), ==, 0);
  hearth_test_write_file (db, garbage, 64 * 1024);

  run_cli (&run, "--profile", f->profile, "scan", "--json");
  assert_one_line_error (&run);
  g_assert_nonnull (strstr (run.err, "inventory.db"));

  /* The user's file is left as it was. */
  g_assert_true (g_file_get_contents (db, &after, &len, NULL));
  g_assert_cmpmem (after, len, garbage, 64 * 1024);
}

static void
test_non_utf8_paths_in_json (Fixture       *f,
                             gconstpointer  data)
{
  g_auto(HearthTestRun) add = { 0 };
  g_autofree char *odd = g_build_filename (f->tmpdir, "Fotos \xe9t\xe9", NULL);
  g_autoptr(JsonObject) doc = NULL;
  g_autofree guchar *decoded = NULL;
  gsize len = 0;

  g_assert_cmpint (g_mkdir (odd, 0755), ==, 0);
  run_cli (&add, "--profile", f->profile, "add-folder", "--json", odd);
  g_assert_cmpint (add.status, ==, 0);
  doc = parse_object (add.out);

  g_assert_true (g_utf8_validate (json_object_get_string_member (doc, "path"), -1, NULL));
  decoded = g_base64_decode (json_object_get_string_member (doc, "path_base64"), &len);
  g_assert_cmpmem (decoded, len, odd, strlen (odd));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli/add-and-scan", test_add_and_scan);
  ADD ("/cli/profile-from-environment", test_profile_from_environment);
  ADD ("/cli/inspect", test_inspect);
  ADD ("/cli/inspect-human", test_inspect_human);
  ADD ("/cli/errors", test_errors);
  ADD ("/cli/json-with-debug-logs", test_json_with_debug_logs);
  ADD ("/cli/one-folder-missing", test_one_folder_missing);
  ADD ("/cli/corrupt-inventory", test_corrupt_inventory);
  ADD ("/cli/non-utf8-paths-in-json", test_non_utf8_paths_in_json);

#undef ADD

  return g_test_run ();
}
