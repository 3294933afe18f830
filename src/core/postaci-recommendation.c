/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-recommendation.c — which probed endpoint to use, and what is wrong with the others. */
#define G_LOG_DOMAIN "postaci-recommendation"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-recommendation.h"

gboolean
postaci_endpoint_answered (const PostaciEndpoint *endpoint)
{
  const PostaciProbeResult *result = endpoint->result;

  return result != NULL && result->connect_ms >= 0 && (result->greeting_code != 0 || result->tls);
}

gboolean
postaci_endpoint_is_usable (const PostaciEndpoint *endpoint)
{
  const PostaciProbeResult *result = endpoint->result;

  return result != NULL && result->status == POSTACI_PROBE_OK &&
         postaci_probe_result_get_tls_valid (result) && result->auth_after != NULL &&
         result->auth_after[0] != NULL;
}

/* Lower is more authoritative. */
static guint
source_rank (const PostaciEndpoint *endpoint)
{
  guint sources = endpoint->sources;

  if (sources & (1u << POSTACI_SOURCE_SRV))
    return 0;
  if (sources & (1u << POSTACI_SOURCE_AUTOCONFIG))
    return endpoint->unverified ? 3 : 1;
  if (sources & (1u << POSTACI_SOURCE_ISPDB))
    return 2;
  if (sources & ((1u << POSTACI_SOURCE_GUESS) | (1u << POSTACI_SOURCE_FORM)))
    return 4;
  return 5;
}

static guint
host_rank (GPtrArray *endpoints, const char *host)
{
  guint best = G_MAXUINT;

  for (guint i = 0; i < endpoints->len; i++)
    {
      const PostaciEndpoint *endpoint = g_ptr_array_index (endpoints, i);

      if (g_ascii_strcasecmp (endpoint->host, host) == 0)
        best = MIN (best, source_rank (endpoint));
    }
  return best;
}

/* Implicit TLS first (RFC 8314 §3), then STARTTLS, then plain text. */
static guint
security_rank (const PostaciEndpoint *endpoint)
{
  switch (postaci_probe_result_get_security (endpoint->result))
    {
    case POSTACI_SECURITY_TLS:
      return 0;
    case POSTACI_SECURITY_STARTTLS:
      return 1;
    case POSTACI_SECURITY_NONE:
    case POSTACI_SECURITY_AUTO:
    default:
      return 2;
    }
}

const PostaciEndpoint *
postaci_recommendation_choose (GPtrArray *endpoints, gboolean usable_only)
{
  const PostaciEndpoint *best = NULL;
  guint                  best_key[4] = { 0 };

  for (guint i = 0; i < endpoints->len; i++)
    {
      const PostaciEndpoint *endpoint = g_ptr_array_index (endpoints, i);
      guint                  key[4];
      gboolean               better = best == NULL;

      if (usable_only ? !postaci_endpoint_is_usable (endpoint)
                      : !postaci_endpoint_answered (endpoint))
        continue;
      key[0] = host_rank (endpoints, endpoint->host);
      key[1] = security_rank (endpoint);
      /* Port 25 is the server-to-server path; clients belong on the submission ports. */
      key[2] = endpoint->port == 25 ? 1 : 0;
      key[3] = i;
      for (guint k = 0; k < G_N_ELEMENTS (key) && !better; k++)
        {
          if (key[k] != best_key[k])
            {
              better = key[k] < best_key[k];
              break;
            }
        }
      if (better)
        {
          best = endpoint;
          memcpy (best_key, key, sizeof key);
        }
    }
  return best;
}

char *
postaci_endpoint_describe_problem (const PostaciEndpoint *endpoint)
{
  const PostaciProbeResult *result = endpoint->result;

  if (result == NULL)
    return g_strdup (_ ("It was not probed to the end."));
  if (result->status != POSTACI_PROBE_OK)
    return g_strdup (result->error ? result->error : _ ("The probe failed."));
  if (!result->tls)
    return g_strdup (_ ("It offers no encryption: a password would cross the network in clear "
                        "text."));
  if (result->certificate_errors != 0)
    {
      if (result->certificate_problems != NULL && result->certificate_problems[0] != NULL)
        /* Translators: %s is what is wrong with the certificate, one sentence */
        return g_strdup_printf (_ ("It needs a certificate exception: %s"),
                                result->certificate_problems[0]);
      return g_strdup (_ ("It needs a certificate exception: the certificate did not verify."));
    }
  if (result->auth_after == NULL || result->auth_after[0] == NULL)
    {
      if (result->auth_before != NULL && result->auth_before[0] != NULL)
        return g_strdup (_ ("It offers login (AUTH) only before TLS, never inside it."));
      return g_strdup (_ ("It offers no login (AUTH): such a server takes mail only for its own "
                          "domains, as an MX does, or from networks it trusts."));
    }
  return NULL;
}

