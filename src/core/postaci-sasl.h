/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-sasl.h — the client side of SMTP AUTH (RFC 4954) through GNU SASL, XOAUTH2 by hand. */
#pragma once

#include <glib.h>

#include "postaci-types.h"

G_BEGIN_DECLS

#define POSTACI_SASL_ERROR (postaci_sasl_error_quark ())

typedef enum {
  POSTACI_SASL_ERROR_UNSUPPORTED,   /* the mechanism is not available in this build */
  POSTACI_SASL_ERROR_NO_MECHANISM,  /* nothing in common with what the server offers */
  POSTACI_SASL_ERROR_PLAINTEXT,     /* PLAIN/LOGIN over an unencrypted link, not allowed */
  POSTACI_SASL_ERROR_BAD_CHALLENGE, /* the server's challenge is not valid base64 or SASL */
  POSTACI_SASL_ERROR_FAILED,        /* GNU SASL reported an error */
} PostaciSaslError;

typedef struct _PostaciSasl PostaciSasl;

GQuark            postaci_sasl_error_quark  (void);

/* Picks the mechanism: @requested if the server offers it, or with AUTO the
 * strongest of our ordered allowlist that the server offers. PLAIN and LOGIN
 * are refused on an unencrypted link unless @allow_plaintext.
 * @offered: the mechanisms of the EHLO AUTH line (after TLS), upper case. */
gboolean          postaci_sasl_choose       (const char *const *offered,
                                             PostaciMechanism   requested,
                                             gboolean           link_encrypted,
                                             gboolean           allow_plaintext,
                                             PostaciMechanism  *chosen,
                                             GError           **error);
gboolean          postaci_sasl_mechanism_available (PostaciMechanism mechanism);

/* @hostname: the server's name, for DIGEST-MD5's digest-uri (smtp/hostname).
 * @password: the bearer token for XOAUTH2.
 * Errors: UNSUPPORTED when GNU SASL lacks @mechanism, FAILED otherwise. */
PostaciSasl      *postaci_sasl_new          (PostaciMechanism   mechanism,
                                             const char        *username,
                                             const char        *password,
                                             const char        *hostname,
                                             GError           **error);
void              postaci_sasl_free         (PostaciSasl       *sasl);
PostaciMechanism  postaci_sasl_get_mechanism (PostaciSasl      *sasl);
/* TRUE when the client speaks first: the AUTH line carries an initial response. */
gboolean          postaci_sasl_has_initial_response (PostaciSasl *sasl);

/**
 * postaci_sasl_step:
 * @challenge: the text of the server's 334 reply (base64), or %NULL for the
 *   initial response
 * @response: (out): base64 to send ("" for an empty response, sent as "=" on
 *   the AUTH line). It may carry the password (PLAIN, LOGIN) or the token
 *   (XOAUTH2): never log it, and clear it before freeing.
 *
 * A client-first mechanism (see postaci_sasl_has_initial_response()) takes
 * %NULL, or an empty challenge, for its first step; a server-first one must
 * not be given %NULL. After ten steps the server is taken to be looping.
 * Returns: %FALSE with a #PostaciSaslError when the exchange cannot go on:
 *   BAD_CHALLENGE for a challenge that is not strict base64 or that the
 *   mechanism cannot parse, FAILED for anything else GNU SASL rejects
 *   (including a server that fails SCRAM's or DIGEST-MD5's mutual check).
 */
gboolean          postaci_sasl_step         (PostaciSasl       *sasl,
                                             const char        *challenge,
                                             char             **response,
                                             GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciSasl, postaci_sasl_free)

G_END_DECLS
