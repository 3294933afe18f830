/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-catalog.c — explanations and hints for replies, enhanced codes and failures. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "postaci-catalog.h"
#include "postaci-line-reader.h"
#include "postaci-reply-private.h"
#include "postaci-session.h"
#include "session-fixture.h"

/* Every basic code the catalog must know by itself. */
static const guint known_codes[] = {
  200, 211, 214, 220, 221, 235, 250, 251, 252, 253, 334, 354, 355, 421, 432, 450, 451, 452, 453,
  454, 455, 458, 459, 500, 501, 502, 503, 504, 510, 512, 515, 517, 521, 522, 523, 530, 531, 533,
  534, 535, 538, 540, 541, 542, 543, 546, 547, 550, 551, 552, 553, 554, 555, 556,
};

static gboolean
is_known_code (guint code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (known_codes); i++)
    if (known_codes[i] == code)
      return TRUE;
  return FALSE;
}

/* A code with the same class and group that nobody lists: it gets the fallback text. */
static guint
unlisted_sibling (guint code)
{
  guint base = code - code % 10;

  for (guint last = 9; last < 10; last--)
    if (!is_known_code (base + last))
      return base + last;
  g_assert_not_reached ();
}

static char *
explain (guint code, const char *text, PostaciCommand command, char **hint)
{
  g_autoptr(PostaciReply) reply = postaci_reply_new_for_test (code, text);

  return postaci_catalog_explain_reply (reply, command, hint);
}

#define assert_contains(haystack, needle)                                               \
  G_STMT_START {                                                                        \
    const char *h_ = (haystack);                                                        \
    const char *n_ = (needle);                                                          \
    if (h_ == NULL || strstr (h_, n_) == NULL)                                          \
      g_error ("%s:%d: expected “%s” in “%s”", __FILE__, __LINE__, n_,                  \
               h_ ? h_ : "(null)");                                                     \
  } G_STMT_END

#define assert_lacks(haystack, needle)                                                  \
  G_STMT_START {                                                                        \
    const char *h_ = (haystack);                                                        \
    if (strstr (h_, (needle)) != NULL)                                                  \
      g_error ("%s:%d: did not expect “%s” in “%s”", __FILE__, __LINE__, (needle), h_); \
  } G_STMT_END

/* ---------------------------------------------------------------------------------------- */

static void
test_known_codes_are_not_fallback (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (known_codes); i++)
    {
      guint code = known_codes[i];
      g_autofree char *hint = NULL;
      g_autofree char *fallback_hint = NULL;
      /* QUIT has no context rows for these codes, so the basic table speaks. */
      g_autofree char *text = explain (code, "", POSTACI_COMMAND_QUIT, &hint);
      g_autofree char *fallback = explain (unlisted_sibling (code), "", POSTACI_COMMAND_QUIT,
                                           &fallback_hint);

      g_test_message ("%u: %s", code, text);
      g_assert_cmpstr (text, !=, fallback);
      g_assert_cmpuint (strlen (text), >, 10);
      if (code >= 400)
        {
          g_assert_nonnull (hint);
          g_assert_cmpstr (hint, !=, "");
        }
      else
        g_assert_null (hint);
    }
}

static void
test_fallback (void)
{
  g_autofree char *hint = NULL;
  g_autofree char *permanent = explain (549, "", POSTACI_COMMAND_RCPT, &hint);
  g_autofree char *temporary = explain (439, "", POSTACI_COMMAND_AUTH, NULL);
  g_autofree char *success = explain (209, "", POSTACI_COMMAND_MAIL, NULL);
  g_autofree char *more = explain (329, "", POSTACI_COMMAND_DATA, NULL);

  g_assert_cmpstr (permanent, ==, "Permanent failure: the server will not do this, and the same "
                                  "command will fail again. This code group is about the mail "
                                  "system.");
  assert_contains (hint, "Read the server's reply");
  g_assert_cmpstr (temporary, ==, "Temporary failure: the server did not do it now, but the "
                                  "same command may work later. This code group is about sign-in "
                                  "(authentication) and security.");
  g_assert_cmpstr (success, ==, "The server reports success. This code group is about command "
                                "syntax.");
  assert_contains (more, "waits for more data");
}

static void
test_nonstandard_code (void)
{
  g_autofree char *text = explain (523, "", POSTACI_COMMAND_DATA_END, NULL);

  g_assert_cmpstr (text, ==, "The message is larger than the server allows. This code is not "
                             "part of the SMTP standard, so its meaning depends on the server.");
}

/* ---------------------------------------------------------------------------------------- */

static void
test_context_550 (void)
{
  g_autofree char *rcpt_hint = NULL;
  g_autofree char *mail_hint = NULL;
  g_autofree char *rcpt = explain (550, "Requested action not taken", POSTACI_COMMAND_RCPT,
                                   &rcpt_hint);
  g_autofree char *mail = explain (550, "Requested action not taken", POSTACI_COMMAND_MAIL,
                                   &mail_hint);

  assert_contains (rcpt, "refused this recipient");
  assert_contains (rcpt, "mailbox");
  assert_contains (rcpt_hint, "Check the recipient address");
  assert_contains (mail, "refused the sender address");
  assert_contains (mail_hint, "sender (From) address");
  g_assert_cmpstr (rcpt, !=, mail);
}

static void
test_context_positive (void)
{
  g_autofree char *rcpt_hint = NULL;
  g_autofree char *end_hint = NULL;
  g_autofree char *rcpt = explain (250, "2.1.5 Ok", POSTACI_COMMAND_RCPT, &rcpt_hint);
  g_autofree char *end = explain (250, "2.0.0 Ok: queued as 4Xk2", POSTACI_COMMAND_DATA_END,
                                  &end_hint);
  g_autofree char *mail = explain (250, "2.1.0 Ok", POSTACI_COMMAND_MAIL, NULL);
  g_autofree char *rset = explain (250, "2.0.0 Ok", POSTACI_COMMAND_RSET, NULL);

  g_assert_cmpstr (rcpt, ==, "Recipient accepted: the server takes mail for this address.");
  g_assert_null (rcpt_hint);
  assert_contains (end, "accepted the message for delivery");
  assert_contains (end, "not proof of inbox delivery");
  assert_lacks (end, "2.0.0");
  g_assert_null (end_hint);
  g_assert_cmpstr (mail, ==, "The server accepted the sender address.");
  assert_contains (rset, "cleared the current transaction");
}

static void
test_context_commands (void)
{
  g_autofree char *greeting = explain (220, "mx.example.com ESMTP", POSTACI_COMMAND_NONE, NULL);
  g_autofree char *starttls = explain (220, "2.0.0 Ready to start TLS", POSTACI_COMMAND_STARTTLS,
                                       NULL);
  g_autofree char *ehlo = explain (250, "mx.example.com", POSTACI_COMMAND_EHLO, NULL);
  g_autofree char *helo = explain (250, "mx.example.com", POSTACI_COMMAND_HELO, NULL);
  g_autofree char *helo_hint = NULL;
  g_autofree char *helo_501 = explain (501, "Syntax error", POSTACI_COMMAND_HELO, &helo_hint);
  g_autofree char *quit = explain (221, "2.0.0 Bye", POSTACI_COMMAND_QUIT, NULL);
  g_autofree char *data = explain (354, "End data with <CR><LF>.<CR><LF>", POSTACI_COMMAND_DATA,
                                   NULL);
  g_autofree char *auth_hint = NULL;
  g_autofree char *auth = explain (535, "Error: authentication failed", POSTACI_COMMAND_AUTH,
                                   &auth_hint);
  g_autofree char *greeting_554_hint = NULL;
  g_autofree char *greeting_554 = explain (554, "No SMTP service here", POSTACI_COMMAND_NONE,
                                           &greeting_554_hint);

  g_assert_cmpstr (greeting, ==, "The server is ready and has sent its greeting.");
  assert_contains (starttls, "ready to start encryption (TLS)");
  assert_contains (ehlo, "features it supports");
  assert_contains (helo, "HELO does not list any features");
  assert_contains (helo_501, "host name given with EHLO or HELO");
  assert_contains (helo_hint, "fully qualified host name");
  assert_contains (quit, "ended normally");
  assert_contains (data, "only a dot");
  g_assert_cmpstr (auth, ==, "The server refused the user name or the password.");
  assert_contains (auth_hint, "Check the user name");
  assert_contains (greeting_554, "refused the connection at the start");
  assert_contains (greeting_554_hint, "block list");
}

