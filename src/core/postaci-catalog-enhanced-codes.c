/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-catalog-enhanced-codes.c — what an enhanced status code means: RFC 3463 and the IANA
 * registry (RFC 5248). */
#define G_LOG_DOMAIN "postaci-catalog"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postaci-catalog-private.h"

/* ------------------------------------------------------------------------------------------ */
/* Enhanced status codes: RFC 3463 and the IANA registry (RFC 5248)                            */
/* ------------------------------------------------------------------------------------------ */

static const char *const enhanced_subjects[] = {
  [0] = N_ ("This status has no further category."),
  [1] = N_ ("This status is about an address (sender or recipient)."),
  [2] = N_ ("This status is about the recipient's mailbox."),
  [3] = N_ ("This status is about the receiving mail system."),
  [4] = N_ ("This status is about the network or the routing of mail."),
  [5] = N_ ("This status is about the mail protocol (the commands and their order)."),
  [6] = N_ ("This status is about the message content or its format."),
  [7] = N_ ("This status is about security or policy."),
};

typedef struct
{
  guint       subject;
  guint       detail;
  const char *text;
} EnhancedEntry;

static const EnhancedEntry enhanced_entries[] = {
  { 0, 0, N_ ("No further detail is given.") },

  { 1, 0, N_ ("There is a problem with an address; no further detail is given.") },
  { 1, 1, N_ ("The recipient's mailbox does not exist, or the address is wrong.") },
  { 1, 2, N_ ("The recipient's domain (after the @) does not exist or does not accept mail.") },
  { 1, 3, N_ ("The recipient address is not valid (wrong syntax).") },
  { 1, 4, N_ ("The recipient address matches more than one mailbox.") },
  { 1, 5, N_ ("The recipient address is valid.") },
  { 1, 6, N_ ("The mailbox has moved, and there is no forwarding address.") },
  { 1, 7, N_ ("The sender address is not valid (wrong syntax).") },
  { 1, 8, N_ ("The sender's domain (after the @) does not exist or cannot receive replies.") },
  { 1, 9,
    N_ ("The address was valid, but the message went on to a system that does not report "
        "delivery status.") },                                                        /* RFC 3886 */
  { 1, 10, N_ ("The recipient's domain states that it accepts no mail (null MX).") }, /* RFC 7505 */

  { 2, 0, N_ ("There is a problem with the recipient's mailbox; no further detail is given.") },
  { 2, 1, N_ ("The recipient's mailbox is disabled and does not accept messages.") },
  { 2, 2, N_ ("The recipient's mailbox is full.") },
  { 2, 3, N_ ("The message is larger than this mailbox allows.") },
  { 2, 4, N_ ("A mailing list could not be expanded to its members.") },

  { 3, 0, N_ ("There is a problem with the receiving mail system; no further detail is given.") },
  { 3, 1, N_ ("The receiving mail system is out of storage space.") },
  { 3, 2,
    N_ ("The receiving system does not accept messages at the moment (for example, "
        "because of maintenance or high load).") },
  { 3, 3, N_ ("The receiving system does not support a feature that this message needs.") },
  { 3, 4, N_ ("The message is larger than the system allows.") },
  { 3, 5, N_ ("The receiving system is configured incorrectly.") },
  { 3, 6, N_ ("The message was accepted, but its requested priority was changed.") }, /* RFC 6710 */

  { 4, 0, N_ ("There is a network or routing problem; no further detail is given.") },
  { 4, 1, N_ ("The next server did not answer.") },
  { 4, 2, N_ ("The connection to the next server was bad or broke.") },
  { 4, 3, N_ ("A directory server (for example, DNS) failed.") },
  { 4, 4, N_ ("The mail system found no route to the destination.") },
  { 4, 5, N_ ("The mail system is overloaded.") },
  { 4, 6, N_ ("The message went round in a loop between servers.") },
  { 4, 7, N_ ("Delivery took too long, and the message expired.") },

  { 5, 0, N_ ("There is a protocol problem; no further detail is given.") },
  { 5, 1, N_ ("The command is not valid here (unknown, or in the wrong order).") },
  { 5, 2, N_ ("The command has a syntax error.") },
  { 5, 3, N_ ("The message has too many recipients.") },
  { 5, 4, N_ ("The arguments of the command are not valid.") },
  { 5, 5, N_ ("The two sides use protocol versions that do not work together.") },
  { 5, 6, N_ ("A line of the sign-in exchange was too long.") }, /* RFC 4954 */

  { 6, 0, N_ ("There is a problem with the message content; no further detail is given.") },
  { 6, 1, N_ ("The media type of the message is not supported.") },
  { 6, 2, N_ ("The content needs a conversion that is not allowed.") },
  { 6, 3, N_ ("The content needs a conversion that is not possible here.") },
  { 6, 4, N_ ("The content was converted, and some data was lost.") },
  { 6, 5, N_ ("The conversion of the content failed.") },
  { 6, 6, N_ ("The message content could not be fetched from the remote system.") }, /* RFC 4468 */
  { 6, 7,
    N_ ("Addresses with non-ASCII characters are not allowed for this sender or "
        "recipient.") }, /* RFC 6531 */
  { 6, 8, N_ ("The reply would need UTF-8 text, but the client does not allow it.") },
  { 6, 9,
    N_ ("The message has UTF-8 header fields and cannot be passed on to one or more "
        "recipients.") },
  { 6, 10,
    N_ ("The reply would need UTF-8 text, but the client does not allow it (an old code "
        "with the same meaning as X.6.8).") },

  { 7, 0, N_ ("A security or policy rule applies; no further detail is given.") },
  { 7, 1, N_ ("A policy of the server does not allow this delivery.") },
  { 7, 2, N_ ("The sender is not allowed to send to this mailing list.") },
  { 7, 3, N_ ("A required security conversion is not possible.") },
  { 7, 4, N_ ("A security feature that the message needs is not supported.") },
  { 7, 5,
    N_ ("A cryptographic operation failed (for example, a key was missing or not "
        "valid).") },
  { 7, 6, N_ ("A cryptographic algorithm that the message needs is not supported.") },
  { 7, 7, N_ ("The message failed an integrity check.") },
  { 7, 8, N_ ("The user name or the password is wrong (invalid credentials).") }, /* RFC 4954 */
  { 7, 9, N_ ("The sign-in method is too weak for this server.") },
  { 7, 10, N_ ("This needs an encrypted connection.") }, /* RFC 5248 */
  { 7, 11, N_ ("This sign-in method needs an encrypted connection.") },
  { 7, 12, N_ ("The account must change its password before it can sign in.") },
  { 7, 13, N_ ("The user account is disabled.") },
  { 7, 14, N_ ("The server requires a trust relationship with the client, and there is none.") },
  { 7, 15, N_ ("The priority of the message is too low for this server.") }, /* RFC 6710 */
  { 7, 16, N_ ("The message is too large for its priority.") },
  { 7, 17, N_ ("The mailbox has a new owner since the sender last used it.") }, /* RFC 7293 */
  { 7, 18, N_ ("The domain has a new owner since the sender last used it.") },
  { 7, 19, N_ ("The check for a changed mailbox owner (RRVS) could not be completed.") },
  { 7, 20, N_ ("No valid DKIM signature was found.") }, /* RFC 7372 */
  { 7, 21, N_ ("No DKIM signature that the receiver accepts was found.") },
  { 7, 22, N_ ("No valid DKIM signature from the author's domain was found.") },
  { 7, 23,
    N_ ("The SPF check failed: the sender's domain does not allow this server to send "
        "for it.") },
  { 7, 24, N_ ("The SPF check could not be completed (an error in the SPF record or in DNS).") },
  { 7, 25, N_ ("The reverse DNS check of the sending IP address failed.") },
  { 7, 26,
    N_ ("The message failed several authentication checks (for example SPF, DKIM and "
        "DMARC).") },
  { 7, 27,
    N_ ("The sender's domain states that it accepts no mail (null MX), so replies could "
        "not reach it.") }, /* RFC 7505 */
  { 7, 28, N_ ("The server detected a flood of similar messages from this sender.") },
  { 7, 29, N_ ("The message failed the ARC check (Authenticated Received Chain).") }, /* RFC 8617 */
  { 7, 30,
    N_ ("The message requires an encrypted path (REQUIRETLS), and the next server does "
        "not support it.") }, /* RFC 8689 */
};

