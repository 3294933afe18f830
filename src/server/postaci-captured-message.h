/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-captured-message.h — one message the Local Test Server received: envelope and subject. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define POSTACI_TYPE_CAPTURED_MESSAGE (postaci_captured_message_get_type ())
G_DECLARE_FINAL_TYPE (PostaciCapturedMessage, postaci_captured_message, POSTACI, CAPTURED_MESSAGE, GObject)

/* The header block read for the subject, and the largest .eml file read back. */
#define POSTACI_CAPTURED_MESSAGE_MAX_HEADER (256 * 1024)
#define POSTACI_CAPTURED_MESSAGE_MAX_FILE (64 * 1024 * 1024)

/* Made by PostaciLocalServer once a message has been written to its folder.
 * @raw is the .eml file's content: the server's trace and envelope header
 * fields (Received, X-Postaci-Envelope-From, X-Postaci-Envelope-To) followed
 * by the data exactly as the client sent it, dot-unstuffed, CRLF line ends.
 * The subject is read from @raw's header block alone with GMime (RFC 2047
 * decoded); @raw itself is not kept: the message lives in the file at @path. */
PostaciCapturedMessage *postaci_captured_message_new (const char         *from,
                                                      const char *const  *recipients,
                                                      GBytes             *raw,
                                                      const char         *path,
                                                      GDateTime          *received,
                                                      gboolean            tls,
                                                      gboolean            authenticated);

/* The envelope sender (MAIL FROM), "" for the null sender <>. */
const char        *postaci_captured_message_get_from          (PostaciCapturedMessage *self);
/* The envelope recipients (RCPT TO), NULL-terminated. */
const char *const *postaci_captured_message_get_recipients    (PostaciCapturedMessage *self);
/* The decoded Subject header, "" when there is none. */
const char        *postaci_captured_message_get_subject       (PostaciCapturedMessage *self);
/* The size of the .eml file in bytes. */
gsize              postaci_captured_message_get_size          (PostaciCapturedMessage *self);
/* When the final dot was received. (transfer none) */
GDateTime         *postaci_captured_message_get_received_time (PostaciCapturedMessage *self);
/* The .eml file. */
const char        *postaci_captured_message_get_path          (PostaciCapturedMessage *self);
/* The .eml content, read from the file now. (transfer full) Errors: G_FILE_ERROR. */
GBytes            *postaci_captured_message_read              (PostaciCapturedMessage *self,
                                                               GError                **error);
/* The message read from its file, as a person checks it: the header block exactly as received
 * (LF line ends, valid UTF-8), and the first plain-text and HTML parts that are not
 * attachments, decoded (NULL when there is none). Any of the three may be NULL. Errors: as
 * postaci_captured_message_read(); G_IO_ERROR_NOT_FOUND when GMime cannot be loaded. */
gboolean           postaci_captured_message_read_parts        (PostaciCapturedMessage  *self,
                                                               char                   **headers,
                                                               char                   **text,
                                                               char                   **html,
                                                               GError                 **error);
/* Whether the message came over TLS (STARTTLS or implicit) and after AUTH. */
gboolean           postaci_captured_message_get_tls           (PostaciCapturedMessage *self);
gboolean           postaci_captured_message_get_authenticated (PostaciCapturedMessage *self);

G_END_DECLS
