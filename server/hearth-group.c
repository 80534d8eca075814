/* hearth-group.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthGroup"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <string.h>

#include "hearth-database.h"
#include "hearth-group.h"
#include "hearth-invite-code.h"
#include "hearth-sha256.h"

/* The invite code carries the secret this file makes (docs/invite-code.md). */
G_STATIC_ASSERT (HEARTH_INVITE_CODE_SECRET_LEN == HEARTH_GROUP_SECRET_LEN);

/* The family's members, devices and invites, in DATA_DIR/group.db.
 * docs/group.md has the schema and the lifecycles.
 *
 * Secrets never touch the disk: an invite row holds the SHA-256 of its
 * secret and a device row the SHA-256 of its token. Both are 256 random
 * bits, so a plain hash (no salt, no slow KDF) is enough: nobody can
 * search a 2^256 space, and the hash lets a row be found by index.
 *
 * Thread model: one thread at a time (see hearth-group.h). */

#define DB_NAME "group.db"

/* "HRGP": marks group.db as a Hearth group database (PRAGMA application_id). */
#define APPLICATION_ID 0x48524750

/* last_seen_ns is written at most this often per device. */
#define LAST_SEEN_GRANULARITY_NS (G_GINT64_CONSTANT (60) * G_TIME_SPAN_SECOND * 1000)

#define HASH_LEN HEARTH_CHUNK_ID_LEN

typedef enum
{
  STMT_BEGIN,
  STMT_BEGIN_READ,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_MEMBER_BY_NAME,
  STMT_INSERT_MEMBER,
  STMT_UPDATE_MEMBER,
  STMT_REMOVE_MEMBER,
  STMT_INSERT_INVITE,
  STMT_INVITE_BY_HASH,
  STMT_USE_INVITE,
  STMT_DROP_MEMBER_INVITES,
  STMT_INSERT_DEVICE,
  STMT_DEVICE_BY_TOKEN,
  STMT_TOUCH_DEVICE,
  STMT_DEVICE_EXISTS,
  STMT_REVOKE_DEVICE,
  STMT_REVOKE_MEMBER_DEVICES,
  STMT_LIST_MEMBERS,
  STMT_LIST_DEVICES,
  N_STATEMENTS
} StatementId;

static const char * const statement_sql[N_STATEMENTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_BEGIN_READ] = "BEGIN DEFERRED",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_MEMBER_BY_NAME] = "SELECT id, role, removed_ns FROM members WHERE name = ?1",
  [STMT_INSERT_MEMBER] = "INSERT INTO members (name, role, created_ns) VALUES (?1, ?2, ?3)",
  [STMT_UPDATE_MEMBER] = "UPDATE members SET role = ?2, removed_ns = NULL WHERE id = ?1",
  [STMT_REMOVE_MEMBER] = "UPDATE members SET removed_ns = ?2 WHERE id = ?1",
  [STMT_INSERT_INVITE] =
    "INSERT INTO invites (secret_hash, member_name, admin, created_ns, expires_ns)"
    " VALUES (?1, ?2, ?3, ?4, ?5)",
  [STMT_INVITE_BY_HASH] =
    "SELECT secret_hash, member_name, admin, expires_ns, used_ns FROM invites"
    " WHERE secret_hash = ?1",
  [STMT_USE_INVITE] =
    "UPDATE invites SET used_ns = ?2 WHERE secret_hash = ?1 AND used_ns IS NULL",
  [STMT_DROP_MEMBER_INVITES] =
    "DELETE FROM invites WHERE member_name = ?1 AND used_ns IS NULL",
  [STMT_INSERT_DEVICE] =
    "INSERT INTO devices (member_id, name, token_hash, created_ns, last_seen_ns)"
    " VALUES (?1, ?2, ?3, ?4, ?4)",
  [STMT_DEVICE_BY_TOKEN] =
    "SELECT d.token_hash, d.id, d.name, d.created_ns, d.last_seen_ns, d.revoked_ns,"
    "       m.id, m.name, m.role, m.removed_ns"
    "  FROM devices AS d JOIN members AS m ON m.id = d.member_id"
    " WHERE d.token_hash = ?1",
  [STMT_TOUCH_DEVICE] = "UPDATE devices SET last_seen_ns = ?2 WHERE id = ?1",
  [STMT_DEVICE_EXISTS] = "SELECT 1 FROM devices WHERE id = ?1",
  [STMT_REVOKE_DEVICE] =
    "UPDATE devices SET revoked_ns = ?2 WHERE id = ?1 AND revoked_ns IS NULL",
  [STMT_REVOKE_MEMBER_DEVICES] =
    "UPDATE devices SET revoked_ns = ?2 WHERE member_id = ?1 AND revoked_ns IS NULL",
  [STMT_LIST_MEMBERS] =
    "SELECT id, name, role, created_ns FROM members WHERE removed_ns IS NULL ORDER BY name",
  [STMT_LIST_DEVICES] =
    "SELECT d.id, d.name, d.member_id, d.created_ns, d.last_seen_ns"
    "  FROM devices AS d JOIN members AS m ON m.id = d.member_id"
    " WHERE d.revoked_ns IS NULL AND m.removed_ns IS NULL"
    " ORDER BY d.id",
};

