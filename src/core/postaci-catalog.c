/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-catalog.c — what reply codes, enhanced codes and failures mean, and what to try next. */
#define G_LOG_DOMAIN "postaci-catalog"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-catalog.h"
#include "postaci-line-reader.h"
#include "postaci-reply.h"
#include "postaci-errors.h"

#define T(msgid) g_dgettext (GETTEXT_PACKAGE, (msgid))

/* ------------------------------------------------------------------------------------------ */
/* Basic reply codes (RFC 5321 §4.2, with the extensions that added codes)                     */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  guint       code;
  gboolean    nonstandard; /* from code lists on the web, in no RFC: servers differ */
  const char *text;
  const char *hint;        /* what to try; NULL for positive codes */
} BasicEntry;

static const BasicEntry basic_entries[] = {
  { 200, FALSE, N_("Success. This is an old, non-standard reply that some servers send instead "
                   "of 250."), NULL },
  { 211, FALSE, N_("The server sends status or help information."), NULL },
  { 214, FALSE, N_("The server sends a help message for people."), NULL },
  { 220, FALSE, N_("The server is ready."), NULL },
  { 221, FALSE, N_("The server is closing the connection."), NULL },
  { 235, FALSE, N_("Sign-in succeeded."), NULL },
  { 250, FALSE, N_("The requested action is done."), NULL },
  { 251, FALSE, N_("The user is not local; the server will forward the message."), NULL },
  { 252, FALSE, N_("The server cannot check this user now, but it will accept the message and "
                   "try to deliver it."), NULL },
  { 253, FALSE, N_("The server started sending the messages it held for this domain (ETRN)."),
    NULL },
  { 334, FALSE, N_("The server waits for the next step of the sign-in."), NULL },
  { 354, FALSE, N_("The server is ready for the message. The client ends it with a line that "
                   "holds only a dot."), NULL },
  { 355, FALSE, N_("The server states from which byte an interrupted transfer may continue "
                   "(checkpoint and restart)."), NULL },

  { 421, FALSE, N_("The service is not available now, and the server is closing the "
                   "connection."),
    N_("Try again later. The server may be overloaded, in maintenance, or limiting connections "
       "from your IP address.") },
  { 432, FALSE, N_("The account must change its password before it can sign in."),
    N_("Sign in once with the provider's web page or a mail program, change the password, then "
       "run the test again.") },
  { 450, FALSE, N_("Nothing was done: the mailbox is not available at the moment (for example, "
                   "it is busy or locked)."),
    N_("Try again in a few minutes.") },
  { 451, FALSE, N_("The server stopped the action because of a local error."),
    N_("Try again in a few minutes. If it happens again, tell the server's administrator.") },
  { 452, FALSE, N_("Nothing was done: the server has too little storage space, or there are too "
                   "many recipients."),
    N_("Try again later, or send to fewer recipients at a time.") },
  { 453, FALSE, N_("The server has no mail waiting for this client (on-demand relay)."),
    N_("Nothing needs to be done: no mail is waiting.") },
  { 454, FALSE, N_("A temporary problem: the server cannot start encryption (TLS) or cannot "
                   "complete the sign-in now."),
    N_("Try again later. If it happens again, tell the server's administrator.") },
  { 455, FALSE, N_("The server cannot handle the given parameters now."),
    N_("Try again later.") },
  { 458, FALSE, N_("The server cannot queue the messages for this domain now (ETRN)."),
    N_("Try again later.") },
  { 459, FALSE, N_("The server does not allow this domain to request its waiting messages "
                   "(ETRN)."),
    N_("Ask the server's administrator to allow it.") },

  { 500, FALSE, N_("The server did not recognize the command (syntax error), or the line was "
                   "too long."),
    N_("Check that this port belongs to an SMTP server and not to another service.") },
  { 501, FALSE, N_("The server found an error in the parameters or arguments of the command."),
    N_("Check the values in the form (addresses, EHLO name) for typing errors and extra "
       "characters.") },
  { 502, FALSE, N_("The server does not support this command."),
    N_("Check the server's EHLO reply for the features it supports.") },
  { 503, FALSE, N_("The server did not expect this command at this point (wrong order)."),
    N_("The server may want EHLO, STARTTLS or sign-in first: read the replies above.") },
  { 504, FALSE, N_("The server does not support this parameter of the command."),
    N_("Check the server's EHLO reply for the options it supports.") },
  { 510, TRUE, N_("The recipient address is wrong."),
    N_("Check the recipient address.") },
  { 512, TRUE, N_("The recipient's domain or host cannot be found."),
    N_("Check the domain part of the recipient address (after the @).") },
  { 515, TRUE, N_("The recipient mailbox address is not valid."),
    N_("Check the recipient address.") },
  { 517, TRUE, N_("Something is wrong with the sender address."),
    N_("Check the sender address.") },
  { 521, FALSE, N_("This host does not accept mail."),
    N_("Check the server name: this host takes no mail. You may need the submission server of "
       "your provider.") },
  { 522, TRUE, N_("The recipient's mailbox is over its size limit."),
    N_("The recipient must free space in the mailbox. Try again later.") },
  { 523, TRUE, N_("The message is larger than the server allows."),
    N_("Send a smaller message.") },
  { 530, FALSE, N_("Access denied: the server requires sign-in, or encryption (STARTTLS) "
                   "first."),
    N_("Turn on “Server requires authentication”. If the server's reply mentions STARTTLS, set "
       "“Security” to “STARTTLS”.") },
  { 531, TRUE, N_("The server's mail storage is full."),
    N_("Try again later, and tell the server's administrator.") },
  { 533, TRUE, N_("The receiving server has too little disk space for the message."),
    N_("Try again later, and tell the server's administrator.") },
  { 534, FALSE, N_("The sign-in method is too weak for this server."),
    N_("Choose a stronger method in “Mechanism”, or set “Security” to “STARTTLS”. Gmail also sends "
       "this code when an app password is needed.") },
  { 535, FALSE, N_("Sign-in failed: the server did not accept the user name or password."),
    N_("Check the user name (often the full e-mail address) and the password. Some providers "
       "need an app password, or an administrator setting for SMTP sign-in.") },
  { 538, FALSE, N_("This sign-in method needs an encrypted connection."),
    N_("Set “Security” to “STARTTLS”, or use port 465 with SSL/TLS.") },
  { 540, TRUE, N_("The recipient's domain has no mail server in DNS."),
    N_("Check the domain part of the recipient address (after the @).") },
  { 541, TRUE, N_("The receiving host did not answer, or a spam filter refused the message."),
    N_("Read the server's reply for the reason.") },
  { 542, TRUE, N_("The connection to the receiving host was bad."),
    N_("Try again later.") },
  { 543, TRUE, N_("The server found no route to the recipient's server."),
    N_("Check the domain part of the recipient address (after the @).") },
  { 546, TRUE, N_("The message went round in a loop between servers."),
    N_("Tell the administrator of the recipient's domain: a forwarding rule may send mail in a "
       "circle.") },
  { 547, TRUE, N_("Delivery took too long and was stopped."),
    N_("Try again. If it happens again, tell the server's administrator.") },
  { 550, FALSE, N_("Nothing was done: the mailbox is not available (it may not exist), or a "
                   "policy refused the action."),
    N_("Read the server's reply: it usually names the reason.") },
  { 551, FALSE, N_("The user is not local, and the server will not forward the message."),
    N_("Send to the recipient's own server, or use the address that the server suggests.") },
  { 552, FALSE, N_("The action stopped: a storage limit was exceeded (the message is too large, "
                   "or the mailbox is full)."),
    N_("Send a smaller message, or try again after the recipient frees space.") },
  { 553, FALSE, N_("Nothing was done: the mailbox name is not allowed (for example, the address "
                   "syntax is wrong)."),
    N_("Check the sender and recipient addresses.") },
  { 554, FALSE, N_("The transaction failed. As the first reply on a connection, it means that "
                   "the server does not accept this client."),
    N_("Read the server's reply for the reason.") },
  { 555, FALSE, N_("The server does not recognize or support a parameter given with MAIL FROM "
                   "or RCPT TO."),
    N_("The server lacks an extension that this test used: check its EHLO reply.") },
  { 556, FALSE, N_("The domain of an address does not accept mail."),
    N_("Check the domain of the addresses: it states that it takes no mail.") },
};

/* ------------------------------------------------------------------------------------------ */
/* The same code after a given command                                                        */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  PostaciCommand command;
  guint          code;
  const char    *text;
  const char    *hint; /* NULL: the basic code's hint applies */
} ContextEntry;

