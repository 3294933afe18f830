/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-catalog-situations.c — known situations (a provider's own words, block lists,
 * greylisting…) recognised in a failing reply. */
#define G_LOG_DOMAIN "postaci-catalog"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-catalog-private.h"

/* ------------------------------------------------------------------------------------------ */
/* Known situations, recognised in the reply text                                             */
/* ------------------------------------------------------------------------------------------ */

typedef enum
{
  SITUATION_GMAIL_APP_PASSWORD,
  SITUATION_BAD_CREDENTIALS,
  SITUATION_SMTP_AUTH_DISABLED,
  SITUATION_M365_POLICY,
  SITUATION_AUTH_UNSUCCESSFUL,
  SITUATION_NOT_AUTHENTICATED,
  SITUATION_AUTH_AFTER_STARTTLS,
  SITUATION_STARTTLS_REQUIRED,
  SITUATION_RELAY_DENIED,
  SITUATION_SENDER_NOT_ALLOWED,
  SITUATION_BAD_HELO,
  SITUATION_BLOCKLIST,
  SITUATION_SENDING_QUOTA,
  SITUATION_RATE_LIMIT,
  SITUATION_GREYLISTING,
  SITUATION_TOO_LARGE,
  SITUATION_MAILBOX_FULL,
  SITUATION_UNKNOWN_USER,
  SITUATION_SENDER_DOMAIN,
  SITUATION_SENDER_AUTHENTICATION,
  SITUATION_REVERSE_DNS,
  SITUATION_YANDEX_ACCESS,
  SITUATION_SPAM_CONTENT,
  SITUATION_TOO_MANY_RECIPIENTS,
  SITUATION_DIRECT_TO_MX,
  SITUATION_TENANT_UNKNOWN_RECIPIENT,
  SITUATION_ACCOUNT_BLOCKED,
  N_SITUATIONS,
} SituationId;