/* ---------------------------------------------------------------------------------------- */

static void
test_enhanced_exact (void)
{
  g_autofree char *e511 = postaci_catalog_explain_enhanced (5, 1, 1);
  g_autofree char *e571 = postaci_catalog_explain_enhanced (5, 7, 1);
  g_autofree char *e470 = postaci_catalog_explain_enhanced (4, 7, 0);
  g_autofree char *e578 = postaci_catalog_explain_enhanced (5, 7, 8);
  g_autofree char *e5730 = postaci_catalog_explain_enhanced (5, 7, 30);
  g_autofree char *e215 = postaci_catalog_explain_enhanced (2, 1, 5);

  g_assert_cmpstr (e511, ==, "5.1.1 (permanent failure): The recipient's mailbox does not "
                             "exist, or the address is wrong.");
  g_assert_cmpstr (e571, ==, "5.7.1 (permanent failure): A policy of the server does not allow "
                             "this delivery.");
  g_assert_cmpstr (e470, ==, "4.7.0 (temporary failure): A security or policy rule applies; no "
                             "further detail is given.");
  g_assert_cmpstr (e578, ==, "5.7.8 (permanent failure): The user name or the password is wrong "
                             "(invalid credentials).");
  g_assert_cmpstr (e5730, ==, "5.7.30 (permanent failure): The message requires an encrypted "
                              "path (REQUIRETLS), and the next server does not support it.");
  g_assert_cmpstr (e215, ==, "2.1.5 (success): The recipient address is valid.");
}

static void
test_enhanced_unknown (void)
{
  g_autofree char *unknown_detail = postaci_catalog_explain_enhanced (5, 1, 99);
  g_autofree char *unknown_subject = postaci_catalog_explain_enhanced (4, 9, 1);
  g_autofree char *microsoft = postaci_catalog_explain_enhanced (5, 7, 139);

  g_assert_cmpstr (unknown_detail, ==, "5.1.99 (permanent failure): This status is about an "
                                       "address (sender or recipient).");
  g_assert_cmpstr (unknown_subject, ==, "4.9.1 (temporary failure): This status code is not "
                                        "registered.");
  g_assert_cmpstr (microsoft, ==, "5.7.139 (permanent failure): This status is about security "
                                  "or policy.");
}

/* Every detail of RFC 3463 and the registered ones after it has its own words. */
static void
test_enhanced_registry (void)
{
  static const guint last_detail[8] = { 0, 10, 4, 6, 7, 6, 10, 30 };

  for (guint subject = 0; subject < 8; subject++)
    {
      g_autofree char *subject_only = postaci_catalog_explain_enhanced (5, subject, 999);
      const char *subject_meaning = strstr (subject_only, "): ") + 3;

      for (guint detail = 0; detail <= last_detail[subject]; detail++)
        {
          g_autofree char *text = postaci_catalog_explain_enhanced (5, subject, detail);

          assert_lacks (text, subject_meaning);
          assert_lacks (text, "not registered");
        }
    }
}

static void
test_reply_with_enhanced (void)
{
  g_autofree char *hint = NULL;
  g_autofree char *text = explain (550, "5.1.1 <nobody@example.com>: Recipient address rejected: "
                                   "User unknown in virtual mailbox table",
                                   POSTACI_COMMAND_RCPT, &hint);
  g_autofree char *plain = explain (551, "5.1.6 Mailbox has moved", POSTACI_COMMAND_RCPT, NULL);
  g_autofree char *bare = explain (550, "5.0.0 Rejected", POSTACI_COMMAND_RCPT, NULL);

  /* A known situation is said once, in its own words: not the code's general meaning, the
   * registry's words for 5.1.1 and the situation, three times over. */
  g_assert_cmpstr (text, ==, "The recipient address does not exist on the receiving server.");
  g_assert_cmpstr (hint, ==, "Check the recipient address for typing errors.");
  /* Without one, the code's meaning for the command and the enhanced code's add up. */
  assert_contains (plain, "The recipient is not local to this server");
  assert_contains (plain, "5.1.6");
  /* X.0.0 adds nothing. */
  assert_lacks (bare, "5.0.0");
}

/* ---------------------------------------------------------------------------------------- */

typedef struct {
  guint           code;
  PostaciCommand  command;
  const char     *text;         /* the server's words, as seen in public bug trackers */
  const char     *explanation;  /* must appear in the explanation */
  const char     *hint;         /* must appear in the hint */
} Situation;

static const Situation field_notes[] = {
  { 534, POSTACI_COMMAND_AUTH,
    "5.7.9 Application-specific password required. Learn more at\n"
    "5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor",
    "2-step verification", "Create an app password" },
  { 535, POSTACI_COMMAND_AUTH,
    "5.7.8 Username and Password not accepted. For more information, go to\n"
    "5.7.8  https://support.google.com/mail/?p=BadCredentials",
    "the server refuses its normal password", "app password" },
  { 535, POSTACI_COMMAND_AUTH,
    "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
    "Visit https://aka.ms/smtp_auth_disabled for more information.",
    "SMTP AUTH) is turned off", "turn on SMTP AUTH for this mailbox" },
  { 535, POSTACI_COMMAND_AUTH, "5.7.3 Authentication unsuccessful",
    "SMTP AUTH turned off", "OAuth2" },
  { 530, POSTACI_COMMAND_MAIL, "5.7.57 Client not authenticated to send mail",
    "did not sign in", "Turn on “Server requires authentication”" },
  { 504, POSTACI_COMMAND_AUTH, "5.7.4 Unrecognized authentication type",
    "only after the connection is encrypted", "Set “Security” to “STARTTLS”" },
  { 530, POSTACI_COMMAND_MAIL, "5.7.0 Must issue a STARTTLS command first",
    "requires an encrypted connection (STARTTLS)", "Set “Security” to “STARTTLS”" },
  { 554, POSTACI_COMMAND_RCPT, "5.7.1 <x@y>: Relay access denied",
    "(relaying)", "submission port 587" },
  { 550, POSTACI_COMMAND_RCPT, "5.7.1 Relaying denied",
    "(relaying)", "Turn on “Server requires authentication”" },
  { 550, POSTACI_COMMAND_MAIL,
    "5.7.60 SMTP; Client does not have permissions to send as this sender",
    "this sender address", "send-as rights" },
  { 553, POSTACI_COMMAND_RCPT, "5.7.1 <x@y>: Sender address rejected: not owned by user x@y",
    "this sender address", "own address as the sender" },
  { 504, POSTACI_COMMAND_RCPT,
    "5.5.2 <Styx>: Helo command rejected: need fully-qualified hostname",
    "host name that this program sent", "fully qualified host name" },
  { 550, POSTACI_COMMAND_RCPT,
    "5.7.1 Service unavailable; client [192.0.2.7] blocked using zen.spamhaus.org",
    "on a block list", "submission server" },
};

