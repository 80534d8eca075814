/* test-rate-limiter.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "hearth-rate-limiter.h"
#include "hearth-rate-limiter-private.h"
#include "hearth-test-util.h"

#define SECOND G_TIME_SPAN_SECOND
#define HOUR   G_TIME_SPAN_HOUR

/* An arbitrary start, so that nothing depends on the clock starting at 0. */
#define T0 (G_GINT64_CONSTANT (1000) * SECOND)

static void
fail_n (HearthRateLimiter *limiter,
        const char        *key,
        guint              n,
        gint64             now_us)
{
  for (guint i = 0; i < n; i++)
    hearth_rate_limiter_record_failure (limiter, key, now_us);
}

static void
test_burst_then_refusal (void)
{
  g_autoptr(HearthRateLimiter) limiter = hearth_rate_limiter_new (3, 1.0, 16);

  g_assert_true (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0));
  g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (limiter), ==, 0);

  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0));
      hearth_rate_limiter_record_failure (limiter, "192.0.2.1", T0);
    }

  g_assert_false (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0));
  g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (limiter), ==, 1);

  /* Asking does not consume: still refused, and no later than before. */
  for (guint i = 0; i < 100; i++)
    g_assert_false (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0));
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "192.0.2.1", T0), ==, SECOND);
}

static void
test_refill (void)
{
  g_autoptr(HearthRateLimiter) limiter = hearth_rate_limiter_new (3, 1.0, 16);

  fail_n (limiter, "192.0.2.1", 3, T0);
  g_assert_false (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0 + SECOND - 1));
  g_assert_true (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0 + SECOND));

  /* One token back, so one more failure empties it again. */
  hearth_rate_limiter_record_failure (limiter, "192.0.2.1", T0 + SECOND);
  g_assert_false (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0 + SECOND));

  /* Two seconds later two tokens are back: two failures, then refused. */
  g_assert_true (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0 + 3 * SECOND));
  fail_n (limiter, "192.0.2.1", 2, T0 + 3 * SECOND);
  g_assert_false (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0 + 3 * SECOND));

  /* Full again after burst intervals: the whole burst is available, and
   * the entry is dropped at the next failure since it says nothing. */
  g_assert_true (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0 + 6 * SECOND));
  hearth_rate_limiter_record_failure (limiter, "198.51.100.7", T0 + 6 * SECOND);
  g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (limiter), ==, 1);
  fail_n (limiter, "192.0.2.1", 2, T0 + 6 * SECOND);
  g_assert_true (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0 + 6 * SECOND));
  hearth_rate_limiter_record_failure (limiter, "192.0.2.1", T0 + 6 * SECOND);
  g_assert_false (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0 + 6 * SECOND));
}

static void
test_retry_after (void)
{
  g_autoptr(HearthRateLimiter) limiter =
    hearth_rate_limiter_new (HEARTH_RATE_LIMITER_DEFAULT_BURST,
                             HEARTH_RATE_LIMITER_DEFAULT_PER_SECOND,
                             HEARTH_RATE_LIMITER_DEFAULT_MAX_KEYS);
  const char *key = "2001:db8:1:2::/64";

  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, key, T0), ==, 0);

  for (guint i = 0; i < HEARTH_RATE_LIMITER_DEFAULT_BURST; i++)
    {
      g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, key, T0), ==, 0);
      hearth_rate_limiter_record_failure (limiter, key, T0);
    }

  /* 1/6 per second is exactly one token every 6 s. */
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, key, T0), ==, 6 * SECOND);
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, key, T0 + 1), ==, 6 * SECOND - 1);
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, key, T0 + 5 * SECOND), ==, SECOND);
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, key, T0 + 6 * SECOND), ==, 0);

  /* Failing while refused pushes the wait further out. */
  fail_n (limiter, key, 3, T0 + 6 * SECOND);
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, key, T0 + 6 * SECOND), ==, 18 * SECOND);
  g_assert_false (hearth_rate_limiter_allow (limiter, key, T0 + 24 * SECOND - 1));
  g_assert_true (hearth_rate_limiter_allow (limiter, key, T0 + 24 * SECOND));

  /* Waiting exactly Retry-After always gives a try. */
  for (guint i = 0; i < 50; i++)
    {
      gint64 now = T0 + 100 * SECOND + i * 1234567;
      gint64 wait;

      fail_n (limiter, key, 1 + i % 4, now);
      wait = hearth_rate_limiter_retry_after_us (limiter, key, now);
      g_assert_cmpint (wait, >=, 0);
      g_assert_cmpint (wait, <=, (1 + i % 4) * 6 * SECOND + 50 * 6 * SECOND);
      /* The earlier time first: the limiter's clock never goes back. */
      if (wait > 0)
        g_assert_false (hearth_rate_limiter_allow (limiter, key, now + wait - 1));
      g_assert_true (hearth_rate_limiter_allow (limiter, key, now + wait));
      if (wait > 0)
        break;
    }
}

