/* test-group.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthTest"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "hearth-group.h"
#include "hearth-sha256.h"
#include "hearth-test-util.h"

#define HOUR_S 3600

typedef struct
{
  char        *tmpdir;
  char        *data_dir;
  char        *db_path;
  HearthGroup *group;
} Fixture;

static HearthGroup *
open_group (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  HearthGroup *group = hearth_group_open (fixture->data_dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (group);
  return group;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->tmpdir = hearth_test_make_tmpdir ();
  /* Not there yet: open() makes it. */
  fixture->data_dir = g_build_filename (fixture->tmpdir, "data", NULL);
  fixture->db_path = g_build_filename (fixture->data_dir, "group.db", NULL);
  fixture->group = open_group (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->group);
  hearth_test_rm_rf (fixture->tmpdir);
  g_free (fixture->tmpdir);
  g_free (fixture->data_dir);
  g_free (fixture->db_path);
}

static void
reopen (Fixture *fixture)
{
  g_clear_object (&fixture->group);
  fixture->group = open_group (fixture);
}

static char *
invite (Fixture    *fixture,
        const char *member,
        gboolean    admin)
{
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = hearth_group_create_invite (fixture->group, member, admin, HOUR_S, &error);
  g_assert_no_error (error);
  g_assert_nonnull (secret);
  return secret;
}

static char *
redeem (Fixture    *fixture,
        const char *secret,
        const char *device_name,
        gint64     *device_id)
{
  g_autoptr(GError) error = NULL;
  char *token;

  token = hearth_group_redeem_invite (fixture->group, secret, device_name, device_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  return token;
}

/* A device of @member, joined through a fresh invite. */
static char *
join (Fixture    *fixture,
      const char *member,
      gboolean    admin,
      const char *device_name,
      gint64     *device_id)
{
  g_autofree char *secret = invite (fixture, member, admin);

  return redeem (fixture, secret, device_name, device_id);
}

static HearthGroupDevice *
authenticate (Fixture    *fixture,
              const char *token)
{
  g_autoptr(GError) error = NULL;
  HearthGroupDevice *device = NULL;

  g_assert_true (hearth_group_authenticate (fixture->group, token, &device, &error));
  g_assert_no_error (error);
  g_assert_nonnull (device);
  return device;
}

/* Returns the message, so that callers can check it is always the same. */
static char *
assert_unauthorized (Fixture    *fixture,
                     const char *token)
{
  g_autoptr(GError) error = NULL;
  HearthGroupDevice *device = NULL;

  g_assert_false (hearth_group_authenticate (fixture->group, token, &device, &error));
  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_UNAUTHORIZED);
  g_assert_null (device);
  return g_strdup (error->message);
}

static char *
assert_invalid_invite (Fixture    *fixture,
                       const char *secret)
{
  g_autoptr(GError) error = NULL;
  gint64 device_id = -7;
  char *token;

  token = hearth_group_redeem_invite (fixture->group, secret, "Phone", &device_id, &error);
  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_INVALID_INVITE);
  g_assert_null (token);
  g_assert_cmpint (device_id, ==, -7);
  return g_strdup (error->message);
}

