/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-soup.h — libsoup, opened on first use: a run that fetches nothing never loads it. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The libsoup functions discovery calls, found in the library once it is opened. Linked
 * directly, libsoup and the 13 libraries it needs (HTTP/2, Brotli, SQLite, Kerberos…) were
 * loaded and relocated by every start of postaci-cli and of the window: about 7 ms of CPU
 * each time, a fifth of a small test's (see README, "Benchmarks"). */
typedef struct {
  __typeof__ (soup_session_new_with_options)         *session_new_with_options;
  __typeof__ (soup_session_set_tls_database)         *session_set_tls_database;
  __typeof__ (soup_session_send_async)               *session_send_async;
  __typeof__ (soup_session_send_finish)              *session_send_finish;
  __typeof__ (soup_message_new)                      *message_new;
  __typeof__ (soup_message_get_status)               *message_get_status;
  __typeof__ (soup_message_get_reason_phrase)        *message_get_reason_phrase;
  __typeof__ (soup_message_get_response_headers)     *message_get_response_headers;
  __typeof__ (soup_message_get_uri)                  *message_get_uri;
  __typeof__ (soup_message_headers_get_content_length) *message_headers_get_content_length;
} PostaciSoup;

/* Opens libsoup the first time (thread-safe); NULL with @error when it cannot be loaded. */
const PostaciSoup *postaci_soup_get (GError **error);

G_END_DECLS
