/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-request.h — what a run should do: plain data, checked before a byte is sent. */
#pragma once

#include <gio/gio.h>

#include "postaci-types.h"

G_BEGIN_DECLS

#define POSTACI_REQUEST_ERROR (postaci_request_error_quark ())

/* Each code names the field at fault, so a form can mark it. */
typedef enum {
  POSTACI_REQUEST_ERROR_SERVER,
  POSTACI_REQUEST_ERROR_PORT,
  POSTACI_REQUEST_ERROR_USERNAME,
  POSTACI_REQUEST_ERROR_PASSWORD,
  POSTACI_REQUEST_ERROR_MECHANISM,
  POSTACI_REQUEST_ERROR_EHLO_NAME,
  POSTACI_REQUEST_ERROR_FROM,
  POSTACI_REQUEST_ERROR_RECIPIENTS,
  POSTACI_REQUEST_ERROR_SUBJECT,
  POSTACI_REQUEST_ERROR_BODY,
  POSTACI_REQUEST_ERROR_TIMEOUT,
  POSTACI_REQUEST_ERROR_CA_FILE,
  POSTACI_REQUEST_ERROR_ATTACHMENT,
} PostaciRequestError;

/* The default per-reply deadline. RFC 5321 §4.5.3.2 gives servers minutes per
 * command; a person waiting at a tester wants to know sooner. */
#define POSTACI_DEFAULT_TIMEOUT_SECONDS 30
#define POSTACI_MAX_TIMEOUT_SECONDS     3600

/* RFC 4954 §4: a server must accept an AUTH command line of 12,288 octets. The user name and
 * the password travel base64-encoded in one initial response (PLAIN, XOAUTH2), so together
 * they stay below 3/4 of that, with room for the command and the mechanism's framing. */
#define POSTACI_MAX_CREDENTIALS_BYTES   9000

typedef struct _PostaciRequest PostaciRequest;

struct _PostaciRequest {
  char             *server;        /* host name, IPv4 or IPv6 literal (brackets allowed) */
  guint             port;          /* 0: 465 with TLS, otherwise 587 */
  PostaciSecurity   security;

  gboolean          auth;          /* log in before MAIL FROM */
  PostaciMechanism  mechanism;
  char             *username;
  char             *password;      /* wiped on free; never logged */
  gboolean          allow_plain_auth; /* any AUTH over an unencrypted link */

  char             *ehlo_name;     /* NULL: this machine's name */
  char             *from;          /* envelope and header sender */
  GPtrArray        *recipients;    /* char *, envelope and To: */
  char             *subject;
  char             *html;          /* HTML body */
  char             *html_file;     /* or the HTML body read from this file as it is sent */
  char             *text;          /* plain body; NULL: derived from the HTML */
  GPtrArray        *attachments;   /* char *: files attached, read from disk as they are sent */
  guint64           size;          /* 0, or the exact size of a generated message (size test) */

  PostaciStage      stop_after;    /* POSTACI_STAGE_QUIT: the whole session */
  gboolean          no_pipelining; /* one command at a time even when PIPELINING is offered */
  guint             timeout_seconds; /* per reply; 0: the default */
  char             *ca_file;       /* extra trust anchors, PEM */
  gboolean          accept_invalid_certificate; /* this run only, stated in the transcript */
  GTlsCertificate  *pinned_certificate; /* accepted even when it does not verify (the Local
                                         * Test Server's); stated in the transcript */
};

#define POSTACI_TYPE_REQUEST (postaci_request_get_type ())

GType            postaci_request_get_type      (void) G_GNUC_CONST;
GQuark           postaci_request_error_quark   (void);
PostaciRequest  *postaci_request_new           (void);
PostaciRequest  *postaci_request_copy          (const PostaciRequest *self);
void             postaci_request_free          (PostaciRequest       *self);
void             postaci_request_set_password  (PostaciRequest       *self,
                                                const char           *password);
void             postaci_request_add_recipients (PostaciRequest      *self,
                                                 const char          *list);
guint            postaci_request_get_port      (const PostaciRequest *self);
PostaciSecurity  postaci_request_get_effective_security (const PostaciRequest *self);
guint            postaci_request_get_timeout   (const PostaciRequest *self);
gboolean         postaci_request_validate      (const PostaciRequest *self,
                                                GError              **error);
gboolean         postaci_address_needs_smtputf8 (const char          *address);
char            *postaci_address_to_ascii      (const char           *address);
char            *postaci_request_get_host_for_tls (const PostaciRequest *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciRequest, postaci_request_free)

G_END_DECLS
