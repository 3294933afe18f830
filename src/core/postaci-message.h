/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-message.h — the MIME message: headers through GMime, bodies streamed after DATA. */
#pragma once

#include <gio/gio.h>

#include "postaci-html-text.h"
#include "postaci-request.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_MESSAGE (postaci_message_get_type ())
G_DECLARE_FINAL_TYPE (PostaciMessage, postaci_message, POSTACI, MESSAGE, GObject)

/* Builds multipart/alternative (text/plain + text/html), UTF-8, with an RFC 2047 subject,
 * Date, Message-ID, From and To, from @request; inside multipart/mixed when @request has
 * attachments or a size to reach. The bodies are read once here, a chunk at a time, to check
 * them and to learn what their encoding and size will be; the text derived from the HTML is
 * kept in a temporary file when it is large. Nothing is held whole in memory.
 * @request must outlive the message: its bodies are read in place. */
PostaciMessage *postaci_message_new            (const PostaciRequest *request,
                                                GError              **error);

/* The DATA payload, composed while it is read: CRLF line ends, dot-stuffed, ending with
 * "\r\n.\r\n" — exactly the bytes that follow the 354. With @eight_bit (the server offers
 * 8BITMIME, RFC 6152) a text part with 8-bit characters and lines of at most 998 octets goes
 * as it is; otherwise as quoted-printable. Attachments go as base64.
 * @size: (out): the message size of RFC 1870 (CRLF counted, without the dot-stuffing and the
 * final dot), for SIZE=. Fails when the size to reach is smaller than the message itself. */
GInputStream   *postaci_message_open_data      (PostaciMessage       *self,
                                                gboolean              eight_bit,
                                                goffset              *size,
                                                GError              **error);
/* Whether the latest postaci_message_open_data() sent a part as 8bit (MAIL FROM then says
 * BODY=8BITMIME). */
gboolean        postaci_message_get_eight_bit  (PostaciMessage       *self);

/* The message as it would be written (LF line ends, 7-bit), for tests and previews. */
GBytes         *postaci_message_to_bytes       (PostaciMessage       *self);
const char     *postaci_message_get_message_id (PostaciMessage       *self);

/* Reads a size such as "25M": bytes, or K, M, G for 1024, 1024², 1024³ (a trailing "B" or
 * "iB" is allowed). Returns FALSE for anything else, 0, or more than 1 TiB. */
gboolean        postaci_parse_size             (const char           *text,
                                                guint64              *size);

G_END_DECLS