static void
assert_secret_shape (const char *secret)
{
  g_assert_cmpuint (strlen (secret), ==, HEARTH_GROUP_SECRET_LEN);
  for (const char *p = secret; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
}

static GPtrArray *
list_members (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *members = hearth_group_list_members (fixture->group, &error);

  g_assert_no_error (error);
  g_assert_nonnull (members);
  return members;
}

static HearthGroupMember *
find_listed_member (GPtrArray  *members,
                    const char *name)
{
  for (guint i = 0; i < members->len; i++)
    {
      HearthGroupMember *member = g_ptr_array_index (members, i);

      if (g_strcmp0 (member->name, name) == 0)
        return member;
    }

  return NULL;
}

static void
test_invite_redeem_authenticate (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autofree char *secret = invite (fixture, "Mum", TRUE);
  g_autofree char *token = NULL;
  g_autoptr(HearthGroupDevice) device = NULL;
  g_autoptr(GPtrArray) members = NULL;
  HearthGroupMember *mum;
  gint64 device_id = 0;
  gint64 before = g_get_real_time () * 1000;

  assert_secret_shape (secret);

  /* Nobody exists until the invite is redeemed. */
  members = list_members (fixture);
  g_assert_cmpuint (members->len, ==, 0);
  g_clear_pointer (&members, g_ptr_array_unref);

  token = redeem (fixture, secret, "Mum’s laptop", &device_id);
  assert_secret_shape (token);
  g_assert_cmpstr (token, !=, secret);
  g_assert_cmpint (device_id, >, 0);

  device = authenticate (fixture, token);
  g_assert_cmpint (device->id, ==, device_id);
  g_assert_cmpstr (device->name, ==, "Mum’s laptop");
  g_assert_cmpstr (device->member_name, ==, "Mum");
  g_assert_true (device->is_admin);
  g_assert_cmpint (device->member_id, >, 0);
  g_assert_cmpint (device->last_seen_ns, >=, before);
  g_assert_cmpint (device->created_ns, >=, before);
  /* Seen within the minute: last_seen_ns was not written again. */
  g_assert_cmpint (device->last_seen_ns, ==, device->created_ns);

  members = list_members (fixture);
  g_assert_cmpuint (members->len, ==, 1);
  mum = g_ptr_array_index (members, 0);
  g_assert_cmpstr (mum->name, ==, "Mum");
  g_assert_true (mum->is_admin);
  g_assert_cmpint (mum->id, ==, device->member_id);
  g_assert_cmpuint (mum->devices->len, ==, 1);
  g_assert_cmpint (((HearthGroupDevice *) g_ptr_array_index (mum->devices, 0))->id, ==, device_id);

  /* The out argument is optional. */
  g_assert_true (hearth_group_authenticate (fixture->group, token, NULL, NULL));
}

/* Unknown, used and expired invites fail alike, with one message. */
static void
test_invalid_invites (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autofree char *used = invite (fixture, "Dad", FALSE);
  g_autofree char *token = redeem (fixture, used, "Desktop", NULL);
  g_autofree char *expired = NULL;
  g_autofree char *expired_now = NULL;
  g_autofree char *used_message = NULL;
  g_autofree char *expired_message = NULL;
  g_autofree char *expired_now_message = NULL;
  g_autofree char *unknown_message = NULL;
  g_autofree char *empty_message = NULL;
  g_autofree char *long_message = NULL;
  g_autofree char *garbage = g_strnfill (5000, 'x');
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) error = NULL;

  expired = hearth_group_create_invite (fixture->group, "Gran", FALSE, -1, &error);
  g_assert_no_error (error);
  expired_now = hearth_group_create_invite (fixture->group, "Grandad", FALSE, 0, &error);
  g_assert_no_error (error);

  used_message = assert_invalid_invite (fixture, used);
  expired_message = assert_invalid_invite (fixture, expired);
  expired_now_message = assert_invalid_invite (fixture, expired_now);
  unknown_message = assert_invalid_invite (fixture, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  empty_message = assert_invalid_invite (fixture, "");
  long_message = assert_invalid_invite (fixture, garbage);

  g_assert_cmpstr (used_message, ==, expired_message);
  g_assert_cmpstr (used_message, ==, expired_now_message);
  g_assert_cmpstr (used_message, ==, unknown_message);
  g_assert_cmpstr (used_message, ==, empty_message);
  g_assert_cmpstr (used_message, ==, long_message);

  /* A secret differing in one character is another secret. */
  used[0] = used[0] == 'A' ? 'B' : 'A';
  g_free (assert_invalid_invite (fixture, used));

  /* The failures created nobody. */
  members = list_members (fixture);
  g_assert_cmpuint (members->len, ==, 1);
  g_assert_cmpstr (((HearthGroupMember *) g_ptr_array_index (members, 0))->name, ==, "Dad");
  g_assert_cmpuint (((HearthGroupMember *) g_ptr_array_index (members, 0))->devices->len, ==, 1);

  /* Too long a lifetime is refused. */
  g_clear_error (&error);
  g_assert_null (hearth_group_create_invite (fixture->group, "Gran", FALSE,
                                             HEARTH_GROUP_INVITE_MAX_LIFETIME_S + 1, &error));
  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_FAILED);
  g_clear_error (&error);
  g_free (hearth_group_create_invite (fixture->group, "Gran", FALSE, G_MININT64, &error));
  g_assert_no_error (error);
}

