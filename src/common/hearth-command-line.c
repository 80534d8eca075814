/* hearth-command-line.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Hearth"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdlib.h>

#include "hearth-command-line.h"

static char *
commands_summary (const HearthCommandLine *self)
{
  GString *text = g_string_new (_("Commands:"));

  for (guint i = 0; i < self->n_commands; i++)
    {
      const HearthCommand *command = &self->commands[i];

      g_string_append_printf (text, "\n  %-14s %-14s %s", command->name,
                              *command->args != '\0' ? _(command->args) : "",
                              _(command->summary));
    }
  return g_string_free (text, FALSE);
}

static const HearthCommand *
find_command (const HearthCommandLine *self,
              const char              *name)
{
  for (guint i = 0; i < self->n_commands; i++)
    if (g_strcmp0 (self->commands[i].name, name) == 0)
      return &self->commands[i];
  return NULL;
}

static int
run_command (const HearthCommandLine *self,
             const HearthCommand     *command,
             int                      argc,
             char                   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parameter = NULL;
  g_autofree char *before = NULL;
  int status;

  parameter = g_strdup_printf ("%s %s", command->name,
                               *command->args != '\0' ? _(command->args) : "");
  context = g_option_context_new (parameter);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(command->summary));
  g_option_context_add_main_entries (context, self->common_entries, GETTEXT_PACKAGE);
  if (command->entries != NULL)
    g_option_context_add_main_entries (context, command->entries, GETTEXT_PACKAGE);

  /* Given before the command and again after it, the second parse would
   * overwrite, and leak, the first value: keep it aside. */
  if (self->place_option != NULL)
    before = g_steal_pointer (self->place_option);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s %s: %s\n", self->program, command->name, error->message);
      return HEARTH_EXIT_USAGE;
    }

  if (self->place_option != NULL && *self->place_option == NULL)
    *self->place_option = g_steal_pointer (&before);

  status = command->func (argc, argv, &error);
  if (error != NULL)
    {
      g_printerr ("%s: %s\n", self->program, error->message);
      if (status == EXIT_SUCCESS)
        status = EXIT_FAILURE;
    }
  return status;
}

/**
 * hearth_command_line_run:
 *
 * Sets up logging and translations, parses the program's options, and
 * runs the command named on the command line.
 *
 * Returns: the exit status
 */
int
hearth_command_line_run (const HearthCommandLine *self,
                         int                      argc,
                         char                   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  gboolean version = FALSE;
  const GOptionEntry main_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version and exit"), NULL },
    { NULL }
  };
  const HearthCommand *command;

  /* Standard output carries the command's result (one JSON document with
   * --json); every log message, debug ones included, goes to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("COMMAND [ARGUMENTS…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(self->summary));
  description = commands_summary (self);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, self->common_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, main_entries, GETTEXT_PACKAGE);
  /* Options after the command belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", self->program, error->message);
      return HEARTH_EXIT_USAGE;
    }

  if (version)
    {
      g_print ("%s %s\n", self->program, PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return HEARTH_EXIT_USAGE;
    }

  command = find_command (self, argv[1]);
  if (command == NULL)
    {
      g_printerr (_("%s: unknown command “%s”; see “%s --help”\n"),
                  self->program, argv[1], self->program);
      return HEARTH_EXIT_USAGE;
    }

  return run_command (self, command, argc - 1, argv + 1);
}

void
hearth_json_print (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

void
hearth_json_add_int (JsonBuilder *builder,
                     const char  *member,
                     gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

void
hearth_json_add_string (JsonBuilder *builder,
                        const char  *member,
                        const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

/**
 * hearth_format_count:
 * @format: a translated ngettext() result with one %s for the number
 *
 * G_GINT64_FORMAT cannot stand inside a string xgettext extracts, so
 * numbers in messages are formatted apart and put in as strings.
 */
char *
hearth_format_count (const char *format,
                     gint64      n)
{
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, n);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  return g_strdup_printf (format, number);
#pragma GCC diagnostic pop
}
