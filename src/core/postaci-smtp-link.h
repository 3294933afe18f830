/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-smtp-link.h — the link under SMTP: connect, TLS, a line out, a reply in, deadlines.
 *
 * The link knows nothing of SMTP's commands; it knows how SMTP talks: CRLF lines out, replies of
 * one or more lines in (PostaciReply), STARTTLS as an upgrade in the middle. PostaciSession
 * drives it through a run; the port probe and a console drive it directly:
 *
 *   link = postaci_smtp_link_new ("mx.example.com", 587);
 *   postaci_smtp_link_set_timeout (link, 10);
 *   connect_async → read_reply_async (the banner) → send_line_async ("EHLO …")
 *   → read_reply_async → send_line_async ("STARTTLS") → read_reply_async (MORE_ALLOWED)
 *   → start_tls_async → get_peer_certificate / get_certificate_errors → close_async
 *
 * One operation at a time. Every operation has a deadline (set_timeout, per operation; a reply
 * of many lines is one operation) and takes a GCancellable; a deadline that passes is
 * POSTACI_SESSION_ERROR_TIMEOUT (NO_GREETING when not a byte has arrived since the connect),
 * the caller's cancellable is G_IO_ERROR_CANCELLED.
 *
 * What the link does on its own, and says through ::event: the addresses it tries, the TLS
 * version and cipher, the certificate's facts and problems. What it reads goes out through
 * ::server-line, already masked by the redactor (set_redactor) and escaped.
 */
#pragma once

#include <gio/gio.h>

#include "postaci-errors.h"
#include "postaci-event.h"
#include "postaci-redactor.h"
#include "postaci-reply.h"

G_BEGIN_DECLS

typedef enum {
  /* The last reply the caller waits for: bytes already behind it would be read as the answer
   * to the next command (a desynchronised session that a server, or someone in between, could
   * steer); they are POSTACI_SESSION_ERROR_PROTOCOL. */
  POSTACI_SMTP_LINK_READ_ALONE = 0,
  /* More may follow: the replies of a pipelined batch before its last, the 220 to STARTTLS
   * (start_tls_async() has its own, sharper rule), the reply to QUIT. */
  POSTACI_SMTP_LINK_READ_MORE_ALLOWED = 1 << 0,
} PostaciSmtpLinkReadFlags;

#define POSTACI_TYPE_SMTP_LINK (postaci_smtp_link_get_type ())
G_DECLARE_FINAL_TYPE (PostaciSmtpLink, postaci_smtp_link, POSTACI, SMTP_LINK, GObject)

/* @host: a name or an IP address, without IPv6 brackets; it is also the TLS identity (SNI and
 * the certificate check; an IP address is checked against the certificate's addresses). */
PostaciSmtpLink  *postaci_smtp_link_new              (const char       *host,
                                                      guint             port);

/* The deadline of each operation from now on; 30 s until set. */
void              postaci_smtp_link_set_timeout      (PostaciSmtpLink  *self,
                                                      guint             seconds);
/* Whom to trust: @ca_file (NULL: the system's authorities), a @pinned certificate accepted
 * whatever verification says (the Local Test Server's), or any certificate for this link
 * when @accept_invalid. */
void              postaci_smtp_link_set_trust        (PostaciSmtpLink  *self,
                                                      const char       *ca_file,
                                                      GTlsCertificate  *pinned,
                                                      gboolean          accept_invalid);
/* A look, not a run (the port probe): any certificate is accepted so that what the server
 * offers behind TLS can be seen; its problems are still reported and kept
 * (get_certificate_errors). Only EHLO and QUIT may follow such a handshake: never credentials. */
void              postaci_smtp_link_set_look_only    (PostaciSmtpLink  *self,
                                                      gboolean          look_only);
/* Secrets to mask in every line read; the link keeps a pointer: @redactor must outlive it. */
void              postaci_smtp_link_set_redactor     (PostaciSmtpLink  *self,
                                                      const PostaciRedactor *redactor);

/* Looks the host up and tries its addresses one by one until one answers. Errors: the last
 * address's (GIOError), a GResolverError, POSTACI_SESSION_ERROR_TIMEOUT, G_IO_ERROR_CANCELLED. */