struct _HearthGroup
{
  GObject       parent_instance;

  char         *db_path;
  sqlite3      *db;
  sqlite3_stmt *statements[N_STATEMENTS];
};

G_DEFINE_FINAL_TYPE (HearthGroup, hearth_group, G_TYPE_OBJECT)

G_DEFINE_QUARK (hearth-group-error-quark, hearth_group_error)

static gint64
now_ns (void)
{
  return g_get_real_time () * 1000;
}

/* Always returns FALSE, so that callers can `return set_sqlite_error (…)`. */
static gboolean
set_sqlite_error (sqlite3     *db,
                  const char  *db_path,
                  GError     **error,
                  int          rc)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_CORRUPT,
                   _("The family database “%s” is damaged (%s). Restore it from a backup; it was left as it is."),
                   db_path, detail);
      return FALSE;

    case SQLITE_FULL:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("The family database “%s” could not be written: the disk is full"),
                   db_path);
      return FALSE;

    default:
      g_set_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_FAILED,
                   _("Could not use the family database “%s”: %s"),
                   db_path, detail);
      return FALSE;
    }
}

static gboolean
group_sqlite_error (HearthGroup  *self,
                    GError      **error,
                    int           rc)
{
  return set_sqlite_error (self->db, self->db_path, error, rc);
}

static gboolean
set_invalid_invite (GError **error)
{
  g_set_error_literal (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_INVALID_INVITE,
                       _("This invite code is not valid: it may have been used already or have expired. Ask for a new one."));
  return FALSE;
}

static gboolean
set_unauthorized (GError **error)
{
  g_set_error_literal (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_UNAUTHORIZED,
                       _("This device may not use the server. Join it again with a new invite code."));
  return FALSE;
}

