/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sasl.c — mechanism choice, and real SASL exchanges against GNU SASL's server side. */
#include "config.h"

#include <string.h>
#include <gsasl.h>
#include <glib.h>

#include "postaci-sasl.h"

#define TEST_HOST "mail.example.org"

/* The account the in-test server knows: RFC 5802's example user. */
static const char *const server_user = "user";
static const char *const server_password = "pencil";

/* NUL-terminated: g_base64_decode() zero-fills one byte more than it writes. */
static char *
decode (const char *b64, gsize *length)
{
  gsize ignored;

  return (char *) g_base64_decode (b64, length != NULL ? length : &ignored);
}

static void
assert_decodes_to (const char *b64, const char *expected, gsize expected_length)
{
  gsize length = 0;
  g_autofree char *raw = decode (b64, &length);

  g_assert_cmpmem (raw, length, expected, expected_length);
}

/* ---- choose ---- */

static void
test_choose_auto_strongest (void)
{
  const char *const offered[] = { "PLAIN", "LOGIN", "SCRAM-SHA-256", "CRAM-MD5", NULL };
  PostaciMechanism chosen = POSTACI_MECHANISM_AUTO;
  GError *error = NULL;

  g_assert_true (postaci_sasl_choose (offered, POSTACI_MECHANISM_AUTO, TRUE, FALSE, &chosen,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_SCRAM_SHA_256);

  /* The link does not matter when the winner never sends the password. */
  chosen = POSTACI_MECHANISM_AUTO;
  g_assert_true (postaci_sasl_choose (offered, POSTACI_MECHANISM_AUTO, FALSE, FALSE, &chosen,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_SCRAM_SHA_256);
}

static void
test_choose_auto_order (void)
{
  const char *const scram[] = { "SCRAM-SHA-1", "NTLM", "DIGEST-MD5", "PLAIN", NULL };
  const char *const md5[] = { "DIGEST-MD5", "CRAM-MD5", "NTLM", "PLAIN", NULL };
  const char *const digest[] = { "LOGIN", "NTLM", "PLAIN", "DIGEST-MD5", NULL };
  const char *const ntlm[] = { "LOGIN", "PLAIN", "NTLM", NULL };
  const char *const plain[] = { "LOGIN", "PLAIN", NULL };
  PostaciMechanism chosen;
  GError *error = NULL;

  g_assert_true (postaci_sasl_choose (scram, POSTACI_MECHANISM_AUTO, TRUE, FALSE, &chosen,
                                      &error));
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_SCRAM_SHA_1);
  /* CRAM-MD5 before DIGEST-MD5: see auto_order in postaci-sasl.c for why. */
  g_assert_true (postaci_sasl_choose (md5, POSTACI_MECHANISM_AUTO, TRUE, FALSE, &chosen,
                                      &error));
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_CRAM_MD5);
  g_assert_true (postaci_sasl_choose (digest, POSTACI_MECHANISM_AUTO, TRUE, FALSE, &chosen,
                                      &error));
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_DIGEST_MD5);
  g_assert_true (postaci_sasl_choose (ntlm, POSTACI_MECHANISM_AUTO, TRUE, FALSE, &chosen,
                                      &error));
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_NTLM);
  g_assert_true (postaci_sasl_choose (plain, POSTACI_MECHANISM_AUTO, TRUE, FALSE, &chosen,
                                      &error));
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_PLAIN);
  g_assert_no_error (error);
}

