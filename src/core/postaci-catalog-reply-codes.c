/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-catalog-reply-codes.c — what a basic reply code means: alone, after a given command,
 * or by its digits. */
#define G_LOG_DOMAIN "postaci-catalog"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postaci-catalog-private.h"

/* ------------------------------------------------------------------------------------------ */
/* Basic reply codes (RFC 5321 §4.2, with the extensions that added codes)                     */
/* ------------------------------------------------------------------------------------------ */

typedef struct
{
  guint       code;
  gboolean    nonstandard; /* from code lists on the web, in no RFC: servers differ */
  const char *text;
  const char *hint; /* what to try; NULL for positive codes */
} BasicEntry;

static const BasicEntry basic_entries[] = {
  { 200, FALSE,
    N_ ("Success. This is an old, non-standard reply that some servers send instead "
        "of 250."),
    NULL },
  { 211, FALSE, N_ ("The server sends status or help information."), NULL },
  { 214, FALSE, N_ ("The server sends a help message for people."), NULL },
  { 220, FALSE, N_ ("The server is ready."), NULL },
  { 221, FALSE, N_ ("The server is closing the connection."), NULL },
  { 235, FALSE, N_ ("Sign-in succeeded."), NULL },
  { 250, FALSE, N_ ("The requested action is done."), NULL },
  { 251, FALSE, N_ ("The user is not local; the server will forward the message."), NULL },
  { 252, FALSE,
    N_ ("The server cannot check this user now, but it will accept the message and "
        "try to deliver it."),
    NULL },
  { 253, FALSE, N_ ("The server started sending the messages it held for this domain (ETRN)."),
    NULL },
  { 334, FALSE, N_ ("The server waits for the next step of the sign-in."), NULL },
  { 354, FALSE,
    N_ ("The server is ready for the message. The client ends it with a line that "
        "holds only a dot."),
    NULL },
  { 355, FALSE,
    N_ ("The server states from which byte an interrupted transfer may continue "
        "(checkpoint and restart)."),
    NULL },

  { 421, FALSE,
    N_ ("The service is not available now, and the server is closing the "
        "connection."),
    N_ ("Try again later. The server may be overloaded, in maintenance, or limiting connections "
        "from your IP address.") },
  { 432, FALSE, N_ ("The account must change its password before it can sign in."),
    N_ ("Sign in once with the provider's web page or a mail program, change the password, then "
        "run the test again.") },
  { 450, FALSE,
    N_ ("Nothing was done: the mailbox is not available at the moment (for example, "
        "it is busy or locked)."),
    N_ ("Try again in a few minutes.") },
  { 451, FALSE, N_ ("The server stopped the action because of a local error."),
    N_ ("Try again in a few minutes. If it happens again, tell the server's administrator.") },
  { 452, FALSE,
    N_ ("Nothing was done: the server has too little storage space, or there are too "
        "many recipients."),
    N_ ("Try again later, or send to fewer recipients at a time.") },
  { 453, FALSE, N_ ("The server has no mail waiting for this client (on-demand relay)."),
    N_ ("Nothing needs to be done: no mail is waiting.") },
  { 454, FALSE,
    N_ ("A temporary problem: the server cannot start encryption (TLS) or cannot "
        "complete the sign-in now."),
    N_ ("Try again later. If it happens again, tell the server's administrator.") },
  { 455, FALSE, N_ ("The server cannot handle the given parameters now."),
    N_ ("Try again later.") },
  { 458, FALSE, N_ ("The server cannot queue the messages for this domain now (ETRN)."),
    N_ ("Try again later.") },
  { 459, FALSE,
    N_ ("The server does not allow this domain to request its waiting messages "
        "(ETRN)."),
    N_ ("Ask the server's administrator to allow it.") },

  { 500, FALSE,
    N_ ("The server did not recognize the command (syntax error), or the line was "
        "too long."),
    N_ ("Check that this port belongs to an SMTP server and not to another service.") },
  { 501, FALSE, N_ ("The server found an error in the parameters or arguments of the command."),
    N_ ("Check the values in the form (addresses, EHLO name) for typing errors and extra "
        "characters.") },
  { 502, FALSE, N_ ("The server does not support this command."),
    N_ ("Check the server's EHLO reply for the features it supports.") },
  { 503, FALSE, N_ ("The server did not expect this command at this point (wrong order)."),
    N_ ("The server may want EHLO, STARTTLS or sign-in first: read the replies above.") },
  { 504, FALSE, N_ ("The server does not support this parameter of the command."),
    N_ ("Check the server's EHLO reply for the options it supports.") },
  { 510, TRUE, N_ ("The recipient address is wrong."), N_ ("Check the recipient address.") },
  { 512, TRUE, N_ ("The recipient's domain or host cannot be found."),
    N_ ("Check the domain part of the recipient address (after the @).") },
  { 515, TRUE, N_ ("The recipient mailbox address is not valid."),
    N_ ("Check the recipient address.") },
  { 517, TRUE, N_ ("Something is wrong with the sender address."),
    N_ ("Check the sender address.") },
  { 521, FALSE, N_ ("This host does not accept mail."),
    N_ ("Check the server name: this host takes no mail. You may need the submission server of "
        "your provider.") },
  { 522, TRUE, N_ ("The recipient's mailbox is over its size limit."),
    N_ ("The recipient must free space in the mailbox. Try again later.") },
  { 523, TRUE, N_ ("The message is larger than the server allows."),
    N_ ("Send a smaller message.") },
  { 530, FALSE,
    N_ ("Access denied: the server requires sign-in, or encryption (STARTTLS) "
        "first."),
    N_ ("Turn on “Server requires authentication”. If the server's reply mentions STARTTLS, set "
        "“Security” to “STARTTLS”.") },
  { 531, TRUE, N_ ("The server's mail storage is full."),
    N_ ("Try again later, and tell the server's administrator.") },
  { 533, TRUE, N_ ("The receiving server has too little disk space for the message."),
    N_ ("Try again later, and tell the server's administrator.") },
  { 534, FALSE, N_ ("The sign-in method is too weak for this server."),
    N_ (
      "Choose a stronger method in “Mechanism”, or set “Security” to “STARTTLS”. Gmail also sends "
      "this code when an app password is needed.") },
  { 535, FALSE, N_ ("Sign-in failed: the server did not accept the user name or password."),
    N_ ("Check the user name (often the full e-mail address) and the password. Some providers "
        "need an app password, or an administrator setting for SMTP sign-in.") },
  { 538, FALSE, N_ ("This sign-in method needs an encrypted connection."),
    N_ ("Set “Security” to “STARTTLS”, or use port 465 with SSL/TLS.") },
  { 540, TRUE, N_ ("The recipient's domain has no mail server in DNS."),
    N_ ("Check the domain part of the recipient address (after the @).") },
  { 541, TRUE, N_ ("The receiving host did not answer, or a spam filter refused the message."),
    N_ ("Read the server's reply for the reason.") },
  { 542, TRUE, N_ ("The connection to the receiving host was bad."), N_ ("Try again later.") },
  { 543, TRUE, N_ ("The server found no route to the recipient's server."),
    N_ ("Check the domain part of the recipient address (after the @).") },
  { 546, TRUE, N_ ("The message went round in a loop between servers."),
    N_ ("Tell the administrator of the recipient's domain: a forwarding rule may send mail in a "
        "circle.") },
  { 547, TRUE, N_ ("Delivery took too long and was stopped."),
    N_ ("Try again. If it happens again, tell the server's administrator.") },
  { 550, FALSE,
    N_ ("Nothing was done: the mailbox is not available (it may not exist), or a "
        "policy refused the action."),
    N_ ("Read the server's reply: it usually names the reason.") },
  { 551, FALSE, N_ ("The user is not local, and the server will not forward the message."),
    N_ ("Send to the recipient's own server, or use the address that the server suggests.") },
  { 552, FALSE,
    N_ ("The action stopped: a storage limit was exceeded (the message is too large, "
        "or the mailbox is full)."),
    N_ ("Send a smaller message, or try again after the recipient frees space.") },
  { 553, FALSE,
    N_ ("Nothing was done: the mailbox name is not allowed (for example, the address "
        "syntax is wrong)."),
    N_ ("Check the sender and recipient addresses.") },
  { 554, FALSE,
    N_ ("The transaction failed. As the first reply on a connection, it means that "
        "the server does not accept this client."),
    N_ ("Read the server's reply for the reason.") },
  { 555, FALSE,
    N_ ("The server does not recognize or support a parameter given with MAIL FROM "
        "or RCPT TO."),
    N_ ("The server lacks an extension that this test used: check its EHLO reply.") },
  { 556, FALSE, N_ ("The domain of an address does not accept mail."),
    N_ ("Check the domain of the addresses: it states that it takes no mail.") },
};

