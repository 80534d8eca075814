/* hearth-rate-limiter.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthServer"

#include "config.h"

#include <string.h>

#include "hearth-rate-limiter.h"
#include "hearth-rate-limiter-private.h"

/* Each bucket is kept as one number, the time at which it will be full
 * again ("full_at", the theoretical arrival time of the generic cell rate
 * algorithm): a failure moves it one interval later, counting from now if
 * it was already in the past. A bucket then holds
 *
 *   burst - (full_at - now) / interval
 *
 * tokens, and a try is allowed while at least one is left, that is while
 * full_at - now <= (burst - 1) * interval. All of it is integer
 * microseconds, so Retry-After is exact and nothing drifts.
 *
 * An entry whose full_at has passed carries no information and is
 * dropped. When max_keys addresses are all still draining, the fullest
 * bucket (earliest full_at) is forgotten, not the least recently failed
 * one: it loses the least information, and an address that failed a
 * hundred times an hour ago keeps its hours of penalty. Entries sit in a
 * min-heap on full_at, so both the pruning and the eviction take the top.
 *
 * Forgetting an address gives it a full bucket again. To get its own
 * entry evicted, an attacker must make max_keys other buckets emptier
 * than its own, that is spend at least max_keys failures from as many
 * distinct addresses, while its own bucket refills anyway. Someone who
 * holds more than max_keys addresses can cycle through them and keep
 * every bucket fresh; that is beyond what any per-address limiter can
 * stop with bounded memory, and the secrets' 256 bits are the real
 * defence against it. */

/* Keeps (burst - 1) * interval and every full_at within a gint64. */
#define MAX_INTERVAL_US(burst) (G_MAXINT64 / 2 / (burst))

typedef struct
{
  gint64 full_at_us;
  guint  heap_index;
  char   key[];
} Entry;

struct _HearthRateLimiter
{
  GMutex      mutex;
  GHashTable *entries;      /* key → Entry, owning */
  GPtrArray  *heap;         /* Entry, min-heap on full_at_us */
  gint64      interval_us;
  gint64      limit_us;     /* (burst - 1) * interval_us */
  gint64      now_us;       /* latest time seen, never decreasing */
  guint       max_keys;
};

static Entry *
entry_new (const char *key,
           gint64      full_at_us)
{
  gsize len = strlen (key);
  Entry *entry = g_malloc (sizeof *entry + len + 1);

  entry->full_at_us = full_at_us;
  entry->heap_index = 0;
  memcpy (entry->key, key, len + 1);

  return entry;
}

static gint64
saturating_add (gint64 a,
                gint64 b)
{
  g_assert (a >= 0 && b >= 0);

  return a > G_MAXINT64 - b ? G_MAXINT64 : a + b;
}

static inline Entry *
heap_get (HearthRateLimiter *self,
          guint              i)
{
  return g_ptr_array_index (self->heap, i);
}

static void
heap_set (HearthRateLimiter *self,
          guint              i,
          Entry             *entry)
{
  self->heap->pdata[i] = entry;
  entry->heap_index = i;
}

static void
heap_sift_up (HearthRateLimiter *self,
              guint              i)
{
  Entry *entry = heap_get (self, i);

  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      Entry *above = heap_get (self, parent);

      if (above->full_at_us <= entry->full_at_us)
        break;

      heap_set (self, i, above);
      i = parent;
    }

  heap_set (self, i, entry);
}

static void
heap_sift_down (HearthRateLimiter *self,
                guint              i)
{
  Entry *entry = heap_get (self, i);
  guint n = self->heap->len;

  for (;;)
    {
      guint child = 2 * i + 1;
      Entry *below;

      if (child >= n)
        break;
      if (child + 1 < n &&
          heap_get (self, child + 1)->full_at_us < heap_get (self, child)->full_at_us)
        child++;

      below = heap_get (self, child);
      if (entry->full_at_us <= below->full_at_us)
        break;

      heap_set (self, i, below);
      i = child;
    }

  heap_set (self, i, entry);
}

static void
heap_push (HearthRateLimiter *self,
           Entry             *entry)
{
  g_ptr_array_add (self->heap, entry);
  heap_sift_up (self, self->heap->len - 1);
}

/* Removes the entry with the earliest full_at, and frees it. */
static void
heap_drop_top (HearthRateLimiter *self)
{
  Entry *top = heap_get (self, 0);
  Entry *last = g_ptr_array_steal_index_fast (self->heap, self->heap->len - 1);

  if (last != top)
    {
      heap_set (self, 0, last);
      heap_sift_down (self, 0);
    }

  g_hash_table_remove (self->entries, top->key);
}

/* Returns the time to use for @now_us: never before a time already seen,
 * so that a clock stepping back neither refills nor drains a bucket. */