static gboolean
contains_bytes (const guint8 *haystack,
                gsize         haystack_len,
                const void   *needle,
                gsize         needle_len)
{
  if (needle_len == 0 || needle_len > haystack_len)
    return FALSE;

  for (gsize i = 0; i + needle_len <= haystack_len; i++)
    {
      if (memcmp (haystack + i, needle, needle_len) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
assert_file_lacks (const char         *path,
                   const char * const *secrets)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return;

  for (guint i = 0; secrets[i] != NULL; i++)
    g_assert_false (contains_bytes ((const guint8 *) contents, len, secrets[i], strlen (secrets[i])));
}

/* Every value of every row of every table, as text and as bytes. */
static void
assert_columns_lack (sqlite3            *db,
                     const char * const *secrets)
{
  static const char * const tables[] = { "members", "devices", "invites" };

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s", tables[t]);
      sqlite3_stmt *stmt = NULL;
      guint n_rows = 0;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          n_rows++;
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              const guint8 *value = sqlite3_column_blob (stmt, c);
              gsize len = (gsize) sqlite3_column_bytes (stmt, c);

              for (guint i = 0; secrets[i] != NULL; i++)
                {
                  g_autofree char *decoded = NULL;
                  gsize decoded_len = 0;

                  g_assert_false (contains_bytes (value, len, secrets[i], strlen (secrets[i])));

                  /* Nor the secret's bytes, base64-decoded. */
                  decoded = g_strdup (secrets[i]);
                  g_strdelimit (decoded, "-", '+');
                  g_strdelimit (decoded, "_", '/');
                  decoded = g_realloc (decoded, strlen (decoded) + 2);
                  strcat (decoded, "=");
                  g_base64_decode_inplace (decoded, &decoded_len);
                  g_assert_cmpuint (decoded_len, ==, HEARTH_GROUP_SECRET_BYTES);
                  g_assert_false (contains_bytes (value, len, decoded, decoded_len));
                }
            }
        }
      sqlite3_finalize (stmt);
      g_assert_cmpuint (n_rows, >, 0);
    }
}

static gboolean
row_exists (sqlite3             *db,
            const char          *sql,
            const HearthChunkId *hash)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, hash->bytes, HEARTH_CHUNK_ID_LEN, SQLITE_STATIC);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

