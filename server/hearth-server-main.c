/* hearth-server-main.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthServer"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "hearth-command-line.h"
#include "hearth-group.h"
#include "hearth-invite-code.h"
#include "hearth-server-identity.h"

/* Exit statuses: 0 success, 1 the command failed, 2 it was used wrongly. */
#define HEARTH_EXIT_USAGE 2

/* The version of the --json documents (docs/server-cli.md). */
#define JSON_FORMAT_VERSION 1

#define SECONDS_PER_DAY (24 * 60 * 60)

typedef struct
{
  char     *data_dir;
  gboolean  json;
  char     *member;
  gboolean  admin;
  char     *url;
  int       expires_days;
} ServerOptions;

static ServerOptions server_options = {
  .expires_days = HEARTH_GROUP_INVITE_DEFAULT_LIFETIME_S / SECONDS_PER_DAY,
};

static const GOptionEntry common_entries[] = {
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &server_options.data_dir,
    N_("Keep the server’s data in DIR (default: $STATE_DIRECTORY, else the user data folder)"), N_("DIR") },
  { NULL }
};

static const GOptionEntry invite_entries[] = {
  { "member", 'm', 0, G_OPTION_ARG_STRING, &server_options.member,
    N_("Invite the member NAME: a new name adds a member, an existing one adds a device"), N_("NAME") },
  { "admin", 0, 0, G_OPTION_ARG_NONE, &server_options.admin,
    N_("Make a new member an admin"), NULL },
  { "url", 0, 0, G_OPTION_ARG_STRING, &server_options.url,
    N_("The address clients reach the server at (default: this machine’s name, port 4327)"), N_("HOST[:PORT]") },
  { "expires", 0, 0, G_OPTION_ARG_INT, &server_options.expires_days,
    N_("Let the invite be used for DAYS days (default: 7)"), N_("DAYS") },
  { NULL }
};

static const GOptionEntry json_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &server_options.json,
    N_("Print one JSON document on standard output"), NULL },
  { NULL }
};

static void
server_options_clear (ServerOptions *options)
{
  g_clear_pointer (&options->data_dir, g_free);
  g_clear_pointer (&options->member, g_free);
  g_clear_pointer (&options->url, g_free);
}

/* Output */

/* Group times are nanoseconds since the epoch. */
static GDateTime *
date_time_from_ns (gint64 ns)
{
  return g_date_time_new_from_unix_utc (ns / (G_TIME_SPAN_SECOND * 1000));
}

static char *
format_time_json (gint64 ns)
{
  g_autoptr(GDateTime) utc = date_time_from_ns (ns);

  if (utc == NULL)
    return g_strdup ("");
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
format_time_local (gint64 ns)
{
  g_autoptr(GDateTime) utc = date_time_from_ns (ns);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("?");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* Data directory */

/* systemd sets $STATE_DIRECTORY for a service with StateDirectory=; with
 * several directories it lists them all, separated by colons, and the
 * first is ours. */
static char *
dup_data_dir (ServerOptions *options)
{
  const char *state_dir = g_getenv ("STATE_DIRECTORY");

  if (options->data_dir != NULL)
    return g_strdup (options->data_dir);

  if (state_dir != NULL && *state_dir != '\0')
    {
      const char *colon = strchr (state_dir, ':');

      return colon != NULL ? g_strndup (state_dir, colon - state_dir) : g_strdup (state_dir);
    }

  return g_build_filename (g_get_user_data_dir (), "hearth-server", NULL);
}

static HearthGroup *
open_group (ServerOptions  *options,
            GError        **error)
{
  g_autofree char *data_dir = dup_data_dir (options);

  return hearth_group_open (data_dir, error);
}

/* invite */

/* Whether an invite code can carry @host: asked of the invite code reader
 * itself, with a stand-in fingerprint and secret, so that what this
 * accepts and what a client accepts can never differ. */
static gboolean
host_is_usable (const char *host)
{
  g_autoptr(HearthInviteCode) parsed = NULL;
  g_autofree char *fingerprint = g_strnfill (64, '0');
  g_autofree char *secret = g_strnfill (HEARTH_INVITE_CODE_SECRET_LEN, 'A');
  g_autofree char *text = NULL;
  gboolean ipv6 = strchr (host, ':') != NULL;

  text = g_strdup_printf ("hearth://%s%s%s/join?fp=%s&secret=%s",
                          ipv6 ? "[" : "", host, ipv6 ? "]" : "", fingerprint, secret);
  parsed = hearth_invite_code_parse (text, NULL);
  return parsed != NULL;
}

/* An international name becomes its xn-- form, as invite codes hold only
 * ASCII. */
static char *
dup_usable_host (const char  *host,
                 GError     **error)
{
  g_autofree char *ascii = g_hostname_to_ascii (host);
  g_autofree char *lower = NULL;

  if (ascii != NULL)
    lower = g_ascii_strdown (ascii, -1);

  if (lower == NULL || !host_is_usable (lower))
    {
      g_autofree char *shown = g_utf8_make_valid (host, -1);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a host name or an IP address an invite code can hold"), shown);
      return NULL;
    }

  return g_steal_pointer (&lower);
}

static gboolean
parse_port (const char  *text,
            guint16     *out_port,
            GError     **error)
{
  guint64 port;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT16, &port, NULL))
    {
      g_autofree char *shown = g_utf8_make_valid (text, -1);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a port: give a number from 1 to 65535"), shown);
      return FALSE;
    }

  *out_port = (guint16) port;
  return TRUE;
}