static void
test_choose_auto_plaintext (void)
{
  const char *const offered[] = { "PLAIN", "LOGIN", NULL };
  const char *const login_only[] = { "LOGIN", "GSSAPI", NULL };
  PostaciMechanism chosen = POSTACI_MECHANISM_AUTO;
  GError *error = NULL;

  g_assert_false (postaci_sasl_choose (offered, POSTACI_MECHANISM_AUTO, FALSE, FALSE, &chosen,
                                       &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_PLAINTEXT);
  g_assert_nonnull (strstr (error->message, "PLAIN"));
  g_assert_nonnull (strstr (error->message, "unencrypted"));
  g_assert_nonnull (strstr (error->message, "STARTTLS"));
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_AUTO);
  g_clear_error (&error);

  /* A mechanism we cannot use at all does not hide that TLS is the fix. */
  g_assert_false (postaci_sasl_choose (login_only, POSTACI_MECHANISM_AUTO, FALSE, FALSE,
                                       &chosen, &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_PLAINTEXT);
  g_assert_nonnull (strstr (error->message, "LOGIN"));
  g_clear_error (&error);

  g_assert_true (postaci_sasl_choose (offered, POSTACI_MECHANISM_AUTO, FALSE, TRUE, &chosen,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_PLAIN);

  chosen = POSTACI_MECHANISM_AUTO;
  g_assert_true (postaci_sasl_choose (offered, POSTACI_MECHANISM_AUTO, TRUE, FALSE, &chosen,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_PLAIN);
}

static void
test_choose_explicit (void)
{
  /* what splitting "AUTH PLAIN  CRAM-MD5" on spaces gives */
  const char *const offered[] = { "PLAIN", "", "CRAM-MD5", NULL };
  PostaciMechanism chosen = POSTACI_MECHANISM_AUTO;
  GError *error = NULL;

  g_assert_false (postaci_sasl_choose (offered, POSTACI_MECHANISM_LOGIN, TRUE, FALSE, &chosen,
                                       &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_NO_MECHANISM);
  g_assert_cmpstr (error->message, ==,
                   "The server does not offer LOGIN; it offers: PLAIN, CRAM-MD5");
  g_clear_error (&error);

  /* An explicit choice wins over a stronger one the server also offers. */
  g_assert_true (postaci_sasl_choose (offered, POSTACI_MECHANISM_PLAIN, TRUE, FALSE, &chosen,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_PLAIN);

  chosen = POSTACI_MECHANISM_AUTO;
  g_assert_false (postaci_sasl_choose (offered, POSTACI_MECHANISM_PLAIN, FALSE, FALSE, &chosen,
                                       &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_PLAINTEXT);
  g_assert_cmpstr (error->message, ==,
                   "PLAIN would send the credentials across the network unencrypted; enable "
                   "STARTTLS or SSL/TLS, or allow plain-text authentication explicitly");
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_AUTO);
  g_clear_error (&error);

  g_assert_true (postaci_sasl_choose (offered, POSTACI_MECHANISM_PLAIN, FALSE, TRUE, &chosen,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_PLAIN);

  /* CRAM-MD5 never sends the password, so a plain link is fine. */
  g_assert_true (postaci_sasl_choose (offered, POSTACI_MECHANISM_CRAM_MD5, FALSE, FALSE,
                                      &chosen, &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_CRAM_MD5);
}

static void
test_choose_case_insensitive (void)
{
  const char *const offered[] = { "login", "Cram-Md5", "scram-sha-1", NULL };
  PostaciMechanism chosen = POSTACI_MECHANISM_AUTO;
  GError *error = NULL;

  g_assert_true (postaci_sasl_choose (offered, POSTACI_MECHANISM_AUTO, TRUE, FALSE, &chosen,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_SCRAM_SHA_1);

  g_assert_true (postaci_sasl_choose (offered, POSTACI_MECHANISM_LOGIN, TRUE, FALSE, &chosen,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_LOGIN);
}

static void
test_choose_xoauth2 (void)
{
  const char *const only[] = { "XOAUTH2", NULL };
  const char *const with_plain[] = { "XOAUTH2", "PLAIN", NULL };
  PostaciMechanism chosen = POSTACI_MECHANISM_AUTO;
  GError *error = NULL;

  g_assert_false (postaci_sasl_choose (only, POSTACI_MECHANISM_AUTO, TRUE, TRUE, &chosen,
                                       &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_NO_MECHANISM);
  g_assert_nonnull (strstr (error->message, "XOAUTH2"));
  g_clear_error (&error);

  g_assert_true (postaci_sasl_choose (with_plain, POSTACI_MECHANISM_AUTO, TRUE, FALSE, &chosen,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_PLAIN);

  g_assert_true (postaci_sasl_choose (with_plain, POSTACI_MECHANISM_XOAUTH2, TRUE, FALSE,
                                      &chosen, &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, POSTACI_MECHANISM_XOAUTH2);

  /* A bearer token is as replayable as a password. */
  g_assert_false (postaci_sasl_choose (with_plain, POSTACI_MECHANISM_XOAUTH2, FALSE, FALSE,
                                       &chosen, &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_PLAINTEXT);
  g_clear_error (&error);
}

static void
test_choose_nothing_offered (void)
{
  const char *const empty[] = { NULL };
  const char *const unknown[] = { "GSSAPI", "OTP\x1b[31m", NULL };
  PostaciMechanism chosen = POSTACI_MECHANISM_AUTO;
  GError *error = NULL;

  g_assert_false (postaci_sasl_choose (empty, POSTACI_MECHANISM_AUTO, FALSE, FALSE, &chosen,
                                       &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_NO_MECHANISM);
  g_assert_nonnull (strstr (error->message, "STARTTLS"));
  g_clear_error (&error);

  g_assert_false (postaci_sasl_choose (NULL, POSTACI_MECHANISM_PLAIN, TRUE, FALSE, &chosen,
                                       &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_NO_MECHANISM);
  g_clear_error (&error);

  /* The server's words reach the message with control bytes masked. */
  g_assert_false (postaci_sasl_choose (unknown, POSTACI_MECHANISM_AUTO, TRUE, FALSE, &chosen,
                                       &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_NO_MECHANISM);
  g_assert_nonnull (strstr (error->message, "(it offers: GSSAPI, OTP?[31m)"));
  g_clear_error (&error);
}

static void
test_available (void)
{
  g_assert_false (postaci_sasl_mechanism_available (POSTACI_MECHANISM_AUTO));
  g_assert_true (postaci_sasl_mechanism_available (POSTACI_MECHANISM_XOAUTH2));
  /* Debian 12's libgsasl 2.2 builds every mechanism we list. */
  g_assert_true (postaci_sasl_mechanism_available (POSTACI_MECHANISM_PLAIN));
  g_assert_true (postaci_sasl_mechanism_available (POSTACI_MECHANISM_LOGIN));
  g_assert_true (postaci_sasl_mechanism_available (POSTACI_MECHANISM_CRAM_MD5));
  g_assert_true (postaci_sasl_mechanism_available (POSTACI_MECHANISM_DIGEST_MD5));
  g_assert_true (postaci_sasl_mechanism_available (POSTACI_MECHANISM_SCRAM_SHA_1));
  g_assert_true (postaci_sasl_mechanism_available (POSTACI_MECHANISM_SCRAM_SHA_256));
}

static void
test_initial_response_flags (void)
{
  static const struct {
    PostaciMechanism mechanism;
    gboolean         client_first;
  } cases[] = {
    { POSTACI_MECHANISM_PLAIN, TRUE },          { POSTACI_MECHANISM_XOAUTH2, TRUE },
    { POSTACI_MECHANISM_SCRAM_SHA_1, TRUE },    { POSTACI_MECHANISM_SCRAM_SHA_256, TRUE },
    { POSTACI_MECHANISM_NTLM, TRUE },           { POSTACI_MECHANISM_LOGIN, FALSE },
    { POSTACI_MECHANISM_CRAM_MD5, FALSE },      { POSTACI_MECHANISM_DIGEST_MD5, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      g_autoptr(PostaciSasl) sasl = NULL;

      if (!postaci_sasl_mechanism_available (cases[i].mechanism))
        continue;
      sasl = postaci_sasl_new (cases[i].mechanism, "user", "pass", TEST_HOST, &error);
      g_assert_no_error (error);
      g_assert_cmpint (postaci_sasl_get_mechanism (sasl), ==, cases[i].mechanism);
      g_assert_cmpint (postaci_sasl_has_initial_response (sasl), ==, cases[i].client_first);
    }
}

/* ---- fixed vectors ---- */

static void
test_plain (void)
{
  GError *error = NULL;
  g_autoptr(PostaciSasl) sasl = postaci_sasl_new (POSTACI_MECHANISM_PLAIN, "user", "pass",
                                                  TEST_HOST, &error);
  g_autofree char *response = NULL;

  g_assert_no_error (error);
  g_assert_true (postaci_sasl_step (sasl, NULL, &response, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (response, ==, "AHVzZXIAcGFzcw==");
  assert_decodes_to (response, "\0user\0pass", 10);
}

static void
test_plain_empty_challenge (void)
{
  GError *error = NULL;
  g_autoptr(PostaciSasl) sasl = postaci_sasl_new (POSTACI_MECHANISM_PLAIN, "user", "pass",
                                                  TEST_HOST, &error);
  g_autofree char *response = NULL;

  /* AUTH PLAIN without an initial response: the server sends "334 " and waits for it. */
  g_assert_no_error (error);
  g_assert_true (postaci_sasl_step (sasl, "", &response, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (response, ==, "AHVzZXIAcGFzcw==");
}

static void
test_login (void)
{
  GError *error = NULL;
  g_autoptr(PostaciSasl) sasl = postaci_sasl_new (POSTACI_MECHANISM_LOGIN, "user", "pass",
                                                  TEST_HOST, &error);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_assert_no_error (error);
  g_assert_true (postaci_sasl_step (sasl, "VXNlcm5hbWU6", &first, &error));  /* "Username:" */
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "dXNlcg==");
  g_assert_true (postaci_sasl_step (sasl, "UGFzc3dvcmQ6", &second, &error)); /* "Password:" */
  g_assert_no_error (error);
  g_assert_cmpstr (second, ==, "cGFzcw==");
}

static void
test_cram_md5_rfc2195 (void)
{
  GError *error = NULL;
  g_autoptr(PostaciSasl) sasl = postaci_sasl_new (POSTACI_MECHANISM_CRAM_MD5, "tim",
                                                  "tanstaaftanstaaf", TEST_HOST, &error);
  g_autofree char *response = NULL;

  g_assert_no_error (error);
  /* base64 of "<1896.697170952@postoffice.reston.mci.net>", as the server sends it */
  g_assert_true (postaci_sasl_step (sasl,
                                    "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
                                    &response, &error));
  g_assert_no_error (error);
  assert_decodes_to (response, "tim b913a602c7eda7a495b4e6e7334d3890", 36);
  g_assert_cmpstr (response, ==, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
}

/* The example of Google's XOAUTH2 protocol page. */
static void
test_xoauth2 (void)
{
  static const char expected[] =
    "user=someuser@example.com\001"
    "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\001\001";
  GError *error = NULL;
  g_autoptr(PostaciSasl) sasl =
    postaci_sasl_new (POSTACI_MECHANISM_XOAUTH2, "someuser@example.com",
                      "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", NULL, &error);
  g_autofree char *initial = NULL;
  g_autofree char *after_error = NULL;

  g_assert_no_error (error);
  g_assert_true (postaci_sasl_step (sasl, NULL, &initial, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (initial, ==,
                   "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52"
                   "YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
  assert_decodes_to (initial, expected, sizeof expected - 1);

  /* {"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"} */
  g_assert_true (postaci_sasl_step (sasl,
                                    "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOi"
                                    "JodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==",
                                    &after_error, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (after_error, ==, "");
}

static void
test_xoauth2_separator_refused (void)
{
  GError *error = NULL;
  PostaciSasl *sasl = postaci_sasl_new (POSTACI_MECHANISM_XOAUTH2, "a\001auth=Bearer x", "tok",
                                        NULL, &error);

  g_assert_null (sasl);
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_FAILED);
  g_clear_error (&error);
}

static void
test_ntlm_type1 (void)
{
  GError *error = NULL;
  g_autoptr(PostaciSasl) sasl = NULL;
  g_autofree char *response = NULL;

  if (!postaci_sasl_mechanism_available (POSTACI_MECHANISM_NTLM))
    {
      g_test_skip ("GNU SASL was built without NTLM");
      return;
    }
  sasl = postaci_sasl_new (POSTACI_MECHANISM_NTLM, "user", "pass", TEST_HOST, &error);
  g_assert_no_error (error);
  g_assert_true (postaci_sasl_step (sasl, NULL, &response, &error));
  g_assert_no_error (error);
  /* "NTLMSSP\0" then message type 1 (negotiate) */
  g_assert_true (g_str_has_prefix (response, "TlRMTVNTUAAB"));
}

/* ---- full exchanges against GNU SASL's server side ---- */

static int
server_callback (Gsasl *context, Gsasl_session *session, Gsasl_property property)
{
  const char *authid = gsasl_property_fast (session, GSASL_AUTHID);
  const char *password;

  switch ((int) property)
    {
    case GSASL_PASSWORD:
      if (g_strcmp0 (authid, server_user) != 0)
        return GSASL_NO_CALLBACK;
      gsasl_property_set (session, GSASL_PASSWORD, server_password);
      return GSASL_OK;
    case GSASL_SCRAM_ITER:
      gsasl_property_set (session, GSASL_SCRAM_ITER, "4096");
      return GSASL_OK;
    case GSASL_SCRAM_SALT: /* RFC 5802 §5's salt */
      gsasl_property_set (session, GSASL_SCRAM_SALT, "QSXCR+Q6sek8bf92");
      return GSASL_OK;
    case GSASL_VALIDATE_SIMPLE: /* PLAIN and LOGIN */
      password = gsasl_property_fast (session, GSASL_PASSWORD);
      if (g_strcmp0 (authid, server_user) == 0 && g_strcmp0 (password, server_password) == 0)
        return GSASL_OK;
      return GSASL_AUTHENTICATION_ERROR;
    default:
      return GSASL_NO_CALLBACK;
    }
}

typedef struct {
  int       server_rc;     /* the server's last step */
  gboolean  client_ok;     /* every client step succeeded */
  GError   *client_error;
  char     *client_first;  /* what went on the AUTH line or answered the first 334, decoded */
  char     *client_second;
} Exchange;

static void
exchange_clear (Exchange *ex)
{
  g_clear_error (&ex->client_error);
  g_clear_pointer (&ex->client_first, g_free);
  g_clear_pointer (&ex->client_second, g_free);
}

/* Runs one AUTH the way RFC 4954 §4 orders it: the client's initial response on the AUTH line
 * (or an empty one for a server-first mechanism), then 334 challenges and answers until the
 * server decides; extra data with the server's success goes in one last 334 that the client
 * answers with an empty line. */
static void
run_exchange (PostaciMechanism mechanism, const char *password, Exchange *ex)
{
  Gsasl *server_context = NULL;
  Gsasl_session *server = NULL;
  GError *error = NULL;
  g_autoptr(PostaciSasl) client = NULL;
  g_autofree char *to_server = NULL;
  guint client_messages = 0;

  memset (ex, 0, sizeof *ex);
  client = postaci_sasl_new (mechanism, server_user, password, TEST_HOST, &error);
  g_assert_no_error (error);

  g_assert_cmpint (gsasl_init (&server_context), ==, GSASL_OK);
  gsasl_callback_set (server_context, server_callback);
  g_assert_cmpint (gsasl_server_start (server_context, postaci_mechanism_get_sasl_name (mechanism),
                                       &server),
                   ==, GSASL_OK);
  gsasl_property_set (server, GSASL_SERVICE, "smtp");
  gsasl_property_set (server, GSASL_HOSTNAME, TEST_HOST);

  ex->client_ok = TRUE;
  if (postaci_sasl_has_initial_response (client))
    {
      g_assert_true (postaci_sasl_step (client, NULL, &to_server, &error));
      g_assert_no_error (error);
      ex->client_first = decode (to_server, NULL);
      client_messages++;
    }
  else
    to_server = g_strdup ("");

  for (guint round = 0;; round++)
    {
      char *challenge = NULL;
      g_autofree char *answer = NULL;

      g_assert_cmpuint (round, <, 6);
      ex->server_rc = gsasl_step64 (server, to_server, &challenge);
      if (ex->server_rc != GSASL_OK && ex->server_rc != GSASL_NEEDS_MORE)
        break; /* 535 */
      if (ex->server_rc == GSASL_OK && challenge[0] == '\0')
        {
          gsasl_free (challenge);
          break; /* 235 */
        }
      ex->client_ok = postaci_sasl_step (client, challenge, &answer, &ex->client_error);
      gsasl_free (challenge);
      if (!ex->client_ok)
        break; /* the client would send "*" to cancel */
      if (client_messages == 0)
        ex->client_first = decode (answer, NULL);
      else if (client_messages == 1)
        ex->client_second = decode (answer, NULL);
      client_messages++;
      if (ex->server_rc == GSASL_OK)
        {
          /* The answer to the server's final data is empty, then 235 follows. */
          g_assert_cmpstr (answer, ==, "");
          break;
        }
      g_free (to_server);
      to_server = g_steal_pointer (&answer);
    }

  gsasl_finish (server);
  gsasl_done (server_context);
}

static void
test_exchange (gconstpointer data)
{
  PostaciMechanism mechanism = GPOINTER_TO_INT (data);
  Exchange ex;

  run_exchange (mechanism, server_password, &ex);
  g_assert_no_error (ex.client_error);
  g_assert_true (ex.client_ok);
  g_assert_cmpint (ex.server_rc, ==, GSASL_OK);

  switch ((int) mechanism)
    {
    case POSTACI_MECHANISM_SCRAM_SHA_1:
    case POSTACI_MECHANISM_SCRAM_SHA_256:
      /* RFC 5802 §5: GS2 header "n,," (no channel binding, no authzid), then the user;
       * c=biws is base64 of that same "n,,". */
      g_assert_true (g_str_has_prefix (ex.client_first, "n,,n=user,r="));
      g_assert_cmpuint (strlen (ex.client_first), >, strlen ("n,,n=user,r="));
      g_assert_true (g_str_has_prefix (ex.client_second, "c=biws,r="));
      g_assert_nonnull (strstr (ex.client_second, ",p="));
      break;
    case POSTACI_MECHANISM_DIGEST_MD5:
      g_assert_nonnull (strstr (ex.client_first, "username=\"user\""));
      g_assert_nonnull (strstr (ex.client_first, "digest-uri=\"smtp/" TEST_HOST "\""));
      /* authentication only: no security layer to wrap the rest of the session in */
      g_assert_nonnull (strstr (ex.client_first, "qop=auth"));
      g_assert_null (strstr (ex.client_first, "auth-int"));
      g_assert_null (strstr (ex.client_first, "auth-conf"));
      g_assert_null (strstr (ex.client_first, "pencil"));
      break;
    case POSTACI_MECHANISM_CRAM_MD5:
      g_assert_true (g_str_has_prefix (ex.client_first, "user "));
      g_assert_cmpuint (strlen (ex.client_first), ==, strlen ("user ") + 32);
      break;
    case POSTACI_MECHANISM_LOGIN:
      g_assert_cmpstr (ex.client_first, ==, "user");
      g_assert_cmpstr (ex.client_second, ==, "pencil");
      break;
    case POSTACI_MECHANISM_PLAIN:
      g_assert_cmpmem (ex.client_first, 12, "\0user\0pencil", 12);
      break;
    default:
      g_assert_not_reached ();
    }
  exchange_clear (&ex);
}

static void
test_exchange_wrong_password (gconstpointer data)
{
  PostaciMechanism mechanism = GPOINTER_TO_INT (data);
  Exchange ex;

  run_exchange (mechanism, "not-pencil", &ex);
  /* The client cannot know the password is wrong; the server refuses it. */
  g_assert_no_error (ex.client_error);
  g_assert_true (ex.client_ok);
  g_assert_cmpint (ex.server_rc, ==, GSASL_AUTHENTICATION_ERROR);
  exchange_clear (&ex);
}

/* A server that does not know the password cannot produce SCRAM's server signature:
 * the client must refuse to go on (mutual authentication). */
static void
test_scram_bad_server_signature (void)
{
  Gsasl *server_context = NULL;
  Gsasl_session *server = NULL;
  GError *error = NULL;
  g_autoptr(PostaciSasl) client = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *answer = NULL;
  char *challenge = NULL;
  char *server_final = NULL;

  client = postaci_sasl_new (POSTACI_MECHANISM_SCRAM_SHA_1, server_user, server_password,
                             TEST_HOST, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gsasl_init (&server_context), ==, GSASL_OK);
  gsasl_callback_set (server_context, server_callback);
  g_assert_cmpint (gsasl_server_start (server_context, "SCRAM-SHA-1", &server), ==, GSASL_OK);

  g_assert_true (postaci_sasl_step (client, NULL, &first, &error));
  g_assert_cmpint (gsasl_step64 (server, first, &challenge), ==, GSASL_NEEDS_MORE);
  g_assert_true (postaci_sasl_step (client, challenge, &second, &error));
  g_assert_no_error (error);
  gsasl_free (challenge);
  g_assert_cmpint (gsasl_step64 (server, second, &server_final), ==, GSASL_OK);
  gsasl_free (server_final);

  /* base64 of "v=" and a signature of twenty zero bytes */
  g_assert_false (postaci_sasl_step (client, "dj1BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQT0=", &answer,
                                     &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_FAILED);
  g_assert_null (answer);
  g_clear_error (&error);

  gsasl_finish (server);
  gsasl_done (server_context);
}

/* ---- hostile input ---- */

/* A SCRAM server-first message that echoes the client's nonce (so that it is well formed)
 * with the iteration count @iterations. */
static char *
scram_server_first (const char *client_first_b64, const char *iterations)
{
  gsize length = 0;
  g_autofree guchar *client_first = g_base64_decode (client_first_b64, &length);
  g_autofree char *text = g_strndup ((const char *) client_first, length);
  const char *nonce = strstr (text, ",r=");
  g_autofree char *server_first = NULL;

  g_assert_nonnull (nonce);
  server_first = g_strdup_printf ("r=%sQmFkU2VydmVy,s=c2FsdHNhbHQ=,i=%s", nonce + 3, iterations);
  return g_base64_encode ((const guchar *) server_first, strlen (server_first));
}

/* The iteration count is the server's to choose, and the client pays for it on the main
 * loop: a count that would take minutes is refused before any hashing starts. */
static void
test_scram_iterations (gconstpointer data)
{
  const char *iterations = data;
  GError *error = NULL;
  g_autoptr(PostaciSasl) client = postaci_sasl_new (POSTACI_MECHANISM_SCRAM_SHA_256, server_user,
                                                    server_password, TEST_HOST, &error);
  g_autofree char *first = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *response = NULL;

  g_assert_no_error (error);
  g_assert_true (postaci_sasl_step (client, NULL, &first, &error));
  challenge = scram_server_first (first, iterations);
  if (g_str_equal (iterations, "4096"))
    {
      /* What real servers send: the client answers with its proof. */
      g_assert_true (postaci_sasl_step (client, challenge, &response, &error));
      g_assert_no_error (error);
      g_assert_nonnull (response);
      return;
    }
  g_assert_false (postaci_sasl_step (client, challenge, &response, &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_BAD_CHALLENGE);
  g_assert_null (response);
  g_clear_error (&error);
}

static void
test_bad_base64 (void)
{
  static const char *const bad[] = {
    "***", "abc", "abc==", "QQ=A", "A===", "====", "VXNl cm5h", "VXNlcm5hbWU6\r\n", "QQ==QQ==",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GError *error = NULL;
      g_autoptr(PostaciSasl) sasl = postaci_sasl_new (POSTACI_MECHANISM_LOGIN, "user", "pass",
                                                      TEST_HOST, &error);
      g_autofree char *response = NULL;
      g_autofree char *shown = g_strescape (bad[i], NULL);

      g_assert_no_error (error);
      g_test_message ("challenge \"%s\"", shown);
      g_assert_false (postaci_sasl_step (sasl, bad[i], &response, &error));
      g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_BAD_CHALLENGE);
      g_assert_null (response);
      g_clear_error (&error);
    }

  /* The same holds by hand for XOAUTH2's error challenge. */
  {
    GError *error = NULL;
    g_autoptr(PostaciSasl) sasl = postaci_sasl_new (POSTACI_MECHANISM_XOAUTH2, "user", "tok",
                                                    NULL, &error);
    g_autofree char *initial = NULL;
    g_autofree char *response = NULL;

    g_assert_true (postaci_sasl_step (sasl, NULL, &initial, &error));
    g_assert_false (postaci_sasl_step (sasl, "e30", &response, &error));
    g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_BAD_CHALLENGE);
    g_clear_error (&error);
  }
}

/* Valid base64 that is not a SCRAM server-first-message. */
static void
test_bad_sasl_challenge (void)
{
  GError *error = NULL;
  g_autoptr(PostaciSasl) sasl = postaci_sasl_new (POSTACI_MECHANISM_SCRAM_SHA_256, "user",
                                                  "pencil", TEST_HOST, &error);
  g_autofree char *initial = NULL;
  g_autofree char *response = NULL;

  g_assert_true (postaci_sasl_step (sasl, NULL, &initial, &error));
  g_assert_no_error (error);
  /* "hello world" */
  g_assert_false (postaci_sasl_step (sasl, "aGVsbG8gd29ybGQ=", &response, &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_BAD_CHALLENGE);
  g_clear_error (&error);
}

static void
test_endless_exchange (void)
{
  GError *error = NULL;
  g_autoptr(PostaciSasl) sasl = postaci_sasl_new (POSTACI_MECHANISM_XOAUTH2, "user", "tok",
                                                  NULL, &error);
  g_autofree char *response = NULL;

  g_assert_true (postaci_sasl_step (sasl, NULL, &response, &error));
  /* Nine more 334s are answered; the server that sends an eleventh is looping. */
  for (guint i = 1; i < 10; i++)
    {
      g_clear_pointer (&response, g_free);
      g_assert_true (postaci_sasl_step (sasl, "e30=", &response, &error)); /* {} */
      g_assert_no_error (error);
      g_assert_cmpstr (response, ==, "");
    }
  g_clear_pointer (&response, g_free);
  g_assert_false (postaci_sasl_step (sasl, "e30=", &response, &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "The server kept asking for more XOAUTH2 authentication data after 10 rounds; "
                   "giving up");
  g_assert_null (response);
  g_clear_error (&error);
}

/* A challenge after the mechanism finished is the server's error, not a reason to answer
 * again (gsasl's CRAM-MD5 would happily compute a second digest). */
static void
test_step_after_done (void)
{
  static const char challenge[] = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
  GError *error = NULL;
  g_autoptr(PostaciSasl) sasl = postaci_sasl_new (POSTACI_MECHANISM_CRAM_MD5, "tim",
                                                  "tanstaaftanstaaf", TEST_HOST, &error);
  g_autofree char *response = NULL;
  g_autofree char *again = NULL;

  g_assert_true (postaci_sasl_step (sasl, challenge, &response, &error));
  g_assert_no_error (error);
  g_assert_false (postaci_sasl_step (sasl, challenge, &again, &error));
  g_assert_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_BAD_CHALLENGE);
  g_assert_cmpstr (error->message, ==,
                   "The server sent another CRAM-MD5 challenge after the exchange was complete");
  g_assert_null (again);
  g_clear_error (&error);
}

static void
add_exchange_tests (const char *name, PostaciMechanism mechanism)
{
  g_autofree char *ok = g_strdup_printf ("/postaci/sasl/exchange/%s", name);
  g_autofree char *wrong = g_strdup_printf ("/postaci/sasl/exchange/%s-wrong-password", name);

  g_test_add_data_func (ok, GINT_TO_POINTER (mechanism), test_exchange);
  g_test_add_data_func (wrong, GINT_TO_POINTER (mechanism), test_exchange_wrong_password);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/postaci/sasl/choose/auto-strongest", test_choose_auto_strongest);
  g_test_add_func ("/postaci/sasl/choose/auto-order", test_choose_auto_order);
  g_test_add_func ("/postaci/sasl/choose/auto-plaintext", test_choose_auto_plaintext);
  g_test_add_func ("/postaci/sasl/choose/explicit", test_choose_explicit);
  g_test_add_func ("/postaci/sasl/choose/case-insensitive", test_choose_case_insensitive);
  g_test_add_func ("/postaci/sasl/choose/xoauth2", test_choose_xoauth2);
  g_test_add_func ("/postaci/sasl/choose/nothing-offered", test_choose_nothing_offered);
  g_test_add_func ("/postaci/sasl/available", test_available);
  g_test_add_func ("/postaci/sasl/initial-response", test_initial_response_flags);
  g_test_add_func ("/postaci/sasl/plain", test_plain);
  g_test_add_func ("/postaci/sasl/plain-empty-challenge", test_plain_empty_challenge);
  g_test_add_func ("/postaci/sasl/login", test_login);
  g_test_add_func ("/postaci/sasl/cram-md5/rfc2195", test_cram_md5_rfc2195);
  g_test_add_func ("/postaci/sasl/xoauth2", test_xoauth2);
  g_test_add_func ("/postaci/sasl/xoauth2/separator", test_xoauth2_separator_refused);
  g_test_add_func ("/postaci/sasl/ntlm/type1", test_ntlm_type1);
  add_exchange_tests ("scram-sha-1", POSTACI_MECHANISM_SCRAM_SHA_1);
  add_exchange_tests ("scram-sha-256", POSTACI_MECHANISM_SCRAM_SHA_256);
  add_exchange_tests ("digest-md5", POSTACI_MECHANISM_DIGEST_MD5);
  add_exchange_tests ("cram-md5", POSTACI_MECHANISM_CRAM_MD5);
  add_exchange_tests ("plain", POSTACI_MECHANISM_PLAIN);
  add_exchange_tests ("login", POSTACI_MECHANISM_LOGIN);
  g_test_add_func ("/postaci/sasl/scram/bad-server-signature", test_scram_bad_server_signature);
  g_test_add_func ("/postaci/sasl/bad-base64", test_bad_base64);
  g_test_add_func ("/postaci/sasl/bad-sasl-challenge", test_bad_sasl_challenge);
  g_test_add_func ("/postaci/sasl/endless", test_endless_exchange);
  g_test_add_func ("/postaci/sasl/step-after-done", test_step_after_done);

  g_test_add_data_func ("/postaci/sasl/hostile/scram-iterations/4096", "4096",
                        test_scram_iterations);
  g_test_add_data_func ("/postaci/sasl/hostile/scram-iterations/2147483647", "2147483647",
                        test_scram_iterations);
  g_test_add_data_func ("/postaci/sasl/hostile/scram-iterations/99999999999", "99999999999",
                        test_scram_iterations);
  g_test_add_data_func ("/postaci/sasl/hostile/scram-iterations/zero", "0",
                        test_scram_iterations);
  return g_test_run ();
}