static void
test_stored_hashed (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *pending = invite (fixture, "Mum", TRUE);
  g_autofree char *used = invite (fixture, "Dad", FALSE);
  g_autofree char *token = redeem (fixture, used, "Desktop", NULL);
  g_autofree char *wal_path = g_strconcat (fixture->db_path, "-wal", NULL);
  const char * const secrets[] = { pending, used, token, NULL };
  HearthChunkId token_hash;
  HearthChunkId pending_hash;
  sqlite3 *db = NULL;
  GStatBuf st;

  /* Looked at both while open (WAL in use) and after closing. */
  assert_file_lacks (fixture->db_path, secrets);
  assert_file_lacks (wal_path, secrets);
  g_clear_object (&fixture->group);
  assert_file_lacks (fixture->db_path, secrets);
  assert_file_lacks (wal_path, secrets);

  g_assert_cmpint (g_stat (fixture->db_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_cmpint (sqlite3_open_v2 (fixture->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  assert_columns_lack (db, secrets);

  /* What is stored is the SHA-256 of the text. */
  hearth_sha256_digest (token, strlen (token), &token_hash);
  hearth_sha256_digest (pending, strlen (pending), &pending_hash);
  g_assert_true (row_exists (db, "SELECT 1 FROM devices WHERE token_hash = ?1", &token_hash));
  g_assert_true (row_exists (db, "SELECT 1 FROM invites WHERE secret_hash = ?1 AND used_ns IS NULL",
                             &pending_hash));
  sqlite3_close (db);
}

static void
test_unauthorized (Fixture       *fixture,
                   gconstpointer  user_data)
{
  gint64 phone_id = 0;
  gint64 laptop_id = 0;
  g_autofree char *phone = join (fixture, "Mum", FALSE, "Phone", &phone_id);
  g_autofree char *laptop = join (fixture, "Mum", FALSE, "Laptop", &laptop_id);
  g_autofree char *kid = join (fixture, "Kid", FALSE, "Tablet", NULL);
  g_autofree char *bad_message = NULL;
  g_autofree char *empty_message = NULL;
  g_autofree char *revoked_message = NULL;
  g_autofree char *removed_message = NULL;
  g_autofree char *altered = g_strdup (phone);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthGroupDevice) device = NULL;
  g_autoptr(GPtrArray) members = NULL;

  bad_message = assert_unauthorized (fixture, "not-a-token");
  empty_message = assert_unauthorized (fixture, "");
  altered[HEARTH_GROUP_SECRET_LEN - 1] = altered[HEARTH_GROUP_SECRET_LEN - 1] == 'A' ? 'B' : 'A';
  g_free (assert_unauthorized (fixture, altered));

  g_assert_true (hearth_group_revoke_device (fixture->group, phone_id, &error));
  g_assert_no_error (error);
  revoked_message = assert_unauthorized (fixture, phone);
  /* Revoking again changes nothing; the other device still works. */
  g_assert_true (hearth_group_revoke_device (fixture->group, phone_id, &error));
  g_assert_no_error (error);
  device = authenticate (fixture, laptop);
  g_clear_pointer (&device, hearth_group_device_free);

  /* The revoked device is no longer listed. */
  members = list_members (fixture);
  g_assert_cmpuint (find_listed_member (members, "Mum")->devices->len, ==, 1);
  g_clear_pointer (&members, g_ptr_array_unref);

  g_assert_false (hearth_group_revoke_device (fixture->group, 9999, &error));
  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (hearth_group_remove_member (fixture->group, "Mum", &error));
  g_assert_no_error (error);
  removed_message = assert_unauthorized (fixture, laptop);

  g_assert_false (hearth_group_remove_member (fixture->group, "Mum", &error));
  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (hearth_group_remove_member (fixture->group, "Nobody", &error));
  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpstr (bad_message, ==, empty_message);
  g_assert_cmpstr (bad_message, ==, revoked_message);
  g_assert_cmpstr (bad_message, ==, removed_message);

  /* Other members are not affected. */
  device = authenticate (fixture, kid);
  g_assert_cmpstr (device->member_name, ==, "Kid");

  members = list_members (fixture);
  g_assert_cmpuint (members->len, ==, 1);
  g_assert_null (find_listed_member (members, "Mum"));
}

/* A removed member's pending invite dies with them; a new invite brings
 * them back, with new devices only. */
static void
test_remove_member_invites (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *old_token = join (fixture, "Mum", TRUE, "Phone", NULL);
  g_autofree char *pending = invite (fixture, "Mum", FALSE);
  g_autofree char *other = invite (fixture, "Dad", FALSE);
  g_autofree char *new_token = NULL;
  g_autofree char *dad_token = NULL;
  g_autoptr(HearthGroupDevice) device = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_group_remove_member (fixture->group, "Mum", &error));
  g_assert_no_error (error);
  g_free (assert_invalid_invite (fixture, pending));

  /* Dad's invite was not touched. */
  dad_token = redeem (fixture, other, "Desktop", NULL);

  new_token = join (fixture, "Mum", FALSE, "New phone", NULL);
  g_free (assert_unauthorized (fixture, old_token));
  device = authenticate (fixture, new_token);
  g_assert_cmpstr (device->member_name, ==, "Mum");
  g_assert_false (device->is_admin);
}

static void
test_second_device (Fixture       *fixture,
                    gconstpointer  user_data)
{
  gint64 first_id = 0;
  gint64 second_id = 0;
  g_autofree char *first = join (fixture, "Dad", FALSE, "Desktop", &first_id);
  g_autofree char *second = join (fixture, "Dad", FALSE, "Desktop", &second_id);
  g_autoptr(HearthGroupDevice) a = authenticate (fixture, first);
  g_autoptr(HearthGroupDevice) b = authenticate (fixture, second);
  g_autoptr(GPtrArray) members = list_members (fixture);
  HearthGroupMember *dad;

  g_assert_cmpint (first_id, !=, second_id);
  g_assert_cmpstr (first, !=, second);
  g_assert_cmpint (a->id, ==, first_id);
  g_assert_cmpint (b->id, ==, second_id);
  g_assert_cmpint (a->member_id, ==, b->member_id);

  g_assert_cmpuint (members->len, ==, 1);
  dad = g_ptr_array_index (members, 0);
  g_assert_cmpuint (dad->devices->len, ==, 2);
  g_assert_cmpint (((HearthGroupDevice *) g_ptr_array_index (dad->devices, 0))->id, ==, first_id);
  g_assert_cmpint (((HearthGroupDevice *) g_ptr_array_index (dad->devices, 1))->id, ==, second_id);
  g_assert_cmpstr (((HearthGroupDevice *) g_ptr_array_index (dad->devices, 1))->member_name, ==, "Dad");
}

static void
test_admin_flag (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *mum = join (fixture, "Mum", TRUE, "Laptop", NULL);
  g_autofree char *kid = join (fixture, "Kid", FALSE, "Tablet", NULL);
  g_autofree char *mum_phone = NULL;
  g_autofree char *refused = NULL;
  g_autoptr(HearthGroupDevice) device = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) error = NULL;

  device = authenticate (fixture, mum);
  g_assert_true (device->is_admin);
  g_clear_pointer (&device, hearth_group_device_free);
  device = authenticate (fixture, kid);
  g_assert_false (device->is_admin);
  g_clear_pointer (&device, hearth_group_device_free);

  /* An invite adds a device; it does not promote. */
  refused = hearth_group_create_invite (fixture->group, "Kid", TRUE, HOUR_S, &error);
  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_EXISTS);
  g_assert_null (refused);

  /* Nor does a plain invite demote. */
  mum_phone = join (fixture, "Mum", FALSE, "Phone", NULL);
  device = authenticate (fixture, mum_phone);
  g_assert_true (device->is_admin);

  members = list_members (fixture);
  g_assert_cmpuint (members->len, ==, 2);
  /* By name. */
  g_assert_cmpstr (((HearthGroupMember *) g_ptr_array_index (members, 0))->name, ==, "Kid");
  g_assert_false (((HearthGroupMember *) g_ptr_array_index (members, 0))->is_admin);
  g_assert_true (find_listed_member (members, "Mum")->is_admin);
}