/* ------------------------------------------------------------------------------------------ */
/* The same code after a given command                                                        */
/* ------------------------------------------------------------------------------------------ */

typedef struct
{
  PostaciCommand command;
  guint          code;
  const char    *text;
  const char    *hint; /* NULL: the basic code's hint applies */
} ContextEntry;

/* HELO shares the EHLO rows (see find_context) unless it has its own. */
static const ContextEntry context_entries[] = {
  /* The greeting, before any command. */
  { POSTACI_COMMAND_NONE, 220, N_ ("The server is ready and has sent its greeting."), NULL },
  { POSTACI_COMMAND_NONE, 421,
    N_ ("The server is not available now and closed the connection "
        "right after it opened."),
    N_ ("Try again later. If it keeps happening, the server may be overloaded, in maintenance, or "
        "limiting connections from your IP address.") },
  { POSTACI_COMMAND_NONE, 554,
    N_ ("The server refused the connection at the start. Usually it "
        "does not accept mail from your IP address."),
    N_ ("Check whether your IP address is on a block list, or send through your provider's "
        "submission server (port 587 with sign-in).") },
  { POSTACI_COMMAND_NONE, 521, N_ ("This host does not accept mail at all."),
    N_ ("Check the server name: you may need another server, for example the submission server "
        "of your provider.") },

  /* EHLO (and HELO). */
  { POSTACI_COMMAND_EHLO, 250,
    N_ ("The server accepted EHLO. The lines that follow list the "
        "features it supports, such as STARTTLS, AUTH and SIZE."),
    NULL },
  { POSTACI_COMMAND_HELO, 250,
    N_ ("The server accepted HELO. HELO does not list any "
        "features."),
    NULL },
  { POSTACI_COMMAND_EHLO, 500,
    N_ ("The server did not recognize EHLO. Very old servers do not know "
        "it."),
    N_ ("Check that this port belongs to an SMTP server. A very old server may accept only HELO: "
        "set “Security” to “None” to allow it.") },
  { POSTACI_COMMAND_EHLO, 501,
    N_ ("The server refused the host name given with EHLO or HELO as "
        "invalid."),
    N_ ("Set “EHLO name” to a fully qualified host name, for example mail.example.com.") },
  { POSTACI_COMMAND_EHLO, 502, N_ ("The server does not support EHLO."),
    N_ ("A very old server may accept only HELO: set “Security” to “None” to allow it.") },
  { POSTACI_COMMAND_EHLO, 504, N_ ("The server refused the host name given with EHLO or HELO."),
    N_ ("Set “EHLO name” to a fully qualified host name, for example mail.example.com.") },
  { POSTACI_COMMAND_EHLO, 550,
    N_ ("The server refused EHLO. It may not accept mail from your IP "
        "address or from this host name."),
    N_ ("Read the server's reply. Check “EHLO name”, and whether your IP address is on a block "
        "list.") },

  /* STARTTLS (RFC 3207). */
  { POSTACI_COMMAND_STARTTLS, 220,
    N_ ("The server is ready to start encryption (TLS). The TLS "
        "handshake follows."),
    NULL },
  { POSTACI_COMMAND_STARTTLS, 454, N_ ("The server cannot start encryption (TLS) at the moment."),
    N_ ("Try again later. If it keeps failing, the server's TLS setup is broken: tell its "
        "administrator, or try port 465 with SSL/TLS.") },
  { POSTACI_COMMAND_STARTTLS, 501, N_ ("The server refused the STARTTLS command as malformed."),
    N_ ("Try port 465 with SSL/TLS, or tell the server's administrator.") },
  { POSTACI_COMMAND_STARTTLS, 502, N_ ("The server does not support STARTTLS on this port."),
    N_ ("Use port 465 with SSL/TLS. Set “Security” to “None” only on a network you trust.") },

  /* AUTH (RFC 4954). */
  { POSTACI_COMMAND_AUTH, 235, N_ ("Sign-in succeeded."), NULL },
  { POSTACI_COMMAND_AUTH, 334,
    N_ ("The server waits for the next step of the sign-in (a "
        "challenge, encoded in Base64)."),
    NULL },
  { POSTACI_COMMAND_AUTH, 432,
    N_ ("The server requires a password change before this account "
        "can sign in."),
    NULL },
  { POSTACI_COMMAND_AUTH, 454,
    N_ ("Sign-in failed because of a temporary problem on the "
        "server."),
    N_ ("Try again later. If it keeps failing, the server's sign-in service may be down: tell its "
        "administrator.") },
  { POSTACI_COMMAND_AUTH, 500,
    N_ ("The server did not understand the sign-in data: a line was "
        "too long, or the server does not know AUTH."),
    N_ ("Choose another method in “Mechanism”, for example PLAIN or LOGIN.") },
  { POSTACI_COMMAND_AUTH, 501,
    N_ ("The server refused the sign-in data as malformed (for "
        "example, invalid Base64), or the sign-in was cancelled."),
    N_ ("Choose another method in “Mechanism”.") },
  { POSTACI_COMMAND_AUTH, 502, N_ ("The server does not support sign-in (AUTH) here."),
    N_ ("Many servers offer AUTH only after STARTTLS: set “Security” to “STARTTLS”. If this server "
        "needs no sign-in, turn off “Server requires authentication”.") },
  { POSTACI_COMMAND_AUTH, 503,
    N_ ("The server did not expect AUTH now: the client has already "
        "signed in, or AUTH came at the wrong point."),
    N_ ("Check the replies above: the client may have signed in already, or the server may want "
        "STARTTLS or EHLO first.") },
  { POSTACI_COMMAND_AUTH, 504, N_ ("The server does not support this sign-in method."),
    N_ (
      "In “Mechanism”, choose a method that the server lists in its EHLO reply, or set “Security” "
      "to “STARTTLS”: many servers offer more methods after TLS.") },
  { POSTACI_COMMAND_AUTH, 530,
    N_ ("The server requires an encrypted connection (STARTTLS) "
        "before it accepts a sign-in."),
    N_ ("Set “Security” to “STARTTLS”, or use port 465 with SSL/TLS.") },
  { POSTACI_COMMAND_AUTH, 534, N_ ("The server considers this sign-in method too weak."), NULL },
  { POSTACI_COMMAND_AUTH, 535, N_ ("The server refused the user name or the password."), NULL },
  { POSTACI_COMMAND_AUTH, 538,
    N_ ("The server requires an encrypted connection for this sign-in "
        "method."),
    NULL },

  /* MAIL FROM. */
  { POSTACI_COMMAND_MAIL, 250, N_ ("The server accepted the sender address."), NULL },
  { POSTACI_COMMAND_MAIL, 451,
    N_ ("The server cannot accept the sender now because of a local "
        "problem (for example, a failed DNS or database lookup)."),
    N_ ("Try again in a few minutes.") },
  { POSTACI_COMMAND_MAIL, 452, N_ ("The server has too little storage space to accept mail now."),
    N_ ("Try again later. If it happens again, tell the server's administrator.") },
  { POSTACI_COMMAND_MAIL, 501, N_ ("The server refused the sender address as malformed."),
    N_ ("Check the sender address for typing errors and extra characters.") },
  { POSTACI_COMMAND_MAIL, 503,
    N_ ("The server did not expect MAIL now (for example, it wants "
        "EHLO or sign-in first)."),
    N_ ("Turn on “Server requires authentication” if the server requires it.") },
  { POSTACI_COMMAND_MAIL, 530,
    N_ ("The server does not accept a sender yet: it requires sign-in, "
        "or encryption (STARTTLS) first."),
    N_ ("Turn on “Server requires authentication”. If the server's reply mentions STARTTLS, set "
        "“Security” to “STARTTLS”.") },
  { POSTACI_COMMAND_MAIL, 550, N_ ("The server refused the sender address."),
    N_ ("Check the sender (From) address. It often must be the signed-in account's own address, "
        "and its domain must exist.") },
  { POSTACI_COMMAND_MAIL, 552,
    N_ ("The server refused the message because its announced size "
        "is larger than the server accepts."),
    N_ ("Send a smaller message. The server's limit appears as SIZE in its EHLO reply.") },
  { POSTACI_COMMAND_MAIL, 553,
    N_ ("The server does not allow this sender address: it is not "
        "valid, or this account may not use it."),
    N_ ("Use the signed-in account's own address as the sender, and check it for typing "
        "errors.") },
  { POSTACI_COMMAND_MAIL, 554,
    N_ ("The server refused the sender, or this client itself (for "
        "example, because of its IP address)."),
    N_ ("Read the server's reply for the reason.") },
  { POSTACI_COMMAND_MAIL, 555,
    N_ ("The server does not support a parameter given with MAIL FROM "
        "(for example SIZE, BODY or SMTPUTF8)."),
    N_ ("Check the server's EHLO reply for the extensions it supports.") },

  /* RCPT TO. */
  { POSTACI_COMMAND_RCPT, 250,
    N_ ("Recipient accepted: the server takes mail for this "
        "address."),
    NULL },
  { POSTACI_COMMAND_RCPT, 251,
    N_ ("Recipient accepted: the user is not local, and the server "
        "will forward the message."),
    NULL },
  { POSTACI_COMMAND_RCPT, 252,
    N_ ("The server cannot check this recipient now, but it will "
        "accept the message and try to deliver it."),
    NULL },
  { POSTACI_COMMAND_RCPT, 450,
    N_ ("The server cannot accept this recipient now: the mailbox is "
        "not available at the moment, or a policy delays it."),
    N_ ("Try again in a few minutes.") },
  { POSTACI_COMMAND_RCPT, 451,
    N_ ("The server cannot accept this recipient now because of a "
        "local problem."),
    N_ ("Try again in a few minutes.") },
  { POSTACI_COMMAND_RCPT, 452,
    N_ ("The server cannot accept this recipient now: there are too "
        "many recipients, or too little storage space."),
    N_ ("Send to fewer recipients at a time, or try again later.") },
  { POSTACI_COMMAND_RCPT, 501, N_ ("The server refused the recipient address as malformed."),
    N_ ("Check the recipient address for typing errors and extra characters.") },
  { POSTACI_COMMAND_RCPT, 503,
    N_ ("The server did not expect RCPT now: it needs the sender "
        "(MAIL FROM) or a sign-in first."),
    N_ ("Turn on “Server requires authentication” if the server requires it.") },
  { POSTACI_COMMAND_RCPT, 550,
    N_ ("The server refused this recipient: the mailbox is not "
        "available (it may not exist), or the server does not take "
        "mail for it from this client."),
    N_ ("Check the recipient address for typing errors. If the recipient is in another domain, the "
        "server may not relay for you: turn on “Server requires authentication”.") },
  { POSTACI_COMMAND_RCPT, 551,
    N_ ("The recipient is not local to this server, and the server "
        "will not forward the message."),
    N_ ("Send to the recipient's own server, or use the address that the server suggests.") },
  { POSTACI_COMMAND_RCPT, 552,
    N_ ("The server refused this recipient: the recipient's storage "
        "limit is exceeded."),
    N_ ("The recipient's mailbox is full: try again later, or reach the recipient another "
        "way.") },
  /* Postfix and others check the sender and the client name at RCPT time too. */
  { POSTACI_COMMAND_RCPT, 504,
    N_ ("The server refused something that it checks at this step, for "
        "example the EHLO name or the form of an address."),
    N_ ("Read the server's reply: it names what it refused.") },
  { POSTACI_COMMAND_RCPT, 553,
    N_ ("The server refused an address at this step: the recipient, or "
        "the sender that it checks here too. The address is not "
        "allowed (for example, its syntax is wrong)."),
    N_ ("Check the recipient and sender addresses for typing errors.") },
  { POSTACI_COMMAND_RCPT, 554,
    N_ ("The server refused this recipient. Often the server does not "
        "relay for this client, or the client is blocked."),
    N_ ("Read the server's reply for the reason.") },
  { POSTACI_COMMAND_RCPT, 555,
    N_ ("The server does not support a parameter given with RCPT TO "
        "(for example NOTIFY)."),
    N_ ("Check the server's EHLO reply for the extensions it supports.") },

  /* DATA, before the message. */
  { POSTACI_COMMAND_DATA, 354,
    N_ ("The server is ready for the message. The client sends it and "
        "ends it with a line that holds only a dot."),
    NULL },
  { POSTACI_COMMAND_DATA, 451,
    N_ ("The server cannot receive the message now because of a local "
        "problem."),
    N_ ("Try again in a few minutes.") },
  { POSTACI_COMMAND_DATA, 503,
    N_ ("The server did not expect DATA now: no recipient was "
        "accepted."),
    N_ ("Check why the recipients were refused: read the RCPT replies above.") },
  { POSTACI_COMMAND_DATA, 554,
    N_ ("The server refused to receive the message. Often no valid "
        "recipient is left, or the client is blocked."),
    N_ (
      "Read the RCPT replies above. If every recipient was accepted, the server's reply names the "
      "reason.") },

  /* After the final dot. */
  { POSTACI_COMMAND_DATA_END, 250,
    N_ ("The server accepted the message for delivery. This is not "
        "proof of inbox delivery: the message may still go to a "
        "spam folder, or come back later as undeliverable."),
    NULL },
  { POSTACI_COMMAND_DATA_END, 450,
    N_ ("The server did not accept the message now: a mailbox is "
        "not available at the moment, or a policy delays it."),
    N_ ("Try again in a few minutes.") },
  { POSTACI_COMMAND_DATA_END, 451,
    N_ ("The server could not accept the message because of a "
        "local problem (for example, a content filter failed)."),
    N_ ("Try again in a few minutes. If it happens again, tell the server's administrator.") },
  { POSTACI_COMMAND_DATA_END, 452,
    N_ ("The server could not accept the message now: it has too "
        "little storage space."),
    N_ ("Try again later.") },
  { POSTACI_COMMAND_DATA_END, 550,
    N_ ("The server refused the message after receiving it. "
        "Content filters, spam checks and sender checks (SPF, DKIM, "
        "DMARC) often cause this."),
    N_ ("Read the server's reply: it usually names the check that failed.") },
  { POSTACI_COMMAND_DATA_END, 552,
    N_ ("The server refused the message because it is larger than "
        "the server or the mailbox allows."),
    N_ ("Send a smaller message.") },
  { POSTACI_COMMAND_DATA_END, 554,
    N_ ("The server refused the message (transaction failed). Spam "
        "or virus filters and sender checks often cause this."),
    N_ ("Read the server's reply: it usually names the check that failed.") },

  /* The end. */
  { POSTACI_COMMAND_QUIT, 221,
    N_ ("The server closed the connection as asked. The session ended "
        "normally."),
    NULL },
  { POSTACI_COMMAND_RSET, 250,
    N_ ("The server cleared the current transaction (sender, "
        "recipients and message)."),
    NULL },
};