static const PostaciEndpoint *
find_endpoint (GPtrArray *endpoints, const char *host, guint port, PostaciProbeStart start)
{
  for (guint i = 0; i < endpoints->len; i++)
    {
      const PostaciEndpoint *endpoint = g_ptr_array_index (endpoints, i);

      if (endpoint->port == port && endpoint->start == start && endpoint->result != NULL &&
          g_ascii_strcasecmp (endpoint->host, host) == 0)
        return endpoint;
    }
  return NULL;
}

char *
postaci_recommendation_judge_form (GPtrArray *endpoints, const char *host, guint port,
                                   PostaciSecurity security)
{
  const PostaciEndpoint    *endpoint;
  const PostaciProbeResult *result;
  PostaciSecurity           speaks;

  if (host == NULL || *host == '\0' || port == 0)
    return NULL;
  /* The session's "auto" is TLS on 465 and STARTTLS when offered elsewhere. */
  if (security == POSTACI_SECURITY_AUTO)
    security = port == 465 ? POSTACI_SECURITY_TLS : POSTACI_SECURITY_STARTTLS;
  endpoint = find_endpoint (endpoints, host, port,
                            security == POSTACI_SECURITY_TLS ? POSTACI_PROBE_START_TLS
                                                             : POSTACI_PROBE_START_PLAIN);
  if (endpoint == NULL)
    endpoint = find_endpoint (endpoints, host, port,
                              security == POSTACI_SECURITY_TLS ? POSTACI_PROBE_START_PLAIN
                                                               : POSTACI_PROBE_START_TLS);
  if (endpoint == NULL)
    return NULL;
  result = endpoint->result;

  if (result->status == POSTACI_PROBE_NOT_FOUND || result->status == POSTACI_PROBE_UNREACHABLE)
    /* Translators: “Nothing answers at smtp.example.com port 587: Connection refused” */
    return g_strdup_printf (_ ("Nothing answers at %s port %u: %s"), host, port,
                            result->error ? result->error : "");
  speaks = postaci_probe_result_get_security (result);
  if ((result->implicit_tls || result->mismatch == POSTACI_PROBE_MISMATCH_SILENT_UNTIL_TLS) &&
      security != POSTACI_SECURITY_TLS)
    return g_strdup_printf (_ ("Port %u expects TLS from the first byte: choose SSL/TLS."), port);
  if (security == POSTACI_SECURITY_TLS && !result->implicit_tls)
    {
      if (speaks == POSTACI_SECURITY_STARTTLS ||
          result->mismatch == POSTACI_PROBE_MISMATCH_PLAIN_TO_TLS)
        return g_strdup_printf (_ ("Port %u greets in plain text: choose STARTTLS, or port 465 "
                                   "with SSL/TLS."),
                                port);
    }
  if (security == POSTACI_SECURITY_NONE && speaks == POSTACI_SECURITY_STARTTLS)
    return g_strdup_printf (_ ("Port %u offers STARTTLS: choose it, so that the password does "
                               "not cross the network in clear text."),
                            port);
  if (security == POSTACI_SECURITY_STARTTLS && speaks == POSTACI_SECURITY_NONE &&
      result->status == POSTACI_PROBE_OK)
    return g_strdup_printf (_ ("Port %u does not offer STARTTLS: the form's setting will fail; "
                               "use the recommended settings."),
                            port);
  if (!postaci_endpoint_is_usable (endpoint))
    {
      g_autofree char *problem = postaci_endpoint_describe_problem (endpoint);

      /* Translators: “smtp.example.com port 25: It offers no login (AUTH)…” */
      return g_strdup_printf (_ ("%s port %u: %s"), host, port, problem);
    }
  return NULL;
}
