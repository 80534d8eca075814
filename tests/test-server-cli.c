/* test-server-cli.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#include "hearth-group.h"
#include "hearth-invite-code.h"
#include "hearth-server-identity.h"
#include "hearth-test-util.h"

/* These tests run the built hearth-server binary as an administrator or a
 * script would, and check what it prints and exits with against the data
 * directory it leaves, read back with the server library. */

typedef struct
{
  char *tmpdir;
  char *data_dir;
} Fixture;


static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->tmpdir = hearth_test_make_tmpdir ();
  f->data_dir = g_build_filename (f->tmpdir, "server", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hearth_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->data_dir);
}

/* Runs hearth-server with @args (NULL-terminated). $STATE_DIRECTORY is
 * unset unless @state_dir is given; the user data folder is inside the
 * fixture, so that a default that went wrong cannot touch the real one. */
static void
run_server_env (HearthTestRun  *run,
                Fixture        *f,
                const char     *state_dir,
                const char     *first_arg,
                ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *xdg_data = g_build_filename (f->tmpdir, "xdg-data", NULL);
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) hearth_test_program_path ("HEARTH_SERVER"));
  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  envp = g_environ_unsetenv (envp, "STATE_DIRECTORY");
  if (state_dir != NULL)
    envp = g_environ_setenv (envp, "STATE_DIRECTORY", state_dir, TRUE);
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", xdg_data, TRUE);

  hearth_test_run_argv (run, (const char * const *) argv->pdata, envp);
}

#define run_server(run, f, ...) run_server_env (run, f, NULL, __VA_ARGS__, NULL)

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
assert_one_line_error (const HearthTestRun *run,
                       int                  status)
{
  g_assert_cmpint (run->status, ==, status);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_nonnull (strstr (run->err, "hearth-server"));
  g_assert_nonnull (strchr (run->err, '\n'));
  g_assert_cmpstr (strchr (run->err, '\n') + 1, ==, "");
}

/* The invite code of a successful `invite`: exactly one line on stdout,
 * nothing on stderr. */
static HearthInviteCode *
parse_invite_output (const HearthTestRun *run)
{
  g_autoptr(GError) error = NULL;
  HearthInviteCode *code;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  g_assert_true (g_str_has_suffix (run->out, "\n"));
  g_assert_true (strchr (run->out, '\n') == run->out + strlen (run->out) - 1);

  code = hearth_invite_code_parse (run->out, &error);
  g_assert_no_error (error);
  g_assert_nonnull (code);
  return code;
}

static char *
dup_fingerprint (const char *data_dir)
{
  g_autoptr(HearthServerIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  identity = hearth_server_identity_load_or_create (data_dir, &error);
  g_assert_no_error (error);
  return g_strdup (hearth_server_identity_get_fingerprint (identity));
}

static void
assert_private (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 077, ==, 0);
}

static char *
expected_default_host (void)
{
  g_autofree char *ascii = g_hostname_to_ascii (g_get_host_name ());

  g_assert_nonnull (ascii);
  return g_ascii_strdown (ascii, -1);
}

static void
test_invite_prints_code (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(HearthTestRun) first = { 0 };
  g_auto(HearthTestRun) named = { 0 };
  g_auto(HearthTestRun) ipv6 = { 0 };
  g_autoptr(HearthInviteCode) code = NULL;
  g_autoptr(HearthInviteCode) named_code = NULL;
  g_autoptr(HearthInviteCode) ipv6_code = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *host = expected_default_host ();
  g_autofree char *tls_dir = g_build_filename (f->data_dir, "tls", NULL);
  g_autofree char *db_path = g_build_filename (f->data_dir, "group.db", NULL);

  run_server (&first, f, "--data-dir", f->data_dir, "invite", "--member", "Ann");
  code = parse_invite_output (&first);

  assert_private (f->data_dir);
  assert_private (tls_dir);
  assert_private (db_path);

  fingerprint = dup_fingerprint (f->data_dir);
  g_assert_cmpstr (code->fingerprint, ==, fingerprint);
  g_assert_cmpstr (code->host, ==, host);
  g_assert_cmpuint (code->port, ==, HEARTH_INVITE_CODE_DEFAULT_PORT);
  g_assert_cmpuint (strlen (code->secret), ==, HEARTH_GROUP_SECRET_LEN);

  /* --data-dir after the command works too; the identity is kept. */
  run_server (&named, f, "invite", "--data-dir", f->data_dir, "--member", "Ann",
              "--url", "Backup.Example.org:8443");
  named_code = parse_invite_output (&named);
  g_assert_cmpstr (named_code->host, ==, "backup.example.org");
  g_assert_cmpuint (named_code->port, ==, 8443);
  g_assert_cmpstr (named_code->fingerprint, ==, fingerprint);
  g_assert_cmpstr (named_code->secret, !=, code->secret);

  run_server (&ipv6, f, "--data-dir", f->data_dir, "invite", "--member", "Ann",
              "--url", "[2001:db8::20]", "--expires", "30");
  ipv6_code = parse_invite_output (&ipv6);
  g_assert_cmpstr (ipv6_code->host, ==, "2001:db8::20");
  g_assert_cmpuint (ipv6_code->port, ==, HEARTH_INVITE_CODE_DEFAULT_PORT);
}

