/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-catalog-failures.c — what a failure that is not a reply means (DNS, network, TLS, the
 * session's own rules), and what to try. */
#define G_LOG_DOMAIN "postaci-catalog"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-catalog-private.h"
#include "postaci-certificate.h"
#include "postaci-line-reader.h"
#include "postaci-errors.h"

/* ------------------------------------------------------------------------------------------ */
/* Failures that are not replies                                                              */
/* ------------------------------------------------------------------------------------------ */

typedef struct
{
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
  _postaci_catalog_append_sentence (advice->text, sentence);
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
  details = g_strdup_printf (_ ("Details: %s"), advice->error->message);
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
      say (advice, _ ("The connection opened, but the server sent no greeting. Port 465 speaks "
                      "TLS from the first byte: the server waits for the TLS handshake, while "
                      "this program waits for a plain-text greeting."));
      advise (advice, _ ("Set “Security” to “SSL/TLS”, or use port 587 with STARTTLS."));
    }
  else if (is_silent_plain_link (context))
    {
      say (advice, _ ("The connection opened, but the server sent nothing before the time "
                      "limit."));
      say (advice, _ ("A server that expects TLS from the first byte (as on port 465) stays "
                      "silent in exactly this way, waiting for the TLS handshake."));
      advise (advice, _ ("If this port expects TLS from the first byte (like port 465), set "
                         "“Security” to “SSL/TLS”. Otherwise the server may be overloaded, or a "
                         "firewall lets the connection open but blocks the data."));
    }
  else if (!context->received_any)
    {
      say (advice, _ ("The encrypted connection opened, but the server sent no greeting before "
                      "the time limit."));
      advise (advice, _ ("The server may be overloaded: try again later, or try port 587 with "
                         "STARTTLS."));
    }
  else
    {
      say (advice, _ ("The server began its greeting but did not finish it before the time "
                      "limit."));
      advise (advice, _ ("This may not be an SMTP server: check the port."));
    }
}

