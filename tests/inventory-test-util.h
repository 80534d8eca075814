/* inventory-test-util.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "hearth-inventory.h"

G_BEGIN_DECLS

/* Each test gets an empty directory of its own; the inventory's path in it
 * does not exist until the test opens it. */
typedef struct
{
  char *dir;
  char *path;
} Fixture;

void                  fixture_set_up           (Fixture              *fixture,
                                                gconstpointer         data);
void                  fixture_tear_down        (Fixture              *fixture,
                                                gconstpointer         data);

#define TEST_ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

HearthInventory      *open_inventory           (const char           *path);

/* The test's own connection to the file, beside the inventory's. */
sqlite3              *open_raw                 (const char           *path);
void                  exec_sql                 (sqlite3              *db,
                                                const char           *sql);
gint64                query_int                (sqlite3              *db,
                                                const char           *sql);
char                 *query_text               (sqlite3              *db,
                                                const char           *sql);

GBytes               *read_bytes               (const char           *path);

HearthFileStat        make_stat                (HearthFileType        type,
                                                guint64               size,
                                                gint64                mtime_ns);
HearthFileDescriptor *make_descriptor          (const guint32        *lengths,
                                                guint                 n_chunks,
                                                guint64               seed);
void                  assert_stat_equal        (const HearthFileStat *a,
                                                const HearthFileStat *b);

/* Puts "dir/file-00000" onwards, each with three chunks and mtime_ns
 * 1000 + its number. */
void                  put_sample_files         (HearthInventory      *inventory,
                                                gint64                folder_id,
                                                guint                 n_files);

G_END_DECLS