static void
test_independent_keys (void)
{
  g_autoptr(HearthRateLimiter) limiter = hearth_rate_limiter_new (2, 1.0, 16);

  fail_n (limiter, "192.0.2.1", 2, T0);
  g_assert_false (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0));

  /* Keys are compared exactly, not as prefixes or addresses. */
  g_assert_true (hearth_rate_limiter_allow (limiter, "192.0.2.10", T0));
  g_assert_true (hearth_rate_limiter_allow (limiter, "192.0.2.", T0));
  g_assert_true (hearth_rate_limiter_allow (limiter, "", T0));
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "192.0.2.10", T0), ==, 0);

  hearth_rate_limiter_record_failure (limiter, "192.0.2.10", T0);
  g_assert_true (hearth_rate_limiter_allow (limiter, "192.0.2.10", T0));
  hearth_rate_limiter_record_failure (limiter, "", T0);
  hearth_rate_limiter_record_failure (limiter, "", T0);
  g_assert_false (hearth_rate_limiter_allow (limiter, "", T0));
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "192.0.2.1", T0), ==, SECOND);
  g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (limiter), ==, 3);
}

static void
test_eviction_prefers_full_buckets (void)
{
  /* One token every 10 s, two at once, three addresses. */
  g_autoptr(HearthRateLimiter) limiter = hearth_rate_limiter_new (2, 0.1, 3);

  hearth_rate_limiter_record_failure (limiter, "old", T0 + 45 * SECOND);
  fail_n (limiter, "limited-1", 2, T0 + 50 * SECOND);
  fail_n (limiter, "limited-2", 2, T0 + 50 * SECOND);
  g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (limiter), ==, 3);

  /* "old" has just refilled: it goes, the limited ones stay. */
  hearth_rate_limiter_record_failure (limiter, "new", T0 + 55 * SECOND);
  g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (limiter), ==, 3);
  g_assert_false (hearth_rate_limiter_allow (limiter, "limited-1", T0 + 55 * SECOND));
  g_assert_false (hearth_rate_limiter_allow (limiter, "limited-2", T0 + 55 * SECOND));

  /* All draining: the fullest ("new", one failure) is forgotten, though
   * it failed last. */
  hearth_rate_limiter_record_failure (limiter, "newer", T0 + 56 * SECOND);
  g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (limiter), ==, 3);
  g_assert_false (hearth_rate_limiter_allow (limiter, "limited-1", T0 + 56 * SECOND));
  g_assert_false (hearth_rate_limiter_allow (limiter, "limited-2", T0 + 56 * SECOND));
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "limited-1", T0 + 56 * SECOND), ==, 4 * SECOND);
  hearth_rate_limiter_record_failure (limiter, "new", T0 + 56 * SECOND);
  g_assert_true (hearth_rate_limiter_allow (limiter, "new", T0 + 56 * SECOND));
}

