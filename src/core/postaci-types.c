/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-types.c — names for the shared enums, as the CLI and JSON spell them. */
#define G_LOG_DOMAIN "postaci-types"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postaci-types.h"

static const char *const security_names[] = { "auto", "none", "starttls", "tls" };

static const char *const stage_names[POSTACI_N_STAGES] = {
  "connect", "greeting", "ehlo", "tls", "auth", "mail", "rcpt", "data", "quit",
};

/* Names a person sees in the stage bar; SMTP verbs stay untranslated. */
static const char *const stage_labels[POSTACI_N_STAGES] = {
  N_("Connect"), N_("Greeting"), "EHLO", "TLS", "AUTH", "MAIL", "RCPT", "DATA", "QUIT",
};

/* CLI names, then the names GNU SASL and RFC 4954 use on the wire. */
static const char *const mechanism_names[POSTACI_N_MECHANISMS] = {
  "auto", "plain", "login", "cram-md5", "digest-md5", "ntlm", "xoauth2",
  "scram-sha-1", "scram-sha-256",
};
static const char *const mechanism_sasl_names[POSTACI_N_MECHANISMS] = {
  NULL, "PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "NTLM", "XOAUTH2",
  "SCRAM-SHA-1", "SCRAM-SHA-256",
};

static const char *const command_names[] = {
  "", "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", ".", "RSET", "QUIT",
};

static gboolean
lookup (const char *const *names, guint n_names, const char *str, guint *out)
{
  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < n_names; i++)
    {
      if (names[i] != NULL && g_ascii_strcasecmp (names[i], str) == 0)
        {
          *out = i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
postaci_security_to_string (PostaciSecurity security)
{
  g_return_val_if_fail (security < G_N_ELEMENTS (security_names), NULL);
  return security_names[security];
}

gboolean
postaci_security_from_string (const char *str, PostaciSecurity *out)
{
  guint i;
  if (!lookup (security_names, G_N_ELEMENTS (security_names), str, &i))
    return FALSE;
  *out = (PostaciSecurity) i;
  return TRUE;
}

const char *
postaci_stage_to_string (PostaciStage stage)
{
  g_return_val_if_fail (stage < POSTACI_N_STAGES, NULL);
  return stage_names[stage];
}

const char *
postaci_stage_get_label (PostaciStage stage)
{
  g_return_val_if_fail (stage < POSTACI_N_STAGES, NULL);
  return g_dgettext (GETTEXT_PACKAGE, stage_labels[stage]);
}

gboolean
postaci_stage_from_string (const char *str, PostaciStage *out)
{
  guint i;
  if (!lookup (stage_names, POSTACI_N_STAGES, str, &i))
    return FALSE;
  *out = (PostaciStage) i;
  return TRUE;
}

const char *
postaci_mechanism_to_string (PostaciMechanism mechanism)
{
  g_return_val_if_fail (mechanism < POSTACI_N_MECHANISMS, NULL);
  return mechanism_names[mechanism];
}

const char *
postaci_mechanism_get_sasl_name (PostaciMechanism mechanism)
{
  g_return_val_if_fail (mechanism < POSTACI_N_MECHANISMS, NULL);
  return mechanism_sasl_names[mechanism];
}

gboolean
postaci_mechanism_from_string (const char *str, PostaciMechanism *out)
{
  guint i;
  if (lookup (mechanism_names, POSTACI_N_MECHANISMS, str, &i) ||
      lookup (mechanism_sasl_names, POSTACI_N_MECHANISMS, str, &i))
    {
      *out = (PostaciMechanism) i;
      return TRUE;
    }
  return FALSE;
}

const char *
postaci_command_to_string (PostaciCommand command)
{
  g_return_val_if_fail (command < G_N_ELEMENTS (command_names), NULL);
  return command_names[command];
}
