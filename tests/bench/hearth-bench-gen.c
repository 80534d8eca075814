/* hearth-bench-gen.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Writes the benchmark data set: the same names and the same bytes for a
 * given seed and scale, on any machine, so figures from different runs and
 * different tools are measured on identical input.
 *
 *   large/   incompressible files of a few hundred MiB
 *   text/    compressible prose from a fixed word list
 *   small/   50,000 files of 0..64 KiB in a nested tree of ~300 directories
 *   dup/     exact copies of some of the above, and one large file with a
 *            small insertion near its start (the "edited file" case)
 *
 * Every file's content comes from its own seed, derived from the data-set
 * seed, the section and the file's index, so a copy is generated again
 * rather than read back, and the small tree comes out the same whether or
 * not the other sections are written. */

#define G_LOG_DOMAIN "HearthBenchGen"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hearth-test-util.h"

#define BUFFER_SIZE   (4 * 1024 * 1024)   /* a multiple of 8: see stream_fill() */
#define MiB           (G_GUINT64_CONSTANT (1024) * 1024)
#define MAX_SCALE     100.0

#define N_LARGE       8
#define N_TEXT        30
#define N_SMALL       50000
#define N_SMALL_DIRS  300
#define MAX_DEPTH     9
#define TEXT_COLUMNS  72
#define TEXT_SLACK    64                  /* longer than any word plus punctuation */

/* Every file is dated 2015..2024 so that no scanner sees a timestamp from the
 * last second and holds the file back as possibly still being written. */
#define MTIME_BASE    G_GINT64_CONSTANT (1420070400)
#define MTIME_SPAN    G_GINT64_CONSTANT (315360000)

typedef enum
{
  SECTION_LARGE = 1,
  SECTION_TEXT,
  SECTION_SMALL,
  SECTION_DUP,
} Section;

typedef enum
{
  CONTENT_RANDOM,
  CONTENT_TEXT,
} ContentKind;

/* What one file holds: the first @size bytes of the stream @kind seeded with
 * @seed, with @insert_len extra bytes spliced in at @insert_at. */
typedef struct
{
  ContentKind kind;
  guint64     seed;
  guint64     size;
  guint64     insert_at;
  gsize       insert_len;
  gint64      mtime;
} FileSpec;

typedef struct
{
  HearthTestRng rng;
  guint64       bits;
  guint         n_bits;
  guint         column;
  guint         words_left;       /* in the current sentence */
  guint         sentences_left;   /* in the current paragraph */
} TextStream;

typedef struct
{
  ContentKind   kind;
  HearthTestRng rng;
  TextStream    text;
} Stream;

typedef struct
{
  guint64 files;
  guint64 bytes;
} Tally;

typedef struct
{
  const char *root;
  guint64     seed;
  double      scale;
  guint8     *buffer;
  guint64     n_dirs;
  Tally       tally[SECTION_DUP + 1];
} BenchGen;

static const char * const words[128] = {
  "the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
  "as", "was", "with", "be", "by", "on", "not", "he", "this", "are",
  "or", "his", "from", "at", "which", "but", "have", "an", "had", "they",
  "you", "were", "their", "one", "all", "we", "can", "her", "has", "there",
  "been", "if", "more", "when", "will", "would", "who", "so", "no", "she",
  "other", "its", "may", "these", "what", "them", "than", "some", "him", "time",
  "into", "only", "do", "could", "new", "about", "two", "first", "then", "years",
  "family", "house", "garden", "letter", "holiday", "summer", "winter", "morning", "evening", "river",
  "photograph", "kitchen", "school", "birthday", "travel", "mountain", "village", "window", "music", "story",
  "remember", "between", "through", "because", "without", "together", "another", "children", "weather", "station",
  "afternoon", "journey", "beautiful", "quietly", "suddenly", "yesterday", "tomorrow", "important", "question", "answer",
  "little", "great", "old", "young", "long", "small", "large", "early", "late", "light",
  "water", "paper", "books", "friends", "dinner", "table", "street", "people",
};

static const char * const dir_words[] = {
  "Documents", "Photos", "Holiday Photos", "Projects", "src", "notes",
  "invoices", "Music", "drafts", "Tax Returns", "school", "recipes",
  "archive", "old", "scans", "letters", "garden", "build", "assets", "misc",
};

