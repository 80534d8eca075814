/* hearth-ignore.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthIgnore"

#include "config.h"

#include <string.h>

#include "hearth-ignore.h"

/* How matching stays cheap. Every line of a .hearthignore is compiled once,
 * when it is added, into a Pattern: a list of Segments, one per '/'-separated
 * part. Most segments people write are a plain name (`node_modules`), a
 * suffix (`*.log`) or a prefix (`.Trash-*`); those compare with one memcmp().
 * Anything else becomes a short list of Tokens (literal runs, `*`, `?`,
 * classes) matched by a backtracking loop that never allocates. `**` is a
 * segment of its own that matches any number of path segments.
 *
 * The patterns of one .hearthignore live in an IgnoreList keyed by the
 * directory holding it (its "base"). A path is checked against the list of
 * the folder root and then against the list of each ancestor directory that
 * has one, shallow to deep; within a list the last matching pattern decides,
 * and a deeper list's decision replaces a shallower one's. That is git's
 * order of precedence. Built-in patterns are parsed into the root list
 * before anything else, so every user pattern outranks them. Parent
 * directories are the walk's business (see the header). */

/* Kept short on purpose: people expect their files backed up, editor and
 * system leftovers included. docs/hearthignore.md explains each line. */
static const char builtin_patterns[] =
  "# Caches: rebuilt by the programs that own them.\n"
  ".cache/\n"
  "# Trash, per the freedesktop.org Trash specification.\n"
  ".Trash/\n"
  ".Trash-*/\n"
  "/.local/share/Trash/\n";

typedef struct
{
  gunichar first;
  gunichar last;
} CharRange;

/* Characters below 0x80 are a bitmap; the rest are ranges of code points.
 * POSIX classes (`[:alpha:]`) are ASCII-only and folded into the bitmap. */
typedef struct
{
  guint64    ascii[2];
  CharRange *ranges;
  guint      n_ranges;
  guint      negated : 1;
} CharClass;

typedef enum
{
  TOKEN_LITERAL,
  TOKEN_ANY_CHAR,
  TOKEN_STAR,
  TOKEN_CLASS,
} TokenKind;

typedef struct
{
  TokenKind  kind;
  gsize      len;
  char      *bytes;
  CharClass *klass;
} Token;

typedef enum
{
  SEGMENT_LITERAL,
  SEGMENT_PREFIX,
  SEGMENT_SUFFIX,
  SEGMENT_ANY,
  SEGMENT_GLOB,
  SEGMENT_DOUBLE_STAR,
} SegmentKind;

typedef struct
{
  SegmentKind  kind;
  gsize        len;       /* of @bytes; for GLOB, the fewest bytes it matches */
  char        *bytes;     /* LITERAL, PREFIX and SUFFIX: the fixed part */
  Token       *tokens;    /* GLOB */
  guint        n_tokens;
} Segment;

typedef struct
{
  Segment *segments;
  guint    n_segments;
  guint    min_segments;  /* path segments needed: those not `**` */
  guint    negated : 1;
  guint    dir_only : 1;
  guint    anchored : 1;
  guint    has_double_star : 1;
} Pattern;

typedef struct
{
  char    *base;
  gsize    base_len;
  guint    base_segments;
  guint32  base_hash;
  GArray  *patterns;      /* of Pattern, in file order */
} IgnoreList;

typedef enum
{
  DECISION_NONE = -1,
  DECISION_INCLUDED = 0,
  DECISION_EXCLUDED = 1,
} Decision;

/* What is_excluded() works out about a path once, before any pattern. */
typedef struct
{
  const char *path;
  gsize       len;
  const char *basename;
  gsize       basename_len;
  guint       n_segments;
  gboolean    is_dir;
} PathInfo;

struct _HearthIgnore
{
  GObject      parent_instance;

  IgnoreList  *root;
  GPtrArray   *lists;         /* IgnoreList of directories below the root */
  IgnoreList **slots;         /* open-addressing index of @lists by base */
  gsize        n_slots;
  gsize        max_base_len;
};

G_DEFINE_FINAL_TYPE (HearthIgnore, hearth_ignore, G_TYPE_OBJECT)