/* Other situations that real servers report, in their real words. */
static const Situation more_situations[] = {
  { 450, POSTACI_COMMAND_RCPT,
    "4.2.0 <a@example.org>: Recipient address rejected: Greylisted, see "
    "http://postgrey.schweikert.ch/help/example.org.html",
    "(greylisting)", "after a few minutes" },
  { 451, POSTACI_COMMAND_RCPT, "4.7.1 Please try again later",
    "(greylisting)", "after a few minutes" },
  { 421, POSTACI_COMMAND_NONE, "4.7.0 mx.example.com Error: too many connections from 192.0.2.7",
    "the limit was reached", "fewer messages or connections" },
  { 421, POSTACI_COMMAND_DATA_END,
    "4.7.28 Our system has detected an unusual rate of unsolicited mail",
    "the limit was reached", "fewer messages" },
  { 421, POSTACI_COMMAND_MAIL,
    "4.7.0 [TSS04] Messages from 192.0.2.7 temporarily deferred due to unexpected volume or user "
    "complaints", "the limit was reached", "fewer messages" },
  { 550, POSTACI_COMMAND_DATA_END, "5.4.5 Daily user sending quota exceeded.",
    "sending limit", "limit resets" },
  { 552, POSTACI_COMMAND_DATA_END, "5.3.4 Message size exceeds fixed limit",
    "larger than the server accepts", "smaller message" },
  { 452, POSTACI_COMMAND_RCPT, "4.2.2 The email account that you tried to reach is over quota.",
    "mailbox is full", "free space" },
  { 550, POSTACI_COMMAND_RCPT,
    "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
    "does not exist on the receiving server", "typing errors" },
  { 550, POSTACI_COMMAND_RCPT,
    "No Such User Here", "does not exist on the receiving server", "typing errors" },
  { 450, POSTACI_COMMAND_RCPT,
    "4.1.8 <a@nowhere.invalid>: Sender address rejected: Domain not found",
    "domain of the sender address", "whose domain exists" },
  { 550, POSTACI_COMMAND_DATA_END,
    "5.7.26 This mail is unauthenticated, which poses a security risk to the sender",
    "(SPF, DKIM, DMARC)", "SPF record" },
  { 550, POSTACI_COMMAND_DATA_END, "5.7.1 Message rejected due to DMARC policy",
    "(SPF, DKIM, DMARC)", "sign its mail with DKIM" },
  { 550, POSTACI_COMMAND_DATA_END,
    "5.7.25 The IP address sending this message does not have a PTR record setup",
    "(reverse DNS, PTR record)", "PTR record" },
  { 450, POSTACI_COMMAND_RCPT, "4.7.1 Client host rejected: cannot find your hostname, [192.0.2.7]",
    "(reverse DNS, PTR record)", "PTR record" },
  { 550, POSTACI_COMMAND_DATA_END,
    "5.7.1 Unfortunately, messages from [192.0.2.7] weren't sent. Please contact your Internet "
    "service provider since part of their network is on our block list (S3150).",
    "on a block list", "submission server" },
};

static void
check_situations (const Situation *cases, gsize n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *hint = NULL;
      g_autofree char *text = explain (cases[i].code, cases[i].text, cases[i].command, &hint);

      g_test_message ("%u %s → %s / %s", cases[i].code, cases[i].text, text, hint);
      assert_contains (text, cases[i].explanation);
      assert_contains (hint, cases[i].hint);
    }
}

static void
test_field_notes_situations (void)
{
  check_situations (field_notes, G_N_ELEMENTS (field_notes));
}

static void
test_more_situations (void)
{
  check_situations (more_situations, G_N_ELEMENTS (more_situations));
}

/* Microsoft and Gmail give some enhanced codes their own meaning: the registry's words would
 * mislead; the situation's words stand alone. */
static void
test_situation_own_codes (void)
{
  g_autofree char *m365 = explain (535, "5.7.3 Authentication unsuccessful", POSTACI_COMMAND_AUTH,
                                   NULL);
  g_autofree char *exchange = explain (550, "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not "
                                       "found by SMTP address lookup", POSTACI_COMMAND_RCPT, NULL);
  g_autofree char *gmail = explain (550, "5.4.5 Daily user sending quota exceeded.",
                                    POSTACI_COMMAND_DATA_END, NULL);
  g_autofree char *full = explain (452, "4.2.2 The email account that you tried to reach is over "
                                   "quota.", POSTACI_COMMAND_RCPT, NULL);

  /* The situation alone: "refused the user name or the password" before it said it twice. */
  g_assert_cmpstr (m365, ==, "The server refused the sign-in. Common causes are a wrong password, "
                             "SMTP AUTH turned off for the mailbox, or an account that requires "
                             "multi-factor sign-in.");
  assert_lacks (exchange, "null MX");
  assert_contains (exchange, "does not exist on the receiving server");
  assert_lacks (gmail, "overloaded");
  {
    g_autofree char *app_password = explain (534, "5.7.9 Application-specific password required.",
                                             POSTACI_COMMAND_AUTH, NULL);

    assert_lacks (app_password, "5.7.9 (permanent failure)");
    assert_contains (app_password, "2-step verification");
  }
  /* Said once, not twice. */
  g_assert_cmpstr (full, ==, "The recipient's mailbox is full.");
}

/* A positive reply never gets a situation or a hint, even with alarming words in it. */
static void
test_situation_needs_failure (void)
{
  g_autofree char *hint = NULL;
  g_autofree char *text = explain (250, "2.0.0 Ok, relay access denied is not in effect",
                                   POSTACI_COMMAND_RCPT, &hint);

  g_assert_null (hint);
  assert_lacks (text, "relaying");
}

/* ---------------------------------------------------------------------------------------- */

static char *
explain_error (GQuark domain, gint code, const char *message,
               const PostaciFailureContext *context, char **hint)
{
  g_autoptr(GError) error = g_error_new_literal (domain, code, message);

  return postaci_catalog_explain_error (error, context, hint);
}

static void
test_error_dns (void)
{
  PostaciFailureContext context = { POSTACI_STAGE_CONNECT, POSTACI_SECURITY_STARTTLS, 587,
                                    FALSE, FALSE, "smtp.gmial.com" };
  g_autofree char *hint = NULL;
  g_autofree char *temp_hint = NULL;
  g_autofree char *text = explain_error (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                                         "Error resolving “smtp.gmial.com”: Name or service not "
                                         "known", &context, &hint);
  g_autofree char *temp = explain_error (G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE,
                                         "Temporary failure in name resolution", &context,
                                         &temp_hint);

  g_assert_cmpstr (text, ==, "The server name “smtp.gmial.com” does not resolve: DNS has no "
                             "address for it.");
  assert_contains (hint, "Check the spelling of the server name");
  assert_contains (temp, "the DNS server did not answer");
  assert_contains (temp_hint, "DNS settings");
}

static void
test_error_refused (void)
{
  PostaciFailureContext context = { POSTACI_STAGE_CONNECT, POSTACI_SECURITY_STARTTLS, 2525,
                                    FALSE, FALSE, "127.0.0.1" };
  g_autofree char *hint = NULL;
  g_autofree char *text = explain_error (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                         "Could not connect to 127.0.0.1: Connection refused",
                                         &context, &hint);

  g_assert_cmpstr (text, ==, "The connection was refused: nothing accepts connections on port "
                             "2525 of this server, or a firewall rejects them. Details: Could "
                             "not connect to 127.0.0.1: Connection refused");
  assert_contains (hint, "port 587 (STARTTLS) or port 465 (SSL/TLS)");
}

static void
test_error_unreachable (void)
{
  PostaciFailureContext context = { POSTACI_STAGE_CONNECT, POSTACI_SECURITY_STARTTLS, 587 };
  g_autofree char *hint = NULL;
  g_autofree char *text = explain_error (G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE,
                                         "Network is unreachable", &context, &hint);

  assert_contains (text, "no network route to the server");
  assert_contains (text, "Details: Network is unreachable");
  assert_contains (hint, "VPN");
}

