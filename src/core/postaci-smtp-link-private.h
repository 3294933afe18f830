/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-smtp-link-private.h — the test and fuzzing hook of PostaciSmtpLink; not for front
 * ends. */
#pragma once

#include "postaci-smtp-link.h"

G_BEGIN_DECLS

/* A link over @stream, already connected (tests and the fuzzer, through
 * postaci_session_set_stream_for_testing()): connect_async() only takes it; start_tls_async() is
 * not available. */
PostaciSmtpLink *postaci_smtp_link_new_for_stream (GIOStream *stream);

G_END_DECLS