static void
reset_statement (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/* Runs a statement that returns no rows, and resets it. */
static gboolean
run_statement (HearthGroup   *self,
               sqlite3_stmt  *stmt,
               GError       **error)
{
  int rc = sqlite3_step (stmt);

  reset_statement (stmt);

  if (rc != SQLITE_DONE)
    return group_sqlite_error (self, error, rc);

  return TRUE;
}

static gboolean
begin (HearthGroup  *self,
       GError      **error)
{
  return run_statement (self, self->statements[STMT_BEGIN], error);
}

static gboolean
commit (HearthGroup  *self,
        GError      **error)
{
  return run_statement (self, self->statements[STMT_COMMIT], error);
}

static void
rollback (HearthGroup *self)
{
  if (!sqlite3_get_autocommit (self->db))
    run_statement (self, self->statements[STMT_ROLLBACK], NULL);
}

static void
bind_hash (sqlite3_stmt        *stmt,
           int                  index,
           const HearthChunkId *hash)
{
  sqlite3_bind_blob (stmt, index, hash->bytes, HASH_LEN, SQLITE_STATIC);
}

static const char *
role_name (gboolean is_admin)
{
  return is_admin ? "admin" : "member";
}

static gboolean
role_is_admin (sqlite3_stmt *stmt,
               int           column)
{
  return g_strcmp0 ((const char *) sqlite3_column_text (stmt, column), "admin") == 0;
}

static char *
column_dup_text (sqlite3_stmt *stmt,
                 int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* A value of HEARTH_GROUP_SECRET_BYTES random bytes from OpenSSL's CSPRNG,
 * as unpadded base64url, so that it fits a URL and a command line. */
static char *
generate_secret (GError **error)
{
  guint8 bytes[HEARTH_GROUP_SECRET_BYTES];
  g_autofree char *base64 = NULL;
  gsize len;

  if (RAND_bytes (bytes, sizeof bytes) != 1)
    {
      g_set_error_literal (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_FAILED,
                           _("The system’s random number generator failed"));
      return NULL;
    }

  base64 = g_base64_encode (bytes, sizeof bytes);
  OPENSSL_cleanse (bytes, sizeof bytes);

  len = strlen (base64);
  while (len > 0 && base64[len - 1] == '=')
    base64[--len] = '\0';

  for (char *p = base64; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }

  g_assert (len == HEARTH_GROUP_SECRET_LEN);
  return g_steal_pointer (&base64);
}

static void
hash_secret (const char    *secret,
             HearthChunkId *out)
{
  hearth_sha256_digest (secret, strlen (secret), out);
}

/* Names are shown in lists and logs, and typed on command lines: no
 * control characters, and a length that fits a column. */
static gboolean
validate_name (const char  *name,
               GError     **error)
{
  glong n_chars;

  if (name == NULL || *name == '\0')
    {
      g_set_error_literal (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_INVALID_NAME,
                           _("A name may not be empty"));
      return FALSE;
    }

  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_INVALID_NAME,
                           _("A name must be valid UTF-8 text"));
      return FALSE;
    }

  n_chars = g_utf8_strlen (name, -1);
  if (n_chars > HEARTH_GROUP_NAME_MAX_CHARS)
    {
      g_set_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_INVALID_NAME,
                   _("The name “%s” is too long: it has %ld characters, and at most %d are allowed"),
                   name, n_chars, HEARTH_GROUP_NAME_MAX_CHARS);
      return FALSE;
    }

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        {
          g_set_error_literal (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_INVALID_NAME,
                               _("A name may not contain control characters such as tabs or line breaks"));
          return FALSE;
        }
    }

  return TRUE;
}

/* Schema v1. Hashes are BLOBs of exactly 32 bytes; a removed member and a
 * revoked device keep their rows (with removed_ns, revoked_ns set) so that
 * their names and history stay known and their IDs are never reused.
 * STRICT makes SQLite refuse a value of the wrong type. */
static const char migrate_to_v1_sql[] =
  "CREATE TABLE members ("
  "  id         INTEGER PRIMARY KEY,"
  "  name       TEXT    NOT NULL UNIQUE,"
  "  role       TEXT    NOT NULL CHECK (role IN ('admin', 'member')),"
  "  created_ns INTEGER NOT NULL,"
  "  removed_ns INTEGER"
  ") STRICT;"
  "CREATE TABLE devices ("
  "  id           INTEGER PRIMARY KEY,"
  "  member_id    INTEGER NOT NULL REFERENCES members (id),"
  "  name         TEXT    NOT NULL,"
  "  token_hash   BLOB    NOT NULL UNIQUE CHECK (length (token_hash) = 32),"
  "  created_ns   INTEGER NOT NULL,"
  "  last_seen_ns INTEGER NOT NULL,"
  "  revoked_ns   INTEGER"
  ") STRICT;"
  "CREATE INDEX devices_by_member ON devices (member_id);"
  "CREATE TABLE invites ("
  "  secret_hash BLOB    PRIMARY KEY NOT NULL CHECK (length (secret_hash) = 32),"
  "  member_name TEXT    NOT NULL,"
  "  admin       INTEGER NOT NULL CHECK (admin IN (0, 1)),"
  "  created_ns  INTEGER NOT NULL,"
  "  expires_ns  INTEGER NOT NULL,"
  "  used_ns     INTEGER"
  ") STRICT, WITHOUT ROWID;";

/* Entry N takes the schema from version N to N + 1. To change the schema,
 * append a step and raise HEARTH_GROUP_SCHEMA_VERSION; never edit a step
 * that has shipped. */
static const char * const migrations[] = {
  migrate_to_v1_sql,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == HEARTH_GROUP_SCHEMA_VERSION);