/* HELO shares the EHLO rows (see find_context) unless it has its own. */
static const ContextEntry context_entries[] = {
  /* The greeting, before any command. */
  { POSTACI_COMMAND_NONE, 220, N_("The server is ready and has sent its greeting."), NULL },
  { POSTACI_COMMAND_NONE, 421, N_("The server is not available now and closed the connection "
                                  "right after it opened."),
    N_("Try again later. If it keeps happening, the server may be overloaded, in maintenance, or "
       "limiting connections from your IP address.") },
  { POSTACI_COMMAND_NONE, 554, N_("The server refused the connection at the start. Usually it "
                                  "does not accept mail from your IP address."),
    N_("Check whether your IP address is on a block list, or send through your provider's "
       "submission server (port 587 with sign-in).") },
  { POSTACI_COMMAND_NONE, 521, N_("This host does not accept mail at all."),
    N_("Check the server name: you may need another server, for example the submission server "
       "of your provider.") },

  /* EHLO (and HELO). */
  { POSTACI_COMMAND_EHLO, 250, N_("The server accepted EHLO. The lines that follow list the "
                                  "features it supports, such as STARTTLS, AUTH and SIZE."),
    NULL },
  { POSTACI_COMMAND_HELO, 250, N_("The server accepted HELO. HELO does not list any "
                                  "features."), NULL },
  { POSTACI_COMMAND_EHLO, 500, N_("The server did not recognize EHLO. Very old servers do not know "
                                  "it."),
    N_("Check that this port belongs to an SMTP server. A very old server may accept only HELO: "
       "set “Security” to “None” to allow it.") },
  { POSTACI_COMMAND_EHLO, 501, N_("The server refused the host name given with EHLO or HELO as "
                                  "invalid."),
    N_("Set “EHLO name” to a fully qualified host name, for example mail.example.com.") },
  { POSTACI_COMMAND_EHLO, 502, N_("The server does not support EHLO."),
    N_("A very old server may accept only HELO: set “Security” to “None” to allow it.") },
  { POSTACI_COMMAND_EHLO, 504, N_("The server refused the host name given with EHLO or HELO."),
    N_("Set “EHLO name” to a fully qualified host name, for example mail.example.com.") },
  { POSTACI_COMMAND_EHLO, 550, N_("The server refused EHLO. It may not accept mail from your IP "
                                  "address or from this host name."),
    N_("Read the server's reply. Check “EHLO name”, and whether your IP address is on a block "
       "list.") },

  /* STARTTLS (RFC 3207). */
  { POSTACI_COMMAND_STARTTLS, 220, N_("The server is ready to start encryption (TLS). The TLS "
                                      "handshake follows."), NULL },
  { POSTACI_COMMAND_STARTTLS, 454, N_("The server cannot start encryption (TLS) at the moment."),
    N_("Try again later. If it keeps failing, the server's TLS setup is broken: tell its "
       "administrator, or try port 465 with SSL/TLS.") },
  { POSTACI_COMMAND_STARTTLS, 501, N_("The server refused the STARTTLS command as malformed."),
    N_("Try port 465 with SSL/TLS, or tell the server's administrator.") },
  { POSTACI_COMMAND_STARTTLS, 502, N_("The server does not support STARTTLS on this port."),
    N_("Use port 465 with SSL/TLS. Set “Security” to “None” only on a network you trust.") },

  /* AUTH (RFC 4954). */
  { POSTACI_COMMAND_AUTH, 235, N_("Sign-in succeeded."), NULL },
  { POSTACI_COMMAND_AUTH, 334, N_("The server waits for the next step of the sign-in (a "
                                  "challenge, encoded in Base64)."), NULL },
  { POSTACI_COMMAND_AUTH, 432, N_("The server requires a password change before this account "
                                  "can sign in."), NULL },
  { POSTACI_COMMAND_AUTH, 454, N_("Sign-in failed because of a temporary problem on the "
                                  "server."),
    N_("Try again later. If it keeps failing, the server's sign-in service may be down: tell its "
       "administrator.") },
  { POSTACI_COMMAND_AUTH, 500, N_("The server did not understand the sign-in data: a line was "
                                  "too long, or the server does not know AUTH."),
    N_("Choose another method in “Mechanism”, for example PLAIN or LOGIN.") },
  { POSTACI_COMMAND_AUTH, 501, N_("The server refused the sign-in data as malformed (for "
                                  "example, invalid Base64), or the sign-in was cancelled."),
    N_("Choose another method in “Mechanism”.") },
  { POSTACI_COMMAND_AUTH, 502, N_("The server does not support sign-in (AUTH) here."),
    N_("Many servers offer AUTH only after STARTTLS: set “Security” to “STARTTLS”. If this server "
       "needs no sign-in, turn off “Server requires authentication”.") },
  { POSTACI_COMMAND_AUTH, 503, N_("The server did not expect AUTH now: the client has already "
                                  "signed in, or AUTH came at the wrong point."),
    N_("Check the replies above: the client may have signed in already, or the server may want "
       "STARTTLS or EHLO first.") },
  { POSTACI_COMMAND_AUTH, 504, N_("The server does not support this sign-in method."),
    N_("In “Mechanism”, choose a method that the server lists in its EHLO reply, or set “Security” "
       "to “STARTTLS”: many servers offer more methods after TLS.") },
  { POSTACI_COMMAND_AUTH, 530, N_("The server requires an encrypted connection (STARTTLS) "
                                  "before it accepts a sign-in."),
    N_("Set “Security” to “STARTTLS”, or use port 465 with SSL/TLS.") },
  { POSTACI_COMMAND_AUTH, 534, N_("The server considers this sign-in method too weak."), NULL },
  { POSTACI_COMMAND_AUTH, 535, N_("The server refused the user name or the password."), NULL },
  { POSTACI_COMMAND_AUTH, 538, N_("The server requires an encrypted connection for this sign-in "
                                  "method."), NULL },

  /* MAIL FROM. */
  { POSTACI_COMMAND_MAIL, 250, N_("The server accepted the sender address."), NULL },
  { POSTACI_COMMAND_MAIL, 451, N_("The server cannot accept the sender now because of a local "
                                  "problem (for example, a failed DNS or database lookup)."),
    N_("Try again in a few minutes.") },
  { POSTACI_COMMAND_MAIL, 452, N_("The server has too little storage space to accept mail now."),
    N_("Try again later. If it happens again, tell the server's administrator.") },
  { POSTACI_COMMAND_MAIL, 501, N_("The server refused the sender address as malformed."),
    N_("Check the sender address for typing errors and extra characters.") },
  { POSTACI_COMMAND_MAIL, 503, N_("The server did not expect MAIL now (for example, it wants "
                                  "EHLO or sign-in first)."),
    N_("Turn on “Server requires authentication” if the server requires it.") },
  { POSTACI_COMMAND_MAIL, 530, N_("The server does not accept a sender yet: it requires sign-in, "
                                  "or encryption (STARTTLS) first."),
    N_("Turn on “Server requires authentication”. If the server's reply mentions STARTTLS, set "
       "“Security” to “STARTTLS”.") },
  { POSTACI_COMMAND_MAIL, 550, N_("The server refused the sender address."),
    N_("Check the sender (From) address. It often must be the signed-in account's own address, "
       "and its domain must exist.") },
  { POSTACI_COMMAND_MAIL, 552, N_("The server refused the message because its announced size "
                                  "is larger than the server accepts."),
    N_("Send a smaller message. The server's limit appears as SIZE in its EHLO reply.") },
  { POSTACI_COMMAND_MAIL, 553, N_("The server does not allow this sender address: it is not "
                                  "valid, or this account may not use it."),
    N_("Use the signed-in account's own address as the sender, and check it for typing "
       "errors.") },
  { POSTACI_COMMAND_MAIL, 554, N_("The server refused the sender, or this client itself (for "
                                  "example, because of its IP address)."),
    N_("Read the server's reply for the reason.") },
  { POSTACI_COMMAND_MAIL, 555, N_("The server does not support a parameter given with MAIL FROM "
                                  "(for example SIZE, BODY or SMTPUTF8)."),
    N_("Check the server's EHLO reply for the extensions it supports.") },

  /* RCPT TO. */
  { POSTACI_COMMAND_RCPT, 250, N_("Recipient accepted: the server takes mail for this "
                                  "address."), NULL },
  { POSTACI_COMMAND_RCPT, 251, N_("Recipient accepted: the user is not local, and the server "
                                  "will forward the message."), NULL },
  { POSTACI_COMMAND_RCPT, 252, N_("The server cannot check this recipient now, but it will "
                                  "accept the message and try to deliver it."), NULL },
  { POSTACI_COMMAND_RCPT, 450, N_("The server cannot accept this recipient now: the mailbox is "
                                  "not available at the moment, or a policy delays it."),
    N_("Try again in a few minutes.") },
  { POSTACI_COMMAND_RCPT, 451, N_("The server cannot accept this recipient now because of a "
                                  "local problem."),
    N_("Try again in a few minutes.") },
  { POSTACI_COMMAND_RCPT, 452, N_("The server cannot accept this recipient now: there are too "
                                  "many recipients, or too little storage space."),
    N_("Send to fewer recipients at a time, or try again later.") },
  { POSTACI_COMMAND_RCPT, 501, N_("The server refused the recipient address as malformed."),
    N_("Check the recipient address for typing errors and extra characters.") },
  { POSTACI_COMMAND_RCPT, 503, N_("The server did not expect RCPT now: it needs the sender "
                                  "(MAIL FROM) or a sign-in first."),
    N_("Turn on “Server requires authentication” if the server requires it.") },
  { POSTACI_COMMAND_RCPT, 550, N_("The server refused this recipient: the mailbox is not "
                                  "available (it may not exist), or the server does not take "
                                  "mail for it from this client."),
    N_("Check the recipient address for typing errors. If the recipient is in another domain, the "
       "server may not relay for you: turn on “Server requires authentication”.") },
  { POSTACI_COMMAND_RCPT, 551, N_("The recipient is not local to this server, and the server "
                                  "will not forward the message."),
    N_("Send to the recipient's own server, or use the address that the server suggests.") },
  { POSTACI_COMMAND_RCPT, 552, N_("The server refused this recipient: the recipient's storage "
                                  "limit is exceeded."),
    N_("The recipient's mailbox is full: try again later, or reach the recipient another "
       "way.") },
  /* Postfix and others check the sender and the client name at RCPT time too. */
  { POSTACI_COMMAND_RCPT, 504, N_("The server refused something that it checks at this step, for "
                                  "example the EHLO name or the form of an address."),
    N_("Read the server's reply: it names what it refused.") },
  { POSTACI_COMMAND_RCPT, 553, N_("The server refused an address at this step: the recipient, or "
                                  "the sender that it checks here too. The address is not "
                                  "allowed (for example, its syntax is wrong)."),
    N_("Check the recipient and sender addresses for typing errors.") },
  { POSTACI_COMMAND_RCPT, 554, N_("The server refused this recipient. Often the server does not "
                                  "relay for this client, or the client is blocked."),
    N_("Read the server's reply for the reason.") },
  { POSTACI_COMMAND_RCPT, 555, N_("The server does not support a parameter given with RCPT TO "
                                  "(for example NOTIFY)."),
    N_("Check the server's EHLO reply for the extensions it supports.") },

  /* DATA, before the message. */
  { POSTACI_COMMAND_DATA, 354, N_("The server is ready for the message. The client sends it and "
                                  "ends it with a line that holds only a dot."), NULL },
  { POSTACI_COMMAND_DATA, 451, N_("The server cannot receive the message now because of a local "
                                  "problem."),
    N_("Try again in a few minutes.") },
  { POSTACI_COMMAND_DATA, 503, N_("The server did not expect DATA now: no recipient was "
                                  "accepted."),
    N_("Check why the recipients were refused: read the RCPT replies above.") },
  { POSTACI_COMMAND_DATA, 554, N_("The server refused to receive the message. Often no valid "
                                  "recipient is left, or the client is blocked."),
    N_("Read the RCPT replies above. If every recipient was accepted, the server's reply names the "
       "reason.") },

  /* After the final dot. */
  { POSTACI_COMMAND_DATA_END, 250, N_("The server accepted the message for delivery. This is not "
                                      "proof of inbox delivery: the message may still go to a "
                                      "spam folder, or come back later as undeliverable."),
    NULL },
  { POSTACI_COMMAND_DATA_END, 450, N_("The server did not accept the message now: a mailbox is "
                                      "not available at the moment, or a policy delays it."),
    N_("Try again in a few minutes.") },
  { POSTACI_COMMAND_DATA_END, 451, N_("The server could not accept the message because of a "
                                      "local problem (for example, a content filter failed)."),
    N_("Try again in a few minutes. If it happens again, tell the server's administrator.") },
  { POSTACI_COMMAND_DATA_END, 452, N_("The server could not accept the message now: it has too "
                                      "little storage space."),
    N_("Try again later.") },
  { POSTACI_COMMAND_DATA_END, 550, N_("The server refused the message after receiving it. "
                                      "Content filters, spam checks and sender checks (SPF, DKIM, "
                                      "DMARC) often cause this."),
    N_("Read the server's reply: it usually names the check that failed.") },
  { POSTACI_COMMAND_DATA_END, 552, N_("The server refused the message because it is larger than "
                                      "the server or the mailbox allows."),
    N_("Send a smaller message.") },
  { POSTACI_COMMAND_DATA_END, 554, N_("The server refused the message (transaction failed). Spam "
                                      "or virus filters and sender checks often cause this."),
    N_("Read the server's reply: it usually names the check that failed.") },

  /* The end. */
  { POSTACI_COMMAND_QUIT, 221, N_("The server closed the connection as asked. The session ended "
                                  "normally."), NULL },
  { POSTACI_COMMAND_RSET, 250, N_("The server cleared the current transaction (sender, "
                                  "recipients and message)."), NULL },
};

