/* hearth-ignore.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The exclusion rules of one backed-up folder: Hearth's built-in patterns
 * plus the .hearthignore files found in it, in gitignore syntax
 * (docs/hearthignore.md is the reference).
 *
 * hearth_ignore_is_excluded() judges only the entry it is given, never its
 * parent directories. That is enough, and gives gitignore's rule that "a
 * file cannot be re-included if a parent directory is excluded", only
 * because the scanner never descends into a directory that is excluded:
 * a caller walking the folder any other way must do the same. A
 * directory's .hearthignore must be added before its entries are checked.
 *
 * Adding patterns is not thread-safe. Checking paths only reads, so any
 * number of threads may check at once while nobody is adding. */
#define HEARTH_IGNORE_FILE_NAME ".hearthignore"

#define HEARTH_TYPE_IGNORE (hearth_ignore_get_type ())

G_DECLARE_FINAL_TYPE (HearthIgnore, hearth_ignore, HEARTH, IGNORE, GObject)

HearthIgnore *hearth_ignore_new           (void);
void          hearth_ignore_add_patterns  (HearthIgnore *self,
                                           const char   *base,
                                           const char   *text,
                                           gsize         len);
gboolean      hearth_ignore_is_excluded   (HearthIgnore *self,
                                           const char   *path,
                                           gboolean      is_dir);

G_END_DECLS
