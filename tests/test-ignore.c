/* test-ignore.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "hearth-ignore.h"
#include "hearth-test-util.h"

#define FILE_ FALSE
#define DIR_  TRUE

typedef struct
{
  const char *path;
  gboolean    is_dir;
  gboolean    excluded;
} PathCase;

/* One root .hearthignore and what it decides for some paths. */
typedef struct
{
  const char *patterns;
  PathCase    paths[16];
} RootCase;

static void
assert_path (HearthIgnore   *ignore,
             const char     *patterns,
             const PathCase *c)
{
  gboolean excluded = hearth_ignore_is_excluded (ignore, c->path, c->is_dir);

  if (excluded != c->excluded)
    g_test_fail_printf ("patterns «%s»: %s “%s” should be %s",
                        patterns, c->is_dir ? "directory" : "file",
                        c->path, c->excluded ? "excluded" : "included");
}

static void
run_root_cases (const RootCase *cases,
                gsize           n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autoptr(HearthIgnore) ignore = hearth_ignore_new ();

      hearth_ignore_add_patterns (ignore, "", cases[i].patterns, strlen (cases[i].patterns));
      for (const PathCase *c = cases[i].paths; c->path != NULL; c++)
        assert_path (ignore, cases[i].patterns, c);
    }
}

static void
test_builtins (void)
{
  static const PathCase paths[] = {
    { ".cache", DIR_, TRUE },
    { "a/b/.cache", DIR_, TRUE },
    { ".cache", FILE_, FALSE },        /* the rule is for directories */
    { "a/.cache", FILE_, FALSE },
    { "cache", DIR_, FALSE },
    { ".cache2", DIR_, FALSE },
    { ".Trash", DIR_, TRUE },
    { "media/usb/.Trash", DIR_, TRUE },
    { ".Trash-1000", DIR_, TRUE },
    { "x/.Trash-1000", DIR_, TRUE },
    { ".Trash-1000", FILE_, FALSE },
    { ".local/share/Trash", DIR_, TRUE },
    { "a/.local/share/Trash", DIR_, FALSE },   /* anchored at the root */
    { ".local/share", DIR_, FALSE },
    { ".local/share/Trash", FILE_, FALSE },
    /* People expect their own leftovers backed up. */
    { "notes.txt~", FILE_, FALSE },
    { ".notes.txt.swp", FILE_, FALSE },
    { ".DS_Store", FILE_, FALSE },
    { "Thumbs.db", FILE_, FALSE },
    { "Documents/report.odt", FILE_, FALSE },
    { ".hearthignore", FILE_, FALSE },
    { NULL },
  };
  g_autoptr(HearthIgnore) ignore = hearth_ignore_new ();

  for (const PathCase *c = paths; c->path != NULL; c++)
    assert_path (ignore, "(built-in)", c);

  /* The root itself is never excluded. */
  g_assert_false (hearth_ignore_is_excluded (ignore, "", TRUE));
}

static void
test_builtins_reinclude (void)
{
  static const RootCase cases[] = {
    { "!.cache/\n", {
      { ".cache", DIR_, FALSE },
      { "a/.cache", DIR_, FALSE },
      { ".Trash", DIR_, TRUE },
      { NULL } } },
    { "!/.cache/\n", {
      { ".cache", DIR_, FALSE },
      { "a/.cache", DIR_, TRUE },
      { NULL } } },
    { "!.Trash-*\n", {
      { ".Trash-1000", DIR_, FALSE },
      { ".Trash", DIR_, TRUE },
      { NULL } } },
    { "!.local/share/Trash/\n", {
      { ".local/share/Trash", DIR_, FALSE },
      { NULL } } },
  };
  g_autoptr(HearthIgnore) ignore = hearth_ignore_new ();

  run_root_cases (cases, G_N_ELEMENTS (cases));

  /* Re-including in a subdirectory's file only affects that subtree. */
  hearth_ignore_add_patterns (ignore, "keep", "!.cache/", 8);
  g_assert_false (hearth_ignore_is_excluded (ignore, "keep/.cache", TRUE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "keep/x/.cache", TRUE));
  g_assert_true (hearth_ignore_is_excluded (ignore, "other/.cache", TRUE));
  g_assert_true (hearth_ignore_is_excluded (ignore, ".cache", TRUE));
}