static void
test_eviction_keeps_heavy_penalty (void)
{
  g_autoptr(HearthRateLimiter) limiter = hearth_rate_limiter_new (2, 1.0, 3);

  /* A guesser that failed 100 times long ago, then two light failures. */
  fail_n (limiter, "guesser", 100, T0);
  hearth_rate_limiter_record_failure (limiter, "light-1", T0 + 50 * SECOND);
  hearth_rate_limiter_record_failure (limiter, "light-2", T0 + 50 * SECOND);

  /* The least recently failed is the guesser; it must not be the one to go. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *key = g_strdup_printf ("filler-%u", i);

      hearth_rate_limiter_record_failure (limiter, key, T0 + 50 * SECOND + 1);
      g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (limiter), ==, 3);
      g_assert_false (hearth_rate_limiter_allow (limiter, "guesser", T0 + 50 * SECOND + 1));
    }

  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "guesser", T0 + 50 * SECOND + 1),
                   ==, 100 * SECOND - SECOND - 50 * SECOND - 1);
}

static void
test_clock_backwards (void)
{
  g_autoptr(HearthRateLimiter) limiter = hearth_rate_limiter_new (2, 1.0, 16);

  fail_n (limiter, "192.0.2.1", 2, T0 + 100 * SECOND);
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "192.0.2.1", T0 + 100 * SECOND), ==, SECOND);

  /* Earlier times count as the latest seen: the wait does not grow. */
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "192.0.2.1", T0), ==, SECOND);
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "192.0.2.1", 0), ==, SECOND);
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "192.0.2.1", G_MININT64), ==, SECOND);

  /* A failure stamped in the past counts now, not back then. */
  hearth_rate_limiter_record_failure (limiter, "192.0.2.1", T0);
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "192.0.2.1", T0 + 100 * SECOND), ==, 2 * SECOND);

  /* Time moving on after the step back refills as usual. */
  g_assert_false (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0 + 102 * SECOND - 1));
  g_assert_true (hearth_rate_limiter_allow (limiter, "192.0.2.1", T0 + 102 * SECOND));

  /* A fresh limiter given only negative times works from 0. */
  {
    g_autoptr(HearthRateLimiter) other = hearth_rate_limiter_new (1, 1.0, 4);

    hearth_rate_limiter_record_failure (other, "a", -5 * SECOND);
    g_assert_cmpint (hearth_rate_limiter_retry_after_us (other, "a", G_MININT64), ==, SECOND);
    g_assert_true (hearth_rate_limiter_allow (other, "a", SECOND));
  }
}

static void
test_large_times (void)
{
  g_autoptr(HearthRateLimiter) limiter = hearth_rate_limiter_new (3, 1.0, 16);
  g_autoptr(HearthRateLimiter) slow = NULL;
  g_autoptr(HearthRateLimiter) fast = NULL;
  gint64 wait;

  fail_n (limiter, "a", 3, T0);
  g_assert_false (hearth_rate_limiter_allow (limiter, "a", T0));
  g_assert_true (hearth_rate_limiter_allow (limiter, "a", G_MAXINT64 - HOUR));

  /* At the end of time full_at saturates instead of overflowing. */
  fail_n (limiter, "a", 10000, G_MAXINT64 - HOUR);
  g_assert_false (hearth_rate_limiter_allow (limiter, "a", G_MAXINT64 - HOUR));
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "a", G_MAXINT64 - HOUR),
                   ==, HOUR - 2 * SECOND);
  g_assert_true (hearth_rate_limiter_allow (limiter, "a", G_MAXINT64));
  fail_n (limiter, "a", 5, G_MAXINT64);
  g_assert_true (hearth_rate_limiter_allow (limiter, "a", G_MAXINT64));
  g_assert_true (hearth_rate_limiter_allow (limiter, "b", G_MAXINT64));

  /* Absurd rates are clamped, not overflowed: a refill slower than
   * centuries... */
  slow = hearth_rate_limiter_new (G_MAXUINT, 1e-300, 4);
  fail_n (slow, "a", 10, 0);
  g_assert_true (hearth_rate_limiter_allow (slow, "a", 0));
  g_clear_pointer (&slow, hearth_rate_limiter_free);
  slow = hearth_rate_limiter_new (1, 1e-300, 4);
  hearth_rate_limiter_record_failure (slow, "a", 0);
  wait = hearth_rate_limiter_retry_after_us (slow, "a", 0);
  g_assert_cmpint (wait, >, 100 * 365 * 24 * HOUR);
  hearth_rate_limiter_record_failure (slow, "a", 0);
  hearth_rate_limiter_record_failure (slow, "a", 0);
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (slow, "a", 0), >=, wait);

  /* ...and a refill faster than a million a second is one microsecond,
   * never zero. */
  fast = hearth_rate_limiter_new (1, 1e12, 4);
  hearth_rate_limiter_record_failure (fast, "a", 0);
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (fast, "a", 0), ==, 1);
  g_assert_true (hearth_rate_limiter_allow (fast, "a", 1));
}

