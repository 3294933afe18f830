/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-local-server.h — the Local Test Server, Postacı's own SMTP server: a loopback-only
 * sink. */
#pragma once

#include <gio/gio.h>

#include "postaci-captured-message.h"
#include "postaci-request.h"
#include "postaci-types.h"

G_BEGIN_DECLS

/*
 * What it is. A small SMTP server on the GLib main loop of the thread that
 * starts it, for a person to test against: it listens on 127.0.0.1 and, when
 * the machine has it, ::1 — never on any other address — on two ports: the
 * first speaks plain SMTP with STARTTLS, the second implicit TLS. It never
 * forwards anything (no relay, whatever the recipient): every message it
 * accepts is written to a folder as an .eml file and kept in a list.
 *
 * TLS. A throwaway self-signed certificate is made with GnuTLS for each start,
 * when first needed (ECDSA P-256, CN and DNS name "localhost", IP addresses
 * 127.0.0.1 and ::1, valid from an hour ago for three days). A client pins it
 * (PostaciRequest's pinned_certificate) or trusts its PEM
 * (postaci_local_server_get_certificate_pem).
 *
 * Account. One user, "postaci", with a random password made at start; AUTH
 * PLAIN, LOGIN and CRAM-MD5. AUTH is offered on every link, before TLS too:
 * the server only listens on loopback, and the password is a throwaway that
 * the server shows anyway. Mail is accepted with or without AUTH.
 *
 * EHLO offers SIZE (enforced: 552 5.3.4 for a SIZE= parameter or data over the
 * limit), 8BITMIME, SMTPUTF8, PIPELINING (commands are answered one by one, in
 * order, whatever the client sent ahead), ENHANCEDSTATUSCODES, STARTTLS (plain
 * port, before TLS), AUTH and HELP. NOOP, RSET, VRFY (252), HELP and QUIT work.
 *
 * Limits, after Postfix's smtpd and anvil. Lines longer than 4096 bytes end the
 * connection (500 5.5.2); each command (and each line of a message) has a
 * deadline, 300 s by default, but a client gets 30 s for its first command
 * and 10 s for a TLS handshake; peers that are not loopback addresses are
 * dropped; a connection whose line is an HTTP request ("GET / HTTP/1.1",
 * "POST", "Host:"…) is dropped with 421 4.7.0 and never answered as SMTP; at
 * most 100 recipients per message. At most 16 clients at once, counted when
 * the connection is accepted, before any TLS: when every slot is taken, the
 * client that has waited longest for its next command (for 2 s at least)
 * yields its slot with 421 4.4.2; without one, the newcomer hears 421 4.7.0
 * and is closed. Pending handshakes on the implicit TLS port have a pool of
 * their own (8), so they never take the plain port's slots. A connection that
 * would leave fewer than 32 descriptors spare is closed at once, and accept
 * backs off and tries again after EMFILE/ENFILE.
 *
 * Memory. A received message is written to its .eml file and then let go:
 * the list keeps its envelope, subject (read from the header block alone) and
 * size; postaci_captured_message_read() reads the file back. An optional quota
 * caps the bytes of .eml files in the folder: a message that would go over it
 * is refused with 452 4.3.1 and nothing is deleted.
 *
 * The .eml file. Received, X-Postaci-Envelope-From and X-Postaci-Envelope-To
 * header fields come first, then the data exactly as sent, dot-unstuffed, with
 * CRLF line ends. Files are named YYYYMMDD-HHMMSS-NNNNNN-N.eml. Data with a
 * bare LF line end is refused at the final dot (550 5.6.0): only CRLF ends
 * lines, and only CRLF "." CRLF ends the data.
 *
 * Failure on purpose. postaci_local_server_set_failure() makes one stage
 * answer with the given code and a reply text with an enhanced status code that
 * Postacı's catalog explains:
 *   greeting  the banner (421 closes the connection; 554 answers 503 to everything
 *             but QUIT); or POSTACI_LOCAL_SERVER_SILENT: connect, then say nothing
 *   ehlo      EHLO and HELO
 *   tls       the reply to STARTTLS (e.g. 454 4.7.0); the implicit TLS port is not affected
 *   auth      the final reply of a complete AUTH exchange, whatever the credentials
 *   mail      MAIL FROM;  rcpt: every RCPT TO (550 5.1.1: the mailbox does not exist)
 *   data      the reply to the final dot, after the whole message was received; the
 *             message is then not captured
 * A 421 at any stage closes the connection after the reply.
 */