static gint64
redeem (const char *data_dir,
        const char *secret,
        const char *device_name,
        char      **out_token)
{
  g_autoptr(HearthGroup) group = NULL;
  g_autoptr(GError) error = NULL;
  gint64 device_id = 0;

  group = hearth_group_open (data_dir, &error);
  g_assert_no_error (error);
  *out_token = hearth_group_redeem_invite (group, secret, device_name, &device_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out_token);
  g_assert_cmpint (device_id, >, 0);
  return device_id;
}

static JsonObject *
find_member (JsonObject *listing,
             const char *name)
{
  JsonArray *members = json_object_get_array_member (listing, "members");

  for (guint i = 0; i < json_array_get_length (members); i++)
    {
      JsonObject *member = json_array_get_object_element (members, i);

      if (g_strcmp0 (json_object_get_string_member (member, "name"), name) == 0)
        return member;
    }
  return NULL;
}

static JsonObject *
list_members (Fixture *f)
{
  g_auto(HearthTestRun) run = { 0 };

  run_server (&run, f, "--data-dir", f->data_dir, "members", "--json");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  return parse_object (run.out);
}

static void
assert_iso_time (JsonObject *object,
                 const char *member)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  time = g_date_time_new_from_iso8601 (json_object_get_string_member (object, member), NULL);
  g_assert_nonnull (time);
  g_assert_cmpint (ABS (g_date_time_difference (now, time)), <, 10 * 60 * G_TIME_SPAN_SECOND);
}

static void
test_join_list_revoke (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(HearthTestRun) invite = { 0 };
  g_auto(HearthTestRun) human = { 0 };
  g_auto(HearthTestRun) revoke = { 0 };
  g_auto(HearthTestRun) revoke_again = { 0 };
  g_auto(HearthTestRun) unknown = { 0 };
  g_autoptr(HearthInviteCode) code = NULL;
  g_autoptr(JsonObject) listing = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(HearthGroup) group = NULL;
  g_autoptr(HearthGroupDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *device_line = NULL;
  g_autofree char *device_arg = NULL;
  JsonObject *ann;
  JsonArray *devices;
  JsonObject *laptop;
  gint64 device_id;

  run_server (&invite, f, "--data-dir", f->data_dir, "invite", "--member", "Ann");
  code = parse_invite_output (&invite);
  device_id = redeem (f->data_dir, code->secret, "Ann’s laptop", &token);

  listing = list_members (f);
  g_assert_cmpint (json_object_get_int_member (listing, "version"), ==, 1);
  ann = find_member (listing, "Ann");
  g_assert_nonnull (ann);
  g_assert_cmpstr (json_object_get_string_member (ann, "role"), ==, "member");
  g_assert_cmpint (json_object_get_int_member (ann, "id"), >, 0);
  assert_iso_time (ann, "created");
  devices = json_object_get_array_member (ann, "devices");
  g_assert_cmpuint (json_array_get_length (devices), ==, 1);
  laptop = json_array_get_object_element (devices, 0);
  g_assert_cmpint (json_object_get_int_member (laptop, "id"), ==, device_id);
  g_assert_cmpstr (json_object_get_string_member (laptop, "name"), ==, "Ann’s laptop");
  assert_iso_time (laptop, "created");
  assert_iso_time (laptop, "last_seen");

  run_server (&human, f, "--data-dir", f->data_dir, "members");
  g_assert_cmpint (human.status, ==, 0);
  g_assert_nonnull (strstr (human.out, "Ann"));
  g_assert_nonnull (strstr (human.out, "Ann’s laptop"));
  device_line = g_strdup_printf ("device %" G_GINT64_FORMAT ":", device_id);
  g_assert_nonnull (strstr (human.out, device_line));

  device_arg = g_strdup_printf ("%" G_GINT64_FORMAT, device_id);
  run_server (&revoke, f, "--data-dir", f->data_dir, "revoke", device_arg);
  g_assert_cmpint (revoke.status, ==, 0);
  g_assert_cmpstr (revoke.err, ==, "");

  group = hearth_group_open (f->data_dir, &error);
  g_assert_no_error (error);
  g_assert_false (hearth_group_authenticate (group, token, &device, &error));
  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_UNAUTHORIZED);
  g_assert_null (device);
  g_clear_object (&group);

  after = list_members (f);
  ann = find_member (after, "Ann");
  g_assert_nonnull (ann);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (ann, "devices")), ==, 0);

  /* Revoking twice is not an error: the device stays revoked. */
  run_server (&revoke_again, f, "--data-dir", f->data_dir, "revoke", device_arg);
  g_assert_cmpint (revoke_again.status, ==, 0);

  run_server (&unknown, f, "--data-dir", f->data_dir, "revoke", "987654");
  assert_one_line_error (&unknown, 1);
  g_assert_nonnull (strstr (unknown.err, "987654"));
}

