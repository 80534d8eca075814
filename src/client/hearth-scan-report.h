/* hearth-scan-report.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  HEARTH_SCAN_PROBLEM_UNREADABLE,   /* a file or directory could not be read */
  HEARTH_SCAN_PROBLEM_SPECIAL,      /* a device, socket or pipe: skipped */
  HEARTH_SCAN_PROBLEM_CHANGING,     /* kept changing while read: retried next scan */
} HearthScanProblemKind;

typedef struct
{
  HearthScanProblemKind  kind;
  char                  *path;      /* relative to the folder, raw bytes */
  char                  *message;   /* translated, for people */
} HearthScanProblem;

/* Progress of a running scan, and the counts of a finished one. */
typedef struct
{
  guint64 files_seen;       /* entries walked: files, directories, symlinks */
  guint64 files_hashed;     /* regular files read because they were new or changed */
  guint64 bytes_hashed;
  guint64 files_to_hash;    /* known so far; grows while the walk runs */
  guint64 bytes_to_hash;
  guint64 files_new;
  guint64 files_changed;
  guint64 files_deleted;
  guint64 files_excluded;
  gint64  elapsed_us;
} HearthScanProgress;

#define HEARTH_TYPE_SCAN_REPORT (hearth_scan_report_get_type ())

typedef struct _HearthScanReport HearthScanReport;

struct _HearthScanReport
{
  gint64              folder_id;
  HearthScanProgress  counts;
  GPtrArray          *problems;   /* of HearthScanProblem */
};

GType             hearth_scan_report_get_type     (void) G_GNUC_CONST;
HearthScanReport *hearth_scan_report_new          (gint64                  folder_id);
HearthScanReport *hearth_scan_report_copy         (const HearthScanReport *self);
void              hearth_scan_report_free         (HearthScanReport       *self);
void              hearth_scan_report_add_problem  (HearthScanReport       *self,
                                                   HearthScanProblemKind   kind,
                                                   const char             *path,
                                                   const char             *message);
guint             hearth_scan_report_count_problems (const HearthScanReport *self,
                                                   HearthScanProblemKind   kind);
const char       *hearth_scan_problem_kind_to_string (HearthScanProblemKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthScanReport, hearth_scan_report_free)

G_END_DECLS
