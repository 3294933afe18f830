/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-types.c — the names of the shared enums: the one nick each value has, which the CLI
 * takes, JSON Lines and the nagios line write, settings and saved reports keep. A renamed or
 * inserted value changes what scripts read, so every name is spelled out here. */
#include "config.h"

#include "postaci-discovery.h"
#include "postaci-enum-types.h"
#include "postaci-event.h"
#include "postaci-outcome.h"
#include "postaci-types.h"

/* Every value of @type, in order, has exactly the nick in @nicks (and no value is left out):
 * postaci_enum_get_nick() gives it and postaci_enum_from_nick() reads it back. */
static void
assert_nicks (GType type, const char *const *nicks, guint n_nicks)
{
  GEnumClass *klass = g_type_class_ref (type);

  g_assert_cmpuint (klass->n_values, ==, n_nicks);
  for (guint i = 0; i < n_nicks; i++)
    {
      int value = -1;

      g_assert_cmpstr (postaci_enum_get_nick (type, (int) i), ==, nicks[i]);
      g_assert_true (postaci_enum_from_nick (type, nicks[i], &value));
      g_assert_cmpint (value, ==, (int) i);
    }
  g_type_class_unref (klass);
}

#define ASSERT_NICKS(type, ...)                         \
  G_STMT_START                                          \
  {                                                     \
    static const char *const nicks[] = { __VA_ARGS__ }; \
    assert_nicks ((type), nicks, G_N_ELEMENTS (nicks)); \
  }                                                     \
  G_STMT_END

static void
test_security (void)
{
  PostaciSecurity security = POSTACI_SECURITY_AUTO;

  ASSERT_NICKS (POSTACI_TYPE_SECURITY, "auto", "none", "starttls", "tls");
  g_assert_cmpstr (postaci_security_to_string (POSTACI_SECURITY_STARTTLS), ==, "starttls");
  /* What people type on the command line: case does not matter. */
  g_assert_true (postaci_security_from_string ("STARTTLS", &security));
  g_assert_cmpint (security, ==, POSTACI_SECURITY_STARTTLS);
  g_assert_true (postaci_security_from_string ("Tls", &security));
  g_assert_cmpint (security, ==, POSTACI_SECURITY_TLS);
  g_assert_false (postaci_security_from_string ("ssl", &security));
  g_assert_false (postaci_security_from_string ("", &security));
  g_assert_false (postaci_security_from_string (NULL, &security));
  g_assert_cmpint (security, ==, POSTACI_SECURITY_TLS);
}

static void
test_stage (void)
{
  PostaciStage stage = POSTACI_STAGE_CONNECT;

  ASSERT_NICKS (POSTACI_TYPE_STAGE, "connect", "greeting", "ehlo", "tls", "auth", "mail", "rcpt",
                "data", "quit");
  g_assert_cmpint (POSTACI_N_STAGES, ==, 9);
  g_assert_cmpstr (postaci_stage_to_string (POSTACI_STAGE_RCPT), ==, "rcpt");
  g_assert_true (postaci_stage_from_string ("RCPT", &stage));
  g_assert_cmpint (stage, ==, POSTACI_STAGE_RCPT);
  g_assert_false (postaci_stage_from_string ("rcpt to", &stage));
  /* The stage bar's words are not names: SMTP verbs stay, the rest is translated. */
  g_assert_cmpstr (postaci_stage_get_label (POSTACI_STAGE_CONNECT), ==, "Connect");
  g_assert_cmpstr (postaci_stage_get_label (POSTACI_STAGE_EHLO), ==, "EHLO");
}

static void
test_mechanism (void)
{
  PostaciMechanism mechanism = POSTACI_MECHANISM_AUTO;

  ASSERT_NICKS (POSTACI_TYPE_MECHANISM, "auto", "plain", "login", "cram-md5", "digest-md5", "ntlm",
                "xoauth2", "scram-sha-1", "scram-sha-256");
  g_assert_cmpint (POSTACI_N_MECHANISMS, ==, 9);
  /* On the wire (RFC 4954) and to GNU SASL: the nick in capitals; "auto" is no mechanism. */
  g_assert_null (postaci_mechanism_get_sasl_name (POSTACI_MECHANISM_AUTO));
  g_assert_cmpstr (postaci_mechanism_get_sasl_name (POSTACI_MECHANISM_CRAM_MD5), ==, "CRAM-MD5");
  g_assert_cmpstr (postaci_mechanism_get_sasl_name (POSTACI_MECHANISM_SCRAM_SHA_256), ==,
                   "SCRAM-SHA-256");
  g_assert_cmpstr (postaci_mechanism_get_sasl_name (POSTACI_MECHANISM_XOAUTH2), ==, "XOAUTH2");
  /* Either spelling is accepted from a person. */
  g_assert_true (postaci_mechanism_from_string ("CRAM-MD5", &mechanism));
  g_assert_cmpint (mechanism, ==, POSTACI_MECHANISM_CRAM_MD5);
  g_assert_true (postaci_mechanism_from_string ("scram-sha-1", &mechanism));
  g_assert_cmpint (mechanism, ==, POSTACI_MECHANISM_SCRAM_SHA_1);
  g_assert_false (postaci_mechanism_from_string ("gssapi", &mechanism));
}