#define FNV_OFFSET_BASIS 2166136261u
#define FNV_PRIME        16777619u

static inline guint32
fnv1a_step (guint32 hash,
            guchar  byte)
{
  return (hash ^ byte) * FNV_PRIME;
}

static guint32
fnv1a (const char *bytes,
       gsize       len)
{
  guint32 hash = FNV_OFFSET_BASIS;

  for (gsize i = 0; i < len; i++)
    hash = fnv1a_step (hash, (guchar) bytes[i]);

  return hash;
}

/* One character of a name: a whole UTF-8 sequence, or a single byte where
 * the bytes are not valid UTF-8. Such stray bytes become U+DC80..U+DCFF (as
 * in Python's "surrogateescape"), which no valid UTF-8 decodes to, so a raw
 * byte in a class matches that same raw byte in a name and nothing else. */
static inline gunichar
next_char (const char *s,
           gsize       len,
           gsize      *char_len)
{
  guchar c = (guchar) s[0];
  gunichar ch;

  if (c < 0x80)
    {
      *char_len = 1;
      return c;
    }

  ch = g_utf8_get_char_validated (s, (gssize) MIN (len, 4));
  if (ch < 0x110000)
    {
      *char_len = (gsize) g_utf8_skip[c];
      return ch;
    }

  *char_len = 1;
  return 0xDC00 + c;
}

static void
char_class_free (CharClass *klass)
{
  g_free (klass->ranges);
  g_free (klass);
}

static inline gboolean
char_class_contains (const CharClass *klass,
                     gunichar         ch)
{
  gboolean found = FALSE;

  if (ch < 0x80)
    {
      found = (klass->ascii[ch >> 6] >> (ch & 63)) & 1;
    }
  else
    {
      for (guint i = 0; i < klass->n_ranges; i++)
        {
          if (ch >= klass->ranges[i].first && ch <= klass->ranges[i].last)
            {
              found = TRUE;
              break;
            }
        }
    }

  return found != klass->negated;
}

static void
token_clear (Token *token)
{
  g_clear_pointer (&token->bytes, g_free);
  g_clear_pointer (&token->klass, char_class_free);
}

static void
segment_clear (Segment *segment)
{
  for (guint i = 0; i < segment->n_tokens; i++)
    token_clear (&segment->tokens[i]);
  g_clear_pointer (&segment->tokens, g_free);
  g_clear_pointer (&segment->bytes, g_free);
}

static void
pattern_clear (Pattern *pattern)
{
  for (guint i = 0; i < pattern->n_segments; i++)
    segment_clear (&pattern->segments[i]);
  g_clear_pointer (&pattern->segments, g_free);
}

static IgnoreList *
ignore_list_new (const char *base)
{
  IgnoreList *list = g_new0 (IgnoreList, 1);

  list->base = g_strdup (base);
  list->base_len = strlen (base);
  list->base_segments = list->base_len == 0 ? 0 : 1;
  for (gsize i = 0; i < list->base_len; i++)
    list->base_segments += base[i] == '/';
  list->base_hash = fnv1a (base, list->base_len);
  list->patterns = g_array_new (FALSE, TRUE, sizeof (Pattern));
  g_array_set_clear_func (list->patterns, (GDestroyNotify) pattern_clear);

  return list;
}

static void
ignore_list_free (IgnoreList *list)
{
  g_clear_pointer (&list->patterns, g_array_unref);
  g_clear_pointer (&list->base, g_free);
  g_free (list);
}

/* Compiling patterns */

static void
char_class_add_range (CharClass *klass,
                      GArray    *ranges,
                      gunichar   first,
                      gunichar   last)
{
  if (first > last)
    return;

  for (gunichar ch = first; ch <= MIN (last, 0x7f); ch++)
    klass->ascii[ch >> 6] |= G_GUINT64_CONSTANT (1) << (ch & 63);

  if (last >= 0x80)
    {
      CharRange range = { MAX (first, 0x80), last };

      g_array_append_val (ranges, range);
    }
}

