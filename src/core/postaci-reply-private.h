/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-reply-private.h — the test hook of PostaciReply; not for front ends. */
#pragma once

#include "postaci-reply.h"

G_BEGIN_DECLS

/* A reply as if parsed: @code, and @text split into lines at "\n" (the enhanced status code,
 * if any, read from its first line). For tests that need a reply without a server. */
PostaciReply *postaci_reply_new_for_test (guint       code,
                                          const char *text);

G_END_DECLS