static gint64
advance_clock (HearthRateLimiter *self,
               gint64             now_us)
{
  self->now_us = MAX (self->now_us, now_us);
  return self->now_us;
}

static void
drop_full_buckets (HearthRateLimiter *self,
                   gint64             now_us)
{
  while (self->heap->len > 0 && heap_get (self, 0)->full_at_us <= now_us)
    heap_drop_top (self);
}

static gint64
retry_after_locked (HearthRateLimiter *self,
                    const char        *key,
                    gint64             now_us)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);
  gint64 wait_us;

  if (entry == NULL || entry->full_at_us <= now_us)
    return 0;

  /* Both are in [0, G_MAXINT64] and full_at_us > now_us: no overflow. */
  wait_us = entry->full_at_us - now_us - self->limit_us;

  return MAX (wait_us, 0);
}

/**
 * hearth_rate_limiter_new:
 * @burst: failures allowed at once, at least 1
 * @per_second: how fast the bucket refills, above 0
 * @max_keys: how many addresses to track at most, at least 1
 *
 * The refill interval is 1 / @per_second rounded to the nearest
 * microsecond, and at least one.
 */
HearthRateLimiter *
hearth_rate_limiter_new (guint  burst,
                         double per_second,
                         guint  max_keys)
{
  HearthRateLimiter *self;
  double interval_us;

  g_return_val_if_fail (burst >= 1, NULL);
  g_return_val_if_fail (per_second > 0, NULL);
  g_return_val_if_fail (max_keys >= 1, NULL);

  /* Clamped as a double first: converting an out-of-range double to an
   * integer is undefined. */
  interval_us = G_USEC_PER_SEC / per_second + 0.5;
  interval_us = CLAMP (interval_us, 1.0, (double) MAX_INTERVAL_US (burst));

  self = g_new0 (HearthRateLimiter, 1);
  g_mutex_init (&self->mutex);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  self->heap = g_ptr_array_sized_new (MIN (max_keys, 1024));
  self->interval_us = MIN ((gint64) interval_us, MAX_INTERVAL_US (burst));
  self->limit_us = (gint64) (burst - 1) * self->interval_us;
  self->now_us = 0;
  self->max_keys = max_keys;

  return self;
}

void
hearth_rate_limiter_free (HearthRateLimiter *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->heap, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/**
 * hearth_rate_limiter_allow:
 *
 * Returns: whether @key may try now: its bucket holds a token. Consumes
 *   nothing; call hearth_rate_limiter_record_failure() when the try fails.
 */
gboolean
hearth_rate_limiter_allow (HearthRateLimiter *self,
                           const char        *key,
                           gint64             now_us)
{
  return hearth_rate_limiter_retry_after_us (self, key, now_us) == 0;
}

/**
 * hearth_rate_limiter_retry_after_us:
 *
 * Returns: how long @key must wait until hearth_rate_limiter_allow()
 *   says yes, in microseconds, 0 when it may try now. Round it up to
 *   whole seconds for a Retry-After header.
 */
gint64
hearth_rate_limiter_retry_after_us (HearthRateLimiter *self,
                                    const char        *key,
                                    gint64             now_us)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (key != NULL, 0);

  locker = g_mutex_locker_new (&self->mutex);
  now_us = advance_clock (self, now_us);

  return retry_after_locked (self, key, now_us);
}

/**
 * hearth_rate_limiter_record_failure:
 *
 * Takes a token from @key's bucket. An empty bucket goes on draining, so
 * an address that keeps failing while refused only waits longer.
 */
void
hearth_rate_limiter_record_failure (HearthRateLimiter *self,
                                    const char        *key,
                                    gint64             now_us)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Entry *entry;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);

  locker = g_mutex_locker_new (&self->mutex);
  now_us = advance_clock (self, now_us);

  drop_full_buckets (self, now_us);

  entry = g_hash_table_lookup (self->entries, key);
  if (entry != NULL)
    {
      /* Only ever later: the entry can only move down the heap. */
      entry->full_at_us = saturating_add (MAX (entry->full_at_us, now_us),
                                          self->interval_us);
      heap_sift_down (self, entry->heap_index);
      return;
    }

  if (g_hash_table_size (self->entries) >= self->max_keys)
    {
      g_debug ("Rate limiter full (%u addresses): forgetting %s",
               self->max_keys, heap_get (self, 0)->key);
      heap_drop_top (self);
    }

  entry = entry_new (key, saturating_add (now_us, self->interval_us));
  g_hash_table_insert (self->entries, entry->key, entry);
  heap_push (self, entry);
}

guint
_hearth_rate_limiter_get_n_keys (HearthRateLimiter *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (self != NULL, 0);

  locker = g_mutex_locker_new (&self->mutex);

  return g_hash_table_size (self->entries);
}