static gboolean
char_class_add_posix (CharClass  *klass,
                      const char *name,
                      gsize       len)
{
  static const char * const names[] = {
    "alnum", "alpha", "blank", "cntrl", "digit", "graph",
    "lower", "print", "punct", "space", "upper", "xdigit",
  };
  guint which = G_N_ELEMENTS (names);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (strlen (names[i]) == len && memcmp (names[i], name, len) == 0)
        {
          which = i;
          break;
        }
    }

  if (which == G_N_ELEMENTS (names))
    return FALSE;

  for (guint c = 0; c < 0x80; c++)
    {
      gboolean member = FALSE;

      switch (which)
        {
        case 0: member = g_ascii_isalnum (c); break;
        case 1: member = g_ascii_isalpha (c); break;
        case 2: member = c == ' ' || c == '\t'; break;
        case 3: member = g_ascii_iscntrl (c); break;
        case 4: member = g_ascii_isdigit (c); break;
        case 5: member = g_ascii_isgraph (c); break;
        case 6: member = g_ascii_islower (c); break;
        case 7: member = g_ascii_isprint (c); break;
        case 8: member = g_ascii_ispunct (c); break;
        case 9: member = g_ascii_isspace (c); break;
        case 10: member = g_ascii_isupper (c); break;
        case 11: member = g_ascii_isxdigit (c); break;
        default: g_assert_not_reached ();
        }

      if (member)
        klass->ascii[c >> 6] |= G_GUINT64_CONSTANT (1) << (c & 63);
    }

  return TRUE;
}

/* Parses a bracket expression the way git's wildmatch does: @p points just
 * past the '['. A ']' right after the '[' (or "[!", "[^") is a member, '-'
 * between two members is a range, '\' escapes, and "[:name:]" is a POSIX
 * class. Returns %NULL for an unterminated class or an unknown class name;
 * git never matches such a pattern, so neither do we. */
static CharClass *
parse_char_class (const char  *p,
                  const char  *end,
                  const char **out_end)
{
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (CharRange));
  CharClass *klass = g_new0 (CharClass, 1);
  gboolean first = TRUE;
  gboolean have_prev = FALSE;
  gunichar prev = 0;
  const char *next_close = NULL;

  if (p < end && (*p == '!' || *p == '^'))
    {
      klass->negated = TRUE;
      p++;
    }

  for (;;)
    {
      gunichar ch;
      gsize n;

      if (p >= end)
        goto invalid;

      if (*p == ']' && !first)
        {
          p++;
          break;
        }
      first = FALSE;

      if (*p == '\\')
        {
          if (++p >= end)
            goto invalid;
          ch = next_char (p, end - p, &n);
          p += n;
          char_class_add_range (klass, ranges, ch, ch);
          prev = ch;
          have_prev = TRUE;
        }
      else if (*p == '-' && have_prev && p + 1 < end && p[1] != ']')
        {
          p++;
          if (*p == '\\' && ++p >= end)
            goto invalid;
          ch = next_char (p, end - p, &n);
          p += n;
          char_class_add_range (klass, ranges, prev, ch);
          have_prev = FALSE;
        }
      else if (*p == '[' && p + 1 < end && p[1] == ':')
        {
          const char *name = p + 2;
          const char *close;

          /* Remembered, so "[:[:[:…" costs one scan, not one per "[:". */
          if (next_close == NULL || next_close < name)
            next_close = memchr (name, ']', end - name);
          close = next_close;
          if (close == NULL)
            goto invalid;

          if (close - name >= 1 && close[-1] == ':')
            {
              if (!char_class_add_posix (klass, name, close - 1 - name))
                goto invalid;
              p = close + 1;
              have_prev = FALSE;
            }
          else
            {
              /* Not "[:name:]" after all: a plain '['. */
              char_class_add_range (klass, ranges, '[', '[');
              p++;
              prev = '[';
              have_prev = TRUE;
            }
        }
      else
        {
          ch = next_char (p, end - p, &n);
          p += n;
          char_class_add_range (klass, ranges, ch, ch);
          prev = ch;
          have_prev = TRUE;
        }
    }

  klass->n_ranges = ranges->len;
  klass->ranges = (CharRange *) (gpointer) g_array_free (g_steal_pointer (&ranges), klass->n_ranges == 0);
  *out_end = p;
  return klass;