/*
 * Properties, read-only and notified when they change: "running" (boolean), "port" and
 * "tls-port" (the ports of the current or last run), "password" (of the current or last run)
 * and "n-clients" (connections being served).
 */

#define POSTACI_LOCAL_SERVER_ERROR (postaci_local_server_error_quark ())

typedef enum {
  POSTACI_LOCAL_SERVER_ERROR_CERTIFICATE, /* the throwaway certificate could not be made */
  POSTACI_LOCAL_SERVER_ERROR_LISTEN,      /* a port could not be bound on 127.0.0.1, or it is
                                           * taken on ::1 by another program */
  POSTACI_LOCAL_SERVER_ERROR_FOLDER,      /* the folder for .eml files could not be made, or it is
                                           * not safe: owned by someone else, writable by others */
  POSTACI_LOCAL_SERVER_ERROR_FAILURE,     /* a failure-on-purpose setting is not valid */
  POSTACI_LOCAL_SERVER_ERROR_RUNNING,     /* started twice */
} PostaciLocalServerError;

/* The user name of the one account. */
#define POSTACI_LOCAL_SERVER_USERNAME "postaci"
/* A pseudo reply code for the greeting stage: accept the connection, say nothing. */
#define POSTACI_LOCAL_SERVER_SILENT 1000
#define POSTACI_LOCAL_SERVER_DEFAULT_MAX_SIZE (25 * 1024 * 1024)
#define POSTACI_LOCAL_SERVER_DEFAULT_TIMEOUT 300
/* RFC 5321 §4.5.3.2.7 asks for 5 minutes per command; a client that has not said a word yet gets
 * less (Postfix, under stress, gives 10 s), so idle connections cannot hold the slots. */
#define POSTACI_LOCAL_SERVER_DEFAULT_FIRST_COMMAND_TIMEOUT 30

#define POSTACI_TYPE_LOCAL_SERVER (postaci_local_server_get_type ())
G_DECLARE_FINAL_TYPE (PostaciLocalServer, postaci_local_server, POSTACI, LOCAL_SERVER, GObject)

GQuark              postaci_local_server_error_quark (void);
PostaciLocalServer *postaci_local_server_new          (void);

/* Settings; set them before postaci_local_server_start(). Port 0 (the default)
 * picks a free port. The folder defaults to a new directory under
 * $XDG_CACHE_HOME/postaci/mail (made at start). */
void         postaci_local_server_set_port            (PostaciLocalServer *self,
                                                       guint               port);
void         postaci_local_server_set_tls_port        (PostaciLocalServer *self,
                                                       guint               port);
void         postaci_local_server_set_folder          (PostaciLocalServer *self,
                                                       const char         *folder);
void         postaci_local_server_set_max_size        (PostaciLocalServer *self,
                                                       gsize               max_size);
void         postaci_local_server_set_timeout         (PostaciLocalServer *self,
                                                       guint               seconds);
/* The deadline for a client's first command, after the greeting. */
void         postaci_local_server_set_first_command_timeout (PostaciLocalServer *self,
                                                             guint               seconds);
/* The most bytes of .eml files the folder may hold (those already there count); 0, the
 * default, for no quota. */
void         postaci_local_server_set_quota           (PostaciLocalServer *self,
                                                       guint64             bytes);
guint64      postaci_local_server_get_quota           (PostaciLocalServer *self);

/* Failure on purpose; may change while running (it applies to the next reply
 * of that stage). @code is a reply code from 400 to 599, or
 * POSTACI_LOCAL_SERVER_SILENT for the greeting; 0 clears the stage. Returns
 * FALSE with POSTACI_LOCAL_SERVER_ERROR_FAILURE for a stage that cannot fail
 * here (connect, quit) or a code out of range. */