static gboolean
open_database (HearthGroup  *self,
               GError      **error)
{
  const HearthDatabaseSchema schema = {
    .application_id = APPLICATION_ID,
    .migrations = migrations,
    .n_migrations = G_N_ELEMENTS (migrations),
    .error_domain = HEARTH_GROUP_ERROR,
    .error_corrupt = HEARTH_GROUP_ERROR_CORRUPT,
    .error_too_new = HEARTH_GROUP_ERROR_TOO_NEW,
    .set_sqlite_error = set_sqlite_error,
  };
  int rc;

  self->db = hearth_database_open (self->db_path, &schema, error);
  if (self->db == NULL)
    return FALSE;

  /* Per connection, and off by default in SQLite. */
  if (!hearth_database_exec (self->db, self->db_path, &schema, "PRAGMA foreign_keys = ON", error))
    return FALSE;

  for (guint i = 0; i < N_STATEMENTS; i++)
    {
      rc = sqlite3_prepare_v3 (self->db, statement_sql[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &self->statements[i], NULL);
      if (rc != SQLITE_OK)
        return group_sqlite_error (self, error, rc);
    }

  return TRUE;
}

static void
close_database (HearthGroup *self)
{
  for (guint i = 0; i < N_STATEMENTS; i++)
    g_clear_pointer (&self->statements[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
}

/* Looks a member up by name. *out_id is 0 when there is none. */
static gboolean
find_member (HearthGroup  *self,
             const char   *name,
             gint64       *out_id,
             gboolean     *out_is_admin,
             gboolean     *out_removed,
             GError      **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_MEMBER_BY_NAME];
  int rc;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);

  *out_id = 0;
  *out_is_admin = FALSE;
  *out_removed = FALSE;

  if (rc == SQLITE_ROW)
    {
      *out_id = sqlite3_column_int64 (stmt, 0);
      *out_is_admin = role_is_admin (stmt, 1);
      *out_removed = sqlite3_column_type (stmt, 2) != SQLITE_NULL;
    }

  reset_statement (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return group_sqlite_error (self, error, rc);

  return TRUE;
}

static void
hearth_group_finalize (GObject *object)
{
  HearthGroup *self = HEARTH_GROUP (object);

  close_database (self);
  g_free (self->db_path);

  G_OBJECT_CLASS (hearth_group_parent_class)->finalize (object);
}

static void
hearth_group_class_init (HearthGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hearth_group_finalize;
}

static void
hearth_group_init (HearthGroup *self)
{
}

void
hearth_group_device_free (HearthGroupDevice *device)
{
  if (device == NULL)
    return;

  g_free (device->name);
  g_free (device->member_name);
  g_free (device);
}

void
hearth_group_member_free (HearthGroupMember *member)
{
  if (member == NULL)
    return;

  g_free (member->name);
  g_clear_pointer (&member->devices, g_ptr_array_unref);
  g_free (member);
}

/**
 * hearth_group_open:
 * @data_dir: the server's data folder; created, private, when missing
 *
 * Opens DATA_DIR/group.db, creating it when missing, and brings it to the
 * current schema. A damaged file is left untouched.
 *
 * Returns: (transfer full): the group, or %NULL with @error set:
 *   HEARTH_GROUP_ERROR_CORRUPT for a file that is damaged or not one of
 *   ours, HEARTH_GROUP_ERROR_TOO_NEW for one a newer Hearth wrote
 */
HearthGroup *
hearth_group_open (const char  *data_dir,
                   GError     **error)
{
  g_autoptr(HearthGroup) self = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);

  self = g_object_new (HEARTH_TYPE_GROUP, NULL);
  self->db_path = g_build_filename (data_dir, DB_NAME, NULL);

  if (!hearth_database_make_private_dir (data_dir, error) || !open_database (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* An invite with admin set may make a new member an admin, but not
 * promote an existing one: promoting is not what "add a device" means,
 * and saying so beats ignoring the flag. */
static gboolean
check_invite_target (HearthGroup  *self,
                     const char   *member_name,
                     gboolean      admin,
                     GError      **error)
{
  gint64 member_id;
  gboolean is_admin;
  gboolean removed;

  if (!find_member (self, member_name, &member_id, &is_admin, &removed, error))
    return FALSE;

  if (member_id != 0 && !removed && admin && !is_admin)
    {
      g_set_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_EXISTS,
                   _("“%s” is already a member without admin rights; an invite can add a device but cannot make them an admin"),
                   member_name);
      return FALSE;
    }

  return TRUE;
}

/**
 * hearth_group_create_invite:
 * @member_name: who the invite is for: a new name creates that member when
 *   the invite is redeemed, an existing one adds a device to them
 * @admin: whether a member created by the invite is an admin
 * @lifetime_s: seconds until the invite expires; zero or less makes one
 *   that has already expired (for tests), at most
 *   %HEARTH_GROUP_INVITE_MAX_LIFETIME_S
 *
 * Returns: (transfer full): the invite's secret, %HEARTH_GROUP_SECRET_LEN
 *   characters of base64url, or %NULL with @error set. Only its SHA-256
 *   is stored: the secret cannot be shown again.
 */
char *
hearth_group_create_invite (HearthGroup  *self,
                            const char   *member_name,
                            gboolean      admin,
                            gint64        lifetime_s,
                            GError      **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *secret = NULL;
  HearthChunkId hash;
  gint64 now = now_ns ();

  g_return_val_if_fail (HEARTH_IS_GROUP (self), NULL);

  if (!validate_name (member_name, error))
    return NULL;

  if (lifetime_s > HEARTH_GROUP_INVITE_MAX_LIFETIME_S)
    {
      g_set_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_FAILED,
                   _("An invite may be valid for at most %d days"),
                   HEARTH_GROUP_INVITE_MAX_LIFETIME_S / (24 * 60 * 60));
      return NULL;
    }

  if (!check_invite_target (self, member_name, admin, error))
    return NULL;

  secret = generate_secret (error);
  if (secret == NULL)
    return NULL;

  hash_secret (secret, &hash);

  /* Any lifetime below zero gives an invite that has expired already;
   * clamping keeps the product below from overflowing. */
  lifetime_s = MAX (lifetime_s, -1);

  stmt = self->statements[STMT_INSERT_INVITE];
  bind_hash (stmt, 1, &hash);
  sqlite3_bind_text (stmt, 2, member_name, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, admin ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_int64 (stmt, 5, now + lifetime_s * G_TIME_SPAN_SECOND * 1000);
  if (!run_statement (self, stmt, error))
    return NULL;

  return g_steal_pointer (&secret);
}

/* The member an invite for @name lands on: the existing one, or a new one.
 * A removed member is brought back: the invite was made after the removal,
 * since removing a member deletes their pending invites. Their old devices
 * stay revoked. */
static gboolean
ensure_member (HearthGroup  *self,
               const char   *name,
               gboolean      admin,
               gint64        now,
               gint64       *out_id,
               GError      **error)
{
  sqlite3_stmt *stmt;
  gboolean is_admin;
  gboolean removed;

  if (!find_member (self, name, out_id, &is_admin, &removed, error))
    return FALSE;

  if (*out_id == 0)
    {
      stmt = self->statements[STMT_INSERT_MEMBER];
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, role_name (admin), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, now);
      if (!run_statement (self, stmt, error))
        return FALSE;

      *out_id = sqlite3_last_insert_rowid (self->db);
      return TRUE;
    }

  /* A removed member comes back with the invite's role; a current one
   * keeps theirs, or becomes an admin when an admin invite made before
   * they existed is redeemed after another invite created them. */
  if (removed || (admin && !is_admin))
    {
      stmt = self->statements[STMT_UPDATE_MEMBER];
      sqlite3_bind_int64 (stmt, 1, *out_id);
      sqlite3_bind_text (stmt, 2, role_name (admin || (is_admin && !removed)), -1, SQLITE_STATIC);
      return run_statement (self, stmt, error);
    }

  return TRUE;
}

typedef struct
{
  char     *member_name;
  gboolean  admin;
} Invite;

/* Finds a usable invite by the hash of its secret.
 *
 * Finding the row by hash through the index is safe although the B-tree
 * search compares bytes with memcmp(): its timing can tell at most how
 * many leading bytes of SHA-256(guess) match a stored hash, and since
 * nobody can choose a guess whose hash has a given prefix, that says
 * nothing about any secret. The row's hash is still compared again with
 * CRYPTO_memcmp() so that the one comparison that decides is constant
 * time whatever lookup finds the row.
 *
 * Unknown, used and expired invites all give the same error. */
static gboolean
take_invite (HearthGroup          *self,
             const HearthChunkId  *hash,
             gint64                now,
             Invite               *out,
             GError              **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_INVITE_BY_HASH];
  gboolean usable = FALSE;
  int rc;

  bind_hash (stmt, 1, hash);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      const void *stored = sqlite3_column_blob (stmt, 0);

      usable = sqlite3_column_bytes (stmt, 0) == HASH_LEN &&
               CRYPTO_memcmp (stored, hash->bytes, HASH_LEN) == 0 &&
               sqlite3_column_type (stmt, 4) == SQLITE_NULL &&
               now < sqlite3_column_int64 (stmt, 3);
      if (usable)
        {
          out->member_name = column_dup_text (stmt, 1);
          out->admin = sqlite3_column_int (stmt, 2) != 0;
        }
    }

  reset_statement (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return group_sqlite_error (self, error, rc);

  if (!usable)
    return set_invalid_invite (error);

  /* Still in the transaction: the row cannot have been used meanwhile,
   * but the guard in the UPDATE costs nothing. */
  stmt = self->statements[STMT_USE_INVITE];
  bind_hash (stmt, 1, hash);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!run_statement (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) != 1)
    return set_invalid_invite (error);

  return TRUE;
}