invalid:
  char_class_free (klass);
  return NULL;
}

static void
flush_literal (GArray     *tokens,
               GByteArray *literal)
{
  Token token = { TOKEN_LITERAL, 0, NULL, NULL };

  if (literal->len == 0)
    return;

  token.len = literal->len;
  token.bytes = g_memdup2 (literal->data, literal->len);
  g_array_append_val (tokens, token);
  g_byte_array_set_size (literal, 0);
}

/* Picks the cheapest way to match one segment's tokens, taking them over. */
static void
segment_init (Segment  *segment,
              GArray   *tokens,
              gboolean  anchored)
{
  Token *t = (Token *) (gpointer) tokens->data;
  guint n = tokens->len;
  Token *literal = NULL;

  memset (segment, 0, sizeof *segment);

  if (n == 0)
    {
      segment->kind = SEGMENT_LITERAL;
      segment->bytes = g_strdup ("");
    }
  else if (n == 1 && t[0].kind == TOKEN_LITERAL)
    {
      segment->kind = SEGMENT_LITERAL;
      literal = &t[0];
    }
  else if (n == 1 && t[0].kind == TOKEN_STAR)
    {
      /* `**` is special only as a whole segment of a pattern with a slash;
       * elsewhere it is an ordinary `*`. The token keeps "double" in len. */
      segment->kind = anchored && t[0].len >= 2 ? SEGMENT_DOUBLE_STAR : SEGMENT_ANY;
    }
  else if (n == 2 && t[0].kind == TOKEN_STAR && t[1].kind == TOKEN_LITERAL)
    {
      segment->kind = SEGMENT_SUFFIX;
      literal = &t[1];
    }
  else if (n == 2 && t[0].kind == TOKEN_LITERAL && t[1].kind == TOKEN_STAR)
    {
      segment->kind = SEGMENT_PREFIX;
      literal = &t[0];
    }
  else
    {
      segment->kind = SEGMENT_GLOB;
      for (guint i = 0; i < n; i++)
        segment->len += t[i].kind == TOKEN_LITERAL ? t[i].len : t[i].kind != TOKEN_STAR;
      segment->n_tokens = n;
      segment->tokens = (Token *) (gpointer) g_array_steal (tokens, NULL);
      return;
    }

  if (literal != NULL)
    {
      segment->len = literal->len;
      segment->bytes = g_steal_pointer (&literal->bytes);
    }

  g_array_set_size (tokens, 0);
}

/* Splits @body (the pattern without '!', the trailing '/' and a leading
 * '/') into segments. A '/' inside a class does not split: git treats it
 * as a member, and since no name contains '/' it simply never matches. */
static gboolean
parse_segments (const char *body,
                gsize       len,
                gboolean    anchored,
                GArray     *segments)
{
  g_autoptr(GArray) tokens = g_array_new (FALSE, TRUE, sizeof (Token));
  g_autoptr(GByteArray) literal = g_byte_array_new ();
  const char *p = body;
  const char *end = body + len;

  g_array_set_clear_func (tokens, (GDestroyNotify) token_clear);

  for (;;)
    {
      Token token = { TOKEN_LITERAL, 0, NULL, NULL };
      Segment segment;

      if (p == end || *p == '/' || (*p == '\\' && p + 1 < end && p[1] == '/'))
        {
          flush_literal (tokens, literal);
          segment_init (&segment, tokens, anchored);
          g_array_append_val (segments, segment);

          if (p == end)
            return TRUE;
          p += *p == '\\' ? 2 : 1;
          continue;
        }

      switch (*p)
        {
        case '\\':
          /* A trailing backslash escapes nothing; git never matches it. */
          if (p + 1 == end)
            return FALSE;
          g_byte_array_append (literal, (const guint8 *) p + 1, 1);
          p += 2;
          continue;

        case '*':
          token.kind = TOKEN_STAR;
          while (p < end && *p == '*')
            {
              token.len++;
              p++;
            }
          break;

        case '?':
          token.kind = TOKEN_ANY_CHAR;
          p++;
          break;

        case '[':
          token.kind = TOKEN_CLASS;
          token.klass = parse_char_class (p + 1, end, &p);
          if (token.klass == NULL)
            return FALSE;
          break;

        default:
          g_byte_array_append (literal, (const guint8 *) p, 1);
          p++;
          continue;
        }

      flush_literal (tokens, literal);
      g_array_append_val (tokens, token);
    }
}

