/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-request.c — validation refuses bad input before a byte is sent. */
#include "config.h"

#include <string.h>

#include "postaci-request.h"

static PostaciRequest *
good_request (void)
{
  PostaciRequest *request = postaci_request_new ();

  request->server = g_strdup ("smtp.example.com");
  request->from = g_strdup ("ali@example.com");
  postaci_request_add_recipients (request, "veli@example.com");
  request->subject = g_strdup ("Merhaba");
  request->html = g_strdup ("<p>Merhaba</p>");
  return request;
}

static void
assert_invalid (PostaciRequest *request, PostaciRequestError code)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (postaci_request_validate (request, &error));
  g_assert_error (error, POSTACI_REQUEST_ERROR, (gint) code);
  g_assert_nonnull (error->message);
}

static void
test_valid (void)
{
  g_autoptr(PostaciRequest) request = good_request ();
  g_autoptr(GError) error = NULL;

  g_assert_true (postaci_request_validate (request, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (postaci_request_get_port (request), ==, 587);
  g_assert_cmpint (postaci_request_get_effective_security (request), ==, POSTACI_SECURITY_AUTO);
  g_assert_cmpuint (postaci_request_get_timeout (request), ==, POSTACI_DEFAULT_TIMEOUT_SECONDS);
}

static void
test_ports_and_security (void)
{
  g_autoptr(PostaciRequest) request = good_request ();

  request->security = POSTACI_SECURITY_TLS;
  g_assert_cmpuint (postaci_request_get_port (request), ==, 465);
  request->security = POSTACI_SECURITY_AUTO;
  request->port = 465;
  g_assert_cmpint (postaci_request_get_effective_security (request), ==, POSTACI_SECURITY_TLS);
  request->port = 25;
  g_assert_cmpint (postaci_request_get_effective_security (request), ==, POSTACI_SECURITY_AUTO);
  request->port = 70000;
  assert_invalid (request, POSTACI_REQUEST_ERROR_PORT);
}

/* CR, LF and NUL reach no field that goes on the wire. */
static void
test_line_breaks (void)
{
  static const char *const bad[] = { "a\r\nRCPT TO:<x@y.z>", "a\nb", "a\rb", "tab\tin" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(PostaciRequest) request = good_request ();
      g_autoptr(PostaciRequest) subject = good_request ();
      g_autoptr(PostaciRequest) ehlo = good_request ();
      g_autoptr(PostaciRequest) user = good_request ();
      g_autoptr(PostaciRequest) server = good_request ();
      g_autofree char *address = g_strconcat (bad[i], "@example.com", NULL);

      g_free (request->from);
      request->from = g_strdup (address);
      assert_invalid (request, POSTACI_REQUEST_ERROR_FROM);

      if (strchr (bad[i], '\t') == NULL)
        {
          g_free (subject->subject);
          subject->subject = g_strdup (bad[i]);
          assert_invalid (subject, POSTACI_REQUEST_ERROR_SUBJECT);
        }

      ehlo->ehlo_name = g_strdup (bad[i]);
      assert_invalid (ehlo, POSTACI_REQUEST_ERROR_EHLO_NAME);

      user->auth = TRUE;
      user->username = g_strdup (bad[i]);
      postaci_request_set_password (user, "secret");
      assert_invalid (user, POSTACI_REQUEST_ERROR_USERNAME);

      g_free (server->server);
      server->server = g_strdup (bad[i]);
      assert_invalid (server, POSTACI_REQUEST_ERROR_SERVER);
    }
}

static void
test_recipients (void)
{
  g_autoptr(PostaciRequest) request = good_request ();
  g_autoptr(PostaciRequest) bad = good_request ();
  g_autoptr(PostaciRequest) none = good_request ();
  g_autoptr(PostaciRequest) trailing = good_request ();

  postaci_request_add_recipients (request, " a@example.com, b@example.com ;c@example.com,, ");
  g_assert_cmpuint (request->recipients->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (request->recipients, 1), ==, "a@example.com");
  g_assert_cmpstr (g_ptr_array_index (request->recipients, 3), ==, "c@example.com");

  postaci_request_add_recipients (bad, "not-an-address");
  assert_invalid (bad, POSTACI_REQUEST_ERROR_RECIPIENTS);

  g_ptr_array_set_size (none->recipients, 0);
  assert_invalid (none, POSTACI_REQUEST_ERROR_RECIPIENTS);

  /* Only blanks are trimmed: a line break at the end of an address is refused, not dropped. */
  g_ptr_array_set_size (trailing->recipients, 0);
  postaci_request_add_recipients (trailing, "veli@example.com\r\n");
  g_assert_cmpuint (trailing->recipients->len, ==, 1);
  assert_invalid (trailing, POSTACI_REQUEST_ERROR_RECIPIENTS);
  none->stop_after = POSTACI_STAGE_MAIL;
  g_assert_true (postaci_request_validate (none, NULL));
}

static void
test_address_limits (void)
{
  g_autoptr(PostaciRequest) local = good_request ();
  g_autoptr(PostaciRequest) domain = good_request ();
  g_autoptr(PostaciRequest) ok64 = good_request ();
  g_autofree char *l65 = g_strnfill (65, 'a');
  g_autofree char *l64 = g_strnfill (64, 'a');
  g_autofree char *label = g_strnfill (60, 'b');
  g_autofree char *long_domain = g_strjoin (".", label, label, label, label, label, "com", NULL);

  g_free (local->from);
  local->from = g_strconcat (l65, "@example.com", NULL);
  assert_invalid (local, POSTACI_REQUEST_ERROR_FROM);

  g_free (ok64->from);
  ok64->from = g_strconcat (l64, "@example.com", NULL);
  g_assert_true (postaci_request_validate (ok64, NULL));

  g_free (domain->from);
  domain->from = g_strconcat ("a@", long_domain, NULL);
  assert_invalid (domain, POSTACI_REQUEST_ERROR_FROM);
}

static void
test_idn_and_smtputf8 (void)
{
  g_autoptr(PostaciRequest) request = good_request ();
  g_autofree char *ascii = postaci_address_to_ascii ("ali@şirket.com.tr");
  g_autofree char *kept = postaci_address_to_ascii ("çağrı@example.com");

  g_assert_cmpstr (ascii, ==, "ali@xn--irket-idb.com.tr");
  g_assert_false (postaci_address_needs_smtputf8 ("ali@şirket.com.tr"));
  g_assert_true (postaci_address_needs_smtputf8 ("çağrı@example.com"));
  g_assert_cmpstr (kept, ==, "çağrı@example.com");

  postaci_request_add_recipients (request, "ayşe@örnek.com.tr");
  g_assert_true (postaci_request_validate (request, NULL));
}

static void
test_server_forms (void)
{
  static const char *const good[] = { "127.0.0.1", "::1", "[::1]", "mail.example.com", "localhost" };
  static const char *const bad[] = { "", "   ", "smtp example com", "http://smtp.example.com", "a..b" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(PostaciRequest) request = good_request ();
      g_free (request->server);
      request->server = g_strdup (good[i]);
      g_assert_true (postaci_request_validate (request, NULL));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(PostaciRequest) request = good_request ();
      g_free (request->server);
      request->server = g_strdup (bad[i]);
      assert_invalid (request, POSTACI_REQUEST_ERROR_SERVER);
    }
  {
    g_autoptr(PostaciRequest) request = good_request ();
    g_autofree char *host = NULL;
    g_free (request->server);
    request->server = g_strdup ("[::1]");
    host = postaci_request_get_host_for_tls (request);
    g_assert_cmpstr (host, ==, "::1");
  }
}

static void
test_auth_fields (void)
{
  g_autoptr(PostaciRequest) request = good_request ();

  request->auth = TRUE;
  assert_invalid (request, POSTACI_REQUEST_ERROR_USERNAME);
  request->username = g_strdup ("ali");
  assert_invalid (request, POSTACI_REQUEST_ERROR_PASSWORD);
  postaci_request_set_password (request, "gizli şifre");
  g_assert_true (postaci_request_validate (request, NULL));
}

/* Over-long fields are refused before connecting (exit status 2 in postaci-cli), and an error
 * message quotes only the start of what it refuses. */
static void
test_length_limits (void)
{
  g_autoptr(PostaciRequest) user = good_request ();
  g_autoptr(PostaciRequest) password = good_request ();
  g_autoptr(PostaciRequest) server = good_request ();
  g_autoptr(PostaciRequest) domain = good_request ();
  g_autoptr(PostaciRequest) ca = good_request ();
  g_autofree char *long_user = g_strnfill (100 * 1000, 'u');
  g_autofree char *long_password = g_strnfill (POSTACI_MAX_CREDENTIALS_BYTES, 'p');
  g_autoptr(GError) error = NULL;

  user->auth = TRUE;
  user->username = g_strdup (long_user);
  postaci_request_set_password (user, "gizli");
  assert_invalid (user, POSTACI_REQUEST_ERROR_USERNAME);
  password->auth = TRUE;
  password->username = g_strdup ("ali");
  postaci_request_set_password (password, long_password);
  assert_invalid (password, POSTACI_REQUEST_ERROR_PASSWORD);
  long_password[POSTACI_MAX_CREDENTIALS_BYTES - strlen ("ali")] = '\0';
  postaci_request_set_password (password, long_password);
  g_assert_true (postaci_request_validate (password, NULL));

  g_free (server->server);
  server->server = g_strnfill (100 * 1000, 'a');
  g_assert_false (postaci_request_validate (server, &error));
  g_assert_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_SERVER);
  g_assert_cmpuint (g_utf8_strlen (error->message, -1), <, 200);
  g_assert_nonnull (strstr (error->message, "aaaa…”"));
  g_clear_error (&error);
  g_ptr_array_set_size (domain->recipients, 0);
  g_ptr_array_add (domain->recipients, g_strconcat ("veli@", long_user, NULL));
  g_assert_false (postaci_request_validate (domain, &error));
  g_assert_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_RECIPIENTS);
  g_assert_cmpuint (g_utf8_strlen (error->message, -1), <, 200);
  g_clear_error (&error);

  /* The CA file is read later by its name, so it must be a regular file: a folder or a device
   * is named as what it is, not as missing. */
  ca->ca_file = g_strdup ("/dev/zero");
  g_assert_false (postaci_request_validate (ca, &error));
  g_assert_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_CA_FILE);
  g_assert_nonnull (strstr (error->message, "is not a regular file"));
  g_clear_error (&error);
  g_free (ca->ca_file);
  ca->ca_file = g_strdup (g_get_tmp_dir ());
  g_assert_false (postaci_request_validate (ca, &error));
  g_assert_nonnull (strstr (error->message, "is a folder"));
}