static char *
add_device (HearthGroup  *self,
            gint64        member_id,
            const char   *device_name,
            gint64        now,
            gint64       *out_device_id,
            GError      **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_INSERT_DEVICE];
  g_autofree char *token = generate_secret (error);
  HearthChunkId hash;

  if (token == NULL)
    return NULL;

  hash_secret (token, &hash);

  sqlite3_bind_int64 (stmt, 1, member_id);
  sqlite3_bind_text (stmt, 2, device_name, -1, SQLITE_STATIC);
  bind_hash (stmt, 3, &hash);
  sqlite3_bind_int64 (stmt, 4, now);
  if (!run_statement (self, stmt, error))
    return NULL;

  *out_device_id = sqlite3_last_insert_rowid (self->db);
  return g_steal_pointer (&token);
}

static char *
redeem_locked (HearthGroup  *self,
               const char   *secret,
               const char   *device_name,
               gint64        now,
               gint64       *out_device_id,
               GError      **error)
{
  Invite invite = { NULL, FALSE };
  g_autofree char *member_name = NULL;
  HearthChunkId hash;
  gint64 member_id;

  hash_secret (secret, &hash);
  if (!take_invite (self, &hash, now, &invite, error))
    return NULL;

  member_name = invite.member_name;

  if (!ensure_member (self, member_name, invite.admin, now, &member_id, error))
    return NULL;

  return add_device (self, member_id, device_name, now, out_device_id, error);
}