static void
explain_connect_timeout (Advice *advice)
{
  say (advice, _ ("The connection to the server did not open within the time limit."));
  if (advice->context->port == 25)
    {
      say (advice, _ ("Many internet providers and cloud networks block outgoing connections to "
                      "port 25."));
      advise (advice, _ ("Use port 587 with STARTTLS or port 465 with SSL/TLS."));
    }
  else
    {
      say (advice, _ ("A firewall may drop connections to this port."));
      advise (advice, _ ("Check the server name and the port, and whether a firewall blocks the "
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
      say (advice, _ ("The TLS handshake did not finish within the time limit."));
      advise (advice, _ ("This port may not expect TLS from the first byte: use STARTTLS on port "
                         "587, or SSL/TLS on port 465."));
      return;
    case POSTACI_STAGE_DATA:
      say (advice, _ ("The server did not answer within the time limit while the message was "
                      "sent or checked."));
      advise (advice, _ ("Some servers check a message for a long time: raise “Seconds to wait for "
                         "each reply” (--timeout) and try again."));
      return;
    default:
      /* Translators: %s is the name of a stage of the run, for example "MAIL" or "AUTH". */
      sentence = g_strdup_printf (_ ("The server did not answer within the time limit at stage "
                                     "“%s”."),
                                  stage_label (advice));
      say (advice, sentence);
      advise (advice, _ ("Try again later. If the server is slow, raise “Seconds to wait for each "
                         "reply” (--timeout)."));
      return;
    }
}

static void
explain_closed_at_greeting (Advice *advice)
{
  const PostaciFailureContext *context = advice->context;

  say (advice, _ ("The server closed the connection before it sent a greeting."));
  if (context->tls_active || context->security == POSTACI_SECURITY_TLS)
    {
      say (advice, _ ("It may refuse connections from your IP address."));
      advise (advice, _ ("Try again from another network, or through your provider's "
                         "submission server."));
    }
  else if (context->port == 465)
    {
      say (advice, _ ("Port 465 speaks TLS from the first byte, and this connection used plain "
                      "text."));
      advise (advice, _ ("Set “Security” to “SSL/TLS”, or use port 587 with STARTTLS."));
    }
  else
    {
      say (advice, _ ("Servers do this when they expect TLS from the first byte, or when they "
                      "refuse connections from your IP address."));
      advise (advice, _ ("If this port expects TLS from the first byte (like port 465), set "
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
      say (advice, _ ("The server closed the connection during the TLS handshake."));
      advise (advice, _ ("The server may not accept the TLS versions or ciphers of this "
                         "computer, or this port does not expect TLS. Try port 587 with STARTTLS "
                         "or port 465 with SSL/TLS."));
      return;
    default:
      /* Translators: %s is the name of a stage of the run, for example "MAIL" or "AUTH". */
      sentence = g_strdup_printf (_ ("The server closed the connection unexpectedly at stage "
                                     "“%s”."),
                                  stage_label (advice));
      say (advice, sentence);
      advise (advice, _ ("Try again. If it happens again, the server may limit connections or drop "
                         "connections it does not like; its log tells why."));
      return;
    }
}

static void
explain_protocol_violation (Advice *advice)
{
  say (advice, _ ("The server broke the rules of SMTP, so its reply cannot be read."));
  say_details (advice);
  advise (advice, _ ("This may not be an SMTP server: check the port. An HTTP, IMAP or POP3 "
                     "server may be listening there instead."));
}

static void
explain_certificate (Advice *advice)
{
  g_autofree char *problems = NULL;
  g_autofree char *hint = NULL;

  say (advice, _ ("The server's certificate did not pass verification."));
  if (advice->context->certificate_errors != 0)
    {
      problems = postaci_certificate_explain (advice->context->certificate_errors, &hint);
      say (advice, problems);
      advise (advice, hint);
      return;
    }
  say_details (advice);
  advise (advice, _ ("If the server uses a private certificate authority, choose its file in "
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
        sentence = g_strdup_printf (_ ("The server name “%s” does not resolve: DNS has no "
                                       "address for it."),
                                    advice->context->server);
      say (advice, sentence != NULL ? sentence
                                    : _ ("The server name does not resolve: DNS has no address "
                                         "for it."));
      advise (advice, _ ("Check the spelling of the server name. For an internal name, check "
                         "that this computer uses the right DNS server or VPN."));
      return;
    case G_RESOLVER_ERROR_TEMPORARY_FAILURE:
      say (advice, _ ("The server name could not be looked up: the DNS server did not "
                      "answer."));
      advise (advice, _ ("Check the network connection and the DNS settings of this computer, "
                         "then try again."));
      return;
    default:
      say (advice, _ ("The server name could not be looked up."));
      say_details (advice);
      advise (advice, _ ("Check the server name and the DNS settings of this computer."));
      return;
    }
}

static void
explain_connection_refused (Advice *advice)
{
  g_autofree char *sentence = NULL;

  /* Translators: %u is a port number, for example 587. */
  sentence = g_strdup_printf (_ ("The connection was refused: nothing accepts connections on "
                                 "port %u of this server, or a firewall rejects them."),
                              advice->context->port);
  say (advice, sentence);
  say_details (advice);
  advise (advice, _ ("Check the server name and the port. Sending mail usually uses port 587 "
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
      say (advice, _ ("There is no network route to the server."));
      say_details (advice);
      advise (advice, _ ("Check the network connection, VPN and firewall of this computer, and "
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
      say (advice, _ ("The run was stopped before it finished."));
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
postaci_catalog_is_plain_text_answer (const GError *error)
{
  static const char *const signs[] = {
    "unexpected packet",          "unexpected tls packet",          "packet with unexpected length",
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
      say (advice, _ ("The server answered in plain text, not with TLS: this port expects a "
                      "plain-text start and STARTTLS."));
      advise (advice, _ ("Set “Security” to “STARTTLS” for this port, or use port 465 with "
                         "SSL/TLS."));
    }
  else
    {
      say (advice, _ ("The server agreed to start TLS but then did not speak TLS."));
      say_details (advice);
      advise (advice, _ ("Tell the server's administrator. Until it is fixed, try port 465 with "
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
  say (advice, _ ("The encrypted connection (TLS) could not be set up. The server may support "
                  "only old TLS versions or ciphers that this computer no longer allows."));
  say_details (advice);
  advise (advice, _ ("Check that the server supports TLS 1.2 or newer. If port 465 fails, try "
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
      say (advice, _ ("The server asks for a client certificate, which this program does not "
                      "send."));
      advise (advice, _ ("Use a port or server that does not require client certificates, or "
                         "ask the server's administrator."));
      return TRUE;
    case G_TLS_ERROR_EOF:
      explain_closed (advice);
      return TRUE;
    case G_TLS_ERROR_UNAVAILABLE:
      say (advice, _ ("This computer has no TLS support for GLib: the glib-networking package "
                      "is missing."));
      advise (advice, _ ("Install glib-networking, then try again."));
      return TRUE;
    default:
      return FALSE;
    }
}

static void
explain_auth_unavailable (Advice *advice)
{
  say (advice, _ ("The server does not offer sign-in (AUTH) here, or it offers no method that "
                  "this program can use."));
  say_details (advice);
  advise (advice, _ ("Before encryption, many servers hide AUTH: set “Security” to “STARTTLS”. If "
                     "the server needs no sign-in, turn off “Server requires authentication”."));
}

static void
explain_starttls_injection (Advice *advice)
{
  say (advice, _ ("Right after agreeing to STARTTLS, and before encryption began, the server (or "
                  "something between you and the server) sent extra data. This is a known attack "
                  "that injects commands into the connection (STARTTLS command injection, "
                  "CVE-2011-0411). The test was stopped for safety."));
  advise (advice, _ ("Do not trust this network path. Try again from another network, and tell "
                     "the server's administrator."));
}

/* The session's own rules; @code is a PostaciSessionError. */
static gboolean
explain_session_rule (Advice *advice, gint code)
{
  switch (code)
    {
    case POSTACI_SESSION_ERROR_STARTTLS_UNAVAILABLE:
      say (advice, _ ("The server does not offer STARTTLS on this port, so the connection cannot "
                      "be encrypted here."));
      advise (advice, _ ("Use port 465 with “Security” set to “SSL/TLS”. Set “Security” to “None” "
                         "only on a network you trust."));
      return TRUE;
    case POSTACI_SESSION_ERROR_STARTTLS_INJECTION:
      explain_starttls_injection (advice);
      return TRUE;
    case POSTACI_SESSION_ERROR_PLAINTEXT_AUTH:
      say (advice, _ ("Signing in over a connection that is not encrypted gives the password "
                      "away: PLAIN and LOGIN send it readable, and an answer of CRAM-MD5, "
                      "DIGEST-MD5, NTLM or SCRAM can be cracked offline. So nothing was sent."));
      advise (advice, _ ("Set “Security” to “STARTTLS”, or use port 465 with SSL/TLS. Turn on "
                         "“Allow the password without encryption” (--allow-plain-auth) only on a "
                         "network you trust."));
      return TRUE;
    case POSTACI_SESSION_ERROR_AUTH_UNAVAILABLE:
      explain_auth_unavailable (advice);
      return TRUE;
    case POSTACI_SESSION_ERROR_SASL:
      say (advice, _ ("The sign-in exchange failed on this side."));
      say_details (advice);
      advise (advice, _ ("Choose another method in “Mechanism”."));
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
      say (advice, _ ("An address contains non-ASCII characters. That needs the SMTPUTF8 "
                      "extension, and the server does not offer it."));
      advise (advice, _ ("Use addresses with ASCII characters only, or a server that supports "
                         "SMTPUTF8."));
      return TRUE;
    case POSTACI_SESSION_ERROR_TOO_LARGE:
      say (advice, _ ("The message is larger than the size limit that the server announced "
                      "(SIZE in its EHLO reply), so it was not sent."));
      advise (advice, _ ("Send a smaller message."));
      return TRUE;
    case POSTACI_SESSION_ERROR_NO_RECIPIENTS:
      say (advice, _ ("The server refused every recipient, so there was nobody to send the "
                      "message to."));
      advise (advice, _ ("Read the RCPT replies above for the reason of each refusal."));
      return TRUE;
    case POSTACI_SESSION_ERROR_PROTOCOL:
      say (advice, _ ("The server sent a reply that does not fit this point of the SMTP "
                      "conversation."));
      say_details (advice);
      advise (advice, _ ("This may not be an SMTP server: check the port. An HTTP, IMAP or POP3 "
                         "server may be listening there instead."));
      return TRUE;
    case POSTACI_SESSION_ERROR_REFUSED:
      say (advice, _ ("The server refused a command, and the run ended. The explanation of the "
                      "server's reply is shown with it."));
      advise (advice, _ ("Follow the advice given with the server's reply."));
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
postaci_catalog_explain_error (const GError *error, const PostaciFailureContext *context,
                               char **hint)
{
  return postaci_catalog_explain_error_apart (error, context, hint, NULL);
}

char *
postaci_catalog_explain_error_apart (const GError *error, const PostaciFailureContext *context,
                                     char **hint, char **detail)
{
  static const PostaciFailureContext no_context = { 0 };
  Advice                             advice = {
                                .error = error,
                                .context = context != NULL ? context : &no_context,
                                .details_apart = detail != NULL,
  };

  if (hint != NULL)
    *hint = NULL;
  if (detail != NULL)
    *detail = NULL;
  g_return_val_if_fail (error != NULL, g_strdup (""));

  advice.text = g_string_new (NULL);
  if (!explain_known_error (&advice))
    {
      say (&advice, _ ("The run failed."));
      say_details (&advice);
      advise (&advice, _ ("Check “SMTP server”, “Port” and “Security”, then try again."));
    }

  if (hint != NULL)
    *hint = g_steal_pointer (&advice.hint);
  if (detail != NULL)
    *detail = g_steal_pointer (&advice.detail);
  g_free (advice.hint);
  g_free (advice.detail);
  return g_string_free (advice.text, FALSE);
}
