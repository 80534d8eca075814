/* hearth-profile.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthProfile"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hearth-profile.h"

/* A profile is one client's state: its inventory now, its server pin and
 * device token later. Several profiles on one machine act as several
 * devices, which is how the tests and scripts use it. */
struct _HearthProfile
{
  GObject          parent_instance;

  char            *dir;
  HearthInventory *inventory;
};

G_DEFINE_FINAL_TYPE (HearthProfile, hearth_profile, G_TYPE_OBJECT)

static void
hearth_profile_finalize (GObject *object)
{
  HearthProfile *self = (HearthProfile *)object;

  g_clear_pointer (&self->dir, g_free);
  g_clear_object (&self->inventory);

  G_OBJECT_CLASS (hearth_profile_parent_class)->finalize (object);
}

static void
hearth_profile_class_init (HearthProfileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hearth_profile_finalize;
}

static void
hearth_profile_init (HearthProfile *self)
{
}

/**
 * hearth_profile_default_dir:
 *
 * Returns: (transfer full): $HEARTH_PROFILE when set, else the
 *   user's data directory's `hearth` folder
 */
char *
hearth_profile_default_dir (void)
{
  const char *env = g_getenv (HEARTH_PROFILE_ENV);

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  return g_build_filename (g_get_user_data_dir (), "hearth", NULL);
}

/**
 * hearth_profile_open:
 * @dir: (nullable): the profile directory, or %NULL for the default
 * @error: return location for an error
 *
 * Opens the profile in @dir, creating it (private to the user) when it
 * does not exist yet.
 */
HearthProfile *
hearth_profile_open (const char  *dir,
                     GError     **error)
{
  g_autoptr(HearthProfile) self = NULL;
  g_autofree char *inventory_path = NULL;
  g_autofree char *resolved = NULL;

  /* Absolute, whether it came from the caller or from $HEARTH_PROFILE: the
   * scanner recognises the profile by this path to leave it out. */
  if (dir != NULL)
    resolved = g_canonicalize_filename (dir, NULL);
  else
    {
      g_autofree char *chosen = hearth_profile_default_dir ();
      resolved = g_canonicalize_filename (chosen, NULL);
    }

  if (g_mkdir_with_parents (resolved, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (resolved);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the profile folder “%s”: %s"),
                   display, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (HEARTH_TYPE_PROFILE, NULL);
  self->dir = g_steal_pointer (&resolved);

  inventory_path = g_build_filename (self->dir, "inventory.db", NULL);
  self->inventory = hearth_inventory_open (inventory_path, error);
  if (self->inventory == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

const char *
hearth_profile_get_dir (HearthProfile *self)
{
  g_return_val_if_fail (HEARTH_IS_PROFILE (self), NULL);

  return self->dir;
}

HearthInventory *
hearth_profile_get_inventory (HearthProfile *self)
{
  g_return_val_if_fail (HEARTH_IS_PROFILE (self), NULL);

  return self->inventory;
}
