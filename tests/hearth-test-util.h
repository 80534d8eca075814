/* hearth-test-util.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A tiny seeded generator (splitmix64) whose output is fixed forever, so
 * golden vectors and benchmark data sets stay reproducible whatever GLib's
 * GRand does. */
typedef struct
{
  guint64 state;
} HearthTestRng;

void     hearth_test_rng_init       (HearthTestRng *rng,
                                     guint64        seed);
guint64  hearth_test_rng_next       (HearthTestRng *rng);
void     hearth_test_rng_fill       (HearthTestRng *rng,
                                     guint8        *buf,
                                     gsize          len);

guint8  *hearth_test_random_bytes   (gsize          len,
                                     guint64        seed);

char    *hearth_test_make_tmpdir    (void);
void     hearth_test_rm_rf          (const char    *path);
void     hearth_test_write_file     (const char    *path,
                                     const void    *data,
                                     gsize          len);
void     hearth_test_write_random   (const char    *path,
                                     gsize          len,
                                     guint64        seed);

/* What a program run by a test printed and exited with. */
typedef struct
{
  int   status;
  char *out;
  char *err;
} HearthTestRun;

const char *hearth_test_program_path (const char          *env_var);
void        hearth_test_run_argv     (HearthTestRun       *run,
                                      const char * const  *argv,
                                      char               **envp);
void        hearth_test_run_clear    (HearthTestRun       *run);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HearthTestRun, hearth_test_run_clear)

gboolean hearth_test_drop_root      (void);
void     hearth_test_run_unprivileged (const char  *test_path);

G_END_DECLS