/* ------------------------------------------------------------------------------------------ */
/* Codes nobody listed: the class (first digit) and the group (second digit), RFC 5321 §4.2.1 */
/* ------------------------------------------------------------------------------------------ */

static const char *const class_texts[] = {
  [2] = N_ ("The server reports success."),
  [3] = N_ ("The server accepted the command and waits for more data."),
  [4] = N_ ("Temporary failure: the server did not do it now, but the same command may work "
            "later."),
  [5] = N_ ("Permanent failure: the server will not do this, and the same command will fail "
            "again."),
};

/* RFC 5321 leaves x3z and x4z open; RFC 4954 uses x3z for authentication and security. */
static const char *const group_texts[] = {
  [0] = N_ ("This code group is about command syntax."),
  [1] = N_ ("This code group gives information, such as status or help."),
  [2] = N_ ("This code group is about the connection."),
  [3] = N_ ("This code group is about sign-in (authentication) and security."),
  [4] = N_ ("This code group is about the mail system."),
  [5] = N_ ("This code group is about the mail system."),
};

static const char *const class_hints[] = {
  [4] = N_ ("Wait a few minutes and run the test again. If it keeps failing, read the server's "
            "reply and ask its administrator."),
  [5] =
    N_ ("Read the server's reply: it usually names the reason. Correct that setting, or ask the "
        "server's administrator."),
};

