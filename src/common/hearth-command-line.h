/* hearth-command-line.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What hearth-cli and hearth-server share: "PROGRAM [OPTIONS] COMMAND
 * [OPTIONS] [ARGUMENTS]", exit status 0 for success, 1 when the command
 * failed (with one line on stderr saying why) and 2 when it was used
 * wrongly; results on stdout, everything else on stderr. */
#define HEARTH_EXIT_USAGE 2

typedef int (*HearthCommandFunc) (int      argc,
                                  char   **argv,
                                  GError **error);

typedef struct
{
  const char         *name;
  const char         *args;      /* N_(), or "" */
  const char         *summary;   /* N_() */
  const GOptionEntry *entries;   /* nullable: options of this command only */
  HearthCommandFunc   func;
} HearthCommand;

typedef struct
{
  const char          *program;
  const char          *summary;          /* N_() */
  const GOptionEntry  *common_entries;   /* before or after the command */
  char               **place_option;     /* a string option of common_entries that
                                          * may be given on both sides: after wins */
  const HearthCommand *commands;
  guint                n_commands;
} HearthCommandLine;

int   hearth_command_line_run  (const HearthCommandLine *self,
                                int                      argc,
                                char                   **argv);

void  hearth_json_print        (JsonBuilder             *builder);
void  hearth_json_add_int      (JsonBuilder             *builder,
                                const char              *member,
                                gint64                   value);
void  hearth_json_add_string   (JsonBuilder             *builder,
                                const char              *member,
                                const char              *value);
char *hearth_format_count      (const char              *format,
                                gint64                   n);

G_END_DECLS
