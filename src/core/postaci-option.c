/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-option.c — the shared options of a test: the table, and the check of each value. */
#define G_LOG_DOMAIN "postaci-option"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postaci-message.h"
#include "postaci-option.h"
#include "postaci-request.h"

/* Indexed by PostaciOptionId. The help texts are the ones the manual pages (docs/man) list:
 * tests/docs/test-man-pages.py compares them with --help. */
static const PostaciOption options[] = {
  { POSTACI_OPTION_SERVER, "server", POSTACI_OPTION_VALUE_TEXT,
    N_ ("SMTP server: host name, IPv4 or IPv6 address"), N_ ("HOST") },
  { POSTACI_OPTION_PORT, "port", POSTACI_OPTION_VALUE_PORT,
    N_ ("Port (default: 25, 587 or 465, as the security needs)"), N_ ("N") },
  { POSTACI_OPTION_SECURITY, "security", POSTACI_OPTION_VALUE_SECURITY,
    N_ ("auto, none, starttls or tls (default: auto)"), N_ ("MODE") },
  { POSTACI_OPTION_USER, "user", POSTACI_OPTION_VALUE_TEXT, N_ ("Log in with this user name"),
    N_ ("NAME") },
  { POSTACI_OPTION_PASSWORD_FILE, "password-file", POSTACI_OPTION_VALUE_FILE,
    N_ ("Read the password from this file (or set $POSTACI_PASSWORD)"), N_ ("FILE") },
  { POSTACI_OPTION_AUTH, "auth", POSTACI_OPTION_VALUE_MECHANISM,
    N_ ("auto, plain, login, cram-md5, digest-md5, scram-sha-1, scram-sha-256, ntlm or xoauth2"),
    N_ ("MECHANISM") },
  { POSTACI_OPTION_ALLOW_PLAIN_AUTH, "allow-plain-auth", POSTACI_OPTION_VALUE_FLAG,
    N_ ("Allow signing in over an unencrypted connection"), NULL },
  { POSTACI_OPTION_FROM, "from", POSTACI_OPTION_VALUE_TEXT, N_ ("Sender address"), N_ ("ADDR") },
  { POSTACI_OPTION_TO, "to", POSTACI_OPTION_VALUE_TEXT_LIST,
    N_ ("Recipient address; repeat it or separate with commas"), N_ ("ADDR") },
  { POSTACI_OPTION_SUBJECT, "subject", POSTACI_OPTION_VALUE_TEXT, N_ ("Subject"), N_ ("TEXT") },
  { POSTACI_OPTION_HTML, "html", POSTACI_OPTION_VALUE_TEXT, N_ ("HTML message"), N_ ("TEXT") },
  { POSTACI_OPTION_HTML_FILE, "html-file", POSTACI_OPTION_VALUE_FILE,
    N_ ("Read the HTML message from this file"), N_ ("FILE") },
  { POSTACI_OPTION_TEXT, "text", POSTACI_OPTION_VALUE_TEXT,
    N_ ("Plain-text part (default: derived from the HTML)"), N_ ("TEXT") },
  { POSTACI_OPTION_ATTACH, "attach", POSTACI_OPTION_VALUE_FILE_LIST,
    N_ ("Attach this file (repeatable); read from disk as it is sent"), N_ ("FILE") },
  { POSTACI_OPTION_SIZE, "size", POSTACI_OPTION_VALUE_SIZE,
    N_ ("Size test: send a generated message of exactly this size, e.g. 25M"), N_ ("BYTES") },
  { POSTACI_OPTION_EHLO, "ehlo", POSTACI_OPTION_VALUE_TEXT,
    N_ ("Name to send with EHLO (default: this computer’s address)"), N_ ("NAME") },
  { POSTACI_OPTION_STOP_AFTER, "stop-after", POSTACI_OPTION_VALUE_STAGE,
    N_ ("Stop after connect, greeting, ehlo, tls, auth, mail, rcpt or data"), N_ ("STAGE") },
  { POSTACI_OPTION_NO_PIPELINING, "no-pipelining", POSTACI_OPTION_VALUE_FLAG,
    N_ ("Send one command at a time even when the server offers PIPELINING"), NULL },
  { POSTACI_OPTION_TIMEOUT, "timeout", POSTACI_OPTION_VALUE_SECONDS,
    N_ ("Seconds to wait for each reply (default: 30)"), N_ ("SECONDS") },
  { POSTACI_OPTION_CA_FILE, "ca-file", POSTACI_OPTION_VALUE_FILE,
    N_ ("Trust the certificate authorities in this PEM file"), N_ ("FILE") },
  { POSTACI_OPTION_INSECURE, "insecure", POSTACI_OPTION_VALUE_FLAG,
    N_ ("Accept an invalid certificate for this run"), NULL },
};