static const PostaciCatalogSituation situations[N_SITUATIONS] = {
  [SITUATION_GMAIL_APP_PASSWORD] = { N_ ("The account uses 2-step verification, so the server does "
                                         "not accept its normal "
                                         "password for SMTP."),
                                     N_ ("Create an app password in the account's security "
                                         "settings and enter it instead of the "
                                         "normal password. The old “less secure apps” setting no "
                                         "longer exists.") },
  [SITUATION_BAD_CREDENTIALS] = { N_ ("If the account uses 2-step verification, the server refuses "
                                      "its normal password."),
                                  N_ ("Check the user name (the full e-mail address) and the "
                                      "password. If the account uses "
                                      "2-step verification, the normal password does not work: "
                                      "create an app password and use "
                                      "it instead.") },
  [SITUATION_SMTP_AUTH_DISABLED] = { N_ ("SMTP sign-in (SMTP AUTH) is turned off for this mailbox "
                                         "or for the whole organization."),
                                     N_ ("An administrator must turn on SMTP AUTH for this mailbox "
                                         "in Microsoft 365, or the "
                                         "program must sign in with OAuth2.") },
  [SITUATION_M365_POLICY] = { N_ ("Microsoft 365 refused the sign-in because of a policy of the "
                                  "organization (for example, "
                                  "security defaults or multi-factor authentication)."),
                              N_ ("Ask the Microsoft 365 administrator to allow SMTP AUTH for this "
                                  "account, or sign in "
                                  "with OAuth2.") },
  [SITUATION_AUTH_UNSUCCESSFUL] = { N_ ("The server refused the sign-in. Common causes are a wrong "
                                        "password, SMTP AUTH turned off "
                                        "for the mailbox, or an account that requires multi-factor "
                                        "sign-in."),
                                    N_ ("Check the user name and the password. If they are right, "
                                        "ask the administrator to turn "
                                        "on SMTP AUTH for this mailbox, or sign in with OAuth2.") },
  [SITUATION_NOT_AUTHENTICATED] = { N_ ("The server takes mail only from clients that have signed "
                                        "in, and this connection did not "
                                        "sign in."),
                                    N_ ("Turn on “Server requires authentication” and enter the "
                                        "account's user name and password. "
                                        "In Microsoft 365, an administrator may also need to turn "
                                        "on SMTP AUTH for the mailbox.") },
  [SITUATION_AUTH_AFTER_STARTTLS] = { N_ ("The server does not accept this sign-in method here. "
                                          "Many servers offer sign-in only "
                                          "after the connection is encrypted."),
                                      N_ ("Set “Security” to “STARTTLS” (or use port 465 with "
                                          "SSL/TLS), then compare the server's "
                                          "EHLO reply before and after TLS.") },
  [SITUATION_STARTTLS_REQUIRED] = { N_ ("The server requires an encrypted connection (STARTTLS) "
                                        "before this command."),
                                    N_ ("Set “Security” to “STARTTLS”, or use port 465 with "
                                        "SSL/TLS.") },
  [SITUATION_RELAY_DENIED] = { N_ ("The server does not pass mail on to other domains for clients "
                                   "that have not signed in "
                                   "(relaying)."),
                               N_ ("Turn on “Server requires authentication” and sign in, or use "
                                   "the submission port 587 with "
                                   "your account.") },
  [SITUATION_SENDER_NOT_ALLOWED] = { N_ ("The server does not let this account send with this "
                                         "sender address."),
                                     N_ ("Use the signed-in account's own address as the sender "
                                         "(From), or ask the administrator "
                                         "to give the account send-as rights for that address.") },
  [SITUATION_BAD_HELO] = { N_ ("The server refused the host name that this program sent with EHLO "
                               "or HELO."),
                           N_ ("Set “EHLO name” to a fully qualified host name, for example "
                               "mail.example.com.") },
  [SITUATION_BLOCKLIST] = { N_ ("The server refused mail because the sending IP address is on a "
                                "block list. Home and "
                                "dynamic IP addresses are often on such lists."),
                            N_ (
                              "Send through your provider's submission server (port 587 with "
                              "sign-in) instead. If the "
                              "IP address is fixed and yours, ask the block list to remove it.") },
  [SITUATION_SENDING_QUOTA] = { N_ ("The account has reached its sending limit."),
                                N_ ("Wait until the limit resets (often after 24 hours), or send "
                                    "fewer messages.") },
  [SITUATION_RATE_LIMIT] = { N_ ("The server limits how much this client may send, or how many "
                                 "connections it may open, "
                                 "and the limit was reached."),
                             N_ ("Wait a while, then try again with fewer messages or connections. "
                                 "Many test runs in a "
                                 "row can reach such limits.") },
  [SITUATION_GREYLISTING] = { N_ ("The server delays mail from senders it does not know yet "
                                  "(greylisting). A normal mail "
                                  "server tries again after a few minutes and then gets through."),
                              N_ ("This is not a fault. Run the test again after a few minutes.") },
  [SITUATION_TOO_LARGE] = { N_ ("The message is larger than the server accepts."),
                            N_ ("Send a smaller message (fewer or smaller attachments). The "
                                "server's limit appears as "
                                "SIZE in its EHLO reply.") },
  [SITUATION_MAILBOX_FULL] = { N_ ("The recipient's mailbox is full."),
                               N_ ("The recipient must free space in the mailbox. Try again later, "
                                   "or reach the recipient "
                                   "another way.") },
  [SITUATION_UNKNOWN_USER] = { N_ ("The recipient address does not exist on the receiving server."),
                               N_ ("Check the recipient address for typing errors.") },
  [SITUATION_SENDER_DOMAIN] = { N_ ("The server cannot find the domain of the sender address in "
                                    "DNS, so it refuses mail "
                                    "from it."),
                                N_ ("Use a sender address whose domain exists and has DNS records "
                                    "(MX or A).") },
  [SITUATION_SENDER_AUTHENTICATION] = { N_ ("The receiving server checks whether the sender's "
                                            "domain allows this server to send its "
                                            "mail (SPF, DKIM, DMARC), and the check failed."),
                                        N_ ("Send through the mail server of the sender's domain, "
                                            "or ask the domain's administrator "
                                            "to add this server to the SPF record and to sign its "
                                            "mail with DKIM.") },
  [SITUATION_REVERSE_DNS] = { N_ ("The server checks that the sending IP address has a matching "
                                  "host name in DNS (reverse "
                                  "DNS, PTR record), and the check failed."),
                              N_ ("Send through your provider's submission server (port 587 with "
                                  "sign-in), or ask the owner "
                                  "of the sending IP address to set a PTR record that matches its "
                                  "host name.") },
  [SITUATION_YANDEX_ACCESS] = { N_ ("The account is not allowed to use mail programs, or it must "
                                    "sign in with an app "
                                    "password (Yandex words it this way)."),
                                N_ ("In the Yandex ID security settings, create an app password "
                                    "for mail and use it instead "
                                    "of the normal password; in the mail settings, allow access "
                                    "from mail programs.") },
  [SITUATION_SPAM_CONTENT] = { N_ ("The server's spam filter judged the message to be spam."),
                               N_ ("Send a plain test message to a single recipient, without links "
                                   "or attachments, from an "
                                   "address of the signed-in account. If it is still refused, ask "
                                   "the receiving side which "
                                   "rule matched.") },
  [SITUATION_TOO_MANY_RECIPIENTS] = { N_ ("The message has more recipients than the server accepts "
                                          "in one transaction."),
                                      N_ ("Send to fewer recipients at a time; the others can "
                                          "follow in a second message.") },
  [SITUATION_DIRECT_TO_MX] = { N_ (
                                 "The receiving server does not take mail straight from this IP "
                                 "address: it expects mail "
                                 "from a proper mail server, not from a home or dynamic address."),
                               N_ ("Do not deliver directly: send through your own provider's "
                                   "submission server (port 587 "
                                   "with sign-in), which passes the message on.") },
  [SITUATION_TENANT_UNKNOWN_RECIPIENT] = { N_ ("Microsoft 365 refuses recipients that its "
                                               "directory does not list (directory-based edge "
                                               "blocking), so this address is unknown there."),
                                           N_ ("Check the recipient address for typing errors. If "
                                               "it is right, the administrator of the "
                                               "recipient's Microsoft 365 must create the mailbox "
                                               "or correct the domain's "
                                               "settings.") },
  [SITUATION_ACCOUNT_BLOCKED] = { N_ ("The provider has blocked this account from sending, usually "
                                      "because it sent spam or "
                                      "someone else used its password."),
                                  N_ ("Sign in to the provider's web mail and follow its "
                                      "instructions, and change the password. "
                                      "In Microsoft 365, an administrator releases the account "
                                      "under “Restricted entities”.") },
};