static void
test_remove_member (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(HearthTestRun) invite = { 0 };
  g_auto(HearthTestRun) remove = { 0 };
  g_auto(HearthTestRun) again = { 0 };
  g_autoptr(HearthInviteCode) code = NULL;
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(HearthGroup) group = NULL;
  g_autoptr(HearthGroupDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  JsonObject *bob;

  run_server (&invite, f, "--data-dir", f->data_dir, "invite", "--member", "Bob", "--admin");
  code = parse_invite_output (&invite);
  redeem (f->data_dir, code->secret, "Bob’s phone", &token);

  before = list_members (f);
  bob = find_member (before, "Bob");
  g_assert_nonnull (bob);
  g_assert_cmpstr (json_object_get_string_member (bob, "role"), ==, "admin");

  run_server (&remove, f, "--data-dir", f->data_dir, "remove-member", "Bob");
  g_assert_cmpint (remove.status, ==, 0);
  g_assert_cmpstr (remove.err, ==, "");

  after = list_members (f);
  g_assert_null (find_member (after, "Bob"));

  group = hearth_group_open (f->data_dir, &error);
  g_assert_no_error (error);
  g_assert_false (hearth_group_authenticate (group, token, &device, &error));
  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_UNAUTHORIZED);
  g_clear_object (&group);

  run_server (&again, f, "--data-dir", f->data_dir, "remove-member", "Bob");
  assert_one_line_error (&again, 1);
}

