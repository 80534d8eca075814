/* hearth-rate-limiter-private.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "hearth-rate-limiter.h"

G_BEGIN_DECLS

/* How many addresses are tracked now, so that tests can see the bound. */
guint _hearth_rate_limiter_get_n_keys (HearthRateLimiter *self);

G_END_DECLS
