/* hearth-database.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Turns a SQLite result code into the caller's error, naming the file by
 * PATH; DB, when not NULL, supplies the detail. Always returns FALSE. */
typedef gboolean (*HearthDatabaseErrorFunc) (sqlite3     *db,
                                             const char  *path,
                                             GError     **error,
                                             int          rc);

/* What one kind of server database is: its mark, its schema history and
 * how its errors are told. */
typedef struct
{
  /* PRAGMA application_id, so that another program's database is never
   * taken for an empty one of ours. */
  guint32                  application_id;

  /* Entry N takes the schema from version N to N + 1; n_migrations is
   * the version this build writes. Never edit a step that has shipped. */
  const char * const      *migrations;
  guint                    n_migrations;

  /* The caller's domain and codes for a file that is not one of ours or
   * is damaged, and for one a newer Hearth wrote. */
  GQuark                   error_domain;
  gint                     error_corrupt;
  gint                     error_too_new;

  /* Every other SQLite failure, in the caller's words. */
  HearthDatabaseErrorFunc  set_sqlite_error;
} HearthDatabaseSchema;

sqlite3  *hearth_database_open (const char                  *path,
                                const HearthDatabaseSchema  *schema,
                                GError                     **error);
gboolean  hearth_database_exec (sqlite3                     *db,
                                const char                  *path,
                                const HearthDatabaseSchema  *schema,
                                const char                  *sql,
                                GError                     **error);
gboolean  hearth_database_make_private_dir (const char      *path,
                                            GError         **error);

G_END_DECLS