G_STATIC_ASSERT (G_N_ELEMENTS (options) == POSTACI_N_OPTIONS);

const PostaciOption *
postaci_option_get (PostaciOptionId id)
{
  g_return_val_if_fail (id < POSTACI_N_OPTIONS, NULL);
  g_assert (options[id].id == id);
  return &options[id];
}

GOptionEntry
postaci_option_entry (PostaciOptionId id, gpointer arg_data)
{
  const PostaciOption *option = postaci_option_get (id);
  GOptionEntry         entry = { option->name,           0,        0,
                                 G_OPTION_ARG_STRING,    arg_data, option->description,
                                 option->arg_description };

  switch (option->value)
    {
    case POSTACI_OPTION_VALUE_FLAG:
      entry.arg = G_OPTION_ARG_NONE;
      break;
    case POSTACI_OPTION_VALUE_FILE:
      entry.arg = G_OPTION_ARG_FILENAME;
      break;
    case POSTACI_OPTION_VALUE_TEXT_LIST:
      entry.arg = G_OPTION_ARG_STRING_ARRAY;
      break;
    case POSTACI_OPTION_VALUE_FILE_LIST:
      entry.arg = G_OPTION_ARG_FILENAME_ARRAY;
      break;
    case POSTACI_OPTION_VALUE_TEXT:
    case POSTACI_OPTION_VALUE_PORT:
    case POSTACI_OPTION_VALUE_SECURITY:
    case POSTACI_OPTION_VALUE_MECHANISM:
    case POSTACI_OPTION_VALUE_STAGE:
    case POSTACI_OPTION_VALUE_SECONDS:
    case POSTACI_OPTION_VALUE_SIZE:
    default:
      break;
    }
  return entry;
}

gboolean
postaci_option_parse (PostaciOptionId id, const char *text, gpointer value, GError **error)
{
  const PostaciOption *option = postaci_option_get (id);
  guint64              number;

  g_return_val_if_fail (text != NULL, FALSE);

  switch (option->value)
    {
    case POSTACI_OPTION_VALUE_PORT:
      if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &number, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("--port must be a number from 1 to 65535, not “%s”."), text);
          return FALSE;
        }
      *(guint *) value = (guint) number;
      return TRUE;

    case POSTACI_OPTION_VALUE_SECURITY:
      if (!postaci_security_from_string (text, value))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("--security must be auto, none, starttls or tls, not “%s”."), text);
          return FALSE;
        }
      return TRUE;

    case POSTACI_OPTION_VALUE_MECHANISM:
      if (!postaci_mechanism_from_string (text, value))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("--auth: unknown mechanism “%s”."), text);
          return FALSE;
        }
      return TRUE;

    case POSTACI_OPTION_VALUE_STAGE:
      {
        PostaciStage stage;

        /* A run always ends with QUIT: stopping after it is no choice. */
        if (!postaci_stage_from_string (text, &stage) || stage == POSTACI_STAGE_QUIT)
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _ ("--stop-after must be connect, greeting, ehlo, tls, auth, mail, rcpt "
                            "or data, not “%s”."),
                         text);
            return FALSE;
          }
        *(PostaciStage *) value = stage;
        return TRUE;
      }

    case POSTACI_OPTION_VALUE_SECONDS:
      /* 0 would silently mean the default: refused like any other number out of range. */
      if (!g_ascii_string_to_unsigned (text, 10, 1, POSTACI_MAX_TIMEOUT_SECONDS, &number, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("--timeout must be between 1 and %d seconds."),
                       POSTACI_MAX_TIMEOUT_SECONDS);
          return FALSE;
        }
      *(guint *) value = (guint) number;
      return TRUE;

    case POSTACI_OPTION_VALUE_SIZE:
      if (!postaci_parse_size (text, value))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("--size must be a number of bytes with an optional K, M or G "
                          "(1024, 1024², 1024³), such as 25M, not “%s”."),
                       text);
          return FALSE;
        }
      return TRUE;

    case POSTACI_OPTION_VALUE_TEXT:
    case POSTACI_OPTION_VALUE_FILE:
    case POSTACI_OPTION_VALUE_TEXT_LIST:
    case POSTACI_OPTION_VALUE_FILE_LIST:
    case POSTACI_OPTION_VALUE_FLAG:
    default:
      return TRUE;
    }
}