static void
assert_bad_member_name (Fixture    *fixture,
                        const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = hearth_group_create_invite (fixture->group, name, FALSE, HOUR_S, &error);

  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_INVALID_NAME);
  g_assert_null (secret);
  g_test_message ("%s", error->message);
}

static void
test_name_validation (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GString) longest = g_string_new (NULL);
  g_autofree char *secret = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;

  assert_bad_member_name (fixture, "");
  assert_bad_member_name (fixture, NULL);
  assert_bad_member_name (fixture, "Mum\n");
  assert_bad_member_name (fixture, "M\tum");
  assert_bad_member_name (fixture, "Mum\x7f");
  assert_bad_member_name (fixture, "Mum\xc2\x85");  /* U+0085, a C1 control */
  assert_bad_member_name (fixture, "Mum\xff");

  /* 64 characters of two bytes each pass; one more does not. */
  for (guint i = 0; i < HEARTH_GROUP_NAME_MAX_CHARS; i++)
    g_string_append (longest, "é");
  g_free (invite (fixture, longest->str, FALSE));
  g_string_append (longest, "é");
  assert_bad_member_name (fixture, longest->str);

  g_free (invite (fixture, "Zoë 🦊", FALSE));

  /* A bad device name does not use the invite up. */
  secret = invite (fixture, "Dad", FALSE);
  token = hearth_group_redeem_invite (fixture->group, secret, "Desk\ntop", NULL, &error);
  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_INVALID_NAME);
  g_assert_null (token);
  g_clear_error (&error);
  token = hearth_group_redeem_invite (fixture->group, secret, "", NULL, &error);
  g_assert_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_INVALID_NAME);
  g_assert_null (token);

  token = redeem (fixture, secret, "Desktop", NULL);
}