/* ------------------------------------------------------------------------------------------ */
/* Codes nobody listed: the class (first digit) and the group (second digit), RFC 5321 §4.2.1 */
/* ------------------------------------------------------------------------------------------ */

static const char *const class_texts[] = {
  [2] = N_("The server reports success."),
  [3] = N_("The server accepted the command and waits for more data."),
  [4] = N_("Temporary failure: the server did not do it now, but the same command may work "
           "later."),
  [5] = N_("Permanent failure: the server will not do this, and the same command will fail "
           "again."),
};

/* RFC 5321 leaves x3z and x4z open; RFC 4954 uses x3z for authentication and security. */
static const char *const group_texts[] = {
  [0] = N_("This code group is about command syntax."),
  [1] = N_("This code group gives information, such as status or help."),
  [2] = N_("This code group is about the connection."),
  [3] = N_("This code group is about sign-in (authentication) and security."),
  [4] = N_("This code group is about the mail system."),
  [5] = N_("This code group is about the mail system."),
};

static const char *const class_hints[] = {
  [4] = N_("Wait a few minutes and run the test again. If it keeps failing, read the server's "
           "reply and ask its administrator."),
  [5] = N_("Read the server's reply: it usually names the reason. Correct that setting, or ask the "
           "server's administrator."),
};

/* ------------------------------------------------------------------------------------------ */
/* Enhanced status codes: RFC 3463 and the IANA registry (RFC 5248)                            */
/* ------------------------------------------------------------------------------------------ */

static const char *const enhanced_subjects[] = {
  [0] = N_("This status has no further category."),
  [1] = N_("This status is about an address (sender or recipient)."),
  [2] = N_("This status is about the recipient's mailbox."),
  [3] = N_("This status is about the receiving mail system."),
  [4] = N_("This status is about the network or the routing of mail."),
  [5] = N_("This status is about the mail protocol (the commands and their order)."),
  [6] = N_("This status is about the message content or its format."),
  [7] = N_("This status is about security or policy."),
};

typedef struct {
  guint       subject;
  guint       detail;
  const char *text;
} EnhancedEntry;

static const EnhancedEntry enhanced_entries[] = {
  { 0, 0, N_("No further detail is given.") },

  { 1, 0, N_("There is a problem with an address; no further detail is given.") },
  { 1, 1, N_("The recipient's mailbox does not exist, or the address is wrong.") },
  { 1, 2, N_("The recipient's domain (after the @) does not exist or does not accept mail.") },
  { 1, 3, N_("The recipient address is not valid (wrong syntax).") },
  { 1, 4, N_("The recipient address matches more than one mailbox.") },
  { 1, 5, N_("The recipient address is valid.") },
  { 1, 6, N_("The mailbox has moved, and there is no forwarding address.") },
  { 1, 7, N_("The sender address is not valid (wrong syntax).") },
  { 1, 8, N_("The sender's domain (after the @) does not exist or cannot receive replies.") },
  { 1, 9, N_("The address was valid, but the message went on to a system that does not report "
             "delivery status.") },                                               /* RFC 3886 */
  { 1, 10, N_("The recipient's domain states that it accepts no mail (null MX).") }, /* RFC 7505 */

  { 2, 0, N_("There is a problem with the recipient's mailbox; no further detail is given.") },
  { 2, 1, N_("The recipient's mailbox is disabled and does not accept messages.") },
  { 2, 2, N_("The recipient's mailbox is full.") },
  { 2, 3, N_("The message is larger than this mailbox allows.") },
  { 2, 4, N_("A mailing list could not be expanded to its members.") },

  { 3, 0, N_("There is a problem with the receiving mail system; no further detail is given.") },
  { 3, 1, N_("The receiving mail system is out of storage space.") },
  { 3, 2, N_("The receiving system does not accept messages at the moment (for example, "
             "because of maintenance or high load).") },
  { 3, 3, N_("The receiving system does not support a feature that this message needs.") },
  { 3, 4, N_("The message is larger than the system allows.") },
  { 3, 5, N_("The receiving system is configured incorrectly.") },
  { 3, 6, N_("The message was accepted, but its requested priority was changed.") }, /* RFC 6710 */

  { 4, 0, N_("There is a network or routing problem; no further detail is given.") },
  { 4, 1, N_("The next server did not answer.") },
  { 4, 2, N_("The connection to the next server was bad or broke.") },
  { 4, 3, N_("A directory server (for example, DNS) failed.") },
  { 4, 4, N_("The mail system found no route to the destination.") },
  { 4, 5, N_("The mail system is overloaded.") },
  { 4, 6, N_("The message went round in a loop between servers.") },
  { 4, 7, N_("Delivery took too long, and the message expired.") },

  { 5, 0, N_("There is a protocol problem; no further detail is given.") },
  { 5, 1, N_("The command is not valid here (unknown, or in the wrong order).") },
  { 5, 2, N_("The command has a syntax error.") },
  { 5, 3, N_("The message has too many recipients.") },
  { 5, 4, N_("The arguments of the command are not valid.") },
  { 5, 5, N_("The two sides use protocol versions that do not work together.") },
  { 5, 6, N_("A line of the sign-in exchange was too long.") },                    /* RFC 4954 */

  { 6, 0, N_("There is a problem with the message content; no further detail is given.") },
  { 6, 1, N_("The media type of the message is not supported.") },
  { 6, 2, N_("The content needs a conversion that is not allowed.") },
  { 6, 3, N_("The content needs a conversion that is not possible here.") },
  { 6, 4, N_("The content was converted, and some data was lost.") },
  { 6, 5, N_("The conversion of the content failed.") },
  { 6, 6, N_("The message content could not be fetched from the remote system.") }, /* RFC 4468 */
  { 6, 7, N_("Addresses with non-ASCII characters are not allowed for this sender or "
             "recipient.") },                                                      /* RFC 6531 */
  { 6, 8, N_("The reply would need UTF-8 text, but the client does not allow it.") },
  { 6, 9, N_("The message has UTF-8 header fields and cannot be passed on to one or more "
             "recipients.") },
  { 6, 10, N_("The reply would need UTF-8 text, but the client does not allow it (an old code "
              "with the same meaning as X.6.8).") },

  { 7, 0, N_("A security or policy rule applies; no further detail is given.") },
  { 7, 1, N_("A policy of the server does not allow this delivery.") },
  { 7, 2, N_("The sender is not allowed to send to this mailing list.") },
  { 7, 3, N_("A required security conversion is not possible.") },
  { 7, 4, N_("A security feature that the message needs is not supported.") },
  { 7, 5, N_("A cryptographic operation failed (for example, a key was missing or not "
             "valid).") },
  { 7, 6, N_("A cryptographic algorithm that the message needs is not supported.") },
  { 7, 7, N_("The message failed an integrity check.") },
  { 7, 8, N_("The user name or the password is wrong (invalid credentials).") },   /* RFC 4954 */
  { 7, 9, N_("The sign-in method is too weak for this server.") },
  { 7, 10, N_("This needs an encrypted connection.") },                            /* RFC 5248 */
  { 7, 11, N_("This sign-in method needs an encrypted connection.") },
  { 7, 12, N_("The account must change its password before it can sign in.") },
  { 7, 13, N_("The user account is disabled.") },
  { 7, 14, N_("The server requires a trust relationship with the client, and there is none.") },
  { 7, 15, N_("The priority of the message is too low for this server.") },        /* RFC 6710 */
  { 7, 16, N_("The message is too large for its priority.") },
  { 7, 17, N_("The mailbox has a new owner since the sender last used it.") },     /* RFC 7293 */
  { 7, 18, N_("The domain has a new owner since the sender last used it.") },
  { 7, 19, N_("The check for a changed mailbox owner (RRVS) could not be completed.") },
  { 7, 20, N_("No valid DKIM signature was found.") },                             /* RFC 7372 */
  { 7, 21, N_("No DKIM signature that the receiver accepts was found.") },
  { 7, 22, N_("No valid DKIM signature from the author's domain was found.") },
  { 7, 23, N_("The SPF check failed: the sender's domain does not allow this server to send "
              "for it.") },
  { 7, 24, N_("The SPF check could not be completed (an error in the SPF record or in DNS).") },
  { 7, 25, N_("The reverse DNS check of the sending IP address failed.") },
  { 7, 26, N_("The message failed several authentication checks (for example SPF, DKIM and "
              "DMARC).") },
  { 7, 27, N_("The sender's domain states that it accepts no mail (null MX), so replies could "
              "not reach it.") },                                                  /* RFC 7505 */
  { 7, 28, N_("The server detected a flood of similar messages from this sender.") },
  { 7, 29, N_("The message failed the ARC check (Authenticated Received Chain).") }, /* RFC 8617 */
  { 7, 30, N_("The message requires an encrypted path (REQUIRETLS), and the next server does "
              "not support it.") },                                                /* RFC 8689 */
};

