/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-redactor.c — masks every form of the secrets a run sent in text a person will read.
 *
 * Some servers echo what they did not understand ("500 5.5.1 Command unrecognized: …"), and a
 * hostile one echoes on purpose: without this, the base64 PLAIN blob a client sent would come
 * back in a 535 and land in a transcript that is pasted into a helpdesk ticket. */
#define G_LOG_DOMAIN "postaci-redactor"

#include "config.h"

#include <string.h>

#include "postaci-redactor.h"

/* Decoded fields shorter than this are words such as "n=ali" or "auth": not worth a mask. */
#define MIN_DECODED_FIELD 16

struct _PostaciRedactor
{
  GPtrArray *secrets; /* char *, longest first */
};

static void
wipe_free (gpointer data)
{
  char *secret = data;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

PostaciRedactor *
postaci_redactor_new (void)
{
  PostaciRedactor *redactor = g_new0 (PostaciRedactor, 1);

  redactor->secrets = g_ptr_array_new_with_free_func (wipe_free);
  return redactor;
}

void
postaci_redactor_free (PostaciRedactor *redactor)
{
  if (redactor == NULL)
    return;
  g_ptr_array_unref (redactor->secrets);
  g_free (redactor);
}

static gint
longest_first (gconstpointer a, gconstpointer b)
{
  gsize la = strlen (*(const char *const *) a);
  gsize lb = strlen (*(const char *const *) b);

  return la < lb ? 1 : la > lb ? -1 : 0;
}

static void
add_one (PostaciRedactor *redactor, const char *secret, gsize length)
{
  if (length == 0)
    return;
  for (guint i = 0; i < redactor->secrets->len; i++)
    {
      const char *known = g_ptr_array_index (redactor->secrets, i);

      if (strlen (known) == length && memcmp (known, secret, length) == 0)
        return;
    }
  g_ptr_array_add (redactor->secrets, g_strndup (secret, length));
  g_ptr_array_sort (redactor->secrets, longest_first);
}

void
postaci_redactor_add (PostaciRedactor *redactor, const char *secret)
{
  g_autofree char *b64 = NULL;

  g_return_if_fail (redactor != NULL);
  if (secret == NULL || *secret == '\0')
    return;
  add_one (redactor, secret, strlen (secret));
  b64 = g_base64_encode ((const guchar *) secret, strlen (secret));
  add_one (redactor, b64, strlen (b64));
  explicit_bzero (b64, strlen (b64));
}

void
postaci_redactor_add_response (PostaciRedactor *redactor, const char *response,
                               const char *username)
{
  g_autofree guchar *decoded = NULL;
  gsize              size = 0;
  gsize              start = 0;

  g_return_if_fail (redactor != NULL);
  if (response == NULL || *response == '\0' || g_str_equal (response, "="))
    return;
  add_one (redactor, response, strlen (response));

  decoded = g_base64_decode (response, &size);
  if (decoded == NULL || size == 0)
    return;
  /* Fields of the decoded form: PLAIN and XOAUTH2 split on NUL and ^A, CRAM-MD5 on a space,
   * SCRAM and DIGEST-MD5 on commas. */
  for (gsize i = 0; i <= size; i++)
    if (i == size || memchr (" ,\x01", decoded[i], 3) != NULL || decoded[i] == '\0')
      {
        gsize       length = i - start;
        const char *field = (const char *) decoded + start;

        if (length >= MIN_DECODED_FIELD && g_utf8_validate (field, (gssize) length, NULL) &&
            (username == NULL || strlen (username) != length ||
             memcmp (username, field, length) != 0))
          add_one (redactor, field, length);
        start = i + 1;
      }
  /* Printable as a whole (CRAM-MD5's "user digest"): a server could echo that, too. */
  if (memchr (decoded, '\0', size) == NULL &&
      g_utf8_validate ((const char *) decoded, (gssize) size, NULL) &&
      g_strcmp0 (username, (const char *) decoded) != 0)
    add_one (redactor, (const char *) decoded, size);
  explicit_bzero (decoded, size);
}

char *
postaci_redactor_apply (const PostaciRedactor *redactor, const char *text, gssize length,
                        gsize *out_length)
{
  GString *out;
  gsize    size;

  g_return_val_if_fail (redactor != NULL, NULL);
  g_return_val_if_fail (text != NULL || length == 0, NULL);

  size = length < 0 ? strlen (text) : (gsize) length;
  out = g_string_sized_new (size + 1);
  /* One pass, left to right, longest secret first at each position: a mask is never
   * matched again, and a secret inside a longer one goes with it. */
  for (gsize i = 0; i < size;)
    {
      gboolean masked = FALSE;

      for (guint s = 0; s < redactor->secrets->len; s++)
        {
          const char *secret = g_ptr_array_index (redactor->secrets, s);
          gsize       secret_length = strlen (secret);

          if (secret_length <= size - i && memcmp (text + i, secret, secret_length) == 0)
            {
              g_string_append (out, POSTACI_REDACTOR_MASK);
              i += secret_length;
              masked = TRUE;
              break;
            }
        }
      if (!masked)
        g_string_append_c (out, text[i++]);
    }
  if (out_length != NULL)
    *out_length = out->len;
  return g_string_free (out, FALSE);
}