/* gitignore strips trailing spaces unless the last one is escaped with a
 * backslash. Returns the new length. */
static gsize
trim_trailing_spaces (const char *line,
                      gsize       len)
{
  gsize keep = len;
  gboolean in_spaces = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (line[i] == ' ')
        {
          if (!in_spaces)
            keep = i;
          in_spaces = TRUE;
        }
      else
        {
          if (line[i] == '\\')
            i++;
          in_spaces = FALSE;
          keep = len;
        }
    }

  return in_spaces ? keep : len;
}

/* Finishes a pattern's segments: runs of `**` are one `**`, and a trailing
 * `**` (everything inside a directory) must match at least one segment,
 * which a one-segment wildcard in front of it guarantees. */
static void
normalize_double_stars (GArray *segments)
{
  Segment *s;
  guint last;

  for (guint i = 1; i < segments->len;)
    {
      s = (Segment *) (gpointer) segments->data;
      if (s[i].kind == SEGMENT_DOUBLE_STAR && s[i - 1].kind == SEGMENT_DOUBLE_STAR)
        g_array_remove_index (segments, i);
      else
        i++;
    }

  last = segments->len - 1;
  s = (Segment *) (gpointer) segments->data;
  if (s[last].kind == SEGMENT_DOUBLE_STAR)
    {
      Segment any = { SEGMENT_ANY, 0, NULL, NULL, 0 };

      g_array_insert_val (segments, last, any);
    }
}

/* Compiles one line. Returns FALSE when the line holds no pattern (blank,
 * comment) or one that can never match, which is then dropped. */
static gboolean
compile_line (const char *line,
              gsize       len,
              Pattern    *pattern)
{
  g_autoptr(GArray) segments = g_array_new (FALSE, TRUE, sizeof (Segment));
  gboolean anchored;

  g_array_set_clear_func (segments, (GDestroyNotify) segment_clear);
  memset (pattern, 0, sizeof *pattern);

  if (len == 0 || line[0] == '#')
    return FALSE;

  len = trim_trailing_spaces (line, len);

  if (len > 0 && line[0] == '!')
    {
      pattern->negated = TRUE;
      line++;
      len--;
    }

  if (len > 0 && line[len - 1] == '/')
    {
      pattern->dir_only = TRUE;
      len--;
    }

  anchored = memchr (line, '/', len) != NULL;
  if (len > 0 && line[0] == '/')
    {
      line++;
      len--;
    }

  if (len == 0)
    return FALSE;

  if (!parse_segments (line, len, anchored, segments))
    return FALSE;

  if (anchored)
    normalize_double_stars (segments);

  pattern->anchored = anchored;
  for (guint i = 0; i < segments->len; i++)
    {
      if (g_array_index (segments, Segment, i).kind == SEGMENT_DOUBLE_STAR)
        pattern->has_double_star = TRUE;
      else
        pattern->min_segments++;
    }
  pattern->n_segments = segments->len;
  pattern->segments = (Segment *) (gpointer) g_array_steal (segments, NULL);

  return TRUE;
}

/* Matching */