static const char *
enhanced_meaning (guint subject, guint detail)
{
  const char *meaning;

  for (gsize i = 0; i < G_N_ELEMENTS (enhanced_entries); i++)
    if (enhanced_entries[i].subject == subject && enhanced_entries[i].detail == detail)
      return T (enhanced_entries[i].text);

  meaning =
    _postaci_catalog_lookup_table (enhanced_subjects, G_N_ELEMENTS (enhanced_subjects), subject);
  return meaning != NULL ? meaning : _ ("This status code is not registered.");
}

char *
postaci_catalog_explain_enhanced (guint klass, guint subject, guint detail)
{
  const char *meaning = enhanced_meaning (subject, detail);

  switch (klass)
    {
    case 2:
      /* Translators: an enhanced status code (RFC 3463) and its meaning, for example
       * "2.1.5 (success): The recipient address is valid." */
      return g_strdup_printf (_ ("%u.%u.%u (success): %s"), klass, subject, detail, meaning);
    case 4:
      /* Translators: an enhanced status code (RFC 3463) and its meaning, for example
       * "4.2.2 (temporary failure): The recipient's mailbox is full." */
      return g_strdup_printf (_ ("%u.%u.%u (temporary failure): %s"), klass, subject, detail,
                              meaning);
    case 5:
      /* Translators: an enhanced status code (RFC 3463) and its meaning, for example
       * "5.1.1 (permanent failure): The recipient's mailbox does not exist…" */
      return g_strdup_printf (_ ("%u.%u.%u (permanent failure): %s"), klass, subject, detail,
                              meaning);
    default:
      /* Translators: an enhanced status code with a class that RFC 3463 does not define,
       * and its meaning. */
      return g_strdup_printf (_ ("%u.%u.%u: %s"), klass, subject, detail, meaning);
    }
}