static void
test_command (void)
{
  static const char *const verbs[] = {
    "", "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", ".", "RSET", "QUIT",
  };

  /* JSON's "command" is the command as it went on the wire, not the nick. */
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    g_assert_cmpstr (postaci_command_to_string ((PostaciCommand) i), ==, verbs[i]);
  g_assert_cmpint (POSTACI_COMMAND_QUIT + 1, ==, G_N_ELEMENTS (verbs));
}

static void
test_verdict (void)
{
  ASSERT_NICKS (POSTACI_TYPE_VERDICT, "success", "refused", "network", "tls", "protocol", "timeout",
                "cancelled", "usage", "partial");
  g_assert_cmpstr (postaci_verdict_to_string (POSTACI_VERDICT_PARTIAL), ==, "partial");
}

static void
test_event (void)
{
  ASSERT_NICKS (POSTACI_TYPE_EVENT_KIND, "stage", "client", "server", "tls", "info", "warning",
                "error");
  ASSERT_NICKS (POSTACI_TYPE_STAGE_STATUS, "started", "passed", "failed", "skipped", "cancelled");
  g_assert_cmpstr (postaci_event_kind_to_string (POSTACI_EVENT_SERVER), ==, "server");
  g_assert_cmpstr (postaci_stage_status_to_string (POSTACI_STAGE_STATUS_CANCELLED), ==,
                   "cancelled");
}

static void
test_discovery (void)
{
  ASSERT_NICKS (POSTACI_TYPE_SOURCE_TYPE, "srv", "autoconfig", "ispdb", "mx", "guess", "form");
  /* Find Settings' JSON Lines has always written these two with an underscore. */
  ASSERT_NICKS (POSTACI_TYPE_SOURCE_STATUS, "running", "found", "none", "no_service", "failed",
                "skipped");
  ASSERT_NICKS (POSTACI_TYPE_DISCOVERY_STATUS, "found", "not_usable", "unreachable", "deadline",
                "cancelled");
  g_assert_cmpstr (postaci_source_type_to_string (POSTACI_SOURCE_AUTOCONFIG), ==, "autoconfig");
  g_assert_cmpstr (postaci_source_status_to_string (POSTACI_SOURCE_NO_SERVICE), ==, "no_service");
  g_assert_cmpstr (postaci_discovery_status_to_string (POSTACI_DISCOVERY_NOT_USABLE), ==,
                   "not_usable");
}

/* A saved report is read back by its exact names: no case folding, no near misses. */
static void
test_from_nick_exact (void)
{
  int value = -1;

  g_assert_true (postaci_enum_from_nick (POSTACI_TYPE_VERDICT, "refused", &value));
  g_assert_cmpint (value, ==, POSTACI_VERDICT_REFUSED);
  value = -1;
  g_assert_false (postaci_enum_from_nick (POSTACI_TYPE_VERDICT, "Refused", &value));
  g_assert_false (postaci_enum_from_nick (POSTACI_TYPE_VERDICT, "refuse", &value));
  g_assert_false (postaci_enum_from_nick (POSTACI_TYPE_VERDICT, "", &value));
  g_assert_false (postaci_enum_from_nick (POSTACI_TYPE_VERDICT, NULL, &value));
  g_assert_false (postaci_enum_from_nick (POSTACI_TYPE_SOURCE_STATUS, "no-service", &value));
  g_assert_cmpint (value, ==, -1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/postaci/types/security", test_security);
  g_test_add_func ("/postaci/types/stage", test_stage);
  g_test_add_func ("/postaci/types/mechanism", test_mechanism);
  g_test_add_func ("/postaci/types/command", test_command);
  g_test_add_func ("/postaci/types/verdict", test_verdict);
  g_test_add_func ("/postaci/types/event", test_event);
  g_test_add_func ("/postaci/types/discovery", test_discovery);
  g_test_add_func ("/postaci/types/from-nick-exact", test_from_nick_exact);

  return g_test_run ();
}