static void
test_many_keys_bounded (void)
{
  g_autoptr(HearthRateLimiter) limiter = hearth_rate_limiter_new (10, 1.0 / 6.0, 1024);
  g_autoptr(HearthRateLimiter) idle = hearth_rate_limiter_new (10, 1.0 / 6.0, 1024);
  HearthTestRng rng;
  guint last_refused = 0;

  hearth_test_rng_init (&rng, 42);
  fail_n (limiter, "guesser", 10, T0);

  /* 100,000 addresses, all within one refill time: the table stays full
   * and never grows past its bound. */
  for (guint i = 0; i < 100000; i++)
    {
      guint64 r = hearth_test_rng_next (&rng);
      char key[64];

      g_snprintf (key, sizeof key, "2001:db8:%x:%x::/64",
                  (guint) (r & 0xffff), (guint) ((r >> 16) & 0xffff));
      hearth_rate_limiter_record_failure (limiter, key, T0 + i);
      g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (limiter), <=, 1024);

      /* A steady guesser among them keeps its penalty throughout. */
      if (i % 100 == 0)
        {
          hearth_rate_limiter_record_failure (limiter, "guesser", T0 + i);
          g_assert_false (hearth_rate_limiter_allow (limiter, "guesser", T0 + i));
          last_refused = i;
        }
    }
  g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (limiter), ==, 1024);
  g_assert_cmpuint (last_refused, ==, 99900);

  /* Failures an hour apart: each earlier bucket is full by the next one,
   * so nothing accumulates. */
  for (guint i = 0; i < 10000; i++)
    {
      char key[32];

      g_snprintf (key, sizeof key, "198.51.100.%u", i);
      hearth_rate_limiter_record_failure (idle, key, T0 + (gint64) i * HOUR);
      g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (idle), ==, 1);
    }
}

#define N_THREADS 4
#define FAILURES_PER_THREAD 2500

static gpointer
fail_in_thread (gpointer data)
{
  fail_n (data, "192.0.2.1", FAILURES_PER_THREAD, T0);
  for (guint i = 0; i < FAILURES_PER_THREAD; i++)
    {
      char key[32];

      g_snprintf (key, sizeof key, "%p-%u", (void *) g_thread_self (), i);
      hearth_rate_limiter_record_failure (data, key, T0);
      hearth_rate_limiter_allow (data, "192.0.2.1", T0);
    }

  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(HearthRateLimiter) limiter =
    hearth_rate_limiter_new (N_THREADS * FAILURES_PER_THREAD, 1.0, 512);
  GThread *threads[N_THREADS];

  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("failer", fail_in_thread, limiter);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  /* Every failure counted: exactly the burst is used, one interval to wait. */
  g_assert_cmpint (hearth_rate_limiter_retry_after_us (limiter, "192.0.2.1", T0), ==, SECOND);
  g_assert_cmpuint (_hearth_rate_limiter_get_n_keys (limiter), ==, 512);
}

static void
test_invalid_arguments (void)
{
  HearthRateLimiter *limiter;

  g_test_expect_message ("HearthServer", G_LOG_LEVEL_CRITICAL, "*burst >= 1*");
  limiter = hearth_rate_limiter_new (0, 1.0, 16);
  g_test_assert_expected_messages ();
  g_assert_null (limiter);

  g_test_expect_message ("HearthServer", G_LOG_LEVEL_CRITICAL, "*per_second > 0*");
  limiter = hearth_rate_limiter_new (1, 0.0, 16);
  g_test_assert_expected_messages ();
  g_assert_null (limiter);

  g_test_expect_message ("HearthServer", G_LOG_LEVEL_CRITICAL, "*per_second > 0*");
  limiter = hearth_rate_limiter_new (1, -1.0, 16);
  g_test_assert_expected_messages ();
  g_assert_null (limiter);

  g_test_expect_message ("HearthServer", G_LOG_LEVEL_CRITICAL, "*max_keys >= 1*");
  limiter = hearth_rate_limiter_new (1, 1.0, 0);
  g_test_assert_expected_messages ();
  g_assert_null (limiter);

  hearth_rate_limiter_free (NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rate-limiter/burst-then-refusal", test_burst_then_refusal);
  g_test_add_func ("/rate-limiter/refill", test_refill);
  g_test_add_func ("/rate-limiter/retry-after", test_retry_after);
  g_test_add_func ("/rate-limiter/independent-keys", test_independent_keys);
  g_test_add_func ("/rate-limiter/eviction/prefers-full-buckets", test_eviction_prefers_full_buckets);
  g_test_add_func ("/rate-limiter/eviction/keeps-heavy-penalty", test_eviction_keeps_heavy_penalty);
  g_test_add_func ("/rate-limiter/clock/backwards", test_clock_backwards);
  g_test_add_func ("/rate-limiter/clock/large-times", test_large_times);
  g_test_add_func ("/rate-limiter/many-keys-bounded", test_many_keys_bounded);
  g_test_add_func ("/rate-limiter/threads", test_threads);
  g_test_add_func ("/rate-limiter/invalid-arguments", test_invalid_arguments);

  return g_test_run ();
}