static void
test_error_connect_timeout (void)
{
  PostaciFailureContext port25 = { POSTACI_STAGE_CONNECT, POSTACI_SECURITY_AUTO, 25 };
  PostaciFailureContext port2525 = { POSTACI_STAGE_CONNECT, POSTACI_SECURITY_AUTO, 2525 };
  g_autofree char *hint25 = NULL;
  g_autofree char *hint_session = NULL;
  g_autofree char *hint2525 = NULL;
  g_autofree char *text25 = explain_error (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Socket I/O timed out",
                                           &port25, &hint25);
  g_autofree char *session = explain_error (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT,
                                            "Timeout", &port25, &hint_session);
  g_autofree char *text2525 = explain_error (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Timeout",
                                             &port2525, &hint2525);

  assert_contains (text25, "block outgoing connections to port 25");
  g_assert_cmpstr (hint25, ==, "Use port 587 with STARTTLS or port 465 with SSL/TLS.");
  g_assert_cmpstr (session, ==, text25);
  g_assert_cmpstr (hint_session, ==, hint25);
  assert_contains (text2525, "A firewall may drop connections to this port.");
  assert_lacks (text2525, "port 25.");
}

/* The forum question in seed 000: smtp.gmail.com, port 465, no TLS chosen, "Error: Timeout". */
static void
test_error_silent_port_465 (void)
{
  PostaciFailureContext context = { POSTACI_STAGE_GREETING, POSTACI_SECURITY_NONE, 465,
                                    FALSE, FALSE, "smtp.gmail.com" };
  g_autofree char *hint = NULL;
  g_autofree char *timeout_hint = NULL;
  g_autofree char *text = explain_error (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_NO_GREETING,
                                         "No greeting", &context, &hint);
  g_autofree char *timeout = NULL;

  context.security = POSTACI_SECURITY_STARTTLS;
  timeout = explain_error (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT, "Timeout",
                           &context, &timeout_hint);

  assert_contains (text, "Port 465 speaks TLS from the first byte");
  g_assert_cmpstr (hint, ==, "Set “Security” to “SSL/TLS”, or use port 587 with STARTTLS.");
  g_assert_cmpstr (timeout, ==, text);
  g_assert_cmpstr (timeout_hint, ==, hint);
}

static void
test_error_silent_port_587 (void)
{
  PostaciFailureContext context = { POSTACI_STAGE_GREETING, POSTACI_SECURITY_STARTTLS, 587,
                                    FALSE, FALSE, "mail.example.com" };
  PostaciFailureContext after_tls = { POSTACI_STAGE_GREETING, POSTACI_SECURITY_TLS, 465,
                                      FALSE, TRUE, "mail.example.com" };
  PostaciFailureContext partial = { POSTACI_STAGE_GREETING, POSTACI_SECURITY_STARTTLS, 587,
                                    TRUE, FALSE, "mail.example.com" };
  g_autofree char *hint = NULL;
  g_autofree char *tls_hint = NULL;
  g_autofree char *partial_hint = NULL;
  g_autofree char *text = explain_error (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_NO_GREETING,
                                         "No greeting", &context, &hint);
  g_autofree char *tls = explain_error (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_NO_GREETING,
                                        "No greeting", &after_tls, &tls_hint);
  g_autofree char *half = explain_error (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT,
                                         "Timeout", &partial, &partial_hint);

  g_assert_cmpstr (text, ==, "The connection opened, but the server sent nothing before the "
                             "time limit. A server that expects TLS from the first byte (as on "
                             "port 465) stays silent in exactly this way, waiting for the TLS "
                             "handshake.");
  assert_lacks (text, "Port 465");
  assert_contains (hint, "like port 465");
  assert_contains (hint, "firewall");
  assert_contains (tls, "encrypted connection opened");
  assert_contains (tls_hint, "587 with STARTTLS");
  assert_contains (half, "began its greeting");
  assert_contains (partial_hint, "not be an SMTP server");
}

static void
test_error_timeout_stages (void)
{
  PostaciFailureContext mail = { POSTACI_STAGE_MAIL, POSTACI_SECURITY_STARTTLS, 587, TRUE, TRUE };
  PostaciFailureContext data = { POSTACI_STAGE_DATA, POSTACI_SECURITY_STARTTLS, 587, TRUE, TRUE };
  g_autofree char *mail_hint = NULL;
  g_autofree char *data_hint = NULL;
  g_autofree char *mail_text = explain_error (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT,
                                              "Timeout", &mail, &mail_hint);
  g_autofree char *data_text = explain_error (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT,
                                              "Timeout", &data, &data_hint);

  g_assert_cmpstr (mail_text, ==, "The server did not answer within the time limit at stage "
                                  "“MAIL”.");
  assert_contains (mail_hint, "raise “Seconds to wait for each reply” (--timeout)");
  assert_contains (data_text, "while the message was sent or checked");
  assert_contains (data_hint, "raise “Seconds to wait for each reply” (--timeout)");
}

static void
test_error_tls_on_plain_port (void)
{
  PostaciFailureContext context = { POSTACI_STAGE_TLS, POSTACI_SECURITY_TLS, 587,
                                    FALSE, FALSE, "smtp.gmail.com" };
  g_autofree char *hint = NULL;
  g_autofree char *packet_hint = NULL;
  g_autofree char *text = explain_error (G_TLS_ERROR, G_TLS_ERROR_NOT_TLS,
                                         "Peer failed to perform TLS handshake", &context, &hint);
  g_autofree char *packet = explain_error (G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE,
                                           "Peer failed to perform TLS handshake: A TLS packet "
                                           "with unexpected length was received.",
                                           &context, &packet_hint);

  assert_contains (text, "The server answered in plain text");
  g_assert_cmpstr (hint, ==, "Set “Security” to “STARTTLS” for this port, or use port 465 with "
                             "SSL/TLS.");
  g_assert_cmpstr (packet, ==, text);
  g_assert_cmpstr (packet_hint, ==, hint);
}

static void
test_error_tls_handshake (void)
{
  PostaciFailureContext context = { POSTACI_STAGE_TLS, POSTACI_SECURITY_TLS, 465 };
  PostaciFailureContext starttls = { POSTACI_STAGE_TLS, POSTACI_SECURITY_STARTTLS, 587, TRUE };
  g_autofree char *hint = NULL;
  g_autofree char *starttls_hint = NULL;
  g_autofree char *text = explain_error (G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE,
                                         "TLS handshake failed: No supported cipher suites have "
                                         "been found.", &context, &hint);
  g_autofree char *broken = explain_error (G_TLS_ERROR, G_TLS_ERROR_NOT_TLS,
                                           "Peer failed to perform TLS handshake", &starttls,
                                           &starttls_hint);

  assert_contains (text, "old TLS versions or ciphers");
  assert_contains (text, "Details: TLS handshake failed: No supported cipher suites");
  assert_contains (hint, "TLS 1.2 or newer");
  assert_contains (broken, "agreed to start TLS but then did not speak TLS");
  assert_contains (starttls_hint, "Tell the server's administrator");
}

static void
test_error_certificate (void)
{
  PostaciFailureContext context = { POSTACI_STAGE_TLS, POSTACI_SECURITY_STARTTLS, 587, TRUE };
  g_autofree char *hint = NULL;
  g_autofree char *tls_hint = NULL;
  g_autofree char *text = explain_error (POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_CERTIFICATE,
                                         "The certificate is self-signed: no authority vouches "
                                         "for it.", &context, &hint);
  g_autofree char *tls = explain_error (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                                        "Unacceptable TLS certificate", &context, &tls_hint);

  g_assert_cmpstr (text, ==, "The server's certificate did not pass verification. Details: The "
                             "certificate is self-signed: no authority vouches for it.");
  assert_contains (hint, "--ca-file");
  assert_contains (hint, "“Accept an invalid certificate” (--insecure)");
  assert_contains (tls, "Details: Unacceptable TLS certificate");
  g_assert_cmpstr (tls_hint, ==, hint);
}