typedef struct
{
  const char  *extension;
  ContentKind  kind;
} Extension;

static const Extension extensions[] = {
  { "txt", CONTENT_TEXT }, { "md", CONTENT_TEXT }, { "c", CONTENT_TEXT },
  { "h", CONTENT_TEXT }, { "csv", CONTENT_TEXT }, { "html", CONTENT_TEXT },
  { "json", CONTENT_TEXT }, { "log", CONTENT_TEXT },
  { "jpg", CONTENT_RANDOM }, { "png", CONTENT_RANDOM }, { "pdf", CONTENT_RANDOM },
  { "odt", CONTENT_RANDOM }, { "mp3", CONTENT_RANDOM }, { "bin", CONTENT_RANDOM },
  { "zip", CONTENT_RANDOM }, { "jpg", CONTENT_RANDOM },
};

static const char * const large_names[N_LARGE] = {
  "holiday-video-01.mp4", "holiday-video-02.mp4", "disk-image.img",
  "photo-library.tar.zst", "music-collection.zip", "vm-disk.qcow2",
  "wedding-video.mkv", "project-assets.tar.xz",
};

static const char * const text_names[] = {
  "server", "novel-draft", "notes", "mailbox", "journal", "minutes",
};

static guint64
derive_seed (guint64 seed,
             Section section,
             guint64 index)
{
  HearthTestRng rng;

  hearth_test_rng_init (&rng, seed ^ ((guint64) section << 56) ^
                              (index * G_GUINT64_CONSTANT (0xd1342543de82ef95)));
  return hearth_test_rng_next (&rng);
}

static guint64
rng_below (HearthTestRng *rng,
           guint64        bound)
{
  /* The bounds are tiny next to 2^64: the modulo bias is immeasurable. */
  return hearth_test_rng_next (rng) % bound;
}

static gint64
rng_mtime (HearthTestRng *rng)
{
  return MTIME_BASE + (gint64) rng_below (rng, MTIME_SPAN);
}

static guint64
scaled (double  scale,
        guint64 value)
{
  return (guint64) (scale * (double) value + 0.5);
}

static guint
text_stream_take (TextStream *self,
                  guint       n_bits)
{
  guint value;

  if (self->n_bits < n_bits)
    {
      self->bits = hearth_test_rng_next (&self->rng);
      self->n_bits = 64;
    }

  value = (guint) (self->bits & ((G_GUINT64_CONSTANT (1) << n_bits) - 1));
  self->bits >>= n_bits;
  self->n_bits -= n_bits;

  return value;
}

static void
text_stream_init (TextStream *self,
                  guint64     seed)
{
  memset (self, 0, sizeof *self);
  hearth_test_rng_init (&self->rng, seed);
  self->sentences_left = 3 + text_stream_take (self, 3);
}

/* Writes whole words only, so it may stop up to TEXT_SLACK bytes short of
 * @len; the output for a given sequence of @len values is fixed. */
static gsize
text_stream_fill (TextStream *self,
                  guint8     *buf,
                  gsize       len)
{
  gsize pos = 0;

  while (pos + TEXT_SLACK <= len)
    {
      const char *word;
      gsize word_len;
      gboolean capital = FALSE;

      if (self->words_left == 0)
        {
          self->words_left = 4 + text_stream_take (self, 4);
          capital = TRUE;
        }

      word = words[text_stream_take (self, 7)];
      word_len = strlen (word);

      if (self->column + word_len + 2 > TEXT_COLUMNS)
        {
          buf[pos++] = '\n';
          self->column = 0;
        }
      else if (self->column > 0)
        {
          buf[pos++] = ' ';
          self->column++;
        }

      memcpy (buf + pos, word, word_len);
      if (capital)
        buf[pos] = g_ascii_toupper (buf[pos]);
      pos += word_len;
      self->column += word_len;

      if (--self->words_left == 0)
        {
          buf[pos++] = '.';
          self->column++;
          if (--self->sentences_left == 0)
            {
              buf[pos++] = '\n';
              buf[pos++] = '\n';
              self->column = 0;
              self->sentences_left = 3 + text_stream_take (self, 3);
            }
        }
      else if (text_stream_take (self, 4) == 0)
        {
          buf[pos++] = ',';
          self->column++;
        }
    }

  return pos;
}