static gboolean
glob_match (const Token *tokens,
            guint        n_tokens,
            const char  *name,
            gsize        len)
{
  const char *end = name + len;
  const char *s = name;
  guint t = 0;
  const char *star_s = NULL;
  guint star_t = 0;

  /* The classic single-backtrack wildcard loop: on a mismatch, only the
   * most recent `*` needs to take one more byte. It is exact here because
   * every other token matches at most one way at a given position. Each
   * token after that `*` consumes a byte or more, so however long the
   * pattern, the work is at most the name's length squared. */
  for (;;)
    {
      if (t < n_tokens)
        {
          const Token *token = &tokens[t];
          gsize n;

          switch (token->kind)
            {
            case TOKEN_STAR:
              star_t = ++t;
              star_s = s;
              continue;

            case TOKEN_LITERAL:
              if ((gsize) (end - s) >= token->len && memcmp (s, token->bytes, token->len) == 0)
                {
                  s += token->len;
                  t++;
                  continue;
                }
              break;

            case TOKEN_ANY_CHAR:
              if (s < end)
                {
                  next_char (s, end - s, &n);
                  s += n;
                  t++;
                  continue;
                }
              break;

            case TOKEN_CLASS:
              if (s < end && char_class_contains (token->klass, next_char (s, end - s, &n)))
                {
                  s += n;
                  t++;
                  continue;
                }
              break;

            default:
              g_assert_not_reached ();
            }
        }
      else if (s == end)
        {
          return TRUE;
        }

      if (star_s == NULL || star_s == end)
        return FALSE;

      s = ++star_s;
      t = star_t;
    }
}

static inline gboolean
segment_match (const Segment *segment,
               const char    *name,
               gsize          len)
{
  switch (segment->kind)
    {
    case SEGMENT_LITERAL:
      return len == segment->len && memcmp (name, segment->bytes, len) == 0;

    case SEGMENT_PREFIX:
      return len >= segment->len && memcmp (name, segment->bytes, segment->len) == 0;

    case SEGMENT_SUFFIX:
      return len >= segment->len &&
             memcmp (name + len - segment->len, segment->bytes, segment->len) == 0;

    case SEGMENT_ANY:
      return TRUE;

    case SEGMENT_GLOB:
      return len >= segment->len && glob_match (segment->tokens, segment->n_tokens, name, len);

    case SEGMENT_DOUBLE_STAR:
    default:
      g_return_val_if_reached (FALSE);
    }
}

static inline const char *
segment_end (const char *p,
             const char *end)
{
  const char *slash = memchr (p, '/', end - p);

  return slash != NULL ? slash : end;
}

/* Matches segments against every segment of @rel, `**` included. The same
 * single-backtrack loop as glob_match(), one level up: path segments are
 * the characters and `**` is the star. NULL for @p means "all consumed". */
static gboolean
segments_match_with_double_star (const Segment *segments,
                                 guint          n_segments,
                                 const char    *rel,
                                 gsize          rel_len)
{
  const char *end = rel + rel_len;
  const char *p = rel;
  guint i = 0;
  gboolean have_star = FALSE;
  const char *star_p = NULL;
  guint star_i = 0;

  for (;;)
    {
      if (i < n_segments && segments[i].kind == SEGMENT_DOUBLE_STAR)
        {
          have_star = TRUE;
          star_i = ++i;
          star_p = p;
          continue;
        }

      if (p != NULL && i < n_segments)
        {
          const char *q = segment_end (p, end);

          if (segment_match (&segments[i], p, q - p))
            {
              p = q == end ? NULL : q + 1;
              i++;
              continue;
            }
        }
      else if (p == NULL && i == n_segments)
        {
          return TRUE;
        }

      if (!have_star || star_p == NULL)
        return FALSE;

      {
        const char *q = segment_end (star_p, end);

        star_p = q == end ? NULL : q + 1;
      }
      p = star_p;
      i = star_i;
    }
}

static gboolean
pattern_match (const Pattern  *pattern,
               const PathInfo *info,
               const char     *rel,
               gsize           rel_len,
               guint           rel_segments)
{
  const char *end;
  const char *p;

  if (pattern->dir_only && !info->is_dir)
    return FALSE;

  if (!pattern->anchored)
    return segment_match (&pattern->segments[0], info->basename, info->basename_len);

  if (pattern->has_double_star)
    return rel_segments >= pattern->min_segments &&
           segments_match_with_double_star (pattern->segments, pattern->n_segments, rel, rel_len);

  if (rel_segments != pattern->n_segments)
    return FALSE;

  end = rel + rel_len;
  p = rel;
  for (guint i = 0; i < pattern->n_segments; i++)
    {
      const char *q = segment_end (p, end);

      if (!segment_match (&pattern->segments[i], p, q - p))
        return FALSE;
      p = q + 1;
    }

  return TRUE;
}

