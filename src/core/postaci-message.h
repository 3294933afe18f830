/* postaci-message.h — the MIME message through GMime, ready to stream after DATA. */
#pragma once

#include <gio/gio.h>

#include "postaci-request.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_MESSAGE (postaci_message_get_type ())
G_DECLARE_FINAL_TYPE (PostaciMessage, postaci_message, POSTACI, MESSAGE, GObject)

/* Builds multipart/alternative (text/plain + text/html), UTF-8, with an RFC 2047
 * subject, Date, Message-ID, From and To, from @request. Nothing is written yet. */
PostaciMessage *postaci_message_new            (const PostaciRequest *request,
                                                GError              **error);

/* Writes the DATA payload to an unlinked temporary file and opens it for
 * reading: CRLF line ends, dot-stuffed, ending with "\r\n.\r\n" — exactly
 * the bytes that follow the 354. The message is never held twice in memory.
 * @size: (out): the payload's size in bytes (for SIZE=). */
GInputStream   *postaci_message_open_data      (PostaciMessage       *self,
                                                goffset              *size,
                                                GError              **error);

/* The message as it would be written (LF line ends), for tests and previews. */
GBytes         *postaci_message_to_bytes       (PostaciMessage       *self);
const char     *postaci_message_get_message_id (PostaciMessage       *self);

/* A readable plain-text rendering of @html (tags dropped, entities decoded,
 * paragraphs and line breaks kept). */
char           *postaci_html_to_text           (const char           *html);

/* Sets GMime up once per process (never shut down: other code may use it too). */
void            postaci_message_ensure_gmime   (void);

G_END_DECLS