#define AFTER(command) (1u << (command))
#define ANY_FAILURE    0u /* Rule.code: any 4xx or 5xx */
#define ANY_TEMPORARY  4u /* Rule.code: any 4xx */
#define MAX_NEEDLES    12

/* A rule matches when every constraint it sets holds. Rules are tried in order and the first
 * match wins, so the narrow ones (a provider's own words) come before the broad ones. */
typedef struct
{
  SituationId situation;
  guint       code;                 /* exact code, ANY_TEMPORARY, or ANY_FAILURE */
  const char *enhanced;             /* "subject.detail" that the reply must carry, or NULL */
  guint       commands;             /* AFTER() bits, or 0 for after any command */
  const char *needles[MAX_NEEDLES]; /* one must occur in the text, case-insensitive; none: no
                                      * text condition */
  gboolean    own_codes; /* the provider gives enhanced codes its own meaning (Microsoft's
                           * 5.7.3 and 5.1.10, Gmail's 5.4.5): the registry's words mislead */
} Rule;

static const Rule rules[] = {
  /* Gmail's 5.7.9 means "app password needed", not the registry's "mechanism too weak". */
  { SITUATION_GMAIL_APP_PASSWORD,
    534,
    "7.9",
    0,
    { "application-specific password", "invalidsecondfactor" },
    TRUE },
  { SITUATION_BAD_CREDENTIALS,
    535,
    "7.8",
    0,
    { "username and password not accepted", "badcredentials" } },
  { SITUATION_SMTP_AUTH_DISABLED,
    ANY_FAILURE,
    NULL,
    0,
    { "smtpclientauthentication is disabled", "smtp_auth_disabled",
      "basic authentication is disabled" } },
  { SITUATION_M365_POLICY, 535, "7.139", 0, { NULL } },
  { SITUATION_AUTH_UNSUCCESSFUL, 535, "7.3", 0, { "authentication unsuccessful" }, TRUE },
  { SITUATION_NOT_AUTHENTICATED,
    ANY_FAILURE,
    NULL,
    0,
    { "not authenticated to send", "authentication required", "authentication is required",
      "client was not authenticated", "must authenticate", "sender is not authenticated",
      "requires authentication" } },
  { SITUATION_YANDEX_ACCESS,
    ANY_FAILURE,
    NULL,
    0,
    { "does not have access rights to this service", "use application password",
      "application password is required" } },
  { SITUATION_NOT_AUTHENTICATED, 530, "7.57", 0, { NULL } },
  { SITUATION_AUTH_AFTER_STARTTLS, ANY_FAILURE, NULL, 0, { "unrecognized authentication type" } },
  { SITUATION_STARTTLS_REQUIRED,
    ANY_FAILURE,
    NULL,
    0,
    { "starttls command first", "must issue a starttls" } },
  { SITUATION_RELAY_DENIED,
    ANY_FAILURE,
    NULL,
    0,
    { "relay access denied", "relaying denied", "relay not permitted", "unable to relay",
      "relaying not allowed", "not permitted to relay", "relay denied" } },
  { SITUATION_SENDER_NOT_ALLOWED,
    ANY_FAILURE,
    NULL,
    0,
    { "send as this sender", "not owned by", "sendasdenied", "does not match the authenticated",
      "not allowed to send as", "sender is not allowed" } },
  { SITUATION_SENDER_NOT_ALLOWED, 550, "7.60", 0, { NULL } },
  { SITUATION_BAD_HELO,
    ANY_FAILURE,
    NULL,
    0,
    { "fully-qualified hostname", "helo command rejected", "ehlo command rejected" } },
  { SITUATION_DIRECT_TO_MX,
    ANY_FAILURE,
    NULL,
    0,
    { "not authorized to send email directly", "dynamic ip", "residential ip", "dialup", "dial-up",
      "pbl" } },
  { SITUATION_BLOCKLIST,
    ANY_FAILURE,
    NULL,
    0,
    { "blocked using", "spamhaus", "spamcop", "blacklist", "blocklist", "block list", "dnsbl",
      "rbl", "banned sending ip", "not accepted from this ip", "ip reputation",
      "poor reputation" } },
  { SITUATION_SENDING_QUOTA, ANY_FAILURE, NULL, 0, { "sending quota", "sending limit" }, TRUE },
  { SITUATION_TOO_MANY_RECIPIENTS, ANY_FAILURE, "5.3", 0, { NULL } },
  { SITUATION_TOO_MANY_RECIPIENTS, ANY_FAILURE, NULL, 0, { "too many recipients" } },
  { SITUATION_RATE_LIMIT, ANY_FAILURE, "7.28", 0, { NULL } },
  { SITUATION_RATE_LIMIT,
    ANY_FAILURE,
    NULL,
    0,
    { "too many", "rate limit", "ratelimit", "rate-limit", "throttl", "unusual rate", "tss04",
      "unexpected volume" } },
  /* Greylisting tools pick codes freely (postgrey: 4.2.0, a "mailbox" code). */
  { SITUATION_GREYLISTING,
    ANY_TEMPORARY,
    NULL,
    0,
    { "greylist", "graylist", "grey-list", "gray-list" },
    TRUE },
  { SITUATION_GREYLISTING,
    ANY_TEMPORARY,
    "7.1",
    0,
    { "try again later", "try later", "retry later", "please retry" },
    TRUE },
  { SITUATION_GREYLISTING,
    ANY_TEMPORARY,
    "2.0",
    0,
    { "try again later", "try later", "retry later", "please retry" },
    TRUE },
  { SITUATION_TOO_LARGE, ANY_FAILURE, "3.4", 0, { NULL } },
  { SITUATION_TOO_LARGE, ANY_FAILURE, "2.3", 0, { NULL } },
  { SITUATION_TOO_LARGE,
    ANY_FAILURE,
    NULL,
    0,
    { "size limit", "too big", "too large", "size exceeds", "exceeds the maximum size" } },
  { SITUATION_MAILBOX_FULL, ANY_FAILURE, "2.2", 0, { NULL } },
  { SITUATION_MAILBOX_FULL,
    ANY_FAILURE,
    NULL,
    0,
    { "over quota", "overquota", "mailbox full", "mailbox is full", "quota exceeded" } },
  /* Microsoft's directory-based edge blocking answers 550 5.4.1, a "network" code. */
  { SITUATION_TENANT_UNKNOWN_RECIPIENT,
    ANY_FAILURE,
    NULL,
    AFTER (POSTACI_COMMAND_RCPT),
    { "recipient address rejected: access denied" },
    TRUE },
  { SITUATION_UNKNOWN_USER,
    ANY_FAILURE,
    "1.1",
    AFTER (POSTACI_COMMAND_RCPT) | AFTER (POSTACI_COMMAND_DATA_END),
    { NULL } },
  { SITUATION_UNKNOWN_USER,
    ANY_FAILURE,
    NULL,
    AFTER (POSTACI_COMMAND_RCPT) | AFTER (POSTACI_COMMAND_DATA_END),
    { "user unknown", "unknown user", "does not exist", "no such user", "nosuchuser",
      "recipient not found", "recipientnotfound", "user not found", "mailbox not found",
      "unknown recipient" },
    TRUE },
  /* Microsoft's 5.1.8 "bad outbound sender": the account, not the sender's domain. */
  { SITUATION_ACCOUNT_BLOCKED,
    ANY_FAILURE,
    NULL,
    0,
    { "bad outbound sender", "sender is blocked for spam", "account has been blocked",
      "account is blocked" },
    TRUE },
  { SITUATION_SENDER_DOMAIN, ANY_FAILURE, "1.8", 0, { NULL } },
  { SITUATION_SENDER_DOMAIN,
    ANY_FAILURE,
    NULL,
    0,
    { "sender address rejected: domain not found" } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.20", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.21", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.22", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.23", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.24", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.26", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION,
    ANY_FAILURE,
    NULL,
    0,
    { "spf", "dkim", "dmarc", "unauthenticated email" } },
  { SITUATION_REVERSE_DNS, ANY_FAILURE, "7.25", 0, { NULL } },
  { SITUATION_REVERSE_DNS,
    ANY_FAILURE,
    NULL,
    0,
    { "reverse dns", "rdns", "ptr", "cannot find your hostname", "reverse hostname",
      "reverse lookup" } },
  /* Last: "spam" also occurs in the names of block lists, matched above. */
  { SITUATION_SPAM_CONTENT,
    ANY_FAILURE,
    NULL,
    0,
    { "spam", "unsolicited", "junk mail", "content rejected", "potential security issue", "virus",
      "malware" } },
};