static Decision
ignore_list_decide (const IgnoreList *list,
                    const PathInfo   *info,
                    const char       *rel,
                    gsize             rel_len,
                    guint             rel_segments)
{
  const Pattern *patterns = (const Pattern *) (gconstpointer) list->patterns->data;

  for (guint i = list->patterns->len; i > 0; i--)
    {
      const Pattern *pattern = &patterns[i - 1];

      if (pattern_match (pattern, info, rel, rel_len, rel_segments))
        return pattern->negated ? DECISION_INCLUDED : DECISION_EXCLUDED;
    }

  return DECISION_NONE;
}

/* The index of lists below the root */

static IgnoreList *
lookup_list (HearthIgnore *self,
             const char   *base,
             gsize         base_len,
             guint32       hash)
{
  gsize mask = self->n_slots - 1;

  if (self->n_slots == 0)
    return NULL;

  for (gsize i = hash & mask;; i = (i + 1) & mask)
    {
      IgnoreList *list = self->slots[i];

      if (list == NULL)
        return NULL;
      if (list->base_hash == hash &&
          list->base_len == base_len &&
          memcmp (list->base, base, base_len) == 0)
        return list;
    }
}

static void
insert_slot (IgnoreList **slots,
             gsize        n_slots,
             IgnoreList  *list)
{
  gsize mask = n_slots - 1;
  gsize i = list->base_hash & mask;

  while (slots[i] != NULL)
    i = (i + 1) & mask;
  slots[i] = list;
}

static IgnoreList *
ensure_list (HearthIgnore *self,
             const char   *base)
{
  IgnoreList *list;
  gsize base_len = strlen (base);

  if (base_len == 0)
    return self->root;

  list = lookup_list (self, base, base_len, fnv1a (base, base_len));
  if (list != NULL)
    return list;

  list = ignore_list_new (base);
  g_ptr_array_add (self->lists, list);
  self->max_base_len = MAX (self->max_base_len, base_len);

  /* Kept at most half full so probes stay short. */
  if (self->lists->len * 2 > self->n_slots)
    {
      gsize n_slots = MAX (16, self->n_slots * 2);

      g_free (self->slots);
      self->slots = g_new0 (IgnoreList *, n_slots);
      self->n_slots = n_slots;
      for (guint i = 0; i < self->lists->len; i++)
        insert_slot (self->slots, n_slots, g_ptr_array_index (self->lists, i));
    }
  else
    {
      insert_slot (self->slots, self->n_slots, list);
    }

  return list;
}

static void
add_patterns_to_list (IgnoreList *list,
                      const char *text,
                      gsize       len)
{
  static const char bom[] = "\xEF\xBB\xBF";
  const char *p = text;
  const char *end = text + len;

  if (len >= 3 && memcmp (text, bom, 3) == 0)
    p += 3;

  while (p < end)
    {
      const char *newline = memchr (p, '\n', end - p);
      const char *line_end = newline != NULL ? newline : end;
      gsize line_len = line_end - p;
      Pattern pattern;

      if (line_len > 0 && p[line_len - 1] == '\r')
        line_len--;

      /* No name holds a NUL byte, so such a line could never match. */
      if (memchr (p, '\0', line_len) == NULL && compile_line (p, line_len, &pattern))
        g_array_append_val (list->patterns, pattern);

      p = newline != NULL ? newline + 1 : end;
    }
}

static void
hearth_ignore_finalize (GObject *object)
{
  HearthIgnore *self = (HearthIgnore *)object;

  g_clear_pointer (&self->slots, g_free);
  g_clear_pointer (&self->lists, g_ptr_array_unref);
  g_clear_pointer (&self->root, ignore_list_free);

  G_OBJECT_CLASS (hearth_ignore_parent_class)->finalize (object);
}

static void
hearth_ignore_class_init (HearthIgnoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hearth_ignore_finalize;
}