void              postaci_smtp_link_connect_async    (PostaciSmtpLink     *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean          postaci_smtp_link_connect_finish   (PostaciSmtpLink     *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* TLS over the link: at once after the connect (implicit TLS, port 465), or after the server's
 * 220 to STARTTLS. Bytes the server sent before the handshake would be read as if they came
 * through TLS (CVE-2011-0411): they are POSTACI_SESSION_ERROR_STARTTLS_INJECTION. A rejected
 * certificate is POSTACI_SESSION_ERROR_CERTIFICATE; other failures are GTlsError/GIOError. */
void              postaci_smtp_link_start_tls_async  (PostaciSmtpLink     *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean          postaci_smtp_link_start_tls_finish (PostaciSmtpLink     *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Writes @line and CRLF. The bytes are wiped once written: a line may carry credentials.
 * The link does not show it: the caller shows what it wants (a masked AUTH line). */
void              postaci_smtp_link_send_line_async  (PostaciSmtpLink     *self,
                                                      const char          *line,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean          postaci_smtp_link_send_line_finish (PostaciSmtpLink     *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
/* Writes @n_lines lines, each with CRLF, in one write: a batch under PIPELINING (RFC 2920),
 * which then reaches the server in one segment. Wiped once written, as a single line is. */
void              postaci_smtp_link_send_lines_async (PostaciSmtpLink     *self,
                                                      const char *const   *lines,
                                                      guint                n_lines,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean          postaci_smtp_link_send_lines_finish (PostaciSmtpLink    *self,
                                                       GAsyncResult       *result,
                                                       GError            **error);
/* Writes @size bytes as they are (message data, already dot-stuffed). @data must stay valid
 * until the callback. */
void              postaci_smtp_link_write_async      (PostaciSmtpLink     *self,
                                                      const void          *data,
                                                      gsize                size,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean          postaci_smtp_link_write_finish     (PostaciSmtpLink     *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Reads one whole reply under one deadline: a server that dribbles continuation lines forever
 * still runs out of time. Each line goes out through ::server-line as it arrives. Errors:
 * PostaciReplyError, PostaciLineReaderError, POSTACI_SESSION_ERROR_PROTOCOL (lines behind the
 * reply, see the flags), TIMEOUT, NO_GREETING, GIOError. */
void              postaci_smtp_link_read_reply_async (PostaciSmtpLink          *self,
                                                      PostaciSmtpLinkReadFlags  flags,
                                                      GCancellable             *cancellable,
                                                      GAsyncReadyCallback       callback,
                                                      gpointer                  user_data);
PostaciReply     *postaci_smtp_link_read_reply_finish (PostaciSmtpLink     *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* Closes the link (with TLS close_notify); never fails, within the deadline. */
void              postaci_smtp_link_close_async      (PostaciSmtpLink     *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
void              postaci_smtp_link_close_finish     (PostaciSmtpLink     *self,
                                                      GAsyncResult        *result);

gboolean          postaci_smtp_link_is_connected     (PostaciSmtpLink  *self);
gboolean          postaci_smtp_link_get_tls_active   (PostaciSmtpLink  *self);
/* Whether the server sent a single byte of SMTP (a line, or part of one). */
gboolean          postaci_smtp_link_get_received_any (PostaciSmtpLink  *self);
/* Bytes read from the server and not yet consumed. */
gsize             postaci_smtp_link_get_buffered     (PostaciSmtpLink  *self);
gint64            postaci_smtp_link_get_certificate_not_after (PostaciSmtpLink *self);
/* What verification found in the last handshake; 0 when it passed or none happened. */
GTlsCertificateFlags postaci_smtp_link_get_certificate_errors (PostaciSmtpLink *self);
/* (transfer none) (nullable): the server's certificate after start_tls_async(). */
GTlsCertificate  *postaci_smtp_link_get_peer_certificate (PostaciSmtpLink *self);
/* "TLS 1.3" and the like once TLS is up; NULL before. */
const char       *postaci_smtp_link_get_tls_version  (PostaciSmtpLink  *self);
/* (transfer full) (nullable): the server's address once connected. */
GSocketAddress   *postaci_smtp_link_get_remote_address (PostaciSmtpLink *self);
/* (transfer full) (nullable): this side's address, for an EHLO address literal. */
GSocketAddress   *postaci_smtp_link_get_local_address (PostaciSmtpLink *self);

G_END_DECLS