/* ------------------------------------------------------------------------------------------ */
/* Known situations, recognised in the reply text                                             */
/* ------------------------------------------------------------------------------------------ */

typedef enum {
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

typedef struct {
  const char *text; /* added to the explanation */
  const char *hint;
} Situation;

static const Situation situations[N_SITUATIONS] = {
  [SITUATION_GMAIL_APP_PASSWORD] = {
    N_("The account uses 2-step verification, so the server does not accept its normal "
       "password for SMTP."),
    N_("Create an app password in the account's security settings and enter it instead of the "
       "normal password. The old “less secure apps” setting no longer exists.") },
  [SITUATION_BAD_CREDENTIALS] = {
    N_("If the account uses 2-step verification, the server refuses its normal password."),
    N_("Check the user name (the full e-mail address) and the password. If the account uses "
       "2-step verification, the normal password does not work: create an app password and use "
       "it instead.") },
  [SITUATION_SMTP_AUTH_DISABLED] = {
    N_("SMTP sign-in (SMTP AUTH) is turned off for this mailbox or for the whole organization."),
    N_("An administrator must turn on SMTP AUTH for this mailbox in Microsoft 365, or the "
       "program must sign in with OAuth2.") },
  [SITUATION_M365_POLICY] = {
    N_("Microsoft 365 refused the sign-in because of a policy of the organization (for example, "
       "security defaults or multi-factor authentication)."),
    N_("Ask the Microsoft 365 administrator to allow SMTP AUTH for this account, or sign in "
       "with OAuth2.") },
  [SITUATION_AUTH_UNSUCCESSFUL] = {
    N_("The server refused the sign-in. Common causes are a wrong password, SMTP AUTH turned off "
       "for the mailbox, or an account that requires multi-factor sign-in."),
    N_("Check the user name and the password. If they are right, ask the administrator to turn "
       "on SMTP AUTH for this mailbox, or sign in with OAuth2.") },
  [SITUATION_NOT_AUTHENTICATED] = {
    N_("The server takes mail only from clients that have signed in, and this connection did not "
       "sign in."),
    N_("Turn on “Server requires authentication” and enter the account's user name and password. "
       "In Microsoft 365, an administrator may also need to turn on SMTP AUTH for the mailbox.") },
  [SITUATION_AUTH_AFTER_STARTTLS] = {
    N_("The server does not accept this sign-in method here. Many servers offer sign-in only "
       "after the connection is encrypted."),
    N_("Set “Security” to “STARTTLS” (or use port 465 with SSL/TLS), then compare the server's "
       "EHLO reply before and after TLS.") },
  [SITUATION_STARTTLS_REQUIRED] = {
    N_("The server requires an encrypted connection (STARTTLS) before this command."),
    N_("Set “Security” to “STARTTLS”, or use port 465 with SSL/TLS.") },
  [SITUATION_RELAY_DENIED] = {
    N_("The server does not pass mail on to other domains for clients that have not signed in "
       "(relaying)."),
    N_("Turn on “Server requires authentication” and sign in, or use the submission port 587 with "
       "your account.") },
  [SITUATION_SENDER_NOT_ALLOWED] = {
    N_("The server does not let this account send with this sender address."),
    N_("Use the signed-in account's own address as the sender (From), or ask the administrator "
       "to give the account send-as rights for that address.") },
  [SITUATION_BAD_HELO] = {
    N_("The server refused the host name that this program sent with EHLO or HELO."),
    N_("Set “EHLO name” to a fully qualified host name, for example mail.example.com.") },
  [SITUATION_BLOCKLIST] = {
    N_("The server refused mail because the sending IP address is on a block list. Home and "
       "dynamic IP addresses are often on such lists."),
    N_("Send through your provider's submission server (port 587 with sign-in) instead. If the "
       "IP address is fixed and yours, ask the block list to remove it.") },
  [SITUATION_SENDING_QUOTA] = {
    N_("The account has reached its sending limit."),
    N_("Wait until the limit resets (often after 24 hours), or send fewer messages.") },
  [SITUATION_RATE_LIMIT] = {
    N_("The server limits how much this client may send, or how many connections it may open, "
       "and the limit was reached."),
    N_("Wait a while, then try again with fewer messages or connections. Many test runs in a "
       "row can reach such limits.") },
  [SITUATION_GREYLISTING] = {
    N_("The server delays mail from senders it does not know yet (greylisting). A normal mail "
       "server tries again after a few minutes and then gets through."),
    N_("This is not a fault. Run the test again after a few minutes.") },
  [SITUATION_TOO_LARGE] = {
    N_("The message is larger than the server accepts."),
    N_("Send a smaller message (fewer or smaller attachments). The server's limit appears as "
       "SIZE in its EHLO reply.") },
  [SITUATION_MAILBOX_FULL] = {
    N_("The recipient's mailbox is full."),
    N_("The recipient must free space in the mailbox. Try again later, or reach the recipient "
       "another way.") },
  [SITUATION_UNKNOWN_USER] = {
    N_("The recipient address does not exist on the receiving server."),
    N_("Check the recipient address for typing errors.") },
  [SITUATION_SENDER_DOMAIN] = {
    N_("The server cannot find the domain of the sender address in DNS, so it refuses mail "
       "from it."),
    N_("Use a sender address whose domain exists and has DNS records (MX or A).") },
  [SITUATION_SENDER_AUTHENTICATION] = {
    N_("The receiving server checks whether the sender's domain allows this server to send its "
       "mail (SPF, DKIM, DMARC), and the check failed."),
    N_("Send through the mail server of the sender's domain, or ask the domain's administrator "
       "to add this server to the SPF record and to sign its mail with DKIM.") },
  [SITUATION_REVERSE_DNS] = {
    N_("The server checks that the sending IP address has a matching host name in DNS (reverse "
       "DNS, PTR record), and the check failed."),
    N_("Send through your provider's submission server (port 587 with sign-in), or ask the owner "
       "of the sending IP address to set a PTR record that matches its host name.") },
  [SITUATION_YANDEX_ACCESS] = {
    N_("The account is not allowed to use mail programs, or it must sign in with an app "
       "password (Yandex words it this way)."),
    N_("In the Yandex ID security settings, create an app password for mail and use it instead "
       "of the normal password; in the mail settings, allow access from mail programs.") },
  [SITUATION_SPAM_CONTENT] = {
    N_("The server's spam filter judged the message to be spam."),
    N_("Send a plain test message to a single recipient, without links or attachments, from an "
       "address of the signed-in account. If it is still refused, ask the receiving side which "
       "rule matched.") },
  [SITUATION_TOO_MANY_RECIPIENTS] = {
    N_("The message has more recipients than the server accepts in one transaction."),
    N_("Send to fewer recipients at a time; the others can follow in a second message.") },
  [SITUATION_DIRECT_TO_MX] = {
    N_("The receiving server does not take mail straight from this IP address: it expects mail "
       "from a proper mail server, not from a home or dynamic address."),
    N_("Do not deliver directly: send through your own provider's submission server (port 587 "
       "with sign-in), which passes the message on.") },
  [SITUATION_TENANT_UNKNOWN_RECIPIENT] = {
    N_("Microsoft 365 refuses recipients that its directory does not list (directory-based edge "
       "blocking), so this address is unknown there."),
    N_("Check the recipient address for typing errors. If it is right, the administrator of the "
       "recipient's Microsoft 365 must create the mailbox or correct the domain's "
       "settings.") },
  [SITUATION_ACCOUNT_BLOCKED] = {
    N_("The provider has blocked this account from sending, usually because it sent spam or "
       "someone else used its password."),
    N_("Sign in to the provider's web mail and follow its instructions, and change the password. "
       "In Microsoft 365, an administrator releases the account under “Restricted entities”.") },
};

#define AFTER(command) (1u << (command))
#define ANY_FAILURE    0u /* Rule.code: any 4xx or 5xx */
#define ANY_TEMPORARY  4u /* Rule.code: any 4xx */
#define MAX_NEEDLES    12

/* A rule matches when every constraint it sets holds. Rules are tried in order and the first
 * match wins, so the narrow ones (a provider's own words) come before the broad ones. */
typedef struct {
  SituationId  situation;
  guint        code;      /* exact code, ANY_TEMPORARY, or ANY_FAILURE */
  const char  *enhanced;  /* "subject.detail" that the reply must carry, or NULL */
  guint        commands;  /* AFTER() bits, or 0 for after any command */
  const char  *needles[MAX_NEEDLES]; /* one must occur in the text, case-insensitive; none: no
                                      * text condition */
  gboolean     own_codes; /* the provider gives enhanced codes its own meaning (Microsoft's
                           * 5.7.3 and 5.1.10, Gmail's 5.4.5): the registry's words mislead */
} Rule;

static const Rule rules[] = {
  /* Gmail's 5.7.9 means "app password needed", not the registry's "mechanism too weak". */
  { SITUATION_GMAIL_APP_PASSWORD, 534, "7.9", 0,
    { "application-specific password", "invalidsecondfactor" }, TRUE },
  { SITUATION_BAD_CREDENTIALS, 535, "7.8", 0,
    { "username and password not accepted", "badcredentials" } },
  { SITUATION_SMTP_AUTH_DISABLED, ANY_FAILURE, NULL, 0,
    { "smtpclientauthentication is disabled", "smtp_auth_disabled",
      "basic authentication is disabled" } },
  { SITUATION_M365_POLICY, 535, "7.139", 0, { NULL } },
  { SITUATION_AUTH_UNSUCCESSFUL, 535, "7.3", 0, { "authentication unsuccessful" }, TRUE },
  { SITUATION_NOT_AUTHENTICATED, ANY_FAILURE, NULL, 0,
    { "not authenticated to send", "authentication required", "authentication is required",
      "client was not authenticated", "must authenticate", "sender is not authenticated",
      "requires authentication" } },
  { SITUATION_YANDEX_ACCESS, ANY_FAILURE, NULL, 0,
    { "does not have access rights to this service", "use application password",
      "application password is required" } },
  { SITUATION_NOT_AUTHENTICATED, 530, "7.57", 0, { NULL } },
  { SITUATION_AUTH_AFTER_STARTTLS, ANY_FAILURE, NULL, 0, { "unrecognized authentication type" } },
  { SITUATION_STARTTLS_REQUIRED, ANY_FAILURE, NULL, 0,
    { "starttls command first", "must issue a starttls" } },
  { SITUATION_RELAY_DENIED, ANY_FAILURE, NULL, 0,
    { "relay access denied", "relaying denied", "relay not permitted", "unable to relay",
      "relaying not allowed", "not permitted to relay", "relay denied" } },
  { SITUATION_SENDER_NOT_ALLOWED, ANY_FAILURE, NULL, 0,
    { "send as this sender", "not owned by", "sendasdenied", "does not match the authenticated",
      "not allowed to send as", "sender is not allowed" } },
  { SITUATION_SENDER_NOT_ALLOWED, 550, "7.60", 0, { NULL } },
  { SITUATION_BAD_HELO, ANY_FAILURE, NULL, 0,
    { "fully-qualified hostname", "helo command rejected", "ehlo command rejected" } },
  { SITUATION_DIRECT_TO_MX, ANY_FAILURE, NULL, 0,
    { "not authorized to send email directly", "dynamic ip", "residential ip", "dialup",
      "dial-up", "pbl" } },
  { SITUATION_BLOCKLIST, ANY_FAILURE, NULL, 0,
    { "blocked using", "spamhaus", "spamcop", "blacklist", "blocklist", "block list", "dnsbl",
      "rbl", "banned sending ip", "not accepted from this ip", "ip reputation",
      "poor reputation" } },
  { SITUATION_SENDING_QUOTA, ANY_FAILURE, NULL, 0, { "sending quota", "sending limit" }, TRUE },
  { SITUATION_TOO_MANY_RECIPIENTS, ANY_FAILURE, "5.3", 0, { NULL } },
  { SITUATION_TOO_MANY_RECIPIENTS, ANY_FAILURE, NULL, 0, { "too many recipients" } },
  { SITUATION_RATE_LIMIT, ANY_FAILURE, "7.28", 0, { NULL } },
  { SITUATION_RATE_LIMIT, ANY_FAILURE, NULL, 0,
    { "too many", "rate limit", "ratelimit", "rate-limit", "throttl", "unusual rate", "tss04",
      "unexpected volume" } },
  /* Greylisting tools pick codes freely (postgrey: 4.2.0, a "mailbox" code). */
  { SITUATION_GREYLISTING, ANY_TEMPORARY, NULL, 0,
    { "greylist", "graylist", "grey-list", "gray-list" }, TRUE },
  { SITUATION_GREYLISTING, ANY_TEMPORARY, "7.1", 0,
    { "try again later", "try later", "retry later", "please retry" }, TRUE },
  { SITUATION_GREYLISTING, ANY_TEMPORARY, "2.0", 0,
    { "try again later", "try later", "retry later", "please retry" }, TRUE },
  { SITUATION_TOO_LARGE, ANY_FAILURE, "3.4", 0, { NULL } },
  { SITUATION_TOO_LARGE, ANY_FAILURE, "2.3", 0, { NULL } },
  { SITUATION_TOO_LARGE, ANY_FAILURE, NULL, 0,
    { "size limit", "too big", "too large", "size exceeds", "exceeds the maximum size" } },
  { SITUATION_MAILBOX_FULL, ANY_FAILURE, "2.2", 0, { NULL } },
  { SITUATION_MAILBOX_FULL, ANY_FAILURE, NULL, 0,
    { "over quota", "overquota", "mailbox full", "mailbox is full", "quota exceeded" } },
  /* Microsoft's directory-based edge blocking answers 550 5.4.1, a "network" code. */
  { SITUATION_TENANT_UNKNOWN_RECIPIENT, ANY_FAILURE, NULL, AFTER (POSTACI_COMMAND_RCPT),
    { "recipient address rejected: access denied" }, TRUE },
  { SITUATION_UNKNOWN_USER, ANY_FAILURE, "1.1",
    AFTER (POSTACI_COMMAND_RCPT) | AFTER (POSTACI_COMMAND_DATA_END), { NULL } },
  { SITUATION_UNKNOWN_USER, ANY_FAILURE, NULL,
    AFTER (POSTACI_COMMAND_RCPT) | AFTER (POSTACI_COMMAND_DATA_END),
    { "user unknown", "unknown user", "does not exist", "no such user", "nosuchuser",
      "recipient not found", "recipientnotfound", "user not found", "mailbox not found",
      "unknown recipient" }, TRUE },
  /* Microsoft's 5.1.8 "bad outbound sender": the account, not the sender's domain. */
  { SITUATION_ACCOUNT_BLOCKED, ANY_FAILURE, NULL, 0,
    { "bad outbound sender", "sender is blocked for spam", "account has been blocked",
      "account is blocked" }, TRUE },
  { SITUATION_SENDER_DOMAIN, ANY_FAILURE, "1.8", 0, { NULL } },
  { SITUATION_SENDER_DOMAIN, ANY_FAILURE, NULL, 0,
    { "sender address rejected: domain not found" } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.20", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.21", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.22", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.23", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.24", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, "7.26", 0, { NULL } },
  { SITUATION_SENDER_AUTHENTICATION, ANY_FAILURE, NULL, 0,
    { "spf", "dkim", "dmarc", "unauthenticated email" } },
  { SITUATION_REVERSE_DNS, ANY_FAILURE, "7.25", 0, { NULL } },
  { SITUATION_REVERSE_DNS, ANY_FAILURE, NULL, 0,
    { "reverse dns", "rdns", "ptr", "cannot find your hostname", "reverse hostname",
      "reverse lookup" } },
  /* Last: "spam" also occurs in the names of block lists, matched above. */
  { SITUATION_SPAM_CONTENT, ANY_FAILURE, NULL, 0,
    { "spam", "unsolicited", "junk mail", "content rejected", "potential security issue",
      "virus", "malware" } },
};

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */
/* ------------------------------------------------------------------------------------------ */

/* Adds an already translated sentence, separated from the one before by a space. */
static void
append_sentence (GString *out, const char *sentence)
{
  if (sentence == NULL || *sentence == '\0')
    return;
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append (out, sentence);
}

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

static const char *
lookup_table (const char *const *table, gsize n_entries, guint index)
{
  if (index >= n_entries || table[index] == NULL)
    return NULL;
  return T (table[index]);
}

/* ------------------------------------------------------------------------------------------ */
/* Enhanced status codes                                                                      */
/* ------------------------------------------------------------------------------------------ */

static const char *
enhanced_meaning (guint subject, guint detail)
{
  const char *meaning;

  for (gsize i = 0; i < G_N_ELEMENTS (enhanced_entries); i++)
    if (enhanced_entries[i].subject == subject && enhanced_entries[i].detail == detail)
      return T (enhanced_entries[i].text);

  meaning = lookup_table (enhanced_subjects, G_N_ELEMENTS (enhanced_subjects), subject);
  return meaning != NULL ? meaning : _("This status code is not registered.");
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
      return g_strdup_printf (_("%u.%u.%u (success): %s"), klass, subject, detail, meaning);
    case 4:
      /* Translators: an enhanced status code (RFC 3463) and its meaning, for example
       * "4.2.2 (temporary failure): The recipient's mailbox is full." */
      return g_strdup_printf (_("%u.%u.%u (temporary failure): %s"), klass, subject, detail,
                              meaning);
    case 5:
      /* Translators: an enhanced status code (RFC 3463) and its meaning, for example
       * "5.1.1 (permanent failure): The recipient's mailbox does not exist…" */
      return g_strdup_printf (_("%u.%u.%u (permanent failure): %s"), klass, subject, detail,
                              meaning);
    default:
      /* Translators: an enhanced status code with a class that RFC 3463 does not define,
       * and its meaning. */
      return g_strdup_printf (_("%u.%u.%u: %s"), klass, subject, detail, meaning);
    }
}

/* A positive reply is explained by its basic code alone, and X.0.0 says nothing new. */
static gboolean
enhanced_adds_something (const PostaciReply *reply)
{
  if (!postaci_reply_has_enhanced (reply) || postaci_reply_is_positive (reply))
    return FALSE;
  return reply->enhanced[1] != 0 || reply->enhanced[2] != 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Replies                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void
append_class_fallback (GString *out, guint code)
{
  const char *class_text = lookup_table (class_texts, G_N_ELEMENTS (class_texts), code / 100);

  if (class_text == NULL)
    {
      append_sentence (out, _("The server sent a reply code that SMTP does not define."));
      return;
    }
  append_sentence (out, class_text);
  append_sentence (out, lookup_table (group_texts, G_N_ELEMENTS (group_texts), (code / 10) % 10));
}

static void
append_code_meaning (GString *out, guint code, PostaciCommand command)
{
  const ContextEntry *context = find_context (code, command);
  const BasicEntry *basic;

  if (context != NULL)
    {
      append_sentence (out, T (context->text));
      return;
    }
  basic = find_basic (code);
  if (basic == NULL)
    {
      append_class_fallback (out, code);
      return;
    }
  append_sentence (out, T (basic->text));
  if (basic->nonstandard)
    append_sentence (out, _("This code is not part of the SMTP standard, so its meaning depends "
                            "on the server."));
}

static const char *
code_hint (guint code, PostaciCommand command)
{
  const ContextEntry *context = find_context (code, command);
  const BasicEntry *basic = find_basic (code);

  if (context != NULL && context->hint != NULL)
    return T (context->hint);
  if (basic != NULL && basic->hint != NULL)
    return T (basic->hint);
  return lookup_table (class_hints, G_N_ELEMENTS (class_hints), code / 100);
}

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
rule_matches (const Rule         *rule,
              const PostaciReply *reply,
              PostaciCommand      command,
              const char         *folded_text)
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

static void
append_enhanced (GString *out, const PostaciReply *reply)
{
  g_autofree char *enhanced = postaci_catalog_explain_enhanced (reply->enhanced[0],
                                                                reply->enhanced[1],
                                                                reply->enhanced[2]);
  append_sentence (out, enhanced);
}

char *
postaci_catalog_explain_reply (const PostaciReply *reply,
                               PostaciCommand      command,
                               char              **hint)
{
  g_autoptr(GString) out = NULL;
  const Rule *rule;
  const Situation *situation = NULL;

  if (hint != NULL)
    *hint = NULL;
  g_return_val_if_fail (reply != NULL, g_strdup (""));

  out = g_string_new (NULL);
  rule = find_rule (reply, command);
  if (rule != NULL)
    situation = &situations[rule->situation];

  /* Each thing said once: a known situation is the most exact reading of the reply, and the
   * code's general meaning and the registry's words for the enhanced code would only say it
   * again, less exactly. The reply itself, with its codes, is shown beside the explanation. */
  if (situation != NULL)
    append_sentence (out, T (situation->text));
  else
    {
      append_code_meaning (out, reply->code, command);
      if (enhanced_adds_something (reply))
        append_enhanced (out, reply);
    }

  if (hint != NULL && !postaci_reply_is_positive (reply))
    *hint = g_strdup (situation != NULL ? T (situation->hint) : code_hint (reply->code, command));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ------------------------------------------------------------------------------------------ */
/* Failures that are not replies                                                              */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  GString                     *text;
  char                        *hint;
  const GError                *error;
  const PostaciFailureContext *context;
  gboolean                     details_apart; /* the system's words go to detail, not text */
  char                        *detail;
} Advice;

static void
say (Advice *advice, const char *sentence)
{
  append_sentence (advice->text, sentence);
}

/* The system's own words, for the facts only it knows (the address tried, the TLS alert). */
static void
say_details (Advice *advice)
{
  g_autofree char *details = NULL;

  if (advice->error->message == NULL || *advice->error->message == '\0')
    return;
  if (advice->details_apart)
    {
      g_free (advice->detail);
      advice->detail = g_strdup (advice->error->message);
      return;
    }
  /* Translators: %s is the system's own error message, for example
   * "Could not connect to 192.0.2.1: Connection refused". */
  details = g_strdup_printf (_("Details: %s"), advice->error->message);
  say (advice, details);
}

static void
advise (Advice *advice, const char *hint)
{
  g_free (advice->hint);
  advice->hint = g_strdup (hint);
}

static const char *
stage_label (const Advice *advice)
{
  if (advice->context->stage >= POSTACI_N_STAGES)
    return "?";
  return postaci_stage_get_label (advice->context->stage);
}

/* Connected, and not one byte before the deadline, on a link that is still plain text. */
static gboolean
is_silent_plain_link (const PostaciFailureContext *context)
{
  return !context->received_any && !context->tls_active &&
         context->security != POSTACI_SECURITY_TLS;
}

static void
explain_silent_greeting (Advice *advice)
{
  const PostaciFailureContext *context = advice->context;

  if (is_silent_plain_link (context) && context->port == 465)
    {
      say (advice, _("The connection opened, but the server sent no greeting. Port 465 speaks "
                     "TLS from the first byte: the server waits for the TLS handshake, while "
                     "this program waits for a plain-text greeting."));
      advise (advice, _("Set “Security” to “SSL/TLS”, or use port 587 with STARTTLS."));
    }
  else if (is_silent_plain_link (context))
    {
      say (advice, _("The connection opened, but the server sent nothing before the time "
                     "limit."));
      say (advice, _("A server that expects TLS from the first byte (as on port 465) stays "
                     "silent in exactly this way, waiting for the TLS handshake."));
      advise (advice, _("If this port expects TLS from the first byte (like port 465), set "
                        "“Security” to “SSL/TLS”. Otherwise the server may be overloaded, or a "
                        "firewall lets the connection open but blocks the data."));
    }
  else if (!context->received_any)
    {
      say (advice, _("The encrypted connection opened, but the server sent no greeting before "
                     "the time limit."));
      advise (advice, _("The server may be overloaded: try again later, or try port 587 with "
                        "STARTTLS."));
    }
  else
    {
      say (advice, _("The server began its greeting but did not finish it before the time "
                     "limit."));
      advise (advice, _("This may not be an SMTP server: check the port."));
    }
}

static void
explain_connect_timeout (Advice *advice)
{
  say (advice, _("The connection to the server did not open within the time limit."));
  if (advice->context->port == 25)
    {
      say (advice, _("Many internet providers and cloud networks block outgoing connections to "
                     "port 25."));
      advise (advice, _("Use port 587 with STARTTLS or port 465 with SSL/TLS."));
    }
  else
    {
      say (advice, _("A firewall may drop connections to this port."));
      advise (advice, _("Check the server name and the port, and whether a firewall blocks the "
                        "port. For sending mail, try port 587 with STARTTLS or port 465 with "
                        "SSL/TLS."));
    }
}

static void
explain_timeout (Advice *advice)
{
  g_autofree char *sentence = NULL;

  switch (advice->context->stage)
    {
    case POSTACI_STAGE_CONNECT:
      explain_connect_timeout (advice);
      return;
    case POSTACI_STAGE_GREETING:
      explain_silent_greeting (advice);
      return;
    case POSTACI_STAGE_TLS:
      say (advice, _("The TLS handshake did not finish within the time limit."));
      advise (advice, _("This port may not expect TLS from the first byte: use STARTTLS on port "
                        "587, or SSL/TLS on port 465."));
      return;
    case POSTACI_STAGE_DATA:
      say (advice, _("The server did not answer within the time limit while the message was "
                     "sent or checked."));
      advise (advice, _("Some servers check a message for a long time: raise “Seconds to wait for "
                        "each reply” (--timeout) and try again."));
      return;
    default:
      /* Translators: %s is the name of a stage of the run, for example "MAIL" or "AUTH". */
      sentence = g_strdup_printf (_("The server did not answer within the time limit at stage "
                                    "“%s”."), stage_label (advice));
      say (advice, sentence);
      advise (advice, _("Try again later. If the server is slow, raise “Seconds to wait for each "
                        "reply” (--timeout)."));
      return;
    }
}

static void
explain_closed_at_greeting (Advice *advice)
{
  const PostaciFailureContext *context = advice->context;

  say (advice, _("The server closed the connection before it sent a greeting."));
  if (context->tls_active || context->security == POSTACI_SECURITY_TLS)
    {
      say (advice, _("It may refuse connections from your IP address."));
      advise (advice, _("Try again from another network, or through your provider's "
                        "submission server."));
    }
  else if (context->port == 465)
    {
      say (advice, _("Port 465 speaks TLS from the first byte, and this connection used plain "
                     "text."));
      advise (advice, _("Set “Security” to “SSL/TLS”, or use port 587 with STARTTLS."));
    }
  else
    {
      say (advice, _("Servers do this when they expect TLS from the first byte, or when they "
                     "refuse connections from your IP address."));
      advise (advice, _("If this port expects TLS from the first byte (like port 465), set "
                        "“Security” to “SSL/TLS”. Otherwise try another network, or your "
                        "provider's submission server."));
    }
}

static void
explain_closed (Advice *advice)
{
  g_autofree char *sentence = NULL;

  switch (advice->context->stage)
    {
    case POSTACI_STAGE_CONNECT:
    case POSTACI_STAGE_GREETING:
      explain_closed_at_greeting (advice);
      return;
    case POSTACI_STAGE_TLS:
      say (advice, _("The server closed the connection during the TLS handshake."));
      advise (advice, _("The server may not accept the TLS versions or ciphers of this "
                        "computer, or this port does not expect TLS. Try port 587 with STARTTLS "
                        "or port 465 with SSL/TLS."));
      return;
    default:
      /* Translators: %s is the name of a stage of the run, for example "MAIL" or "AUTH". */
      sentence = g_strdup_printf (_("The server closed the connection unexpectedly at stage "
                                    "“%s”."), stage_label (advice));
      say (advice, sentence);
      advise (advice, _("Try again. If it happens again, the server may limit connections or drop "
                        "connections it does not like; its log tells why."));
      return;
    }
}

static void
explain_protocol_violation (Advice *advice)
{
  say (advice, _("The server broke the rules of SMTP, so its reply cannot be read."));
  say_details (advice);
  advise (advice, _("This may not be an SMTP server: check the port. An HTTP, IMAP or POP3 "
                    "server may be listening there instead."));
}

typedef struct {
  GTlsCertificateFlags flag;
  const char          *problem;
  const char          *hint;
} CertificateProblem;

/* In the order of what to fix first: a name mismatch means the wrong server or name. */
static const CertificateProblem certificate_problems[] = {
  { G_TLS_CERTIFICATE_BAD_IDENTITY,
    N_("The certificate was issued for another name than the server name you entered."),
    N_("Enter the server name exactly as it appears on the certificate (the names are listed in "
       "the transcript), not an IP address or an alias.") },
  { G_TLS_CERTIFICATE_EXPIRED,
    N_("The certificate has expired."),
    N_("The server's administrator must renew the certificate. If the date looks wrong, check "
       "the clock of this computer.") },
  { G_TLS_CERTIFICATE_NOT_ACTIVATED,
    N_("The certificate is not valid yet: its start date is in the future."),
    N_("Check the date and time of this computer; otherwise the server's administrator installed "
       "a certificate too early.") },
  { G_TLS_CERTIFICATE_UNKNOWN_CA,
    N_("The certificate is not signed by an authority that this computer trusts: it is "
       "self-signed, comes from a private certificate authority, or the server does not send the "
       "intermediate certificate."),
    N_("If the server uses a private certificate authority, choose its file in “Trusted CA file” "
       "(--ca-file in the terminal). If the server is public, its administrator must send the full "
       "certificate chain. Turn on “Accept an invalid certificate” (--insecure) only if you know "
       "that the certificate belongs to your server.") },
  { G_TLS_CERTIFICATE_REVOKED,
    N_("The certificate has been revoked by its issuer."),
    N_("Do not trust this connection; tell the server's administrator, who must install a new "
       "certificate.") },
  { G_TLS_CERTIFICATE_INSECURE,
    N_("The certificate uses an algorithm that is no longer considered safe."),
    N_("The server's administrator must replace the certificate with one that uses a modern "
       "algorithm.") },
  { G_TLS_CERTIFICATE_GENERIC_ERROR,
    N_("The certificate could not be checked because of an error in it."),
    N_("Tell the server's administrator; the certificate may be damaged or badly formed.") },
};

char *
postaci_catalog_explain_certificate (GTlsCertificateFlags errors, char **hint)
{
  GString *out = g_string_new (NULL);
  const char *first_hint = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (certificate_problems); i++)
    if ((errors & certificate_problems[i].flag) != 0)
      {
        append_sentence (out, T (certificate_problems[i].problem));
        if (first_hint == NULL)
          first_hint = T (certificate_problems[i].hint);
      }
  if (out->len == 0)
    append_sentence (out, _("The server's certificate did not pass verification."));
  if (hint != NULL)
    *hint = g_strdup (first_hint != NULL
                      ? first_hint
                      : _("Turn on “Accept an invalid certificate” (--insecure) only if you know "
                          "that this certificate belongs to your server; otherwise ask its "
                          "administrator."));
  return g_string_free (out, FALSE);
}

static void
explain_certificate (Advice *advice)
{
  g_autofree char *problems = NULL;
  g_autofree char *hint = NULL;

  say (advice, _("The server's certificate did not pass verification."));
  if (advice->context->certificate_errors != 0)
    {
      problems = postaci_catalog_explain_certificate (advice->context->certificate_errors, &hint);
      say (advice, problems);
      advise (advice, hint);
      return;
    }
  say_details (advice);
  advise (advice, _("If the server uses a private certificate authority, choose its file in "
                    "“Trusted CA file” (--ca-file in the terminal). Turn on “Accept an invalid "
                    "certificate” (--insecure) only if you know that this certificate belongs to "
                    "your server."));
}

static void
explain_resolver_error (Advice *advice)
{
  g_autofree char *sentence = NULL;

  switch (advice->error->code)
    {
    case G_RESOLVER_ERROR_NOT_FOUND:
      if (advice->context->server != NULL)
        /* Translators: %s is the server name as the person typed it. */
        sentence = g_strdup_printf (_("The server name “%s” does not resolve: DNS has no "
                                      "address for it."), advice->context->server);
      say (advice, sentence != NULL ? sentence
                                    : _("The server name does not resolve: DNS has no address "
                                        "for it."));
      advise (advice, _("Check the spelling of the server name. For an internal name, check "
                        "that this computer uses the right DNS server or VPN."));
      return;
    case G_RESOLVER_ERROR_TEMPORARY_FAILURE:
      say (advice, _("The server name could not be looked up: the DNS server did not "
                     "answer."));
      advise (advice, _("Check the network connection and the DNS settings of this computer, "
                        "then try again."));
      return;
    default:
      say (advice, _("The server name could not be looked up."));
      say_details (advice);
      advise (advice, _("Check the server name and the DNS settings of this computer."));
      return;
    }
}

static void
explain_connection_refused (Advice *advice)
{
  g_autofree char *sentence = NULL;

  /* Translators: %u is a port number, for example 587. */
  sentence = g_strdup_printf (_("The connection was refused: nothing accepts connections on "
                                "port %u of this server, or a firewall rejects them."),
                              advice->context->port);
  say (advice, sentence);
  say_details (advice);
  advise (advice, _("Check the server name and the port. Sending mail usually uses port 587 "
                    "(STARTTLS) or port 465 (SSL/TLS); port 25 is for mail between servers."));
}

static gboolean
explain_io_error (Advice *advice)
{
  switch (advice->error->code)
    {
    case G_IO_ERROR_CONNECTION_REFUSED:
      explain_connection_refused (advice);
      return TRUE;
    case G_IO_ERROR_HOST_UNREACHABLE:
    case G_IO_ERROR_NETWORK_UNREACHABLE:
      say (advice, _("There is no network route to the server."));
      say_details (advice);
      advise (advice, _("Check the network connection, VPN and firewall of this computer, and "
                        "the server address."));
      return TRUE;
    case G_IO_ERROR_TIMED_OUT:
      explain_timeout (advice);
      return TRUE;
    case G_IO_ERROR_CLOSED:
    case G_IO_ERROR_CONNECTION_CLOSED: /* the same value as G_IO_ERROR_BROKEN_PIPE */
      explain_closed (advice);
      return TRUE;
    case G_IO_ERROR_CANCELLED:
      say (advice, _("The run was stopped before it finished."));
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
postaci_catalog_is_plain_text_answer (const GError *error)
{
  static const char *const signs[] = {
    "unexpected packet", "unexpected tls packet", "packet with unexpected length",
    "unsupported version packet", "illegal or unsupported version", "wrong version number",
  };
  g_autofree char *folded = g_ascii_strdown (error->message != NULL ? error->message : "", -1);

  /* glib-networking says NOT_TLS also when the server hung up mid-handshake. */
  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS))
    return strstr (folded, "terminated") == NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (signs); i++)
    if (strstr (folded, signs[i]) != NULL)
      return TRUE;
  return FALSE;
}