static const BasicEntry *
find_basic (guint code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (basic_entries); i++)
    if (basic_entries[i].code == code)
      return &basic_entries[i];
  return NULL;
}

static const ContextEntry *
find_context_exact (guint code, PostaciCommand command)
{
  for (gsize i = 0; i < G_N_ELEMENTS (context_entries); i++)
    if (context_entries[i].code == code && context_entries[i].command == command)
      return &context_entries[i];
  return NULL;
}

static const ContextEntry *
find_context (guint code, PostaciCommand command)
{
  const ContextEntry *entry = find_context_exact (code, command);

  if (entry == NULL && command == POSTACI_COMMAND_HELO)
    entry = find_context_exact (code, POSTACI_COMMAND_EHLO);
  return entry;
}

static void
append_class_fallback (GString *out, guint code)
{
  const char *class_text =
    _postaci_catalog_lookup_table (class_texts, G_N_ELEMENTS (class_texts), code / 100);

  if (class_text == NULL)
    {
      _postaci_catalog_append_sentence (out, _ ("The server sent a reply code that SMTP does not "
                                                "define."));
      return;
    }
  _postaci_catalog_append_sentence (out, class_text);
  _postaci_catalog_append_sentence (
    out, _postaci_catalog_lookup_table (group_texts, G_N_ELEMENTS (group_texts), (code / 10) % 10));
}

void
_postaci_catalog_append_code_meaning (GString *out, guint code, PostaciCommand command)
{
  const ContextEntry *context = find_context (code, command);
  const BasicEntry   *basic;

  if (context != NULL)
    {
      _postaci_catalog_append_sentence (out, T (context->text));
      return;
    }
  basic = find_basic (code);
  if (basic == NULL)
    {
      append_class_fallback (out, code);
      return;
    }
  _postaci_catalog_append_sentence (out, T (basic->text));
  if (basic->nonstandard)
    _postaci_catalog_append_sentence (out, _ ("This code is not part of the SMTP standard, so its "
                                              "meaning depends on the server."));
}

const char *
_postaci_catalog_code_hint (guint code, PostaciCommand command)
{
  const ContextEntry *context = find_context (code, command);
  const BasicEntry   *basic = find_basic (code);

  if (context != NULL && context->hint != NULL)
    return T (context->hint);
  if (basic != NULL && basic->hint != NULL)
    return T (basic->hint);
  return _postaci_catalog_lookup_table (class_hints, G_N_ELEMENTS (class_hints), code / 100);
}
