/* hearth-scan-report.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthScanner"

#include "config.h"

#include "hearth-scan-report.h"

G_DEFINE_BOXED_TYPE (HearthScanReport, hearth_scan_report,
                     hearth_scan_report_copy, hearth_scan_report_free)

static void
hearth_scan_problem_free (HearthScanProblem *problem)
{
  g_free (problem->path);
  g_free (problem->message);
  g_free (problem);
}

HearthScanReport *
hearth_scan_report_new (gint64 folder_id)
{
  HearthScanReport *self = g_new0 (HearthScanReport, 1);

  self->folder_id = folder_id;
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_scan_problem_free);
  return self;
}

HearthScanReport *
hearth_scan_report_copy (const HearthScanReport *self)
{
  HearthScanReport *copy = hearth_scan_report_new (self->folder_id);

  copy->counts = self->counts;
  for (guint i = 0; i < self->problems->len; i++)
    {
      const HearthScanProblem *p = g_ptr_array_index (self->problems, i);

      hearth_scan_report_add_problem (copy, p->kind, p->path, p->message);
    }
  return copy;
}

void
hearth_scan_report_free (HearthScanReport *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_free (self);
}

void
hearth_scan_report_add_problem (HearthScanReport      *self,
                                HearthScanProblemKind  kind,
                                const char            *path,
                                const char            *message)
{
  HearthScanProblem *problem = g_new0 (HearthScanProblem, 1);

  problem->kind = kind;
  problem->path = g_strdup (path);
  problem->message = g_strdup (message);
  g_ptr_array_add (self->problems, problem);
}

guint
hearth_scan_report_count_problems (const HearthScanReport *self,
                                   HearthScanProblemKind   kind)
{
  guint n = 0;

  for (guint i = 0; i < self->problems->len; i++)
    {
      const HearthScanProblem *p = g_ptr_array_index (self->problems, i);

      if (p->kind == kind)
        n++;
    }
  return n;
}

const char *
hearth_scan_problem_kind_to_string (HearthScanProblemKind kind)
{
  switch (kind)
    {
    case HEARTH_SCAN_PROBLEM_UNREADABLE:
      return "unreadable";
    case HEARTH_SCAN_PROBLEM_SPECIAL:
      return "special";
    case HEARTH_SCAN_PROBLEM_CHANGING:
      return "changing";
    default:
      return "unknown";
    }
}