static void
explain_not_tls (Advice *advice)
{
  if (advice->context->security == POSTACI_SECURITY_TLS)
    {
      say (advice, _("The server answered in plain text, not with TLS: this port expects a "
                     "plain-text start and STARTTLS."));
      advise (advice, _("Set “Security” to “STARTTLS” for this port, or use port 465 with "
                        "SSL/TLS."));
    }
  else
    {
      say (advice, _("The server agreed to start TLS but then did not speak TLS."));
      say_details (advice);
      advise (advice, _("Tell the server's administrator. Until it is fixed, try port 465 with "
                        "SSL/TLS."));
    }
}

/* Ports where a server greets in plain text and offers STARTTLS. */
static gboolean
is_plain_text_port (guint port)
{
  return port == 25 || port == 587 || port == 2525;
}

static void
explain_handshake (Advice *advice)
{
  /* GnuTLS's words stay English in every locale; the port is the fallback sign. */
  if (advice->context->security == POSTACI_SECURITY_TLS && !advice->context->tls_active &&
      (postaci_catalog_is_plain_text_answer (advice->error) ||
       is_plain_text_port (advice->context->port)))
    {
      explain_not_tls (advice);
      return;
    }
  say (advice, _("The encrypted connection (TLS) could not be set up. The server may support "
                 "only old TLS versions or ciphers that this computer no longer allows."));
  say_details (advice);
  advise (advice, _("Check that the server supports TLS 1.2 or newer. If port 465 fails, try "
                    "port 587 with STARTTLS, or the reverse."));
}

