/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-redactor.h — masks every form of the secrets a run sent in text a person will read. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the masked text shows instead of a secret; the same mask as the AUTH lines. */
#define POSTACI_REDACTOR_MASK "****"

typedef struct _PostaciRedactor PostaciRedactor;

PostaciRedactor *postaci_redactor_new       (void);
/* Frees the redactor and wipes every secret it held. */
void             postaci_redactor_free      (PostaciRedactor *redactor);
/* Adds @secret as it is and in base64. An empty secret is ignored. */
void             postaci_redactor_add       (PostaciRedactor *redactor,
                                             const char      *secret);
/* Adds a SASL response as it went on the wire (base64), and the parts of its decoded form
 * that could stand for it: the whole decoded text when it is printable, and each long
 * field of it (a CRAM-MD5 digest, a SCRAM proof). @username is not a secret: it stays. */
void             postaci_redactor_add_response (PostaciRedactor *redactor,
                                                const char      *response,
                                                const char      *username);
/* @text with every secret replaced by POSTACI_REDACTOR_MASK, the longest first; @length may be
 * -1 for a NUL-terminated text. Returns: (transfer full) a new string of the same kind. */
char            *postaci_redactor_apply     (const PostaciRedactor *redactor,
                                             const char            *text,
                                             gssize                 length,
                                             gsize                 *out_length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciRedactor, postaci_redactor_free)

G_END_DECLS
