/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-session-private.h — test and fuzzing hooks of PostaciSession; not for front ends. */
#pragma once

#include "postaci-session.h"

G_BEGIN_DECLS

/* Talk over @stream instead of connecting: no lookup, no TCP, no TLS on the
 * link itself (security must be "none"). The fuzzer feeds server bytes from
 * memory this way. Call before postaci_session_run_async(). */
void postaci_session_set_stream_for_testing (PostaciSession *self,
                                             GIOStream      *stream);

G_END_DECLS