static void
test_reopen (Fixture       *fixture,
             gconstpointer  user_data)
{
  gint64 phone_id = 0;
  g_autofree char *used = invite (fixture, "Mum", TRUE);
  g_autofree char *laptop = redeem (fixture, used, "Laptop", NULL);
  g_autofree char *phone = join (fixture, "Mum", FALSE, "Phone", &phone_id);
  g_autofree char *pending = invite (fixture, "Dad", FALSE);
  g_autofree char *kid = join (fixture, "Kid", FALSE, "Tablet", NULL);
  g_autofree char *dad = NULL;
  g_autoptr(HearthGroupDevice) device = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_group_revoke_device (fixture->group, phone_id, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_group_remove_member (fixture->group, "Kid", &error));
  g_assert_no_error (error);

  reopen (fixture);

  device = authenticate (fixture, laptop);
  g_assert_cmpstr (device->member_name, ==, "Mum");
  g_assert_true (device->is_admin);
  g_free (assert_unauthorized (fixture, phone));
  g_free (assert_unauthorized (fixture, kid));
  g_free (assert_invalid_invite (fixture, used));
  dad = redeem (fixture, pending, "Desktop", NULL);

  members = list_members (fixture);
  g_assert_cmpuint (members->len, ==, 2);
  g_assert_cmpuint (find_listed_member (members, "Mum")->devices->len, ==, 1);
  g_assert_cmpuint (find_listed_member (members, "Dad")->devices->len, ==, 1);
}

static void
assert_open_fails (Fixture *fixture,
                   int      code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthGroup) group = hearth_group_open (fixture->data_dir, &error);

  g_assert_error (error, HEARTH_GROUP_ERROR, code);
  g_assert_null (group);
  g_test_message ("%s", error->message);
}

static void
test_corrupt (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autofree char *wal_path = g_strconcat (fixture->db_path, "-wal", NULL);
  g_autofree guint8 *garbage = hearth_test_random_bytes (8192, 42);
  g_autofree char *after = NULL;
  gsize after_len = 0;

  g_clear_object (&fixture->group);
  g_assert_cmpint (g_unlink (fixture->db_path), ==, 0);
  hearth_test_write_file (fixture->db_path, garbage, 8192);

  assert_open_fails (fixture, HEARTH_GROUP_ERROR_CORRUPT);

  g_assert_true (g_file_get_contents (fixture->db_path, &after, &after_len, NULL));
  g_assert_cmpmem (after, after_len, garbage, 8192);
  g_assert_false (g_file_test (wal_path, G_FILE_TEST_EXISTS));
}

static void
rewrite_header (Fixture    *fixture,
                const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (fixture->db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_foreign_and_newer (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_clear_object (&fixture->group);

  rewrite_header (fixture, "PRAGMA user_version = 99");
  assert_open_fails (fixture, HEARTH_GROUP_ERROR_TOO_NEW);

  g_assert_cmpint (g_unlink (fixture->db_path), ==, 0);
  rewrite_header (fixture, "CREATE TABLE notes (body TEXT)");
  assert_open_fails (fixture, HEARTH_GROUP_ERROR_CORRUPT);
}

static void
test_secrets_distinct (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 50; i++)
    {
      char *secret = invite (fixture, "Dad", FALSE);
      char *token = redeem (fixture, secret, "Desktop", NULL);

      assert_secret_shape (secret);
      assert_secret_shape (token);
      g_assert_true (g_hash_table_add (seen, secret));
      g_assert_true (g_hash_table_add (seen, token));
    }

  g_assert_cmpuint (g_hash_table_size (seen), ==, 100);
}

static void
add_test (const char *path,
          void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_test ("/group/invite-redeem-authenticate", test_invite_redeem_authenticate);
  add_test ("/group/invalid-invites", test_invalid_invites);
  add_test ("/group/stored-hashed", test_stored_hashed);
  add_test ("/group/unauthorized", test_unauthorized);
  add_test ("/group/remove-member-invites", test_remove_member_invites);
  add_test ("/group/second-device", test_second_device);
  add_test ("/group/admin-flag", test_admin_flag);
  add_test ("/group/name-validation", test_name_validation);
  add_test ("/group/reopen", test_reopen);
  add_test ("/group/corrupt", test_corrupt);
  add_test ("/group/foreign-and-newer", test_foreign_and_newer);
  add_test ("/group/secrets-distinct", test_secrets_distinct);

  return g_test_run ();
}