static gboolean
explain_tls_error (Advice *advice)
{
  switch (advice->error->code)
    {
    case G_TLS_ERROR_NOT_TLS:
      /* glib-networking says NOT_TLS also when the server hung up mid-handshake
       * (GnuTLS: "The TLS connection was non-properly terminated"). */
      if (strstr (advice->error->message, "terminated") != NULL)
        explain_closed (advice);
      else
        explain_not_tls (advice);
      return TRUE;
    case G_TLS_ERROR_MISC:
      /* glib-networking reports plain text in the handshake ("An unexpected TLS packet
       * was received") as MISC, not NOT_TLS. */
      if (advice->context->tls_active)
        return FALSE;
      explain_handshake (advice);
      return TRUE;
    case G_TLS_ERROR_HANDSHAKE:
      explain_handshake (advice);
      return TRUE;
    case G_TLS_ERROR_BAD_CERTIFICATE:
      explain_certificate (advice);
      return TRUE;
    case G_TLS_ERROR_CERTIFICATE_REQUIRED:
      say (advice, _("The server asks for a client certificate, which this program does not "
                     "send."));
      advise (advice, _("Use a port or server that does not require client certificates, or "
                        "ask the server's administrator."));
      return TRUE;
    case G_TLS_ERROR_EOF:
      explain_closed (advice);
      return TRUE;
    case G_TLS_ERROR_UNAVAILABLE:
      say (advice, _("This computer has no TLS support for GLib: the glib-networking package "
                     "is missing."));
      advise (advice, _("Install glib-networking, then try again."));
      return TRUE;
    default:
      return FALSE;
    }
}