/* --url is HOST, HOST:PORT, [IPV6] or [IPV6]:PORT; a bare IPv6 address
 * (more than one colon) is taken whole, as a host without a port. */
static gboolean
parse_url_option (const char  *url,
                  char       **out_host,
                  guint16     *out_port,
                  GError     **error)
{
  g_autofree char *host_part = NULL;
  const char *port_part = NULL;
  const char *colon;

  if (strstr (url, "://") != NULL || strchr (url, '/') != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("Give --url as HOST or HOST:PORT, without a scheme or a path"));
      return FALSE;
    }

  if (url[0] == '[')
    {
      const char *close = strchr (url, ']');

      if (close == NULL || (close[1] != '\0' && close[1] != ':'))
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("An IPv6 address in --url is written [ADDRESS] or [ADDRESS]:PORT"));
          return FALSE;
        }
      host_part = g_strndup (url + 1, close - url - 1);
      if (close[1] == ':')
        port_part = close + 2;
    }
  else if ((colon = strchr (url, ':')) != NULL && strchr (colon + 1, ':') == NULL)
    {
      host_part = g_strndup (url, colon - url);
      port_part = colon + 1;
    }
  else
    {
      host_part = g_strdup (url);
    }

  *out_port = HEARTH_INVITE_CODE_DEFAULT_PORT;
  if (port_part != NULL && !parse_port (port_part, out_port, error))
    return FALSE;

  *out_host = dup_usable_host (host_part, error);
  return *out_host != NULL;
}

static char *
dup_default_host (GError **error)
{
  g_autoptr(GError) local_error = NULL;
  char *host = dup_usable_host (g_get_host_name (), &local_error);

  if (host == NULL)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("%s; give the address clients should use with --url HOST[:PORT]"),
                 local_error->message);
  return host;
}

static int
cmd_invite (int      argc,
            char   **argv,
            GError **error)
{
  ServerOptions *options = &server_options;
  g_autoptr(HearthServerIdentity) identity = NULL;
  g_autoptr(HearthGroup) group = NULL;
  g_autoptr(HearthInviteCode) code = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *host = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *text = NULL;
  int max_days = HEARTH_GROUP_INVITE_MAX_LIFETIME_S / SECONDS_PER_DAY;
  guint16 port = HEARTH_INVITE_CODE_DEFAULT_PORT;

  if (argc != 1 || options->member == NULL)
    {
      g_printerr ("%s\n", _("Usage: hearth-server invite --member NAME [--admin] [--url HOST[:PORT]] [--expires DAYS]"));
      return HEARTH_EXIT_USAGE;
    }

  if (options->expires_days < 1 || options->expires_days > max_days)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--expires takes a number of days from 1 to %d"), max_days);
      return HEARTH_EXIT_USAGE;
    }

  /* Everything that can be wrong with the command line is found before
   * anything is written. */
  if (options->url != NULL)
    {
      if (!parse_url_option (options->url, &host, &port, error))
        return HEARTH_EXIT_USAGE;
    }
  else if ((host = dup_default_host (error)) == NULL)
    {
      return EXIT_FAILURE;
    }

  data_dir = dup_data_dir (options);
  identity = hearth_server_identity_load_or_create (data_dir, error);
  if (identity == NULL)
    return EXIT_FAILURE;

  group = hearth_group_open (data_dir, error);
  if (group == NULL)
    return EXIT_FAILURE;

  secret = hearth_group_create_invite (group, options->member, options->admin,
                                       (gint64) options->expires_days * SECONDS_PER_DAY, error);
  if (secret == NULL)
    return EXIT_FAILURE;

  code = hearth_invite_code_new (host, port, hearth_server_identity_get_fingerprint (identity), secret);
  text = hearth_invite_code_to_string (code);
  g_print ("%s\n", text);

  return EXIT_SUCCESS;
}

/* members */

static void
json_add_time (JsonBuilder *builder,
               const char  *member,
               gint64       ns)
{
  g_autofree char *text = format_time_json (ns);

  hearth_json_add_string (builder, member, text);
}

