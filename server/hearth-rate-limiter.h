/* hearth-rate-limiter.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Defaults for failed invite redemptions and failed authentications.
 *
 * Ten failures at once cover a family member who mistypes an invite
 * code, or a few devices behind one home router still holding a revoked
 * token. After that one more try every six seconds (600 an hour) is
 * plenty for a person and nothing for a guesser: secrets and tokens are
 * 256 random bits, so the limiter is there to keep guessing slow, cheap
 * for the server and visible in the log, not to make it impossible.
 *
 * 4096 addresses take well under a megabyte. */
#define HEARTH_RATE_LIMITER_DEFAULT_BURST      10
#define HEARTH_RATE_LIMITER_DEFAULT_PER_SECOND (1.0 / 6.0)
#define HEARTH_RATE_LIMITER_DEFAULT_MAX_KEYS   4096

/* Counts failures per client address in a token bucket: @burst failures
 * may come at once, and the bucket refills at @per_second tokens a
 * second. Success does not refill it.
 *
 * The key is used exactly as given, compared byte for byte: the caller
 * chooses what an "address" is (the peer's IPv4 address without the
 * port; for IPv6, usually its /64 prefix, since one host commonly holds a
 * whole /64).
 *
 * Times are the caller's monotonic clock in microseconds
 * (g_get_monotonic_time()). A time earlier than one already seen counts
 * as no time passed.
 *
 * At most @max_keys addresses are tracked; see hearth-rate-limiter.c for
 * which one is forgotten first.
 *
 * All functions may be called from any thread: a mutex inside guards the
 * state, held only for a hash lookup and a few heap steps. */
typedef struct _HearthRateLimiter HearthRateLimiter;

HearthRateLimiter *hearth_rate_limiter_new            (guint              burst,
                                                       double             per_second,
                                                       guint              max_keys);
void               hearth_rate_limiter_free           (HearthRateLimiter *self);
gboolean           hearth_rate_limiter_allow          (HearthRateLimiter *self,
                                                       const char        *key,
                                                       gint64             now_us);
void               hearth_rate_limiter_record_failure (HearthRateLimiter *self,
                                                       const char        *key,
                                                       gint64             now_us);
gint64             hearth_rate_limiter_retry_after_us (HearthRateLimiter *self,
                                                       const char        *key,
                                                       gint64             now_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthRateLimiter, hearth_rate_limiter_free)

G_END_DECLS