gboolean     postaci_local_server_set_failure         (PostaciLocalServer *self,
                                                       PostaciStage        stage,
                                                       guint               code,
                                                       GError            **error);
guint        postaci_local_server_get_failure         (PostaciLocalServer *self,
                                                       PostaciStage        stage);
void         postaci_local_server_clear_failures      (PostaciLocalServer *self);
/* Parses "STAGE=CODE" ("rcpt=550", "greeting=silent"); translated error messages. */
gboolean     postaci_local_server_parse_failure       (const char         *spec,
                                                       PostaciStage       *stage,
                                                       guint              *code,
                                                       GError            **error);

/* Makes the password, makes the folder (or checks the one given: a directory of
 * this user that no one else may write), binds both ports and starts answering.
 * The certificate waits for its first use. Errors: POSTACI_LOCAL_SERVER_ERROR_*. */
gboolean     postaci_local_server_start               (PostaciLocalServer *self,
                                                       GError            **error);
/* Starts on the ports of the last run when both are still free, so that a form pointing at
 * the server still does; on any free ports when one was taken meanwhile (and before the first
 * run). The window's switch and its first start use it. */
gboolean     postaci_local_server_start_on_last_ports (PostaciLocalServer *self,
                                                       GError            **error);
/* Stops listening and drops every client at once. Captured messages stay. */
void         postaci_local_server_stop                (PostaciLocalServer *self);
gboolean     postaci_local_server_is_running          (PostaciLocalServer *self);

/* Valid while running (the ports) or after the first start. */
guint        postaci_local_server_get_port            (PostaciLocalServer *self);
guint        postaci_local_server_get_tls_port        (PostaciLocalServer *self);
/* TRUE when ::1 is served too. */
gboolean     postaci_local_server_get_has_ipv6        (PostaciLocalServer *self);
const char  *postaci_local_server_get_username        (PostaciLocalServer *self);
const char  *postaci_local_server_get_password        (PostaciLocalServer *self);
/* Makes this start's certificate now, when it was not made yet (postaci-cli --serve prints its
 * fingerprint at once). The getters below make it too, and warn when it cannot be made.
 * Errors: POSTACI_LOCAL_SERVER_ERROR_CERTIFICATE, G_TLS_ERROR. */
gboolean     postaci_local_server_make_certificate    (PostaciLocalServer *self,
                                                       GError            **error);
/* (transfer none) the throwaway certificate with its key, for a client to pin. */
GTlsCertificate *postaci_local_server_get_certificate (PostaciLocalServer *self);
/* The certificate alone as PEM (no key), for a client to trust. */
const char  *postaci_local_server_get_certificate_pem (PostaciLocalServer *self);
/* SHA-256 of the certificate, AA:BB:… */
const char  *postaci_local_server_get_fingerprint     (PostaciLocalServer *self);
const char  *postaci_local_server_get_folder          (PostaciLocalServer *self);
gsize        postaci_local_server_get_max_size        (PostaciLocalServer *self);
guint        postaci_local_server_get_n_clients       (PostaciLocalServer *self);

/* A request prefilled for this server (the window's form, on first run and by "Use in
 * the Form"): server "127.0.0.1", the STARTTLS port, security starttls, AUTH with the
 * account. The certificate is not pinned, so that filling a form does not make it: a caller
 * that runs the request pins postaci_local_server_get_certificate(). Sender, recipients,
 * subject and body are left to the caller. Only while running; free with
 * postaci_request_free(). */
PostaciRequest *postaci_local_server_new_request      (PostaciLocalServer *self);

/* (transfer none) A GListModel of PostaciCapturedMessage, oldest first; the
 * newest 500 are listed (every one stays in the folder); only their envelope
 * and subject are in memory.
 * Signal "message-received" (PostaciCapturedMessage *message) follows each
 * addition, after the .eml file is written and before the client hears 250. */
GListModel  *postaci_local_server_get_messages        (PostaciLocalServer *self);

G_END_DECLS