static void
stream_init (Stream      *self,
             ContentKind  kind,
             guint64      seed)
{
  self->kind = kind;
  if (kind == CONTENT_TEXT)
    text_stream_init (&self->text, seed);
  else
    hearth_test_rng_init (&self->rng, seed);
}

/* Returns at least @want bytes' worth of stream, at most @cap. Random bytes
 * come in whole 8-byte words; every request but the last is a multiple of 8
 * (BUFFER_SIZE), so the stream does not depend on how it is cut up. */
static gsize
stream_fill (Stream *self,
             guint8 *buf,
             gsize   want,
             gsize   cap)
{
  if (self->kind == CONTENT_TEXT)
    return text_stream_fill (&self->text, buf, MIN (want + TEXT_SLACK, cap));

  want = MIN (want, cap);
  hearth_test_rng_fill (&self->rng, buf, want);
  return want;
}

static gboolean
write_all (int          fd,
           const char  *path,
           const void  *data,
           gsize        len,
           GError     **error)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gssize n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;

      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Could not write “%s”: %s"), path, g_strerror (saved_errno));
          return FALSE;
        }

      p += n;
      len -= n;
    }

  return TRUE;
}

static gboolean
write_stream (BenchGen        *self,
              int              fd,
              const char      *path,
              const FileSpec  *spec,
              GError         **error)
{
  g_autofree guint8 *insert = NULL;
  Stream stream;
  guint64 done = 0;

  if (spec->insert_len > 0)
    {
      HearthTestRng rng;

      insert = g_malloc (spec->insert_len);
      hearth_test_rng_init (&rng, ~spec->seed);
      hearth_test_rng_fill (&rng, insert, spec->insert_len);
    }

  stream_init (&stream, spec->kind, spec->seed);

  while (done < spec->size)
    {
      guint64 left = spec->size - done;
      gsize n = stream_fill (&stream, self->buffer, MIN (left, BUFFER_SIZE), BUFFER_SIZE);

      n = MIN (n, left);

      if (insert != NULL && spec->insert_at >= done && spec->insert_at < done + n)
        {
          gsize before = spec->insert_at - done;

          if (!write_all (fd, path, self->buffer, before, error) ||
              !write_all (fd, path, insert, spec->insert_len, error) ||
              !write_all (fd, path, self->buffer + before, n - before, error))
            return FALSE;
        }
      else if (!write_all (fd, path, self->buffer, n, error))
        {
          return FALSE;
        }

      done += n;
    }

  return TRUE;
}

