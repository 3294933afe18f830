/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-server-sasl.c — AUTH on the Local Test Server's side (RFC 4954): PLAIN, LOGIN and
 * CRAM-MD5 against its one account, in time that never tells where a guess went wrong. */
#define G_LOG_DOMAIN "postaci-local-server"

#include "config.h"

#include <string.h>

#include "postaci-server-connection.h"
#include "postaci-server-sasl.h"

/* Compares in time that depends on the lengths only, never on where they differ. */
static gboolean
equal_secret (const char *a, gsize a_len, const char *b, gsize b_len)
{
  guint8 diff = a_len != b_len;

  for (gsize i = 0; i < a_len; i++)
    diff |= (guint8) a[i] ^ (guint8) (b_len > 0 ? b[i % b_len] : 0);
  return diff == 0;
}

/* Strict base64 (RFC 4648 §4, padding required): g_base64_decode() skips bad
 * characters silently. Returns NULL when @text is not base64. */
static guint8 *
decode_base64 (const char *text, gsize *length)
{
  gsize len = strlen (text);

  if (len % 4 != 0)
    return NULL;
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (c == '=' ? i < len - 2 || (i == len - 2 && text[len - 1] != '=')
                   : !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return NULL;
    }
  if (len == 0)
    {
      *length = 0;
      return g_malloc0 (1);
    }
  return g_base64_decode (text, length);
}
void
postaci_server_sasl_clear (PostaciServerConnection *conn)
{
  if (conn->auth_user != NULL)
    explicit_bzero (conn->auth_user, strlen (conn->auth_user));
  g_clear_pointer (&conn->auth_user, g_free);
  g_clear_pointer (&conn->challenge, g_free);
}

static void
auth_done (PostaciServerConnection *conn, gboolean valid)
{
  guint failure = postaci_server_connection_failure_at (conn, POSTACI_STAGE_AUTH);

  postaci_server_sasl_clear (conn);
  if (failure != 0)
    {
      postaci_server_connection_fail (conn, POSTACI_STAGE_AUTH, failure, CONNECTION_COMMAND);
      return;
    }
  if (!valid)
    {
      postaci_server_connection_error (conn, "535 5.7.8 Authentication credentials invalid");
      return;
    }
  conn->authenticated = TRUE;
  postaci_server_connection_reply (conn, CONNECTION_COMMAND, "235 2.7.0 Authentication successful");
}

static gboolean
check_credentials (PostaciServerConnection *conn, const char *user, const char *password,
                   gsize password_len)
{
  const char *secret = conn->server->password;

  return equal_secret (user, strlen (user), POSTACI_LOCAL_SERVER_USERNAME,
                       strlen (POSTACI_LOCAL_SERVER_USERNAME)) &
         equal_secret (password, password_len, secret, strlen (secret));
}

/* PLAIN (RFC 4616 §2): authzid NUL authcid NUL passwd; an authzid must name the same user. */
static gboolean
check_plain (PostaciServerConnection *conn, const char *data, gsize len)
{
  const char *end = data + len;
  const char *authcid = memchr (data, '\0', len);
  const char *passwd =
    authcid != NULL ? memchr (authcid + 1, '\0', (gsize) (end - authcid - 1)) : NULL;
  g_autofree char *user = NULL;
  gsize            authzid_len;

  if (passwd == NULL)
    return FALSE;
  authzid_len = (gsize) (authcid - data);
  user = g_strndup (authcid + 1, (gsize) (passwd - authcid - 1));
  return check_credentials (conn, user, passwd + 1, (gsize) (end - passwd - 1)) &&
         (authzid_len == 0 ||
          (authzid_len == strlen (user) && memcmp (data, user, authzid_len) == 0));
}

/* CRAM-MD5 (RFC 2195 §2): "user SP hex(HMAC-MD5(password, challenge))". */
static gboolean
check_cram_md5 (PostaciServerConnection *conn, const char *data, gsize len)
{
  const char      *space = memchr (data, ' ', len);
  const char      *secret = conn->server->password;
  g_autofree char *digest = NULL;
  g_autofree char *user = NULL;

  if (space == NULL)
    return FALSE;
  digest = g_compute_hmac_for_string (G_CHECKSUM_MD5, (const guchar *) secret, strlen (secret),
                                      conn->challenge, -1);
  user = g_strndup (data, (gsize) (space - data));
  return equal_secret (user, strlen (user), POSTACI_LOCAL_SERVER_USERNAME,
                       strlen (POSTACI_LOCAL_SERVER_USERNAME)) &
         equal_secret (space + 1, len - (gsize) (space + 1 - data), digest, strlen (digest));
}