/**
 * hearth_group_redeem_invite:
 * @secret: the secret hearth_group_create_invite() returned
 * @device_name: the name of the device joining
 * @device_id: (out) (optional): the new device's ID
 *
 * Uses up the invite and adds a device, creating its member when needed,
 * in one transaction: the invite is used if and only if the device exists.
 *
 * Returns: (transfer full): the device's token, %HEARTH_GROUP_SECRET_LEN
 *   characters of base64url, or %NULL with @error set:
 *   HEARTH_GROUP_ERROR_INVALID_INVITE for an unknown, used or expired
 *   invite (the same message for all three). Only the token's SHA-256 is
 *   stored.
 */
char *
hearth_group_redeem_invite (HearthGroup  *self,
                            const char   *secret,
                            const char   *device_name,
                            gint64       *device_id,
                            GError      **error)
{
  g_autofree char *token = NULL;
  gint64 id = 0;

  g_return_val_if_fail (HEARTH_IS_GROUP (self), NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  /* Before the transaction: a mistyped device name must not use the invite. */
  if (!validate_name (device_name, error))
    return NULL;

  if (!begin (self, error))
    return NULL;

  token = redeem_locked (self, secret, device_name, now_ns (), &id, error);
  if (token == NULL || !commit (self, error))
    {
      rollback (self);
      return NULL;
    }

  if (device_id != NULL)
    *device_id = id;

  return g_steal_pointer (&token);
}

/* last_seen_ns is kept to the minute: with synchronous=FULL each write is
 * a WAL fsync, and a device that sends hundreds of requests a minute
 * would otherwise pay one per request for a value shown as "5 minutes
 * ago". A failed update is only logged: it must not refuse a device
 * whose token is good. */
static void
touch_device (HearthGroup       *self,
              HearthGroupDevice *device)
{
  sqlite3_stmt *stmt = self->statements[STMT_TOUCH_DEVICE];
  g_autoptr(GError) error = NULL;
  gint64 now = now_ns ();

  if (now - device->last_seen_ns < LAST_SEEN_GRANULARITY_NS)
    return;

  sqlite3_bind_int64 (stmt, 1, device->id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!run_statement (self, stmt, &error))
    g_warning ("Could not record when device %" G_GINT64_FORMAT " was last seen: %s",
               device->id, error->message);
  else
    device->last_seen_ns = now;
}

/**
 * hearth_group_authenticate:
 * @token: a device token from hearth_group_redeem_invite()
 * @out: (out) (optional) (transfer full): the device
 *
 * Finds the device @token belongs to. The lookup by hash is safe for the
 * reason take_invite() gives, and the decisive comparison is constant time.
 * Records when the device was last seen, at most once a minute.
 *
 * Returns: %TRUE for a device that is not revoked and whose member is not
 *   removed; else %FALSE with HEARTH_GROUP_ERROR_UNAUTHORIZED (the same
 *   message for every reason) or a database error.
 */
gboolean
hearth_group_authenticate (HearthGroup        *self,
                           const char         *token,
                           HearthGroupDevice **out,
                           GError            **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(HearthGroupDevice) device = NULL;
  HearthChunkId hash;
  int rc;

  g_return_val_if_fail (HEARTH_IS_GROUP (self), FALSE);
  g_return_val_if_fail (token != NULL, FALSE);

  hash_secret (token, &hash);

  stmt = self->statements[STMT_DEVICE_BY_TOKEN];
  bind_hash (stmt, 1, &hash);
  rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW &&
      sqlite3_column_bytes (stmt, 0) == HASH_LEN &&
      CRYPTO_memcmp (sqlite3_column_blob (stmt, 0), hash.bytes, HASH_LEN) == 0 &&
      sqlite3_column_type (stmt, 5) == SQLITE_NULL &&
      sqlite3_column_type (stmt, 9) == SQLITE_NULL)
    {
      device = g_new0 (HearthGroupDevice, 1);
      device->id = sqlite3_column_int64 (stmt, 1);
      device->name = column_dup_text (stmt, 2);
      device->created_ns = sqlite3_column_int64 (stmt, 3);
      device->last_seen_ns = sqlite3_column_int64 (stmt, 4);
      device->member_id = sqlite3_column_int64 (stmt, 6);
      device->member_name = column_dup_text (stmt, 7);
      device->is_admin = role_is_admin (stmt, 8);
    }

  reset_statement (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return group_sqlite_error (self, error, rc);

  if (device == NULL)
    return set_unauthorized (error);

  touch_device (self, device);

  if (out != NULL)
    *out = g_steal_pointer (&device);

  return TRUE;
}

/**
 * hearth_group_revoke_device:
 *
 * Revokes a device: its token is refused from now on. Revoking a revoked
 * device again succeeds and changes nothing.
 *
 * Returns: %FALSE with HEARTH_GROUP_ERROR_NOT_FOUND for an unknown ID
 */
gboolean
hearth_group_revoke_device (HearthGroup  *self,
                            gint64        device_id,
                            GError      **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_DEVICE_EXISTS];
  int rc;

  g_return_val_if_fail (HEARTH_IS_GROUP (self), FALSE);

  sqlite3_bind_int64 (stmt, 1, device_id);
  rc = sqlite3_step (stmt);
  reset_statement (stmt);

  if (rc == SQLITE_DONE)
    {
      /* xgettext cannot see through G_GINT64_FORMAT: format the number apart. */
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, device_id);

      g_set_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_NOT_FOUND,
                   _("There is no device %s in the family"), number);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return group_sqlite_error (self, error, rc);

  stmt = self->statements[STMT_REVOKE_DEVICE];
  sqlite3_bind_int64 (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, now_ns ());
  return run_statement (self, stmt, error);
}