static void
explain_auth_unavailable (Advice *advice)
{
  say (advice, _("The server does not offer sign-in (AUTH) here, or it offers no method that "
                 "this program can use."));
  say_details (advice);
  advise (advice, _("Before encryption, many servers hide AUTH: set “Security” to “STARTTLS”. If "
                    "the server needs no sign-in, turn off “Server requires authentication”."));
}

static void
explain_starttls_injection (Advice *advice)
{
  say (advice, _("Right after agreeing to STARTTLS, and before encryption began, the server (or "
                 "something between you and the server) sent extra data. This is a known attack "
                 "that injects commands into the connection (STARTTLS command injection, "
                 "CVE-2011-0411). The test was stopped for safety."));
  advise (advice, _("Do not trust this network path. Try again from another network, and tell "
                    "the server's administrator."));
}

/* The session's own rules; @code is a PostaciSessionError. */
static gboolean
explain_session_rule (Advice *advice, gint code)
{
  switch (code)
    {
    case POSTACI_SESSION_ERROR_STARTTLS_UNAVAILABLE:
      say (advice, _("The server does not offer STARTTLS on this port, so the connection cannot "
                     "be encrypted here."));
      advise (advice, _("Use port 465 with “Security” set to “SSL/TLS”. Set “Security” to “None” "
                        "only on a network you trust."));
      return TRUE;
    case POSTACI_SESSION_ERROR_STARTTLS_INJECTION:
      explain_starttls_injection (advice);
      return TRUE;
    case POSTACI_SESSION_ERROR_PLAINTEXT_AUTH:
      say (advice, _("Signing in over a connection that is not encrypted gives the password "
                     "away: PLAIN and LOGIN send it readable, and an answer of CRAM-MD5, "
                     "DIGEST-MD5, NTLM or SCRAM can be cracked offline. So nothing was sent."));
      advise (advice, _("Set “Security” to “STARTTLS”, or use port 465 with SSL/TLS. Turn on "
                        "“Allow the password without encryption” (--allow-plain-auth) only on a "
                        "network you trust."));
      return TRUE;
    case POSTACI_SESSION_ERROR_AUTH_UNAVAILABLE:
      explain_auth_unavailable (advice);
      return TRUE;
    case POSTACI_SESSION_ERROR_SASL:
      say (advice, _("The sign-in exchange failed on this side."));
      say_details (advice);
      advise (advice, _("Choose another method in “Mechanism”."));
      return TRUE;
    default:
      return FALSE;
    }
}