static void
test_bad_usage (Fixture       *f,
                gconstpointer  data)
{
  const char *bad_urls[] = {
    "bad_host", "host:0", "host:65536", "host:http", "https://host", "host/path",
    "[::1", "[::1]x", "[fe80::1%eth0]", "",
  };
  g_auto(HearthTestRun) nothing = { 0 };
  g_auto(HearthTestRun) unknown = { 0 };
  g_auto(HearthTestRun) no_member = { 0 };
  g_auto(HearthTestRun) expires = { 0 };
  g_auto(HearthTestRun) bad_option = { 0 };
  g_auto(HearthTestRun) bad_id = { 0 };
  g_auto(HearthTestRun) no_id = { 0 };
  g_auto(HearthTestRun) extra = { 0 };
  g_auto(HearthTestRun) bad_name = { 0 };

  run_server (&nothing, f, "--data-dir", f->data_dir);
  g_assert_cmpint (nothing.status, ==, 2);
  g_assert_cmpstr (nothing.out, ==, "");

  run_server (&unknown, f, "--data-dir", f->data_dir, "frobnicate");
  assert_one_line_error (&unknown, 2);

  run_server (&no_member, f, "--data-dir", f->data_dir, "invite");
  assert_one_line_error (&no_member, 2);

  run_server (&expires, f, "--data-dir", f->data_dir, "invite", "--member", "Ann", "--expires", "0");
  assert_one_line_error (&expires, 2);

  run_server (&bad_option, f, "--data-dir", f->data_dir, "members", "--bogus");
  assert_one_line_error (&bad_option, 2);

  run_server (&bad_id, f, "--data-dir", f->data_dir, "revoke", "seven");
  assert_one_line_error (&bad_id, 2);

  run_server (&no_id, f, "--data-dir", f->data_dir, "revoke");
  assert_one_line_error (&no_id, 2);

  run_server (&extra, f, "--data-dir", f->data_dir, "members", "extra");
  assert_one_line_error (&extra, 2);

  for (guint i = 0; i < G_N_ELEMENTS (bad_urls); i++)
    {
      g_auto(HearthTestRun) run = { 0 };

      run_server (&run, f, "--data-dir", f->data_dir, "invite", "--member", "Ann",
                  "--url", bad_urls[i]);
      assert_one_line_error (&run, 2);
    }

  /* A command line found wrong writes nothing. */
  g_assert_false (g_file_test (f->data_dir, G_FILE_TEST_EXISTS));

  /* A name the group refuses is a failed command, not a misuse. */
  run_server (&bad_name, f, "--data-dir", f->data_dir, "invite", "--member", "Ann\tSmith",
              "--url", "localhost");
  assert_one_line_error (&bad_name, 1);
}

static void
test_state_directory (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(HearthTestRun) invite = { 0 };
  g_auto(HearthTestRun) members = { 0 };
  g_autoptr(HearthInviteCode) code = NULL;
  g_autoptr(JsonObject) listing = NULL;
  g_autofree char *other = g_build_filename (f->tmpdir, "logs", NULL);
  g_autofree char *both = g_strconcat (f->data_dir, ":", other, NULL);
  g_autofree char *db_path = g_build_filename (f->data_dir, "group.db", NULL);
  g_autofree char *fingerprint = NULL;
  g_autofree char *token = NULL;

  /* systemd lists several state directories separated by colons; the
   * first is the server's. */
  run_server_env (&invite, f, both, "invite", "--member", "Cleo", "--url", "127.0.0.1", NULL);
  code = parse_invite_output (&invite);
  g_assert_true (g_file_test (db_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));

  fingerprint = dup_fingerprint (f->data_dir);
  g_assert_cmpstr (code->fingerprint, ==, fingerprint);
  g_assert_cmpstr (code->host, ==, "127.0.0.1");

  redeem (f->data_dir, code->secret, "tablet", &token);

  run_server_env (&members, f, f->data_dir, "members", "--json", NULL);
  g_assert_cmpint (members.status, ==, 0);
  listing = parse_object (members.out);
  g_assert_nonnull (find_member (listing, "Cleo"));
}

static void
test_version_and_help (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(HearthTestRun) version = { 0 };
  g_auto(HearthTestRun) help = { 0 };
  const char *names[] = { "invite", "members", "revoke", "remove-member" };

  run_server (&version, f, "--version");
  g_assert_cmpint (version.status, ==, 0);
  g_assert_cmpstr (version.out, ==, "hearth-server " PACKAGE_VERSION "\n");

  run_server (&help, f, "--help");
  g_assert_cmpint (help.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_nonnull (strstr (help.out, names[i]));
  g_assert_nonnull (strstr (help.out, "--data-dir"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server-cli/invite-prints-code", Fixture, NULL,
              fixture_set_up, test_invite_prints_code, fixture_tear_down);
  g_test_add ("/server-cli/join-list-revoke", Fixture, NULL,
              fixture_set_up, test_join_list_revoke, fixture_tear_down);
  g_test_add ("/server-cli/remove-member", Fixture, NULL,
              fixture_set_up, test_remove_member, fixture_tear_down);
  g_test_add ("/server-cli/bad-usage", Fixture, NULL,
              fixture_set_up, test_bad_usage, fixture_tear_down);
  g_test_add ("/server-cli/state-directory", Fixture, NULL,
              fixture_set_up, test_state_directory, fixture_tear_down);
  g_test_add ("/server-cli/version-and-help", Fixture, NULL,
              fixture_set_up, test_version_and_help, fixture_tear_down);

  return g_test_run ();
}