static void
test_copy (void)
{
  g_autoptr(PostaciRequest) request = good_request ();
  g_autoptr(PostaciRequest) copy = NULL;

  postaci_request_set_password (request, "secret");
  copy = postaci_request_copy (request);
  g_assert_cmpstr (copy->password, ==, "secret");
  g_assert_true (copy->password != request->password);
  g_assert_cmpuint (copy->recipients->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (copy->recipients, 0), ==, "veli@example.com");
}

static void
test_other_fields (void)
{
  g_autoptr(PostaciRequest) timeout = good_request ();
  g_autoptr(PostaciRequest) ca = good_request ();
  g_autoptr(PostaciRequest) subject = good_request ();
  g_autoptr(PostaciRequest) from = good_request ();
  g_autoptr(PostaciRequest) named = good_request ();

  timeout->timeout_seconds = POSTACI_MAX_TIMEOUT_SECONDS + 1;
  assert_invalid (timeout, POSTACI_REQUEST_ERROR_TIMEOUT);
  ca->ca_file = g_strdup ("/nonexistent/ca.pem");
  assert_invalid (ca, POSTACI_REQUEST_ERROR_CA_FILE);
  g_free (subject->subject);
  subject->subject = g_strnfill (1000, 's');
  assert_invalid (subject, POSTACI_REQUEST_ERROR_SUBJECT);
  g_free (from->from);
  from->from = NULL;
  assert_invalid (from, POSTACI_REQUEST_ERROR_FROM);
  g_free (named->from);
  named->from = g_strdup ("Ali <ali@example.com>");
  assert_invalid (named, POSTACI_REQUEST_ERROR_FROM);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/postaci/request/valid", test_valid);
  g_test_add_func ("/postaci/request/ports-and-security", test_ports_and_security);
  g_test_add_func ("/postaci/request/line-breaks", test_line_breaks);
  g_test_add_func ("/postaci/request/recipients", test_recipients);
  g_test_add_func ("/postaci/request/address-limits", test_address_limits);
  g_test_add_func ("/postaci/request/idn-and-smtputf8", test_idn_and_smtputf8);
  g_test_add_func ("/postaci/request/server-forms", test_server_forms);
  g_test_add_func ("/postaci/request/auth-fields", test_auth_fields);
  g_test_add_func ("/postaci/request/length-limits", test_length_limits);
  g_test_add_func ("/postaci/request/copy", test_copy);
  g_test_add_func ("/postaci/request/other-fields", test_other_fields);
  return g_test_run ();
}