static void
test_comments_and_escapes (void)
{
  static const RootCase cases[] = {
    { "# a comment\n\n   \n#*.txt\n", {
      { "a.txt", FILE_, FALSE },
      { "# a comment", FILE_, FALSE },
      { "#*.txt", FILE_, FALSE },
      { "   ", FILE_, FALSE },
      { NULL } } },
    { "\\#hash\n", {
      { "#hash", FILE_, TRUE },
      { "hash", FILE_, FALSE },
      { NULL } } },
    { " #not-a-comment\n", {
      { " #not-a-comment", FILE_, TRUE },
      { NULL } } },
    { "\\!bang\n", {
      { "!bang", FILE_, TRUE },
      { "bang", FILE_, FALSE },
      { NULL } } },
    /* Trailing spaces go, unless escaped; leading ones stay. */
    { "trail   \n", {
      { "trail", FILE_, TRUE },
      { "trail   ", FILE_, FALSE },
      { NULL } } },
    { "space\\ \n", {
      { "space ", FILE_, TRUE },
      { "space", FILE_, FALSE },
      { NULL } } },
    { "two\\  \n", {
      { "two ", FILE_, TRUE },
      { "two  ", FILE_, FALSE },
      { NULL } } },
    { " lead\n", {
      { " lead", FILE_, TRUE },
      { "lead", FILE_, FALSE },
      { NULL } } },
    { "in side\n", {
      { "in side", FILE_, TRUE },
      { NULL } } },
    /* Escaped wildcards are literal. */
    { "\\*.txt\nq\\?\n\\[x]\n", {
      { "*.txt", FILE_, TRUE },
      { "a.txt", FILE_, FALSE },
      { "q?", FILE_, TRUE },
      { "qa", FILE_, FALSE },
      { "[x]", FILE_, TRUE },
      { "x", FILE_, FALSE },
      { NULL } } },
    { "back\\\\slash\n", {
      { "back\\slash", FILE_, TRUE },
      { NULL } } },
    /* A trailing backslash escapes nothing: the line never matches. */
    { "broken\\\n", {
      { "broken", FILE_, FALSE },
      { "broken\\", FILE_, FALSE },
      { NULL } } },
    /* Lines that are nothing once '!' and '/' are taken away. */
    { "!\n/\n//\n!/\n", {
      { "a", FILE_, FALSE },
      { "a", DIR_, FALSE },
      { NULL } } },
  };

  run_root_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_anchoring (void)
{
  static const RootCase cases[] = {
    /* No slash: any depth. */
    { "build\n", {
      { "build", DIR_, TRUE },
      { "build", FILE_, TRUE },
      { "src/build", DIR_, TRUE },
      { "a/b/c/build", FILE_, TRUE },
      { "builder", FILE_, FALSE },
      { "rebuild", FILE_, FALSE },
      { NULL } } },
    /* Leading slash: only at the base. */
    { "/build\n", {
      { "build", DIR_, TRUE },
      { "src/build", DIR_, FALSE },
      { NULL } } },
    /* A slash in the middle anchors too. */
    { "doc/frotz\n", {
      { "doc/frotz", FILE_, TRUE },
      { "a/doc/frotz", FILE_, FALSE },
      { "doc", DIR_, FALSE },
      { "doc/frotz/x", FILE_, FALSE },
      { NULL } } },
    { "/doc/frotz/\n", {
      { "doc/frotz", DIR_, TRUE },
      { "doc/frotz", FILE_, FALSE },
      { NULL } } },
    /* Trailing slash alone does not anchor. */
    { "frotz/\n", {
      { "frotz", DIR_, TRUE },
      { "a/frotz", DIR_, TRUE },
      { "a/frotz", FILE_, FALSE },
      { NULL } } },
    /* An escaped slash is still a separator. */
    { "a\\/b\n", {
      { "a/b", FILE_, TRUE },
      { "x/a/b", FILE_, FALSE },
      { NULL } } },
  };

  run_root_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_wildcards (void)
{
  static const RootCase cases[] = {
    { "*.log\n", {
      { "a.log", FILE_, TRUE },
      { ".log", FILE_, TRUE },
      { "x/y/z.log", FILE_, TRUE },
      { "a.log.1", FILE_, FALSE },
      { "a.LOG", FILE_, FALSE },         /* case matters, as in git on Linux */
      { NULL } } },
    { "*\n", {
      { "anything", FILE_, TRUE },
      { "a/b", DIR_, TRUE },
      { NULL } } },
    /* `*` does not cross '/'. */
    { "/a*b\n", {
      { "ab", FILE_, TRUE },
      { "axxb", FILE_, TRUE },
      { "a/b", FILE_, FALSE },
      { "ax/yb", FILE_, FALSE },
      { NULL } } },
    { "src/*.o\n", {
      { "src/main.o", FILE_, TRUE },
      { "src/sub/main.o", FILE_, FALSE },
      { "other/src/main.o", FILE_, FALSE },
      { NULL } } },
    { "/*/tmp\n", {
      { "a/tmp", DIR_, TRUE },
      { "tmp", DIR_, FALSE },
      { "a/b/tmp", DIR_, FALSE },
      { NULL } } },
    { "draft-*\n", {
      { "draft-1.odt", FILE_, TRUE },
      { "draft-", FILE_, TRUE },
      { "my-draft-1.odt", FILE_, FALSE },
      { NULL } } },
    { "*a*b*c*\n", {
      { "abc", FILE_, TRUE },
      { "xxaxxbxxcxx", FILE_, TRUE },
      { "aaabbbccc", FILE_, TRUE },
      { "acb", FILE_, FALSE },
      { "cba", FILE_, FALSE },
      { NULL } } },
    { "a*b*a\n", {
      { "abba", FILE_, TRUE },
      { "aba", FILE_, TRUE },
      { "abab", FILE_, FALSE },
      { "ab", FILE_, FALSE },
      { NULL } } },
    { "?\n", {
      { "a", FILE_, TRUE },
      { "ab", FILE_, FALSE },
      { "x/a", FILE_, TRUE },
      { NULL } } },
    { "/a?b\n", {
      { "axb", FILE_, TRUE },
      { "a/b", FILE_, FALSE },
      { "ab", FILE_, FALSE },
      { "axxb", FILE_, FALSE },
      { NULL } } },
    { "photo-??.jpg\n", {
      { "photo-01.jpg", FILE_, TRUE },
      { "photo-1.jpg", FILE_, FALSE },
      { "photo-001.jpg", FILE_, FALSE },
      { NULL } } },
    /* `**` inside a segment is a plain `*`. */
    { "/a**b\n", {
      { "axxb", FILE_, TRUE },
      { "a/x/b", FILE_, FALSE },
      { NULL } } },
  };

  run_root_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_classes (void)
{
  static const RootCase cases[] = {
    { "file[0-9].txt\n", {
      { "file0.txt", FILE_, TRUE },
      { "file9.txt", FILE_, TRUE },
      { "filea.txt", FILE_, FALSE },
      { "file.txt", FILE_, FALSE },
      { "file10.txt", FILE_, FALSE },
      { NULL } } },
    { "[abc]\n", {
      { "a", FILE_, TRUE },
      { "c", FILE_, TRUE },
      { "d", FILE_, FALSE },
      { "ab", FILE_, FALSE },
      { NULL } } },
    { "x[!0-9]\n", {
      { "xa", FILE_, TRUE },
      { "x5", FILE_, FALSE },
      { "x", FILE_, FALSE },
      { NULL } } },
    { "x[^a-cx-z]\n", {
      { "xd", FILE_, TRUE },
      { "xb", FILE_, FALSE },
      { "xy", FILE_, FALSE },
      { NULL } } },
    /* ']' first is a member; '-' first or last is a member. */
    { "[]x]\n[-y]\n[z-]\n", {
      { "]", FILE_, TRUE },
      { "x", FILE_, TRUE },
      { "-", FILE_, TRUE },
      { "y", FILE_, TRUE },
      { "z", FILE_, TRUE },
      { "w", FILE_, FALSE },
      { NULL } } },
    { "[!]]\n", {
      { "a", FILE_, TRUE },
      { "]", FILE_, FALSE },
      { NULL } } },
    { "[\\]a]b\n", {
      { "]b", FILE_, TRUE },
      { "ab", FILE_, TRUE },
      { "\\b", FILE_, FALSE },
      { NULL } } },
    { "[[:digit:]][[:upper:]]\n", {
      { "1A", FILE_, TRUE },
      { "1a", FILE_, FALSE },
      { "AA", FILE_, FALSE },
      { NULL } } },
    { "[[:alpha:]_]*\n", {
      { "_x", FILE_, TRUE },
      { "b9", FILE_, TRUE },
      { "9b", FILE_, FALSE },
      { NULL } } },
    /* A reversed range holds nothing. */
    { "[z-a]\n", {
      { "m", FILE_, FALSE },
      { "a", FILE_, FALSE },
      { NULL } } },
    /* Unterminated class or unknown class name: never matches. */
    { "[abc\n[[:nope:]]\nok\n", {
      { "a", FILE_, FALSE },
      { "[abc", FILE_, FALSE },
      { "n", FILE_, FALSE },
      { "ok", FILE_, TRUE },
      { NULL } } },
    /* A '/' inside a class does not split the pattern, and matches no name. */
    { "a[/]b\n", {
      { "a/b", FILE_, FALSE },
      { NULL } } },
  };

  run_root_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_double_star (void)
{
  static const RootCase cases[] = {
    { "**/foo\n", {
      { "foo", FILE_, TRUE },
      { "a/foo", FILE_, TRUE },
      { "a/b/c/foo", DIR_, TRUE },
      { "foo/bar", FILE_, FALSE },
      { "xfoo", FILE_, FALSE },
      { NULL } } },
    { "**/foo/bar\n", {
      { "foo/bar", FILE_, TRUE },
      { "x/y/foo/bar", FILE_, TRUE },
      { "foo/x/bar", FILE_, FALSE },
      { NULL } } },
    /* Everything inside, but not the directory itself. */
    { "abc/**\n", {
      { "abc", DIR_, FALSE },
      { "abc/x", FILE_, TRUE },
      { "abc/x/y/z", FILE_, TRUE },
      { "x/abc/y", FILE_, FALSE },
      { NULL } } },
    { "a/**/b\n", {
      { "a/b", FILE_, TRUE },
      { "a/x/b", FILE_, TRUE },
      { "a/x/y/b", FILE_, TRUE },
      { "a/x/y/c", FILE_, FALSE },
      { "a/b/c", FILE_, FALSE },
      { "z/a/b", FILE_, FALSE },
      { NULL } } },
    { "a/**/**/b\n", {
      { "a/b", FILE_, TRUE },
      { "a/x/y/b", FILE_, TRUE },
      { NULL } } },
    { "**/a/**\n", {
      { "a/x", FILE_, TRUE },
      { "q/a/x/y", FILE_, TRUE },
      { "q/a", DIR_, FALSE },
      { "x/a", FILE_, FALSE },
      { NULL } } },
    { "/**\n", {
      { "x", FILE_, TRUE },
      { "x/y", DIR_, TRUE },
      { NULL } } },
    { "**\n", {
      { "x", FILE_, TRUE },
      { "x/y", FILE_, TRUE },
      { NULL } } },
    { "a/**/*.tmp\n", {
      { "a/x.tmp", FILE_, TRUE },
      { "a/b/c/x.tmp", FILE_, TRUE },
      { "b/x.tmp", FILE_, FALSE },
      { NULL } } },
    { "**/logs/\n", {
      { "logs", DIR_, TRUE },
      { "x/logs", DIR_, TRUE },
      { "x/logs", FILE_, FALSE },
      { NULL } } },
    /* Many stars must not cost exponential time. */
    { "/**/a/**/a/**/a/**/a/**/a/**/a/**/b\n", {
      { "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/c", FILE_, FALSE },
      { "a/a/a/a/a/a/b", FILE_, TRUE },
      { NULL } } },
    { "*a*a*a*a*a*a*a*b\n", {
      { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", FILE_, FALSE },
      { NULL } } },
  };

  run_root_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_negation (void)
{
  static const RootCase cases[] = {
    /* Later rules win. */
    { "*.log\n!keep.log\n", {
      { "a.log", FILE_, TRUE },
      { "keep.log", FILE_, FALSE },
      { "x/keep.log", FILE_, FALSE },
      { NULL } } },
    { "!keep.log\n*.log\n", {
      { "keep.log", FILE_, TRUE },
      { NULL } } },
    { "*\n!*.odt\n!*/\n", {
      { "a.txt", FILE_, TRUE },
      { "a.odt", FILE_, FALSE },
      { "dir", DIR_, FALSE },
      { "dir/b.txt", FILE_, TRUE },
      { NULL } } },
    /* Negating something never excluded is harmless. */
    { "!nothing\n", {
      { "nothing", FILE_, FALSE },
      { NULL } } },
    { "a\n!a\na\n", {
      { "a", FILE_, TRUE },
      { NULL } } },
  };

  run_root_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_nested_bases (void)
{
  g_autoptr(HearthIgnore) ignore = hearth_ignore_new ();
  const char *a = "*.o\n/x\ny/z\n";
  const char *ab = "q\n";

  hearth_ignore_add_patterns (ignore, "a", a, strlen (a));
  hearth_ignore_add_patterns (ignore, "a/b", ab, strlen (ab));

  /* Unanchored: anywhere under a, nowhere else. */
  g_assert_true (hearth_ignore_is_excluded (ignore, "a/m.o", FALSE));
  g_assert_true (hearth_ignore_is_excluded (ignore, "a/c/d/m.o", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "m.o", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "b/m.o", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "ab/m.o", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "a.o", FALSE));

  /* "/x" in a/.hearthignore means a/x; "y/z" means a/y/z. */
  g_assert_true (hearth_ignore_is_excluded (ignore, "a/x", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "x", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "a/c/x", FALSE));
  g_assert_true (hearth_ignore_is_excluded (ignore, "a/y/z", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "y/z", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "a/c/y/z", FALSE));

  /* A file's patterns do not apply to its own directory. */
  g_assert_false (hearth_ignore_is_excluded (ignore, "a/b", TRUE));
  g_assert_true (hearth_ignore_is_excluded (ignore, "a/b/q", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "a/q", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "a/bb/q", FALSE));
  g_assert_true (hearth_ignore_is_excluded (ignore, "a/b/m.o", FALSE));
}

static void
test_deeper_wins (void)
{
  g_autoptr(HearthIgnore) ignore = hearth_ignore_new ();
  const char *root = "*.log\n!keep.tmp\n";
  const char *mid = "!*.log\n*.tmp\n";
  const char *deep = "*.log\n";

  hearth_ignore_add_patterns (ignore, "", root, strlen (root));
  hearth_ignore_add_patterns (ignore, "p/q", deep, strlen (deep));
  hearth_ignore_add_patterns (ignore, "p", mid, strlen (mid));

  g_assert_true (hearth_ignore_is_excluded (ignore, "a.log", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "p/a.log", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "p/r/a.log", FALSE));
  g_assert_true (hearth_ignore_is_excluded (ignore, "p/q/a.log", FALSE));
  g_assert_true (hearth_ignore_is_excluded (ignore, "p/q/r/a.log", FALSE));

  /* The shallower re-include loses to the deeper exclude. */
  g_assert_false (hearth_ignore_is_excluded (ignore, "keep.tmp", FALSE));
  g_assert_true (hearth_ignore_is_excluded (ignore, "p/keep.tmp", FALSE));

  /* A second text for the same directory appends: later lines win. */
  hearth_ignore_add_patterns (ignore, "p", "!keep.tmp", 9);
  g_assert_false (hearth_ignore_is_excluded (ignore, "p/keep.tmp", FALSE));
  g_assert_true (hearth_ignore_is_excluded (ignore, "p/other.tmp", FALSE));
}

static void
test_many_bases (void)
{
  g_autoptr(HearthIgnore) ignore = hearth_ignore_new ();

  /* Enough directories to grow the index several times. */
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *base = g_strdup_printf ("d%u/sub", i);
      g_autofree char *text = g_strdup_printf ("only-%u\n", i);

      hearth_ignore_add_patterns (ignore, base, text, strlen (text));
    }

  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *mine = g_strdup_printf ("d%u/sub/only-%u", i, i);
      g_autofree char *other = g_strdup_printf ("d%u/sub/only-%u", i, (i + 1) % 500);
      g_autofree char *above = g_strdup_printf ("d%u/only-%u", i, i);

      g_assert_true (hearth_ignore_is_excluded (ignore, mine, FALSE));
      g_assert_false (hearth_ignore_is_excluded (ignore, other, FALSE));
      g_assert_false (hearth_ignore_is_excluded (ignore, above, FALSE));
    }
}

static void
test_non_utf8 (void)
{
  static const RootCase cases[] = {
    /* Raw bytes in a pattern match the same raw bytes in a name. */
    { "caf\xe9\n", {
      { "caf\xe9", FILE_, TRUE },
      { "x/caf\xe9", FILE_, TRUE },
      { "caf\xc3\xa9", FILE_, FALSE },
      { NULL } } },
    { "*\xff\xfe\n", {
      { "a\xff\xfe", FILE_, TRUE },
      { "\xff\xfe", FILE_, TRUE },
      { "\xfe\xff", FILE_, FALSE },
      { NULL } } },
    /* `?` is one character: a whole UTF-8 sequence, else one byte. */
    { "caf?\n", {
      { "caf\xc3\xa9", FILE_, TRUE },
      { "caf\xe9", FILE_, TRUE },
      { "cafe", FILE_, TRUE },
      { "caf\xc3", FILE_, TRUE },
      { "caf\xc3\xa9\xc3\xa9", FILE_, FALSE },
      { NULL } } },
    { "/??\n", {
      { "\xe2\x82\xac\xe2\x82\xac", FILE_, TRUE },   /* €€ */
      { "\xe2\x82\xac", FILE_, FALSE },
      { "\xe2\x82", FILE_, TRUE },                  /* two stray bytes */
      { NULL } } },
    { "[\xc3\xa9\xc3\xa8]t\xc3\xa9\n", {
      { "\xc3\xa9t\xc3\xa9", FILE_, TRUE },          /* été */
      { "\xc3\xa8t\xc3\xa9", FILE_, TRUE },
      { "et\xc3\xa9", FILE_, FALSE },
      { "\xc3t\xc3\xa9", FILE_, FALSE },
      { NULL } } },
    { "[\xce\xb1-\xcf\x89]\n", {                    /* [α-ω] */
      { "\xce\xbb", FILE_, TRUE },                   /* λ */
      { "\xce\x91", FILE_, FALSE },                  /* Α */
      { "a", FILE_, FALSE },
      { NULL } } },
    { "[!a]\n", {
      { "\xc3\xa9", FILE_, TRUE },
      { "\xff", FILE_, TRUE },
      { "a", FILE_, FALSE },
      { NULL } } },
    { "[\xff]\n", {
      { "\xff", FILE_, TRUE },
      { "\xfe", FILE_, FALSE },
      { NULL } } },
  };

  run_root_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_line_ends (void)
{
  static const RootCase cases[] = {
    { "a\r\nb \r\n!c\r\nd/\r\n", {
      { "a", FILE_, TRUE },
      { "b", FILE_, TRUE },
      { "a\r", FILE_, FALSE },
      { "d", DIR_, TRUE },
      { "d", FILE_, FALSE },
      { NULL } } },
    { "first\nlast", {
      { "first", FILE_, TRUE },
      { "last", FILE_, TRUE },
      { "las", FILE_, FALSE },
      { NULL } } },
    { "only", {
      { "only", FILE_, TRUE },
      { NULL } } },
    { "\xef\xbb\xbf" "bom\n", {
      { "bom", FILE_, TRUE },
      { NULL } } },
    { "\n\n\nlate\n\n", {
      { "late", FILE_, TRUE },
      { NULL } } },
  };
  static const char with_nul[] = "x\0y\nz\n\0\nw";
  g_autoptr(HearthIgnore) ignore = hearth_ignore_new ();

  run_root_cases (cases, G_N_ELEMENTS (cases));

  /* A line holding a NUL byte is dropped; the others still count. */
  hearth_ignore_add_patterns (ignore, "", with_nul, sizeof with_nul - 1);
  g_assert_false (hearth_ignore_is_excluded (ignore, "x", FALSE));
  g_assert_false (hearth_ignore_is_excluded (ignore, "y", FALSE));
  g_assert_true (hearth_ignore_is_excluded (ignore, "z", FALSE));
  g_assert_true (hearth_ignore_is_excluded (ignore, "w", FALSE));

  /* An empty text changes nothing. */
  hearth_ignore_add_patterns (ignore, "", NULL, 0);
  g_assert_true (hearth_ignore_is_excluded (ignore, "z", FALSE));
}

static void
test_garbage (void)
{
  HearthTestRng rng;
  static const char alphabet[] = "ab*?[]!-^/\\# \r\n:.";
  gsize n_excluded = 0;

  hearth_test_rng_init (&rng, 0x5eed);

  for (guint round = 0; round < 400; round++)
    {
      g_autoptr(HearthIgnore) ignore = hearth_ignore_new ();
      gsize len = hearth_test_rng_next (&rng) % 2048;
      g_autofree guint8 *text = g_malloc (len + 1);

      hearth_test_rng_fill (&rng, text, len);

      /* Half the rounds are pure noise; the others are noise drawn from
       * the characters the parser cares about, which reaches far more of
       * its corners. */
      if (round % 2 == 1)
        {
          for (gsize i = 0; i < len; i++)
            text[i] = alphabet[text[i] % (sizeof alphabet - 1)];
        }

      hearth_ignore_add_patterns (ignore, "", (const char *) text, len);
      hearth_ignore_add_patterns (ignore, "a", (const char *) text, len / 2);

      for (guint j = 0; j < 50; j++)
        {
          char path[64];
          gsize path_len = 1 + hearth_test_rng_next (&rng) % (sizeof path - 2);

          hearth_test_rng_fill (&rng, (guint8 *) path, path_len);
          for (gsize i = 0; i < path_len; i++)
            {
              if (round % 2 == 1)
                path[i] = "ab/.:"[(guint8) path[i] % 5];
              else if (path[i] == '\0')
                path[i] = '/';
            }
          path[path_len] = '\0';
          if (j % 3 == 0 && path_len >= 2)
            {
              path[0] = 'a';
              path[1] = '/';
            }

          n_excluded += hearth_ignore_is_excluded (ignore, path, j % 2 == 0);
        }
    }

  /* Not a property to hold forever, only proof the loop decided things. */
  g_test_message ("%" G_GSIZE_FORMAT " of 20000 random paths excluded", n_excluded);
}

/* Long lines built to make a careless parser or matcher slow: they must
 * compile and match in linear-ish time (the test would time out). */
static void
test_hostile (void)
{
  g_autoptr(HearthIgnore) ignore = hearth_ignore_new ();
  g_autoptr(GString) text = g_string_new ("[");
  g_autofree char *long_name = g_strnfill (255, 'a');

  for (guint i = 0; i < 200000; i++)
    g_string_append (text, "[:");
  g_string_append (text, "x]\n");
  for (guint i = 0; i < 200000; i++)
    g_string_append (text, "*a");
  g_string_append (text, "b\n/");
  for (guint i = 0; i < 2000; i++)
    g_string_append (text, "**/a/");
  g_string_append (text, "b\n");

  hearth_ignore_add_patterns (ignore, "", text->str, text->len);

  for (guint i = 0; i < 1000; i++)
    {
      g_assert_false (hearth_ignore_is_excluded (ignore, long_name, FALSE));
      g_assert_false (hearth_ignore_is_excluded (ignore, "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/c", FALSE));
    }

  /* No "[:name:]" in there after all: a class of '[', ':' and 'x'. */
  g_assert_true (hearth_ignore_is_excluded (ignore, ":", FALSE));
}

static void
test_perf (void)
{
  static const char patterns[] =
    "# A typical hand-written file\n"
    "*.log\n"
    "*.tmp\n"
    "*~\n"
    "node_modules/\n"
    "/build/\n"
    "Thumbs.db\n";
  static const char *paths[] = {
    "Documents/Projects/hearth/src/client/hearth-ignore.c",
    "Pictures/2026/Holiday/IMG_20260712_101532.jpg",
    "Music/Artist/Album/01 - Track.flac",
    "Documents/letter.odt",
    "Projects/site/node_modules",
    "Projects/site/build.log",
  };
  const guint n_rounds = 1000000;
  g_autoptr(HearthIgnore) ignore = hearth_ignore_new ();
  gsize n_excluded = 0;
  gint64 start, elapsed;

  if (!g_test_perf ())
    {
      g_test_skip ("only with -m perf");
      return;
    }

  hearth_ignore_add_patterns (ignore, "", patterns, strlen (patterns));
  hearth_ignore_add_patterns (ignore, "Projects/site", "dist/\n", 6);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_rounds; i++)
    {
      const char *path = paths[i % G_N_ELEMENTS (paths)];

      n_excluded += hearth_ignore_is_excluded (ignore, path, i % 3 == 0);
    }
  elapsed = g_get_monotonic_time () - start;

  g_test_minimized_result (elapsed * 1000.0 / n_rounds,
                           "%.1f ns per hearth_ignore_is_excluded() (%" G_GSIZE_FORMAT " excluded)",
                           elapsed * 1000.0 / n_rounds, n_excluded);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ignore/builtins", test_builtins);
  g_test_add_func ("/ignore/builtins-reinclude", test_builtins_reinclude);
  g_test_add_func ("/ignore/comments-and-escapes", test_comments_and_escapes);
  g_test_add_func ("/ignore/anchoring", test_anchoring);
  g_test_add_func ("/ignore/wildcards", test_wildcards);
  g_test_add_func ("/ignore/classes", test_classes);
  g_test_add_func ("/ignore/double-star", test_double_star);
  g_test_add_func ("/ignore/negation", test_negation);
  g_test_add_func ("/ignore/nested-bases", test_nested_bases);
  g_test_add_func ("/ignore/deeper-wins", test_deeper_wins);
  g_test_add_func ("/ignore/many-bases", test_many_bases);
  g_test_add_func ("/ignore/non-utf8", test_non_utf8);
  g_test_add_func ("/ignore/line-ends", test_line_ends);
  g_test_add_func ("/ignore/garbage", test_garbage);
  g_test_add_func ("/ignore/hostile", test_hostile);
  g_test_add_func ("/ignore/perf", test_perf);

  return g_test_run ();
}