static void
test_error_closed (void)
{
  PostaciFailureContext port465 = { POSTACI_STAGE_GREETING, POSTACI_SECURITY_NONE, 465 };
  PostaciFailureContext port25 = { POSTACI_STAGE_GREETING, POSTACI_SECURITY_STARTTLS, 25 };
  PostaciFailureContext rcpt = { POSTACI_STAGE_RCPT, POSTACI_SECURITY_STARTTLS, 587, TRUE, TRUE };
  g_autofree char *hint465 = NULL;
  g_autofree char *hint25 = NULL;
  g_autofree char *rcpt_hint = NULL;
  g_autofree char *text465 = explain_error (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                            "Connection reset by peer", &port465, &hint465);
  g_autofree char *text25 = explain_error (POSTACI_LINE_READER_ERROR,
                                           POSTACI_LINE_READER_ERROR_CLOSED,
                                           "The server closed the connection", &port25, &hint25);
  g_autofree char *text_rcpt = explain_error (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "Broken pipe",
                                              &rcpt, &rcpt_hint);
  g_autofree char *partial = explain_error (POSTACI_LINE_READER_ERROR,
                                            POSTACI_LINE_READER_ERROR_PARTIAL, "Partial line",
                                            &rcpt, NULL);

  assert_contains (text465, "before it sent a greeting");
  assert_contains (text465, "Port 465 speaks TLS from the first byte");
  assert_contains (hint465, "SSL/TLS");
  assert_contains (text25, "expect TLS from the first byte, or when they refuse connections from "
                           "your IP address");
  g_assert_cmpstr (text_rcpt, ==, "The server closed the connection unexpectedly at stage "
                                  "“RCPT”.");
  assert_contains (rcpt_hint, "limit connections");
  g_assert_cmpstr (partial, ==, text_rcpt);
}

static void
test_error_cancelled (void)
{
  char *hint = (char *) "not reset"; /* must come back NULL */
  g_autofree char *text = explain_error (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was "
                                         "cancelled", NULL, &hint);

  g_assert_cmpstr (text, ==, "The run was stopped before it finished.");
  g_assert_null (hint);
}

typedef struct {
  gint        code;
  const char *explanation;
  const char *hint;
} SessionCase;

static void
test_error_session_codes (void)
{
  static const SessionCase cases[] = {
    { POSTACI_SESSION_ERROR_STARTTLS_UNAVAILABLE, "does not offer STARTTLS on this port",
      "port 465 with “Security” set to “SSL/TLS”" },
    { POSTACI_SESSION_ERROR_STARTTLS_INJECTION, "(STARTTLS command injection, CVE-2011-0411). "
      "The test was stopped for safety.", "Do not trust this network path" },
    { POSTACI_SESSION_ERROR_PLAINTEXT_AUTH, "can be cracked offline",
      "Set “Security” to “STARTTLS”" },
    { POSTACI_SESSION_ERROR_AUTH_UNAVAILABLE, "does not offer sign-in (AUTH)",
      "many servers hide AUTH: set “Security” to “STARTTLS”" },
    { POSTACI_SESSION_ERROR_SASL, "Details: the message", "another method in “Mechanism”" },
    { POSTACI_SESSION_ERROR_SMTPUTF8_UNAVAILABLE, "SMTPUTF8 extension", "ASCII characters only" },
    { POSTACI_SESSION_ERROR_TOO_LARGE, "size limit that the server announced",
      "smaller message" },
    { POSTACI_SESSION_ERROR_NO_RECIPIENTS, "refused every recipient", "RCPT replies" },
    { POSTACI_SESSION_ERROR_PROTOCOL, "does not fit this point", "not be an SMTP server" },
    { POSTACI_SESSION_ERROR_REFUSED, "The server refused a command, and the run ended.",
      "advice given with the server's reply" },
  };
  PostaciFailureContext context = { POSTACI_STAGE_AUTH, POSTACI_SECURITY_STARTTLS, 587, TRUE };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *hint = NULL;
      g_autofree char *text = explain_error (POSTACI_SESSION_ERROR, cases[i].code, "the message",
                                             &context, &hint);

      g_test_message ("%d → %s / %s", cases[i].code, text, hint);
      assert_contains (text, cases[i].explanation);
      assert_contains (hint, cases[i].hint);
    }
}

static void
test_error_not_smtp (void)
{
  PostaciFailureContext context = { POSTACI_STAGE_GREETING, POSTACI_SECURITY_STARTTLS, 8080, TRUE };
  g_autofree char *hint = NULL;
  g_autofree char *long_hint = NULL;
  g_autofree char *text = explain_error (POSTACI_REPLY_ERROR, POSTACI_REPLY_ERROR_MALFORMED,
                                         "Malformed reply: “HTTP/1.1 400 Bad Request”",
                                         &context, &hint);
  g_autofree char *too_long = explain_error (POSTACI_LINE_READER_ERROR,
                                             POSTACI_LINE_READER_ERROR_TOO_LONG, "Line too long",
                                             &context, &long_hint);

  g_assert_cmpstr (text, ==, "The server broke the rules of SMTP, so its reply cannot be read. "
                             "Details: Malformed reply: “HTTP/1.1 400 Bad Request”");
  assert_contains (hint, "This may not be an SMTP server: check the port.");
  assert_contains (hint, "HTTP, IMAP or POP3");
  assert_contains (too_long, "Details: Line too long");
  g_assert_cmpstr (long_hint, ==, hint);
}

static void
test_error_fallback (void)
{
  g_autofree char *hint = NULL;
  g_autofree char *text = explain_error (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                         "Permission denied", NULL, &hint);

  g_assert_cmpstr (text, ==, "The run failed. Details: Permission denied");
  g_assert_cmpstr (hint, ==, "Check “SMTP server”, “Port” and “Security”, then try again.");
}

/* ---------------------------------------------------------------------------------------- */
/* Both languages: the same checks run once in English and once in Turkish                  */
/* ---------------------------------------------------------------------------------------- */

static gboolean turkish;

