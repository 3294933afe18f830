/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-types.h — the small enums every part of Postacı shares. Each is a GEnum type
 * (postaci-enum-types.h, made by glib-mkenums); its nicks are the names the CLI and JSON use. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* How the link to the server is protected. */
typedef enum {
  POSTACI_SECURITY_AUTO,     /* 465 means TLS; otherwise STARTTLS when offered (warn if not) */
  POSTACI_SECURITY_NONE,     /* plain text; HELO fallback allowed */
  POSTACI_SECURITY_STARTTLS, /* STARTTLS required: fail closed when missing or refused */
  POSTACI_SECURITY_TLS,      /* implicit TLS from the first byte (port 465) */
} PostaciSecurity;

/* The stages of a run, in the order a person reads them in the window.
 * With implicit TLS the TLS stage happens before the greeting. */
typedef enum /*< prefix=POSTACI_STAGE >*/ {
  POSTACI_STAGE_CONNECT,
  POSTACI_STAGE_GREETING,
  POSTACI_STAGE_EHLO,
  POSTACI_STAGE_TLS,
  POSTACI_STAGE_AUTH,
  POSTACI_STAGE_MAIL,
  POSTACI_STAGE_RCPT,
  POSTACI_STAGE_DATA,
  POSTACI_STAGE_QUIT,
  POSTACI_N_STAGES, /*< skip >*/
} PostaciStage;

/* SASL mechanisms, strongest last; AUTO lets the session choose. */
typedef enum /*< prefix=POSTACI_MECHANISM >*/ {
  POSTACI_MECHANISM_AUTO,
  POSTACI_MECHANISM_PLAIN,
  POSTACI_MECHANISM_LOGIN,
  POSTACI_MECHANISM_CRAM_MD5,
  POSTACI_MECHANISM_DIGEST_MD5,
  POSTACI_MECHANISM_NTLM,
  POSTACI_MECHANISM_XOAUTH2,
  POSTACI_MECHANISM_SCRAM_SHA_1,
  POSTACI_MECHANISM_SCRAM_SHA_256,
  POSTACI_N_MECHANISMS, /*< skip >*/
} PostaciMechanism;

/* The command a server reply answers; gives a reply code its meaning. */
typedef enum {
  POSTACI_COMMAND_NONE,     /* the greeting, or a line nobody asked for */
  POSTACI_COMMAND_EHLO,
  POSTACI_COMMAND_HELO,
  POSTACI_COMMAND_STARTTLS,
  POSTACI_COMMAND_AUTH,
  POSTACI_COMMAND_MAIL,
  POSTACI_COMMAND_RCPT,
  POSTACI_COMMAND_DATA,     /* the DATA command itself: 354 expected */
  POSTACI_COMMAND_DATA_END, /* the final dot after the message */
  POSTACI_COMMAND_RSET,
  POSTACI_COMMAND_QUIT,
} PostaciCommand;

const char *postaci_security_to_string  (PostaciSecurity   security);
gboolean    postaci_security_from_string (const char       *str,
                                          PostaciSecurity  *out);
const char *postaci_stage_to_string     (PostaciStage      stage);
const char *postaci_stage_get_label     (PostaciStage      stage);
gboolean    postaci_stage_from_string   (const char       *str,
                                         PostaciStage     *out);
const char *postaci_mechanism_to_string (PostaciMechanism  mechanism);
const char *postaci_mechanism_get_sasl_name (PostaciMechanism mechanism);
gboolean    postaci_mechanism_from_string (const char      *str,
                                           PostaciMechanism *out);
const char *postaci_command_to_string   (PostaciCommand    command);
/* The nick of @value in the GEnum @type (postaci-enum-types.h): the one name the CLI, JSON,
 * settings and reports use for it. NULL (and a critical) for a value the type does not have. */
const char *postaci_enum_get_nick       (GType             type,
                                         int               value);
/* The value whose nick is exactly @nick (as written: JSON, a saved report). FALSE when none. */
gboolean    postaci_enum_from_nick      (GType             type,
                                         const char       *nick,
                                         int              *out);

G_END_DECLS
