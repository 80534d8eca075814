/* hearth-inventory.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "hearth-file-descriptor.h"
#include "hearth-file-stat.h"

G_BEGIN_DECLS

#define HEARTH_INVENTORY_ERROR (hearth_inventory_error_quark ())

typedef enum
{
  HEARTH_INVENTORY_ERROR_FAILED,
  HEARTH_INVENTORY_ERROR_CORRUPT,
  HEARTH_INVENTORY_ERROR_TOO_NEW,
  HEARTH_INVENTORY_ERROR_BUSY,
  HEARTH_INVENTORY_ERROR_NOT_FOUND,
  HEARTH_INVENTORY_ERROR_EXISTS,
} HearthInventoryError;

/* The schema version this build writes (PRAGMA user_version). */
#define HEARTH_INVENTORY_SCHEMA_VERSION 1

/* A watched folder. @path is absolute, in the file system's encoding.
 * @is_mount_point says whether the folder's root was a mount point (a
 * file system of its own) when last recorded, normally by the last scan
 * that completed: if it no longer is one, its drive is not mounted. */
typedef struct
{
  gint64    id;
  char     *path;
  gint64    added_ns;
  gint64    last_scan_ns;     /* 0 when never scanned */
  gboolean  is_mount_point;   /* FALSE until set */
} HearthFolder;

/* One row of the file table, as hearth_inventory_get_file() returns it. */
typedef struct
{
  gint64                 folder_id;
  char                  *path;            /* relative to the folder, raw bytes */
  HearthFileStat         stat;
  char                  *symlink_target;  /* symlinks only, raw bytes */
  HearthFileDescriptor  *descriptor;      /* regular files only */
  gint64                 scanned_ns;
  gint64                 deleted_ns;      /* 0 while the file exists */
} HearthInventoryFile;

/* Called for each live file of a folder (not marked deleted), in byte
 * order of @path; return FALSE to stop. @path and @stat are valid only
 * during the call. */
typedef gboolean (*HearthInventoryFileFunc) (const char           *path,
                                             const HearthFileStat *stat,
                                             gpointer              user_data);

#define HEARTH_TYPE_INVENTORY (hearth_inventory_get_type ())

/* The client's SQLite database of folders, files and the chunks the server
 * holds (docs/inventory.md).
 *
 * One thread at a time: an inventory may be handed to a worker thread and
 * back (the scanner does), but two threads must never call into the same
 * inventory at once. Other processes may open the same file; writes wait
 * for each other for a few seconds before failing with
 * HEARTH_INVENTORY_ERROR_BUSY.
 *
 * Writes made outside hearth_inventory_begin()/commit() commit one by one;
 * batch them in a transaction when there are many. */
G_DECLARE_FINAL_TYPE (HearthInventory, hearth_inventory, HEARTH, INVENTORY, GObject)

GQuark               hearth_inventory_error_quark        (void);

HearthInventory     *hearth_inventory_open               (const char            *path,
                                                          GError               **error);
const char          *hearth_inventory_get_path           (HearthInventory       *self);
guint                hearth_inventory_get_schema_version (HearthInventory       *self);

gboolean             hearth_inventory_begin              (HearthInventory       *self,
                                                          GError               **error);
gboolean             hearth_inventory_commit             (HearthInventory       *self,
                                                          GError               **error);
void                 hearth_inventory_rollback           (HearthInventory       *self);

HearthFolder        *hearth_inventory_add_folder         (HearthInventory       *self,
                                                          const char            *path,
                                                          GError               **error);
HearthFolder        *hearth_inventory_find_folder        (HearthInventory       *self,
                                                          const char            *path,
                                                          GError               **error);
HearthFolder        *hearth_inventory_get_folder         (HearthInventory       *self,
                                                          gint64                 folder_id,
                                                          GError               **error);
GPtrArray           *hearth_inventory_list_folders       (HearthInventory       *self,
                                                          GError               **error);
gboolean             hearth_inventory_remove_folder      (HearthInventory       *self,
                                                          gint64                 folder_id,
                                                          GError               **error);
gboolean             hearth_inventory_set_folder_scanned (HearthInventory       *self,
                                                          gint64                 folder_id,
                                                          gint64                 when_ns,
                                                          GError               **error);
gboolean             hearth_inventory_set_folder_mount_point (HearthInventory   *self,
                                                          gint64                 folder_id,
                                                          gboolean               is_mount_point,
                                                          GError               **error);

gboolean             hearth_inventory_foreach_file       (HearthInventory       *self,
                                                          gint64                 folder_id,
                                                          HearthInventoryFileFunc func,
                                                          gpointer               user_data,
                                                          GError               **error);
gboolean             hearth_inventory_put_file           (HearthInventory       *self,
                                                          gint64                 folder_id,
                                                          const char            *path,
                                                          const HearthFileStat  *stat,
                                                          const char            *symlink_target,
                                                          HearthFileDescriptor  *descriptor,
                                                          gint64                 scanned_ns,
                                                          GError               **error);
gboolean             hearth_inventory_mark_deleted       (HearthInventory       *self,
                                                          gint64                 folder_id,
                                                          const char            *path,
                                                          gint64                 when_ns,
                                                          GError               **error);
HearthInventoryFile *hearth_inventory_get_file           (HearthInventory       *self,
                                                          gint64                 folder_id,
                                                          const char            *path,
                                                          GError               **error);
/* Live files, directories and symlinks of @folder_id, or of every folder
 * when @folder_id is 0 (no folder has ID 0); an unknown folder counts 0.
 * Returns -1 with @error set on failure. */
gint64               hearth_inventory_count_files        (HearthInventory       *self,
                                                          gint64                 folder_id,
                                                          GError               **error);

gboolean             hearth_inventory_add_server_chunks  (HearthInventory       *self,
                                                          const HearthChunkId   *ids,
                                                          guint                  n_ids,
                                                          GError               **error);
gboolean             hearth_inventory_has_server_chunk   (HearthInventory       *self,
                                                          const HearthChunkId   *id,
                                                          gboolean              *has,
                                                          GError               **error);
gboolean             hearth_inventory_forget_server_chunks (HearthInventory     *self,
                                                          GError               **error);

void                 hearth_folder_free                  (HearthFolder          *folder);
void                 hearth_inventory_file_free          (HearthInventoryFile   *file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthFolder, hearth_folder_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthInventoryFile, hearth_inventory_file_free)

G_END_DECLS
