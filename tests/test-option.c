/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-option.c — the one table of shared options: entries, values and the words of each error. */
#include "config.h"

#include <string.h>

#include "postaci-option.h"
#include "postaci-request.h"

/* Every option has its place in the table, and its entry stores the kind of value GOption must
 * give for it. */
static void
test_table (void)
{
  for (guint i = 0; i < POSTACI_N_OPTIONS; i++)
    {
      const PostaciOption *option = postaci_option_get (i);
      GOptionEntry entry = postaci_option_entry (i, NULL);

      g_assert_cmpuint (option->id, ==, i);
      g_assert_cmpstr (entry.long_name, ==, option->name);
      g_assert_cmpstr (entry.description, ==, option->description);
      g_assert_null (entry.arg_data);
      /* A flag has no value to describe; every other option has one. */
      g_assert_true ((entry.arg == G_OPTION_ARG_NONE) == (option->arg_description == NULL));
    }
  g_assert_cmpint (postaci_option_entry (POSTACI_OPTION_INSECURE, NULL).arg, ==, G_OPTION_ARG_NONE);
  g_assert_cmpint (postaci_option_entry (POSTACI_OPTION_TO, NULL).arg, ==,
                   G_OPTION_ARG_STRING_ARRAY);
  g_assert_cmpint (postaci_option_entry (POSTACI_OPTION_ATTACH, NULL).arg, ==,
                   G_OPTION_ARG_FILENAME_ARRAY);
  g_assert_cmpint (postaci_option_entry (POSTACI_OPTION_CA_FILE, NULL).arg, ==,
                   G_OPTION_ARG_FILENAME);
  /* Checked values come as text, so that a wrong one gets our words, not GOption's. */
  g_assert_cmpint (postaci_option_entry (POSTACI_OPTION_TIMEOUT, NULL).arg, ==,
                   G_OPTION_ARG_STRING);
  g_assert_cmpstr (postaci_option_get (POSTACI_OPTION_STOP_AFTER)->name, ==, "stop-after");
}

static void
test_values (void)
{
  guint number = 0;
  guint64 size = 0;
  PostaciSecurity security = POSTACI_SECURITY_AUTO;
  PostaciMechanism mechanism = POSTACI_MECHANISM_AUTO;
  PostaciStage stage = POSTACI_STAGE_QUIT;

  g_assert_true (postaci_option_parse (POSTACI_OPTION_PORT, "2525", &number, NULL));
  g_assert_cmpuint (number, ==, 2525);
  g_assert_true (postaci_option_parse (POSTACI_OPTION_TIMEOUT, "3600", &number, NULL));
  g_assert_cmpuint (number, ==, 3600);
  g_assert_true (postaci_option_parse (POSTACI_OPTION_SECURITY, "starttls", &security, NULL));
  g_assert_cmpint (security, ==, POSTACI_SECURITY_STARTTLS);
  g_assert_true (postaci_option_parse (POSTACI_OPTION_AUTH, "cram-md5", &mechanism, NULL));
  g_assert_cmpint (mechanism, ==, POSTACI_MECHANISM_CRAM_MD5);
  g_assert_true (postaci_option_parse (POSTACI_OPTION_STOP_AFTER, "rcpt", &stage, NULL));
  g_assert_cmpint (stage, ==, POSTACI_STAGE_RCPT);
  g_assert_true (postaci_option_parse (POSTACI_OPTION_SIZE, "25M", &size, NULL));
  g_assert_cmpuint (size, ==, 25 * 1024 * 1024);
  /* Free text is the request's to check: taken as it is. */
  g_assert_true (postaci_option_parse (POSTACI_OPTION_SERVER, "", NULL, NULL));
}

/* A wrong value leaves the value as it was and says, in the words both programs print, which
 * option is wrong and what it takes. */
static void
test_errors (void)
{
  static const struct {
    PostaciOptionId id;
    const char     *text;
    const char     *message;
  } cases[] = {
    { POSTACI_OPTION_PORT, "0", "--port must be a number from 1 to 65535, not “0”." },
    { POSTACI_OPTION_PORT, "65536", "--port must be a number from 1 to 65535, not “65536”." },
    { POSTACI_OPTION_PORT, "25x", "--port must be a number from 1 to 65535, not “25x”." },
    { POSTACI_OPTION_SECURITY, "ssl", "--security must be auto, none, starttls or tls, not “ssl”." },
    { POSTACI_OPTION_AUTH, "kerberos", "--auth: unknown mechanism “kerberos”." },
    { POSTACI_OPTION_STOP_AFTER, "quit",
      "--stop-after must be connect, greeting, ehlo, tls, auth, mail, rcpt or data, not “quit”." },
    { POSTACI_OPTION_STOP_AFTER, "helo",
      "--stop-after must be connect, greeting, ehlo, tls, auth, mail, rcpt or data, not “helo”." },
    { POSTACI_OPTION_TIMEOUT, "0", "--timeout must be between 1 and 3600 seconds." },
    { POSTACI_OPTION_TIMEOUT, "3601", "--timeout must be between 1 and 3600 seconds." },
    { POSTACI_OPTION_SIZE, "25X",
      "--size must be a number of bytes with an optional K, M or G (1024, 1024², 1024³), such as "
      "25M, not “25X”." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 value = 7;

      g_assert_false (postaci_option_parse (cases[i].id, cases[i].text, &value, &error));
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_assert_cmpuint (value, ==, 7);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/postaci/option/table", test_table);
  g_test_add_func ("/postaci/option/values", test_values);
  g_test_add_func ("/postaci/option/errors", test_errors);
  return g_test_run ();
}