static gboolean
remove_member_locked (HearthGroup  *self,
                      const char   *name,
                      GError      **error)
{
  sqlite3_stmt *stmt;
  gint64 member_id;
  gboolean is_admin;
  gboolean removed;
  gint64 now = now_ns ();

  if (!find_member (self, name, &member_id, &is_admin, &removed, error))
    return FALSE;

  if (member_id == 0 || removed)
    {
      g_set_error (error, HEARTH_GROUP_ERROR, HEARTH_GROUP_ERROR_NOT_FOUND,
                   _("There is no member “%s” in the family"), name);
      return FALSE;
    }

  stmt = self->statements[STMT_REMOVE_MEMBER];
  sqlite3_bind_int64 (stmt, 1, member_id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!run_statement (self, stmt, error))
    return FALSE;

  stmt = self->statements[STMT_REVOKE_MEMBER_DEVICES];
  sqlite3_bind_int64 (stmt, 1, member_id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!run_statement (self, stmt, error))
    return FALSE;

  /* An invite made before the removal must not bring the member back. */
  stmt = self->statements[STMT_DROP_MEMBER_INVITES];
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  return run_statement (self, stmt, error);
}

/**
 * hearth_group_remove_member:
 *
 * Removes a member: revokes all their devices and deletes their pending
 * invites, in one transaction. The row stays, marked removed; a new
 * invite for the same name brings the member back with new devices.
 *
 * Returns: %FALSE with HEARTH_GROUP_ERROR_NOT_FOUND for a name that is
 *   not a current member
 */