static void
json_add_member (JsonBuilder             *builder,
                 const HearthGroupMember *member)
{
  json_builder_begin_object (builder);
  hearth_json_add_int (builder, "id", member->id);
  hearth_json_add_string (builder, "name", member->name);
  hearth_json_add_string (builder, "role", member->is_admin ? "admin" : "member");
  json_add_time (builder, "created", member->created_ns);
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  for (guint i = 0; i < member->devices->len; i++)
    {
      const HearthGroupDevice *device = g_ptr_array_index (member->devices, i);

      json_builder_begin_object (builder);
      hearth_json_add_int (builder, "id", device->id);
      hearth_json_add_string (builder, "name", device->name);
      json_add_time (builder, "created", device->created_ns);
      json_add_time (builder, "last_seen", device->last_seen_ns);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
print_member (const HearthGroupMember *member)
{
  g_autofree char *since = format_time_local (member->created_ns);

  if (member->is_admin)
    {
      /* Translators: member name, then the date they joined */
      g_print (_("%s (admin), member since %s\n"), member->name, since);
    }
  else
    {
      /* Translators: member name, then the date they joined */
      g_print (_("%s, member since %s\n"), member->name, since);
    }

  if (member->devices->len == 0)
    g_print ("  %s\n", _("no devices"));

  for (guint i = 0; i < member->devices->len; i++)
    {
      const HearthGroupDevice *device = g_ptr_array_index (member->devices, i);
      g_autofree char *id = hearth_format_count (_("device %s"), device->id);
      g_autofree char *created = format_time_local (device->created_ns);
      g_autofree char *seen = format_time_local (device->last_seen_ns);

      /* Translators: "device ID", device name, when it joined, when it was last seen */
      g_print (_("  %s: %s, added %s, last seen %s\n"), id, device->name, created, seen);
    }
}

static int
cmd_members (int      argc,
             char   **argv,
             GError **error)
{
  ServerOptions *options = &server_options;
  g_autoptr(HearthGroup) group = NULL;
  g_autoptr(GPtrArray) members = NULL;

  if (argc != 1)
    {
      g_printerr ("%s\n", _("Usage: hearth-server members [--json]"));
      return HEARTH_EXIT_USAGE;
    }

  group = open_group (options, error);
  if (group == NULL)
    return EXIT_FAILURE;

  members = hearth_group_list_members (group, error);
  if (members == NULL)
    return EXIT_FAILURE;

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      hearth_json_add_int (builder, "version", JSON_FORMAT_VERSION);
      json_builder_set_member_name (builder, "members");
      json_builder_begin_array (builder);
      for (guint i = 0; i < members->len; i++)
        json_add_member (builder, g_ptr_array_index (members, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      hearth_json_print (builder);
      return EXIT_SUCCESS;
    }

  if (members->len == 0)
    g_printerr ("%s\n", _("No members yet; invite one with “hearth-server invite --member NAME”"));

  for (guint i = 0; i < members->len; i++)
    print_member (g_ptr_array_index (members, i));

  return EXIT_SUCCESS;
}

/* revoke */

static int
cmd_revoke (int      argc,
            char   **argv,
            GError **error)
{
  ServerOptions *options = &server_options;
  g_autoptr(HearthGroup) group = NULL;
  g_autofree char *done = NULL;
  gint64 device_id;

  if (argc != 2)
    {
      g_printerr ("%s\n", _("Usage: hearth-server revoke DEVICE_ID"));
      return HEARTH_EXIT_USAGE;
    }

  if (!g_ascii_string_to_signed (argv[1], 10, 1, G_MAXINT64, &device_id, NULL))
    {
      g_autofree char *shown = g_utf8_make_valid (argv[1], -1);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a device ID; “hearth-server members” lists them"), shown);
      return HEARTH_EXIT_USAGE;
    }

  group = open_group (options, error);
  if (group == NULL)
    return EXIT_FAILURE;

  if (!hearth_group_revoke_device (group, device_id, error))
    return EXIT_FAILURE;

  done = hearth_format_count (_("Revoked device %s: it can no longer reach the server."), device_id);
  g_print ("%s\n", done);
  return EXIT_SUCCESS;
}

/* remove-member */

static int
cmd_remove_member (int      argc,
                   char   **argv,
                   GError **error)
{
  ServerOptions *options = &server_options;
  g_autoptr(HearthGroup) group = NULL;

  if (argc != 2)
    {
      g_printerr ("%s\n", _("Usage: hearth-server remove-member NAME"));
      return HEARTH_EXIT_USAGE;
    }

  group = open_group (options, error);
  if (group == NULL)
    return EXIT_FAILURE;

  if (!hearth_group_remove_member (group, argv[1], error))
    return EXIT_FAILURE;

  g_print (_("Removed “%s” from the family; their devices are revoked.\n"), argv[1]);
  return EXIT_SUCCESS;
}

/* Dispatch */

static const HearthCommand commands[] = {
  { "invite", N_("--member NAME"), N_("Print an invite code for a new member or device"), invite_entries, cmd_invite },
  { "members", "", N_("List the members and their devices"), json_entries, cmd_members },
  { "revoke", N_("DEVICE_ID"), N_("Revoke a device"), NULL, cmd_revoke },
  { "remove-member", N_("NAME"), N_("Remove a member and revoke all their devices"), NULL, cmd_remove_member },
};

int
main (int    argc,
      char **argv)
{
  const HearthCommandLine command_line = {
    .program = "hearth-server",
    .summary = N_("The Hearth family backup server."),
    .common_entries = common_entries,
    .place_option = &server_options.data_dir,
    .commands = commands,
    .n_commands = G_N_ELEMENTS (commands),
  };
  int status = hearth_command_line_run (&command_line, argc, argv);

  server_options_clear (&server_options);
  return status;
}