static gboolean
write_file (BenchGen        *self,
            Section          section,
            const char      *relpath,
            const FileSpec  *spec,
            GError         **error)
{
  g_autofree char *path = g_build_filename (self->root, relpath, NULL);
  struct timespec times[2];
  int fd;

  g_assert (spec->insert_len == 0 || spec->insert_at < spec->size);

  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  if (!write_stream (self, fd, path, spec, error))
    {
      close (fd);
      return FALSE;
    }

  times[0].tv_sec = times[1].tv_sec = spec->mtime;
  times[0].tv_nsec = times[1].tv_nsec = 0;

  if (futimens (fd, times) != 0 || close (fd) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not finish “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  self->tally[section].files++;
  self->tally[section].bytes += spec->size + spec->insert_len;

  return TRUE;
}

static gboolean
make_dir (BenchGen    *self,
          const char  *relpath,
          GError     **error)
{
  g_autofree char *path = g_build_filename (self->root, relpath, NULL);

  if (g_mkdir (path, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the directory “%s”: %s"),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  self->n_dirs++;

  return TRUE;
}

static void
large_spec (BenchGen *self,
            guint     index,
            FileSpec *spec)
{
  HearthTestRng rng;

  hearth_test_rng_init (&rng, derive_seed (self->seed, SECTION_LARGE, index));

  spec->kind = CONTENT_RANDOM;
  spec->seed = hearth_test_rng_next (&rng);
  /* 128..384 MiB at scale 1, and never a round number. */
  spec->size = scaled (self->scale, 128 * MiB + rng_below (&rng, 256 * MiB)) +
               rng_below (&rng, 4096);
  spec->insert_at = 0;
  spec->insert_len = 0;
  spec->mtime = rng_mtime (&rng);
}

static char *
large_path (guint index)
{
  return g_build_filename ("large", large_names[index], NULL);
}

static void
text_spec (BenchGen *self,
           guint     index,
           FileSpec *spec)
{
  HearthTestRng rng;

  hearth_test_rng_init (&rng, derive_seed (self->seed, SECTION_TEXT, index));

  spec->kind = CONTENT_TEXT;
  spec->seed = hearth_test_rng_next (&rng);
  /* 2..18 MiB at scale 1: about 300 MiB for the section. */
  spec->size = scaled (self->scale, 2 * MiB + rng_below (&rng, 16 * MiB)) +
               rng_below (&rng, 4096);
  spec->insert_at = 0;
  spec->insert_len = 0;
  spec->mtime = rng_mtime (&rng);
}

static char *
text_path (guint index)
{
  const char *name = text_names[index % G_N_ELEMENTS (text_names)];
  g_autofree char *base = g_strdup_printf ("%s-%02u.%s", name, index,
                                           index % 3 == 0 ? "log" : "txt");

  return g_build_filename ("text", base, NULL);
}

static gboolean
write_large (BenchGen  *self,
             GError   **error)
{
  if (!make_dir (self, "large", error))
    return FALSE;

  for (guint i = 0; i < N_LARGE; i++)
    {
      g_autofree char *path = large_path (i);
      FileSpec spec;

      large_spec (self, i, &spec);
      if (!write_file (self, SECTION_LARGE, path, &spec, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_text (BenchGen  *self,
            GError   **error)
{
  if (!make_dir (self, "text", error))
    return FALSE;

  for (guint i = 0; i < N_TEXT; i++)
    {
      g_autofree char *path = text_path (i);
      FileSpec spec;

      text_spec (self, i, &spec);
      if (!write_file (self, SECTION_TEXT, path, &spec, error))
        return FALSE;
    }

  return TRUE;
}

/* Octave first, then a uniform size within it: as many files of 1..2 KiB as
 * of 32..64 KiB, and some empty ones, as in a real home directory. */
static guint64
small_size (HearthTestRng *rng)
{
  guint octave = rng_below (rng, 17);

  if (octave == 0)
    return 0;

  return (G_GUINT64_CONSTANT (1) << (octave - 1)) +
         rng_below (rng, G_GUINT64_CONSTANT (1) << (octave - 1));
}

typedef struct
{
  GPtrArray *dirs;       /* of char *, relative to the data-set root */
  GArray    *depths;     /* of guint */
  GPtrArray *files;      /* of char * */
  GArray    *specs;      /* of FileSpec */
} SmallTree;

static void
small_tree_clear (SmallTree *tree)
{
  g_clear_pointer (&tree->dirs, g_ptr_array_unref);
  g_clear_pointer (&tree->depths, g_array_unref);
  g_clear_pointer (&tree->files, g_ptr_array_unref);
  g_clear_pointer (&tree->specs, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SmallTree, small_tree_clear)

/* Lays the tree out before anything is written, from its own generator, so
 * that the duplicates section can name the same files. */
static void
small_tree_plan (BenchGen  *self,
                 SmallTree *tree)
{
  guint64 n_dirs = MAX (1, scaled (self->scale, N_SMALL_DIRS));
  guint64 n_files = scaled (self->scale, N_SMALL);
  HearthTestRng rng;
  guint zero = 0;

  hearth_test_rng_init (&rng, derive_seed (self->seed, SECTION_SMALL, 0));

  tree->dirs = g_ptr_array_new_with_free_func (g_free);
  tree->depths = g_array_new (FALSE, FALSE, sizeof (guint));
  tree->files = g_ptr_array_new_with_free_func (g_free);
  tree->specs = g_array_sized_new (FALSE, FALSE, sizeof (FileSpec), n_files);

  g_ptr_array_add (tree->dirs, g_strdup ("small"));
  g_array_append_val (tree->depths, zero);

  for (guint64 i = 1; i < n_dirs; i++)
    {
      const char *word = dir_words[rng_below (&rng, G_N_ELEMENTS (dir_words))];
      g_autofree char *name = g_strdup_printf ("%s-%03u", word, (guint) i);
      guint64 parent;
      guint depth;

      /* Half the time extend one of the newest directories, which makes
       * chains deep enough to look like real projects and photo years. */
      if (rng_below (&rng, 2) == 0)
        parent = i - 1 - rng_below (&rng, MIN (i, 8));
      else
        parent = rng_below (&rng, i);

      if (g_array_index (tree->depths, guint, parent) >= MAX_DEPTH)
        parent = 0;

      depth = g_array_index (tree->depths, guint, parent) + 1;
      g_ptr_array_add (tree->dirs, g_build_filename (tree->dirs->pdata[parent], name, NULL));
      g_array_append_val (tree->depths, depth);
    }

  for (guint64 i = 0; i < n_files; i++)
    {
      /* The smaller of two picks: some directories hold many files, most a
       * few, as in real trees. */
      guint64 pick1 = rng_below (&rng, n_dirs);
      guint64 pick2 = rng_below (&rng, n_dirs);
      guint64 dir = MIN (pick1, pick2);
      const Extension *ext = &extensions[rng_below (&rng, G_N_ELEMENTS (extensions))];
      const char *word = words[rng_below (&rng, G_N_ELEMENTS (words))];
      g_autofree char *name = g_strdup_printf ("%s-%05u.%s", word, (guint) i, ext->extension);
      FileSpec spec = { 0, };

      spec.kind = ext->kind;
      spec.seed = derive_seed (self->seed, SECTION_SMALL, i + 1);
      spec.size = small_size (&rng);
      spec.mtime = rng_mtime (&rng);

      g_ptr_array_add (tree->files, g_build_filename (tree->dirs->pdata[dir], name, NULL));
      g_array_append_val (tree->specs, spec);
    }
}

static gboolean
write_small (BenchGen         *self,
             const SmallTree  *tree,
             GError          **error)
{
  for (guint i = 0; i < tree->dirs->len; i++)
    {
      if (!make_dir (self, tree->dirs->pdata[i], error))
        return FALSE;
    }

  for (guint i = 0; i < tree->files->len; i++)
    {
      if (!write_file (self, SECTION_SMALL, tree->files->pdata[i],
                       &g_array_index (tree->specs, FileSpec, i), error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_duplicates (BenchGen         *self,
                  const SmallTree  *tree,
                  GError          **error)
{
  g_autofree char *copy_path = NULL;
  g_autofree char *edited_path = NULL;
  g_autofree char *text_copy_path = NULL;
  FileSpec spec;

  if (!make_dir (self, "dup", error) ||
      !make_dir (self, "dup/small-copies", error))
    return FALSE;

  large_spec (self, 0, &spec);
  copy_path = g_strdup_printf ("dup/copy of %s", large_names[0]);
  if (!write_file (self, SECTION_DUP, copy_path, &spec, error))
    return FALSE;

  /* A few hundred bytes inserted about 1 MiB in: everything after moves, so
   * only content-defined chunking finds the rest again. */
  large_spec (self, 1, &spec);
  spec.insert_at = MIN (MiB + 4099, spec.size / 2);
  spec.insert_len = 517;
  spec.mtime += 86400;
  edited_path = g_strdup_printf ("dup/edited %s", large_names[1]);
  if (!write_file (self, SECTION_DUP, edited_path, &spec, error))
    return FALSE;

  text_spec (self, 0, &spec);
  text_copy_path = g_build_filename ("dup", "copy of text.log", NULL);
  if (!write_file (self, SECTION_DUP, text_copy_path, &spec, error))
    return FALSE;

  /* Every 50th small file again, flattened into one directory, the way
   * people keep "a copy just in case". */
  for (guint i = 0; i < tree->files->len; i += 50)
    {
      g_autofree char *base = g_path_get_basename (tree->files->pdata[i]);
      g_autofree char *path = g_build_filename ("dup", "small-copies", base, NULL);

      if (!write_file (self, SECTION_DUP, path,
                       &g_array_index (tree->specs, FileSpec, i), error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_target (const char  *dir,
              GError     **error)
{
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_test (dir, G_FILE_TEST_EXISTS))
    {
      if (g_mkdir_with_parents (dir, 0755) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Could not create “%s”: %s"), dir, g_strerror (saved_errno));
          return FALSE;
        }
      return TRUE;
    }

  listing = g_dir_open (dir, 0, &local_error);
  if (listing == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("The output must be a new or empty directory: "));
      return FALSE;
    }

  if (g_dir_read_name (listing) != NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                   _("“%s” is not empty; the data set is written only into a new or empty directory"),
                   dir);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_seed (const char  *text,
            guint64     *seed,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, seed, &local_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--seed must be a whole number from 0 to %" G_GUINT64_FORMAT ", not “%s”"),
                   G_MAXUINT64, text);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_scale (const char  *text,
             double      *scale,
             GError     **error)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || !(value > 0.0 && value <= MAX_SCALE))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--scale must be a number above 0 and at most %g, not “%s”"),
                   MAX_SCALE, text);
      return FALSE;
    }

  *scale = value;
  return TRUE;
}

static void
print_tally (const char  *label,
             const Tally *tally)
{
  g_print ("%-12s %7" G_GUINT64_FORMAT " files %14" G_GUINT64_FORMAT " bytes\n",
           label, tally->files, tally->bytes);
}

static void
print_summary (BenchGen *self,
               gboolean  small_only,
               double    seconds)
{
  Tally total = { 0, };

  for (guint i = SECTION_LARGE; i <= SECTION_DUP; i++)
    {
      total.files += self->tally[i].files;
      total.bytes += self->tally[i].bytes;
    }

  g_print ("hearth-bench-gen: seed %" G_GUINT64_FORMAT ", scale %g%s, in %s\n",
           self->seed, self->scale, small_only ? ", small tree only" : "", self->root);
  if (!small_only)
    {
      print_tally ("large", &self->tally[SECTION_LARGE]);
      print_tally ("text", &self->tally[SECTION_TEXT]);
    }
  print_tally ("small", &self->tally[SECTION_SMALL]);
  if (!small_only)
    print_tally ("duplicates", &self->tally[SECTION_DUP]);
  print_tally ("total", &total);
  g_print ("%-12s %7" G_GUINT64_FORMAT "\n", "directories", self->n_dirs);
  g_print ("%-12s %7.1f s (%.0f MB/s)\n", "written in", seconds,
           seconds > 0 ? (double) total.bytes / seconds / 1e6 : 0.0);
}

static gboolean
generate (BenchGen  *self,
          gboolean   small_only,
          GError   **error)
{
  g_auto(SmallTree) tree = { 0, };

  small_tree_plan (self, &tree);

  if (!small_only)
    {
      if (!write_large (self, error) || !write_text (self, error))
        return FALSE;
    }

  if (!write_small (self, &tree, error))
    return FALSE;

  if (!small_only && !write_duplicates (self, &tree, error))
    return FALSE;

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *scale_text = NULL;
  g_auto(GStrv) rest = NULL;
  g_autofree guint8 *buffer = NULL;
  gboolean small_only = FALSE;
  BenchGen gen = { 0, };
  gint64 start;
  const GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
      N_("Seed of the data set (default 1)"), N_("N") },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale_text,
      N_("Multiply sizes and counts by F (default 1: about 3 GiB, 51,000 files)"), N_("F") },
    { "small-only", 0, 0, G_OPTION_ARG_NONE, &small_only,
      N_("Write only the small-file tree (DIR/small), for rescan tests"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, N_("DIR") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Write Hearth’s benchmark data set into DIR, a new or empty directory.\n"
                                  "The same seed and scale always give the same names and bytes."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  gen.seed = 1;
  gen.scale = 1.0;

  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      (seed_text != NULL && !parse_seed (seed_text, &gen.seed, &error)) ||
      (scale_text != NULL && !parse_scale (scale_text, &gen.scale, &error)))
    {
      g_printerr ("hearth-bench-gen: %s\n", error->message);
      return 2;
    }

  if (rest == NULL || g_strv_length (rest) != 1)
    {
      g_printerr ("hearth-bench-gen: %s\n",
                  _("Give exactly one output directory (see --help)"));
      return 2;
    }

  gen.root = rest[0];
  buffer = g_malloc (BUFFER_SIZE);
  gen.buffer = buffer;

  start = g_get_monotonic_time ();

  if (!check_target (gen.root, &error) || !generate (&gen, small_only, &error))
    {
      g_printerr ("hearth-bench-gen: %s\n", error->message);
      return 1;
    }

  print_summary (&gen, small_only, (g_get_monotonic_time () - start) / 1e6);

  return 0;
}