gboolean
hearth_group_remove_member (HearthGroup  *self,
                            const char   *name,
                            GError      **error)
{
  g_return_val_if_fail (HEARTH_IS_GROUP (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;

  if (!remove_member_locked (self, name, error) || !commit (self, error))
    {
      rollback (self);
      return FALSE;
    }

  return TRUE;
}

static gboolean
list_members_into (HearthGroup  *self,
                   GPtrArray    *members,
                   GHashTable   *by_id,
                   GError      **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_LIST_MEMBERS];
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthGroupMember *member = g_new0 (HearthGroupMember, 1);

      member->id = sqlite3_column_int64 (stmt, 0);
      member->name = column_dup_text (stmt, 1);
      member->is_admin = role_is_admin (stmt, 2);
      member->created_ns = sqlite3_column_int64 (stmt, 3);
      member->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_group_device_free);
      g_ptr_array_add (members, member);
      g_hash_table_insert (by_id, &member->id, member);
    }

  reset_statement (stmt);

  if (rc != SQLITE_DONE)
    return group_sqlite_error (self, error, rc);

  return TRUE;
}

static gboolean
list_devices_into (HearthGroup  *self,
                   GHashTable   *by_id,
                   GError      **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_LIST_DEVICES];
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 member_id = sqlite3_column_int64 (stmt, 2);
      HearthGroupMember *member = g_hash_table_lookup (by_id, &member_id);
      HearthGroupDevice *device;

      /* The query joins on active members, all of which were listed. */
      if (member == NULL)
        continue;

      device = g_new0 (HearthGroupDevice, 1);
      device->id = sqlite3_column_int64 (stmt, 0);
      device->name = column_dup_text (stmt, 1);
      device->member_id = member_id;
      device->member_name = g_strdup (member->name);
      device->is_admin = member->is_admin;
      device->created_ns = sqlite3_column_int64 (stmt, 3);
      device->last_seen_ns = sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (member->devices, device);
    }

  reset_statement (stmt);

  if (rc != SQLITE_DONE)
    return group_sqlite_error (self, error, rc);

  return TRUE;
}

/**
 * hearth_group_list_members:
 *
 * Lists the current members by name, each with its devices that are not
 * revoked. Removed members are not listed.
 *
 * Returns: (transfer full) (element-type HearthGroupMember): the
 *   members, or %NULL with @error set
 */
GPtrArray *
hearth_group_list_members (HearthGroup  *self,
                           GError      **error)
{
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GHashTable) by_id = NULL;

  g_return_val_if_fail (HEARTH_IS_GROUP (self), NULL);

  members = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_group_member_free);
  by_id = g_hash_table_new (g_int64_hash, g_int64_equal);

  /* One read transaction, so that members and devices agree. */
  if (!run_statement (self, self->statements[STMT_BEGIN_READ], error))
    return NULL;

  if (!list_members_into (self, members, by_id, error) ||
      !list_devices_into (self, by_id, error) ||
      !commit (self, error))
    {
      rollback (self);
      return NULL;
    }

  return g_steal_pointer (&members);
}