/* What the session found in the server's answers; @code is a PostaciSessionError. */
static gboolean
explain_session_finding (Advice *advice, gint code)
{
  switch (code)
    {
    case POSTACI_SESSION_ERROR_SMTPUTF8_UNAVAILABLE:
      say (advice, _("An address contains non-ASCII characters. That needs the SMTPUTF8 "
                     "extension, and the server does not offer it."));
      advise (advice, _("Use addresses with ASCII characters only, or a server that supports "
                        "SMTPUTF8."));
      return TRUE;
    case POSTACI_SESSION_ERROR_TOO_LARGE:
      say (advice, _("The message is larger than the size limit that the server announced "
                     "(SIZE in its EHLO reply), so it was not sent."));
      advise (advice, _("Send a smaller message."));
      return TRUE;
    case POSTACI_SESSION_ERROR_NO_RECIPIENTS:
      say (advice, _("The server refused every recipient, so there was nobody to send the "
                     "message to."));
      advise (advice, _("Read the RCPT replies above for the reason of each refusal."));
      return TRUE;
    case POSTACI_SESSION_ERROR_PROTOCOL:
      say (advice, _("The server sent a reply that does not fit this point of the SMTP "
                     "conversation."));
      say_details (advice);
      advise (advice, _("This may not be an SMTP server: check the port. An HTTP, IMAP or POP3 "
                        "server may be listening there instead."));
      return TRUE;
    case POSTACI_SESSION_ERROR_REFUSED:
      say (advice, _("The server refused a command, and the run ended. The explanation of the "
                     "server's reply is shown with it."));
      advise (advice, _("Follow the advice given with the server's reply."));
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
explain_session_error (Advice *advice)
{
  gint code = advice->error->code;

  switch (code)
    {
    case POSTACI_SESSION_ERROR_TIMEOUT:
      explain_timeout (advice);
      return TRUE;
    case POSTACI_SESSION_ERROR_NO_GREETING:
      explain_silent_greeting (advice);
      return TRUE;
    case POSTACI_SESSION_ERROR_CERTIFICATE:
      explain_certificate (advice);
      return TRUE;
    default:
      return explain_session_rule (advice, code) || explain_session_finding (advice, code);
    }
}

static gboolean
explain_line_reader_error (Advice *advice)
{
  switch (advice->error->code)
    {
    case POSTACI_LINE_READER_ERROR_CLOSED:
    case POSTACI_LINE_READER_ERROR_PARTIAL:
      explain_closed (advice);
      return TRUE;
    case POSTACI_LINE_READER_ERROR_TOO_LONG:
      explain_protocol_violation (advice);
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
explain_known_error (Advice *advice)
{
  GQuark domain = advice->error->domain;

  if (domain == G_RESOLVER_ERROR)
    {
      explain_resolver_error (advice);
      return TRUE;
    }
  if (domain == POSTACI_REPLY_ERROR)
    {
      explain_protocol_violation (advice);
      return TRUE;
    }
  if (domain == G_IO_ERROR)
    return explain_io_error (advice);
  if (domain == G_TLS_ERROR)
    return explain_tls_error (advice);
  if (domain == POSTACI_LINE_READER_ERROR)
    return explain_line_reader_error (advice);
  if (domain == POSTACI_SESSION_ERROR)
    return explain_session_error (advice);
  return FALSE;
}

char *
postaci_catalog_explain_error (const GError                *error,
                               const PostaciFailureContext *context,
                               char                       **hint)
{
  return postaci_catalog_explain_error_apart (error, context, hint, NULL);
}

char *
postaci_catalog_explain_error_apart (const GError                *error,
                                     const PostaciFailureContext *context,
                                     char                       **hint,
                                     char                       **detail)
{
  static const PostaciFailureContext no_context = { 0 };
  Advice advice = { NULL, NULL, error, context != NULL ? context : &no_context,
                    detail != NULL, NULL };

  if (hint != NULL)
    *hint = NULL;
  if (detail != NULL)
    *detail = NULL;
  g_return_val_if_fail (error != NULL, g_strdup (""));

  advice.text = g_string_new (NULL);
  if (!explain_known_error (&advice))
    {
      say (&advice, _("The run failed."));
      say_details (&advice);
      advise (&advice, _("Check “SMTP server”, “Port” and “Security”, then try again."));
    }

  if (hint != NULL)
    *hint = g_steal_pointer (&advice.hint);
  if (detail != NULL)
    *detail = g_steal_pointer (&advice.detail);
  g_free (advice.hint);
  g_free (advice.detail);
  return g_string_free (advice.text, FALSE);
}

/* ------------------------------------------------------------------------------------------ */
/* The verdict                                                                                */
/* ------------------------------------------------------------------------------------------ */

static char *
what_happened (const PostaciOutcome *outcome)
{
  const char *stage = postaci_stage_get_label (outcome->stage < POSTACI_N_STAGES
                                               ? outcome->stage : POSTACI_STAGE_CONNECT);

  switch (outcome->verdict)
    {
    case POSTACI_VERDICT_SUCCESS:
      if (outcome->stage >= POSTACI_STAGE_DATA && outcome->recipients_accepted > 0)
        return g_strdup (_("The test reached its goal: every step worked, and the server took "
                           "the message."));
      /* Translators: %s is a stage of the run, for example “RCPT”. */
      return g_strdup_printf (_("Every step up to “%s” worked."), stage);
    case POSTACI_VERDICT_REFUSED:
      if (outcome->reply != NULL)
        /* Translators: %s is a stage of the run, %u a reply code such as 550. */
        return g_strdup_printf (_("The server refused the run at the “%s” step with reply %u."),
                                stage, outcome->reply->code);
      /* Translators: %s is a stage of the run, for example “MAIL”. */
      return g_strdup_printf (_("The server refused the run at the “%s” step."), stage);
    case POSTACI_VERDICT_NETWORK:
      /* Translators: %s is a stage of the run, for example “Connect”. */
      return g_strdup_printf (_("The network connection to the server failed at the “%s” step."),
                              stage);
    case POSTACI_VERDICT_TLS:
      return g_strdup (_("The encrypted connection (TLS) could not be set up."));
    case POSTACI_VERDICT_PROTOCOL:
      /* Translators: %s is a stage of the run, for example “AUTH”. */
      return g_strdup_printf (_("The run stopped at the “%s” step: the server broke the SMTP "
                                "rules, or going on would not have been safe."), stage);
    case POSTACI_VERDICT_TIMEOUT:
      /* Translators: %s is a stage of the run, for example “Greeting”. */
      return g_strdup_printf (_("The server did not answer in time at the “%s” step."), stage);
    case POSTACI_VERDICT_CANCELLED:
      return g_strdup (_("The run was stopped before it finished."));
    case POSTACI_VERDICT_PARTIAL:
      /* Translators: %u of %u recipients, e.g. “1 of 2” */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "The server refused %u of %u recipient.",
                                           "The server refused %u of %u recipients.",
                                           outcome->recipients_accepted +
                                           outcome->recipients_refused),
                              outcome->recipients_refused,
                              outcome->recipients_accepted + outcome->recipients_refused);
    case POSTACI_VERDICT_USAGE:
    default:
      return g_strdup (_("Nothing was sent: a value in the form is not valid."));
    }
}

static const char *
what_to_try (const PostaciOutcome *outcome)
{
  switch (outcome->verdict)
    {
    case POSTACI_VERDICT_SUCCESS:
      if (outcome->stage >= POSTACI_STAGE_DATA && outcome->recipients_accepted > 0)
        return _("That is not yet proof of delivery: look for the message in the recipient's "
                 "inbox and spam folder.");
      return _("To send a real message, set “How far to go” to “Send the message”.");
    case POSTACI_VERDICT_CANCELLED:
      return _("Run the test again when you are ready.");
    case POSTACI_VERDICT_PARTIAL:
      return _("Read the server's answer to each refused address, correct them, and send "
               "again to those recipients.");
    case POSTACI_VERDICT_USAGE:
      return _("Correct the value named above and run the test again.");
    default:
      return outcome->hint != NULL && *outcome->hint != '\0'
             ? outcome->hint
             : _("Read the explanations above, correct the setting they name, and run the test "
                 "again.");
    }
}

char *
postaci_catalog_describe_outcome (const PostaciOutcome *outcome)
{
  g_return_val_if_fail (outcome != NULL, g_strdup (""));
  return what_happened (outcome);
}

const char *
postaci_catalog_advise_outcome (const PostaciOutcome *outcome)
{
  g_return_val_if_fail (outcome != NULL, "");
  return what_to_try (outcome);
}

char *
postaci_catalog_summarize_outcome (const PostaciOutcome *outcome)
{
  g_autofree char *happened = NULL;
  GString *out;

  g_return_val_if_fail (outcome != NULL, g_strdup (""));

  happened = what_happened (outcome);
  out = g_string_new (happened);
  append_sentence (out, what_to_try (outcome));
  return g_string_free (out, FALSE);
}