/* The letters that only Turkish uses among the two languages. */
static gboolean
has_turkish_letter (const char *text)
{
  static const char *const letters[] = {
    "ç", "ğ", "ı", "İ", "ö", "ş", "ü", "Ç", "Ğ", "Ö", "Ş", "Ü",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (letters); i++)
    if (strstr (text, letters[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* The same call, made with the English catalog (the source strings). */
typedef char *(*Explainer) (gconstpointer data, char **hint);

static char *
in_english (Explainer explainer, gconstpointer data, char **hint)
{
  char *text;

  /* textdomain() tells gettext that its cached translations are stale. */
  g_setenv ("LANGUAGE", "en", TRUE);
  textdomain (GETTEXT_PACKAGE);
  text = explainer (data, hint);
  g_setenv ("LANGUAGE", "tr", TRUE);
  textdomain (GETTEXT_PACKAGE);
  return text;
}

/* English: not one Turkish letter. Turkish: not the English text, Turkish letters in anything
 * longer than a short sentence, and no English sentence of the same explanation left over. */
static void
assert_in_language (const char *text, Explainer explainer, gconstpointer data, gboolean is_hint)
{
  g_assert_nonnull (text);
  g_assert_cmpstr (text, !=, "");
  if (!turkish)
    {
      if (has_turkish_letter (text))
        g_error ("Turkish letters in English text: %s", text);
      return;
    }
  {
    g_autofree char *english_hint = NULL;
    g_autofree char *english = in_english (explainer, data, &english_hint);
    g_auto(GStrv) sentences = g_strsplit (is_hint ? english_hint : english, ". ", -1);

    /* Short sentences such as "Daha sonra yeniden deneyin." need no Turkish letter. */
    if (g_strcmp0 (text, is_hint ? english_hint : english) == 0)
      g_error ("not translated: %s", text);
    if (strlen (text) > 60 && !has_turkish_letter (text))
      g_error ("no Turkish letter in: %s", text);

    for (guint i = 0; sentences[i] != NULL; i++)
      if (strlen (sentences[i]) > 24 && strstr (text, sentences[i]) != NULL)
        g_error ("untranslated sentence “%s” in: %s", sentences[i], text);
  }
}

typedef struct {
  guint           code;
  PostaciCommand  command;
  const char     *text;
} ReplyCase;

static char *
explain_reply_case (gconstpointer data, char **hint)
{
  const ReplyCase *c = data;

  return explain (c->code, c->text, c->command, hint);
}

/* Every known code after every command, with and without an enhanced code. */
static void
test_language_replies (void)
{
  static const char *const texts[] = { "", "5.1.1 nobody", "4.7.0 later" };

  for (gsize i = 0; i < G_N_ELEMENTS (known_codes); i++)
    for (guint command = POSTACI_COMMAND_NONE; command <= POSTACI_COMMAND_QUIT; command++)
      for (gsize t = 0; t < G_N_ELEMENTS (texts); t++)
        {
          ReplyCase c = { known_codes[i], (PostaciCommand) command, texts[t] };
          g_autofree char *hint = NULL;
          g_autofree char *text = explain_reply_case (&c, &hint);

          assert_in_language (text, explain_reply_case, &c, FALSE);
          if (c.code >= 400)
            assert_in_language (hint, explain_reply_case, &c, TRUE);
        }
}

typedef struct {
  guint klass, subject, detail;
} EnhancedCase;

static char *
explain_enhanced_case (gconstpointer data, char **hint)
{
  const EnhancedCase *c = data;

  if (hint != NULL)
    *hint = NULL;
  return postaci_catalog_explain_enhanced (c->klass, c->subject, c->detail);
}

/* Every subject and every detail that RFC 3463 and the IANA registry define. */
static void
test_language_enhanced (void)
{
  static const guint last_detail[] = { 0, 10, 4, 6, 7, 6, 10, 30 };

  for (guint klass = 2; klass <= 5; klass += klass == 2 ? 2 : 1)
    for (guint subject = 0; subject < G_N_ELEMENTS (last_detail); subject++)
      for (guint detail = 0; detail <= last_detail[subject] + 1; detail++)
        {
          EnhancedCase c = { klass, subject, detail };
          g_autofree char *text = explain_enhanced_case (&c, NULL);

          assert_in_language (text, explain_enhanced_case, &c, FALSE);
        }
}

/* A known situation: its hint must say the right thing in the run's language. */
typedef struct {
  guint           code;
  PostaciCommand  command;
  const char     *text;
  const char     *english_hint;
  const char     *turkish_hint;
} HintCase;

static const HintCase hint_cases[] = {
  /* FIELD-NOTES.md */
  { 534, POSTACI_COMMAND_AUTH, "5.7.9 Application-specific password required.",
    "Create an app password", "uygulama şifresi oluşturun" },
  { 535, POSTACI_COMMAND_AUTH, "5.7.8 Username and Password not accepted.",
    "create an app password", "uygulama şifresi oluşturup" },
  { 535, POSTACI_COMMAND_AUTH, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
    "disabled for the Tenant.", "turn on SMTP AUTH", "SMTP AUTH'u açması" },
  { 535, POSTACI_COMMAND_AUTH, "5.7.3 Authentication unsuccessful", "OAuth2", "OAuth2 ile oturum" },
  { 530, POSTACI_COMMAND_MAIL, "5.7.57 Client not authenticated to send mail",
    "Turn on “Server requires authentication”",
    "“Sunucu kimlik doğrulaması gerektiriyor” seçeneğini açın" },
  { 504, POSTACI_COMMAND_AUTH, "5.7.4 Unrecognized authentication type",
    "before and after TLS", "TLS öncesi ve sonrası" },
  { 530, POSTACI_COMMAND_MAIL, "5.7.0 Must issue a STARTTLS command first",
    "Set “Security” to “STARTTLS”",
    "“Güvenlik” ayarında “STARTTLS” seçeneğini seçin" },
  { 554, POSTACI_COMMAND_RCPT, "5.7.1 <x@y>: Relay access denied",
    "submission port 587", "587 numaralı gönderim (submission) portunu" },
  { 550, POSTACI_COMMAND_MAIL, "5.7.60 SMTP; Client does not have permissions to send as this "
    "sender", "send-as rights", "“Farklı Gönder” (Send As) izni" },
  { 553, POSTACI_COMMAND_RCPT, "5.7.1 <x@y>: Sender address rejected: not owned by user x@y",
    "own address as the sender", "kendi adresini kullanın" },
  { 504, POSTACI_COMMAND_RCPT, "5.5.2 <Styx>: Helo command rejected: need fully-qualified "
    "hostname", "fully qualified host name", "tam nitelikli bir ana makine adı" },
  { 550, POSTACI_COMMAND_RCPT, "5.7.1 Service unavailable; client [192.0.2.7] blocked using "
    "zen.spamhaus.org", "submission server", "giden posta sunucusu" },
  /* More: greylisting, limits, large providers' own codes, size, SPF/DKIM/DMARC. */
  { 450, POSTACI_COMMAND_RCPT, "4.2.0 <a@example.org>: Recipient address rejected: Greylisted",
    "after a few minutes", "Birkaç dakika sonra" },
  { 421, POSTACI_COMMAND_DATA_END, "4.7.28 Our system has detected an unusual rate of "
    "unsolicited mail", "fewer messages", "daha az ileti" },
  { 550, POSTACI_COMMAND_DATA_END, "5.4.5 Daily user sending quota exceeded.",
    "limit resets", "Sınır sıfırlanana kadar" },
  { 552, POSTACI_COMMAND_DATA_END, "5.3.4 Message size exceeds fixed limit",
    "smaller message", "Daha küçük bir ileti" },
  { 550, POSTACI_COMMAND_DATA_END, "5.7.26 Unauthenticated email from example.com is not "
    "accepted due to domain's DMARC policy", "SPF record", "SPF kaydına" },
  { 535, POSTACI_COMMAND_AUTH, "5.7.8 Error: authentication failed: This user does not have "
    "access rights to this service", "Yandex ID", "Yandex ID güvenlik ayarlarında" },
  { 554, POSTACI_COMMAND_DATA_END, "5.7.1 Message rejected under suspicion of SPAM",
    "without links or attachments", "bağlantı ya da ek içermeyen" },
  { 452, POSTACI_COMMAND_RCPT, "4.5.3 Too many recipients", "fewer recipients",
    "daha az alıcıya" },
  { 550, POSTACI_COMMAND_RCPT, "5.4.1 Recipient address rejected: Access denied. "
    "AS(201806281)", "Microsoft 365", "Microsoft 365 yöneticisinin" },
  { 550, POSTACI_COMMAND_RCPT, "5.7.1 [192.0.2.7] The IP you're using to send mail is not "
    "authorized to send email directly to our servers.", "Do not deliver directly",
    "Doğrudan teslim etmeyin" },
  { 530, POSTACI_COMMAND_MAIL, "5.7.0 Authentication Required",
    "Turn on “Server requires authentication”",
    "“Sunucu kimlik doğrulaması gerektiriyor” seçeneğini açın" },
  { 553, POSTACI_COMMAND_MAIL, "5.7.1 Sender address rejected: not owned by auth user.",
    "own address as the sender", "kendi adresini kullanın" },
  { 550, POSTACI_COMMAND_DATA_END, "5.1.8 Access denied, bad outbound sender. AS(42004)",
    "change the password", "parolayı değiştirin" },
  { 535, POSTACI_COMMAND_AUTH, "5.7.139 Authentication unsuccessful, basic authentication is "
    "disabled.", "OAuth2", "OAuth2 ile oturum" },
  { 552, POSTACI_COMMAND_DATA_END, "5.7.0 This message was blocked because its content presents "
    "a potential security issue.", "without links or attachments", "bağlantı ya da ek içermeyen" },
  /* Upper case with I: in a Turkish locale, a locale-aware tolower() would turn it into a
   * dotless ı and the text would no longer match. */
  { 530, POSTACI_COMMAND_MAIL, "5.7.0 MUST ISSUE A STARTTLS COMMAND FIRST",
    "Set “Security” to “STARTTLS”",
    "“Güvenlik” ayarında “STARTTLS” seçeneğini seçin" },
  { 550, POSTACI_COMMAND_RCPT, "5.7.1 RELAYING DENIED", "submission port 587",
    "587 numaralı gönderim (submission) portunu" },
};

static char *
explain_hint_case (gconstpointer data, char **hint)
{
  const HintCase *c = data;

  return explain (c->code, c->text, c->command, hint);
}

static void
test_language_situation_hints (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hint_cases); i++)
    {
      const HintCase *c = &hint_cases[i];
      g_autofree char *hint = NULL;
      g_autofree char *text = explain_hint_case (c, &hint);

      g_test_message ("%u %s → %s / %s", c->code, c->text, text, hint);
      assert_in_language (text, explain_hint_case, c, FALSE);
      assert_in_language (hint, explain_hint_case, c, TRUE);
      assert_contains (hint, turkish ? c->turkish_hint : c->english_hint);
    }
}

/* Failures that are not replies, each in the run's language, with what it must name. */
typedef struct {
  GQuark                 domain;
  gint                   code;
  const char            *message;
  PostaciFailureContext  context;
  const char            *english;
  const char            *turkish;
} ErrorCase;

static char *
explain_error_case (gconstpointer data, char **hint)
{
  const ErrorCase *c = data;

  return explain_error (c->domain, c->code, c->message, &c->context, hint);
}

static void
test_language_errors (void)
{
  const ErrorCase cases[] = {
    { G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "Name or service not known",
      { POSTACI_STAGE_CONNECT, POSTACI_SECURITY_STARTTLS, 587, .server = "smtp.gmial.com" },
      "does not resolve", "çözümlenemiyor" },
    { G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE, "Temporary failure",
      { POSTACI_STAGE_CONNECT, POSTACI_SECURITY_STARTTLS, 587 },
      "DNS server did not answer", "DNS sunucusu yanıt vermedi" },
    { G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "Connection refused",
      { POSTACI_STAGE_CONNECT, POSTACI_SECURITY_STARTTLS, 2525 },
      "port 2525", "2525 numaralı portunda" },
    { G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "Network is unreachable",
      { POSTACI_STAGE_CONNECT, POSTACI_SECURITY_STARTTLS, 587 },
      "no network route", "ağ yolu yok" },
    { G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Connection timed out",
      { POSTACI_STAGE_CONNECT, POSTACI_SECURITY_NONE, 25 },
      "block outgoing connections to port 25", "25 numaralı porta giden bağlantıları engeller" },
    /* The seed's forum question: a plain connection to smtp.gmail.com:465. */
    { POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_NO_GREETING, "No greeting",
      { POSTACI_STAGE_GREETING, POSTACI_SECURITY_NONE, 465, .server = "smtp.gmail.com" },
      "Port 465 speaks TLS from the first byte", "ilk bayttan itibaren TLS ile şifrelenir" },
    { POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT, "Timeout",
      { POSTACI_STAGE_GREETING, POSTACI_SECURITY_STARTTLS, 465, .server = "smtp.gmail.com" },
      "Port 465 speaks TLS from the first byte", "ilk bayttan itibaren TLS ile şifrelenir" },
    { POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT, "Timeout",
      { POSTACI_STAGE_TLS, POSTACI_SECURITY_TLS, 587 },
      "TLS handshake did not finish", "TLS el sıkışması süre sınırı içinde" },
    { POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT, "Timeout",
      { POSTACI_STAGE_DATA, POSTACI_SECURITY_STARTTLS, 587, TRUE, TRUE },
      "raise “Seconds to wait for each reply”",
      "“Her yanıt için beklenecek saniye” değerini (--timeout) artırıp" },
    { POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_TIMEOUT, "Timeout",
      { POSTACI_STAGE_AUTH, POSTACI_SECURITY_STARTTLS, 587, TRUE, TRUE },
      "at stage “AUTH”", "“AUTH” adımında" },
    /* TLS chosen on a port that greets in plain text: what the GnuTLS backend really reports,
     * with glib-networking's prefix in English and in Turkish. */
    { G_TLS_ERROR, G_TLS_ERROR_MISC,
      "Error performing TLS handshake: An unexpected TLS packet was received.",
      { POSTACI_STAGE_TLS, POSTACI_SECURITY_TLS, 2526 },
      "answered in plain text", "düz metinle yanıt verdi" },
    { G_TLS_ERROR, G_TLS_ERROR_MISC,
      "TLS el sıkışması sırasında hata: An unexpected TLS packet was received.",
      { POSTACI_STAGE_TLS, POSTACI_SECURITY_TLS, 2526 },
      "answered in plain text", "düz metinle yanıt verdi" },
    { G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE, "handshake failed",
      { POSTACI_STAGE_TLS, POSTACI_SECURITY_TLS, 587 },
      "answered in plain text", "düz metinle yanıt verdi" },
    { G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "Unacceptable TLS certificate",
      { POSTACI_STAGE_TLS, POSTACI_SECURITY_TLS, 465,
        .certificate_errors = G_TLS_CERTIFICATE_BAD_IDENTITY },
      "another name", "farklı bir ad için" },
    { G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "Unacceptable TLS certificate",
      { POSTACI_STAGE_TLS, POSTACI_SECURITY_TLS, 465,
        .certificate_errors = G_TLS_CERTIFICATE_EXPIRED },
      "has expired", "süresi dolmuş" },
    { G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "Unacceptable TLS certificate",
      { POSTACI_STAGE_TLS, POSTACI_SECURITY_TLS, 465,
        .certificate_errors = G_TLS_CERTIFICATE_NOT_ACTIVATED },
      "not valid yet", "henüz geçerli değil" },
    { POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_CERTIFICATE, "rejected",
      { POSTACI_STAGE_TLS, POSTACI_SECURITY_STARTTLS, 587, TRUE,
        .certificate_errors = G_TLS_CERTIFICATE_UNKNOWN_CA },
      "self-signed", "kendinden imzalı" },
    { G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "Unacceptable TLS certificate",
      { POSTACI_STAGE_TLS, POSTACI_SECURITY_TLS, 465,
        .certificate_errors = G_TLS_CERTIFICATE_REVOKED },
      "revoked", "iptal edilmiş" },
    { G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "Unacceptable TLS certificate",
      { POSTACI_STAGE_TLS, POSTACI_SECURITY_TLS, 465,
        .certificate_errors = G_TLS_CERTIFICATE_INSECURE },
      "no longer considered safe", "artık güvenli sayılmayan" },
    { G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "Connection reset by peer",
      { POSTACI_STAGE_GREETING, POSTACI_SECURITY_NONE, 465 },
      "plain text", "düz metin" },
    { POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_STARTTLS_INJECTION, "injection",
      { POSTACI_STAGE_TLS, POSTACI_SECURITY_STARTTLS, 587, TRUE },
      "CVE-2011-0411", "CVE-2011-0411" },
    { POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_PLAINTEXT_AUTH, "plain",
      { POSTACI_STAGE_AUTH, POSTACI_SECURITY_NONE, 25, TRUE },
      "send it readable", "okunabilir biçimde" },
    { POSTACI_SESSION_ERROR, POSTACI_SESSION_ERROR_AUTH_UNAVAILABLE, "no AUTH",
      { POSTACI_STAGE_AUTH, POSTACI_SECURITY_NONE, 25, TRUE },
      "hide AUTH", "AUTH'u gizler" },
    { G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled",
      { POSTACI_STAGE_RCPT, POSTACI_SECURITY_STARTTLS, 587, TRUE, TRUE },
      "stopped before it finished", "bitmeden durduruldu" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *hint = NULL;
      g_autofree char *text = explain_error_case (&cases[i], &hint);
      g_autofree char *both = g_strconcat (text, " ", hint, NULL);

      g_test_message ("%s → %s / %s", cases[i].message, text, hint);
      /* The system's own words ("Details: …") stay as the system wrote them. */
      if (strstr (text, cases[i].message) == NULL)
        assert_in_language (text, explain_error_case, &cases[i], FALSE);
      if (hint != NULL)
        assert_in_language (hint, explain_error_case, &cases[i], TRUE);
      assert_contains (both, turkish ? cases[i].turkish : cases[i].english);
    }
}

/* The verdict: what happened, then what to try, in the run's language. */
typedef struct {
  PostaciVerdict  verdict;
  PostaciStage    stage;
  guint           code;
  const char     *hint;
  const char     *english;
  const char     *turkish;
} VerdictCase;

static char *
summarize_case (gconstpointer data, char **hint)
{
  const VerdictCase *c = data;
  g_autoptr(PostaciOutcome) outcome = postaci_outcome_new ();

  if (hint != NULL)
    *hint = NULL;
  outcome->verdict = c->verdict;
  outcome->stage = c->stage;
  outcome->recipients_accepted = c->verdict == POSTACI_VERDICT_SUCCESS ? 1 : 0;
  if (c->code != 0)
    outcome->reply = postaci_reply_new_for_test (c->code, "5.7.1 Relaying denied");
  outcome->hint = g_strdup (c->hint);
  return postaci_catalog_summarize_outcome (outcome);
}

static void
test_language_verdict (void)
{
  static const VerdictCase cases[] = {
    { POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_QUIT, 0, NULL,
      "not yet proof of delivery", "teslim edildiğinin henüz kanıtı değil" },
    { POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_AUTH, 0, NULL,
      "up to “AUTH” worked", "“AUTH” adımına kadar" },
    { POSTACI_VERDICT_REFUSED, POSTACI_STAGE_RCPT, 550, NULL,
      "at the “RCPT” step with reply 550", "“RCPT” adımında 550 koduyla" },
    { POSTACI_VERDICT_NETWORK, POSTACI_STAGE_CONNECT, 0, NULL,
      "failed at the “Connect” step", "“Bağlanma” adımında" },
    { POSTACI_VERDICT_TLS, POSTACI_STAGE_TLS, 0, NULL,
      "could not be set up", "kurulamadı" },
    { POSTACI_VERDICT_PROTOCOL, POSTACI_STAGE_AUTH, 0, NULL,
      "broke the SMTP rules", "SMTP kurallarına uymadı" },
    { POSTACI_VERDICT_TIMEOUT, POSTACI_STAGE_GREETING, 0, NULL,
      "at the “Greeting” step", "“Karşılama” adımında" },
    { POSTACI_VERDICT_CANCELLED, POSTACI_STAGE_MAIL, 0, NULL,
      "when you are ready", "Hazır olduğunuzda" },
    { POSTACI_VERDICT_USAGE, POSTACI_STAGE_CONNECT, 0, NULL,
      "Nothing was sent", "Hiçbir şey gönderilmedi" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = summarize_case (&cases[i], NULL);
      g_auto(GStrv) sentences = g_strsplit (text, ". ", -1);

      g_test_message ("%s", text);
      assert_in_language (text, summarize_case, &cases[i], FALSE);
      assert_contains (text, turkish ? cases[i].turkish : cases[i].english);
      /* What happened, and what to try. */
      g_assert_cmpuint (g_strv_length (sentences), >=, 2);
    }
}

/* A failed run's verdict ends with the hint that the catalog gave for its failure. */
static void
test_language_verdict_uses_hint (void)
{
  g_autoptr(PostaciOutcome) outcome = postaci_outcome_new ();
  g_autofree char *hint = NULL;
  g_autofree char *summary = NULL;

  g_free (explain (554, "5.7.1 <x@y>: Relay access denied", POSTACI_COMMAND_RCPT, &hint));
  outcome->verdict = POSTACI_VERDICT_REFUSED;
  outcome->stage = POSTACI_STAGE_RCPT;
  outcome->reply = postaci_reply_new_for_test (554, "5.7.1 <x@y>: Relay access denied");
  outcome->hint = g_strdup (hint);
  summary = postaci_catalog_summarize_outcome (outcome);
  g_assert_true (g_str_has_suffix (summary, hint));
}

int
main (int argc, char *argv[])
{
  turkish = test_setup_language ("test-catalog");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/postaci/catalog/language/replies", test_language_replies);
  g_test_add_func ("/postaci/catalog/language/enhanced", test_language_enhanced);
  g_test_add_func ("/postaci/catalog/language/situation-hints", test_language_situation_hints);
  g_test_add_func ("/postaci/catalog/language/errors", test_language_errors);
  g_test_add_func ("/postaci/catalog/language/verdict", test_language_verdict);
  g_test_add_func ("/postaci/catalog/language/verdict-hint", test_language_verdict_uses_hint);
  if (turkish)
    return g_test_run ();

  /* The exact English wording. */
  g_test_add_func ("/postaci/catalog/basic/known-codes", test_known_codes_are_not_fallback);
  g_test_add_func ("/postaci/catalog/basic/fallback", test_fallback);
  g_test_add_func ("/postaci/catalog/basic/nonstandard", test_nonstandard_code);
  g_test_add_func ("/postaci/catalog/context/550", test_context_550);
  g_test_add_func ("/postaci/catalog/context/positive", test_context_positive);
  g_test_add_func ("/postaci/catalog/context/commands", test_context_commands);
  g_test_add_func ("/postaci/catalog/enhanced/exact", test_enhanced_exact);
  g_test_add_func ("/postaci/catalog/enhanced/unknown", test_enhanced_unknown);
  g_test_add_func ("/postaci/catalog/enhanced/registry", test_enhanced_registry);
  g_test_add_func ("/postaci/catalog/reply/enhanced", test_reply_with_enhanced);
  g_test_add_func ("/postaci/catalog/situation/field-notes", test_field_notes_situations);
  g_test_add_func ("/postaci/catalog/situation/more", test_more_situations);
  g_test_add_func ("/postaci/catalog/situation/own-codes", test_situation_own_codes);
  g_test_add_func ("/postaci/catalog/situation/needs-failure", test_situation_needs_failure);
  g_test_add_func ("/postaci/catalog/error/dns", test_error_dns);
  g_test_add_func ("/postaci/catalog/error/refused", test_error_refused);
  g_test_add_func ("/postaci/catalog/error/unreachable", test_error_unreachable);
  g_test_add_func ("/postaci/catalog/error/connect-timeout", test_error_connect_timeout);
  g_test_add_func ("/postaci/catalog/error/silent-465", test_error_silent_port_465);
  g_test_add_func ("/postaci/catalog/error/silent-587", test_error_silent_port_587);
  g_test_add_func ("/postaci/catalog/error/timeout-stages", test_error_timeout_stages);
  g_test_add_func ("/postaci/catalog/error/tls-on-plain-port", test_error_tls_on_plain_port);
  g_test_add_func ("/postaci/catalog/error/tls-handshake", test_error_tls_handshake);
  g_test_add_func ("/postaci/catalog/error/certificate", test_error_certificate);
  g_test_add_func ("/postaci/catalog/error/closed", test_error_closed);
  g_test_add_func ("/postaci/catalog/error/cancelled", test_error_cancelled);
  g_test_add_func ("/postaci/catalog/error/session-codes", test_error_session_codes);
  g_test_add_func ("/postaci/catalog/error/not-smtp", test_error_not_smtp);
  g_test_add_func ("/postaci/catalog/error/fallback", test_error_fallback);

  return g_test_run ();
}