/* One SASL response line (RFC 4954 §4): "*" cancels, anything else is base64. */
void
postaci_server_sasl_step (PostaciServerConnection *conn, const char *line)
{
  g_autofree guint8 *decoded = NULL;
  gsize              len = 0;

  conn->state = CONNECTION_COMMAND;
  if (g_str_equal (line, "*"))
    {
      postaci_server_sasl_clear (conn);
      postaci_server_connection_error (conn, "501 5.0.0 Authentication cancelled");
      return;
    }
  decoded = decode_base64 (line, &len);
  if (decoded == NULL)
    {
      postaci_server_sasl_clear (conn);
      postaci_server_connection_error (conn, "501 5.5.2 Cannot decode the response");
      return;
    }

  switch (conn->sasl_step)
    {
    case SASL_PLAIN:
      {
        gboolean valid = check_plain (conn, (const char *) decoded, len);

        explicit_bzero (decoded, len);
        auth_done (conn, valid);
        return;
      }
    case SASL_LOGIN_USER:
      conn->auth_user = g_strndup ((const char *) decoded, len);
      conn->sasl_step = SASL_LOGIN_PASSWORD;
      postaci_server_connection_reply (conn, CONNECTION_AUTH, "334 UGFzc3dvcmQ6"); /* "Password:" */
      return;
    case SASL_LOGIN_PASSWORD:
      {
        gboolean valid = check_credentials (conn, conn->auth_user, (const char *) decoded, len);

        explicit_bzero (decoded, len);
        auth_done (conn, valid);
        return;
      }
    case SASL_CRAM_MD5:
      auth_done (conn, check_cram_md5 (conn, (const char *) decoded, len));
      return;
    default:
      g_assert_not_reached ();
    }
}

void
postaci_server_sasl_start (PostaciServerConnection *conn, const char *arg)
{
  g_auto(GStrv) words = NULL;
  const char *initial;

  if (conn->helo == NULL || !conn->esmtp)
    {
      postaci_server_connection_error (conn, "503 5.5.1 Send EHLO first");
      return;
    }
  if (conn->authenticated)
    {
      postaci_server_connection_error (conn, "503 5.5.1 Already authenticated");
      return;
    }
  if (conn->mail_from != NULL)
    {
      postaci_server_connection_error (conn,
                                       "503 5.5.1 AUTH is not allowed during a mail transaction");
      return;
    }
  if (arg == NULL)
    {
      postaci_server_connection_error (conn, "501 5.5.4 Syntax: AUTH mechanism [initial-response]");
      return;
    }
  words = g_strsplit (arg, " ", 3);
  initial = words[1];
  if (words[1] != NULL && words[2] != NULL)
    {
      postaci_server_connection_error (conn, "501 5.5.4 Syntax: AUTH mechanism [initial-response]");
      return;
    }

  if (g_ascii_strcasecmp (words[0], "PLAIN") == 0)
    {
      conn->sasl_step = SASL_PLAIN;
      if (initial == NULL)
        postaci_server_connection_reply (conn, CONNECTION_AUTH, "334 ");
      else
        postaci_server_sasl_step (conn, g_str_equal (initial, "=") ? "" : initial);
    }
  else if (g_ascii_strcasecmp (words[0], "LOGIN") == 0)
    {
      conn->sasl_step = SASL_LOGIN_USER;
      if (initial == NULL)
        postaci_server_connection_reply (conn, CONNECTION_AUTH,
                                         "334 VXNlcm5hbWU6"); /* "Username:" */
      else
        postaci_server_sasl_step (conn, initial);
    }
  else if (g_ascii_strcasecmp (words[0], "CRAM-MD5") == 0 && initial == NULL)
    {
      g_autofree char *b64 = NULL;

      conn->sasl_step = SASL_CRAM_MD5;
      conn->challenge = g_strdup_printf ("<%u.%" G_GINT64_FORMAT "@%s>", g_random_int (),
                                         g_get_real_time (), HOSTNAME);
      b64 = g_base64_encode ((const guchar *) conn->challenge, strlen (conn->challenge));
      postaci_server_connection_reply (conn, CONNECTION_AUTH, "334 %s", b64);
    }
  else
    postaci_server_connection_error (conn, "504 5.5.4 Unrecognized authentication type");
}