static void
hearth_ignore_init (HearthIgnore *self)
{
  self->root = ignore_list_new ("");
  self->lists = g_ptr_array_new_with_free_func ((GDestroyNotify) ignore_list_free);

  add_patterns_to_list (self->root, builtin_patterns, strlen (builtin_patterns));
}

/**
 * hearth_ignore_new:
 *
 * Creates a rule set holding Hearth's built-in exclusions (caches and
 * trash, see docs/hearthignore.md), to which the scanner adds each
 * .hearthignore it finds.
 *
 * Returns: (transfer full): a new #HearthIgnore
 */
HearthIgnore *
hearth_ignore_new (void)
{
  return g_object_new (HEARTH_TYPE_IGNORE, NULL);
}

/**
 * hearth_ignore_add_patterns:
 * @self: a #HearthIgnore
 * @base: the directory holding the .hearthignore, relative to the folder
 *   root: "" for the root itself, else no leading or trailing '/'
 * @text: (array length=len): the file's contents, any bytes
 * @len: length of @text
 *
 * Adds the patterns of one .hearthignore. They apply only to paths below
 * @base, relative to it. Adding to the same @base again appends, so the
 * later text wins where the two disagree. Lines that can never match
 * (a NUL byte, an unterminated `[`, a trailing `\`) are dropped.
 */
void
hearth_ignore_add_patterns (HearthIgnore *self,
                            const char   *base,
                            const char   *text,
                            gsize         len)
{
  gsize base_len;

  g_return_if_fail (HEARTH_IS_IGNORE (self));
  g_return_if_fail (base != NULL);
  g_return_if_fail (text != NULL || len == 0);

  base_len = strlen (base);
  g_return_if_fail (base_len == 0 || (base[0] != '/' && base[base_len - 1] != '/'));

  if (len == 0)
    return;

  add_patterns_to_list (ensure_list (self, base), text, len);
}

/**
 * hearth_ignore_is_excluded:
 * @self: a #HearthIgnore
 * @path: a path relative to the folder root, '/'-separated, any bytes
 * @is_dir: whether @path is a directory
 *
 * Decides whether the entry at @path is left out of the backup. Only the
 * entry itself is judged, not its parents: see the header for why.
 *
 * Does not allocate, and only reads @self, so several threads may call it
 * at once as long as none is adding patterns.
 *
 * Returns: %TRUE if @path is excluded
 */
gboolean
hearth_ignore_is_excluded (HearthIgnore *self,
                           const char   *path,
                           gboolean      is_dir)
{
  PathInfo info;
  Decision decision;
  const char *slash;

  g_return_val_if_fail (HEARTH_IS_IGNORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  info.path = path;
  info.len = strlen (path);
  info.is_dir = is_dir;
  if (info.len == 0)
    return FALSE;

  slash = memrchr (path, '/', info.len);
  info.basename = slash != NULL ? slash + 1 : path;
  info.basename_len = info.len - (info.basename - path);
  info.n_segments = 1;
  for (const char *p = path; (p = memchr (p, '/', info.len - (p - path))) != NULL; p++)
    info.n_segments++;

  decision = ignore_list_decide (self->root, &info, path, info.len, info.n_segments);

  /* Look up each ancestor directory that could have a list, hashing the
   * path as we go, and let each list found override the one above it. */
  if (self->lists->len > 0)
    {
      gsize limit = MIN (self->max_base_len, info.len - 1);
      guint32 hash = FNV_OFFSET_BASIS;

      for (gsize i = 0; i <= limit; i++)
        {
          if (path[i] == '/' && i > 0)
            {
              IgnoreList *list = lookup_list (self, path, i, hash);

              if (list != NULL)
                {
                  Decision d = ignore_list_decide (list, &info,
                                                   path + i + 1, info.len - i - 1,
                                                   info.n_segments - list->base_segments);
                  if (d != DECISION_NONE)
                    decision = d;
                }
            }
          hash = fnv1a_step (hash, (guchar) path[i]);
        }
    }

  return decision == DECISION_EXCLUDED;
}
