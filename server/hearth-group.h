/* hearth-group.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HEARTH_GROUP_ERROR (hearth_group_error_quark ())

/* INVALID_INVITE and UNAUTHORIZED each have one message whatever the
 * reason (unknown, used or expired invite; unknown or revoked token), so
 * that a failure tells a guesser nothing. */
typedef enum
{
  HEARTH_GROUP_ERROR_FAILED,
  HEARTH_GROUP_ERROR_CORRUPT,
  HEARTH_GROUP_ERROR_TOO_NEW,
  HEARTH_GROUP_ERROR_NOT_FOUND,
  HEARTH_GROUP_ERROR_EXISTS,
  HEARTH_GROUP_ERROR_INVALID_INVITE,
  HEARTH_GROUP_ERROR_UNAUTHORIZED,
  HEARTH_GROUP_ERROR_INVALID_NAME,
} HearthGroupError;

/* The schema version of group.db this build writes (PRAGMA user_version). */
#define HEARTH_GROUP_SCHEMA_VERSION 1

/* Member and device names: UTF-8 without control characters, 1 to this
 * many characters. */
#define HEARTH_GROUP_NAME_MAX_CHARS 64

/* Invites live 7 days unless told otherwise. */
#define HEARTH_GROUP_INVITE_DEFAULT_LIFETIME_S (7 * 24 * 60 * 60)

/* The longest lifetime an invite may be given: one year. */
#define HEARTH_GROUP_INVITE_MAX_LIFETIME_S (366 * 24 * 60 * 60)

/* Invite secrets and device tokens: 32 random bytes, unpadded base64url. */
#define HEARTH_GROUP_SECRET_BYTES 32
#define HEARTH_GROUP_SECRET_LEN   43

/* Times are nanoseconds since the Unix epoch. last_seen_ns is kept to the
 * minute (see hearth_group_authenticate()). */
typedef struct
{
  gint64    id;
  char     *name;
  gint64    member_id;
  char     *member_name;
  gboolean  is_admin;
  gint64    created_ns;
  gint64    last_seen_ns;
} HearthGroupDevice;

typedef struct
{
  gint64     id;
  char      *name;
  gboolean   is_admin;
  gint64     created_ns;
  GPtrArray *devices;  /* (element-type HearthGroupDevice): not revoked, oldest first */
} HearthGroupMember;

void hearth_group_device_free (HearthGroupDevice *device);
void hearth_group_member_free (HearthGroupMember *member);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthGroupDevice, hearth_group_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthGroupMember, hearth_group_member_free)

#define HEARTH_TYPE_GROUP (hearth_group_get_type ())

/* The family: members, their devices and pending invites, in
 * DATA_DIR/group.db (docs/group.md). Only hashes of invite secrets and
 * device tokens are stored.
 *
 * One thread at a time: a group may be handed to a worker thread and back,
 * but two threads must never call into the same group at once (the
 * connection is opened NOMUTEX and its prepared statements are shared
 * state). The server serializes every call on one worker. */
G_DECLARE_FINAL_TYPE (HearthGroup, hearth_group, HEARTH, GROUP, GObject)

GQuark       hearth_group_error_quark     (void);

HearthGroup *hearth_group_open            (const char         *data_dir,
                                           GError            **error);

char        *hearth_group_create_invite   (HearthGroup        *self,
                                           const char         *member_name,
                                           gboolean            admin,
                                           gint64              lifetime_s,
                                           GError            **error);
char        *hearth_group_redeem_invite   (HearthGroup        *self,
                                           const char         *secret,
                                           const char         *device_name,
                                           gint64             *device_id,
                                           GError            **error);
gboolean     hearth_group_authenticate    (HearthGroup        *self,
                                           const char         *token,
                                           HearthGroupDevice **out,
                                           GError            **error);
gboolean     hearth_group_revoke_device   (HearthGroup        *self,
                                           gint64              device_id,
                                           GError            **error);
gboolean     hearth_group_remove_member   (HearthGroup        *self,
                                           const char         *name,
                                           GError            **error);
GPtrArray   *hearth_group_list_members    (HearthGroup        *self,
                                           GError            **error);

G_END_DECLS