static gboolean
code_matches (guint wanted, guint code)
{
  if (wanted == ANY_FAILURE)
    return code >= 400 && code < 600;
  if (wanted < 10)
    return code / 100 == wanted;
  return code == wanted;
}

static gboolean
enhanced_matches (const char *wanted, const PostaciReply *reply)
{
  char actual[32];

  if (!postaci_reply_has_enhanced (reply))
    return FALSE;
  g_snprintf (actual, sizeof actual, "%u.%u", reply->enhanced[1], reply->enhanced[2]);
  return strcmp (wanted, actual) == 0;
}

/* @folded_text is the reply text in ASCII lower case. */
static gboolean
text_has_any (const char *folded_text, const char *const *needles)
{
  for (guint i = 0; i < MAX_NEEDLES && needles[i] != NULL; i++)
    {
      g_autofree char *folded_needle = g_ascii_strdown (needles[i], -1);

      if (strstr (folded_text, folded_needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
rule_matches (const Rule *rule, const PostaciReply *reply, PostaciCommand command,
              const char *folded_text)
{
  if (!code_matches (rule->code, reply->code))
    return FALSE;
  if (rule->commands != 0 && (rule->commands & AFTER (command)) == 0)
    return FALSE;
  if (rule->enhanced != NULL && !enhanced_matches (rule->enhanced, reply))
    return FALSE;
  return rule->needles[0] == NULL || text_has_any (folded_text, rule->needles);
}

static const Rule *
find_rule (const PostaciReply *reply, PostaciCommand command)
{
  g_autofree char *text = NULL;
  g_autofree char *folded_text = NULL;

  if (postaci_reply_is_positive (reply))
    return NULL;
  text = postaci_reply_get_text (reply);
  folded_text = g_ascii_strdown (text, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    if (rule_matches (&rules[i], reply, command, folded_text))
      return &rules[i];
  return NULL;
}

/* The known situation that a failing reply matches, or NULL. */
const PostaciCatalogSituation *
_postaci_catalog_find_situation (const PostaciReply *reply, PostaciCommand command)
{
  const Rule *rule = find_rule (reply, command);

  return rule != NULL ? &situations[rule->situation] : NULL;
}
