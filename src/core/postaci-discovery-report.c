/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-discovery-report.c — what discovery found, as text, ANSI colour or JSON Lines. */
#define G_LOG_DOMAIN "postaci-discovery"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "postaci-discovery-report.h"
#include "postaci-event.h"
#include "postaci-recommendation.h"

#define COLOUR_RESET "\033[0m"
#define COLOUR_BOLD  "\033[1m"
#define COLOUR_RED   "\033[31m"
#define COLOUR_GREEN "\033[32m"
#define COLOUR_AMBER "\033[33m"
#define COLOUR_DIM   "\033[2m"

const char *
postaci_discovery_security_label (PostaciSecurity security)
{
  switch (security)
    {
    case POSTACI_SECURITY_TLS:
      return "SSL/TLS";
    case POSTACI_SECURITY_STARTTLS:
      return "STARTTLS";
    case POSTACI_SECURITY_NONE:
      /* Translators: Security: a plain, unencrypted connection */
      return C_ ("security", "None");
    case POSTACI_SECURITY_AUTO:
    default:
      return _ ("Auto");
    }
}

/* ---------------------------------------------------------------- */
/* JSON Lines                                                       */
/* ---------------------------------------------------------------- */

static JsonArray *
strv_array (const char *const *strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  return array;
}

static void
set_nullable_string (JsonObject *object, const char *name, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

static char *
object_to_line (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_node_take_object (node, object);
  text = json_to_string (node, FALSE);
  return g_strconcat (text, "\n", NULL);
}

static char *
source_json (const PostaciDiscoverySource *source)
{
  JsonObject *object = json_object_new ();
  JsonArray  *found;

  json_object_set_string_member (object, "kind", "source");
  json_object_set_string_member (object, "type", postaci_source_type_to_string (source->type));
  json_object_set_string_member (object, "name", source->name);
  json_object_set_string_member (object, "status",
                                 postaci_source_status_to_string (source->status));
  if (source->type == POSTACI_SOURCE_AUTOCONFIG || source->type == POSTACI_SOURCE_ISPDB)
    json_object_set_boolean_member (object, "verified", source->verified);
  found = json_array_new ();
  for (guint i = 0; i < source->found->len; i++)
    json_array_add_string_element (found, g_ptr_array_index (source->found, i));
  json_object_set_array_member (object, "found", found);
  set_nullable_string (object, "detail", source->detail);
  return object_to_line (object);
}

char *
postaci_discovery_format_endpoint (const PostaciEndpoint *endpoint)
{
  const PostaciProbeResult *result = endpoint->result;
  JsonObject               *object = json_object_new ();
  JsonArray                *sources = json_array_new ();
  static const char *const  mismatches[] = { "none", "silent_until_tls", "plain_to_tls" };

  g_return_val_if_fail (result != NULL, g_strdup (""));

  json_object_set_string_member (object, "kind", "endpoint");
  json_object_set_string_member (object, "host", endpoint->host);
  json_object_set_int_member (object, "port", endpoint->port);
  json_object_set_string_member (object, "probe",
                                 endpoint->start == POSTACI_PROBE_START_TLS ? "tls" : "plain");
  json_object_set_string_member (
    object, "security", postaci_security_to_string (postaci_probe_result_get_security (result)));
  json_object_set_string_member (object, "status", postaci_probe_status_to_string (result->status));
  json_object_set_boolean_member (object, "reachable", result->connect_ms >= 0);
  json_object_set_boolean_member (object, "usable", postaci_endpoint_is_usable (endpoint));
  set_nullable_string (object, "address", result->address);
  if (result->connect_ms >= 0)
    json_object_set_int_member (object, "connect_ms", result->connect_ms);
  else
    json_object_set_null_member (object, "connect_ms");
  set_nullable_string (object, "banner", result->banner);
  set_nullable_string (object, "tls_version", result->tls_version);
  if (result->tls)
    json_object_set_boolean_member (object, "tls_valid", result->certificate_errors == 0);
  else
    json_object_set_null_member (object, "tls_valid");
  if (result->certificate != NULL)
    {
      JsonObject      *certificate = json_object_new ();
      g_autofree char *until = result->certificate->not_after
                                 ? g_date_time_format_iso8601 (result->certificate->not_after)
                                 : NULL;

      set_nullable_string (certificate, "subject", result->certificate->subject);
      set_nullable_string (certificate, "issuer", result->certificate->issuer);
      set_nullable_string (certificate, "not_after", until);
      json_object_set_array_member (certificate, "names",
                                    strv_array ((const char *const *) result->certificate->names));
      json_object_set_array_member (
        certificate, "problems", strv_array ((const char *const *) result->certificate_problems));
      json_object_set_object_member (object, "certificate", certificate);
    }
  else
    json_object_set_null_member (object, "certificate");
  json_object_set_array_member (object, "capabilities_before_tls",
                                strv_array ((const char *const *) result->capabilities_before));
  json_object_set_array_member (object, "capabilities_after_tls",
                                strv_array ((const char *const *) result->capabilities_after));
  json_object_set_array_member (object, "auth_before_tls",
                                strv_array ((const char *const *) result->auth_before));
  json_object_set_array_member (object, "auth_after_tls",
                                strv_array ((const char *const *) result->auth_after));
  if (result->size >= 0)
    json_object_set_int_member (object, "size", result->size);
  else
    json_object_set_null_member (object, "size");
  json_object_set_string_member (object, "mismatch", mismatches[result->mismatch]);
  set_nullable_string (object, "error", result->error);
  for (guint type = 0; type <= POSTACI_SOURCE_FORM; type++)
    if (endpoint->sources & (1u << type))
      json_array_add_string_element (sources, postaci_source_type_to_string (type));
  json_object_set_array_member (object, "sources", sources);
  return object_to_line (object);
}

static char *
recommendation_json (const PostaciRecommendation *rec)
{
  GString    *out = g_string_new (NULL);
  JsonObject *object;

  if (rec->host != NULL)
    {
      g_autofree char *line = NULL;

      object = json_object_new ();
      json_object_set_string_member (object, "kind", "recommendation");
      json_object_set_string_member (object, "host", rec->host);
      json_object_set_int_member (object, "port", rec->port);
      json_object_set_string_member (object, "security",
                                     postaci_security_to_string (rec->security));
      json_object_set_array_member (object, "auth", strv_array ((const char *const *) rec->auth));
      set_nullable_string (object, "username", rec->username);
      if (rec->auth_tried)
        json_object_set_boolean_member (object, "auth_confirmed", rec->auth_confirmed);
      else
        json_object_set_null_member (object, "auth_confirmed");
      set_nullable_string (object, "auth_detail", rec->auth_detail);
      set_nullable_string (object, "reason", rec->reason);
      set_nullable_string (object, "form_advice", rec->form_advice);
      line = object_to_line (object);
      g_string_append (out, line);
    }
  if (rec->status != POSTACI_DISCOVERY_FOUND)
    {
      g_autofree char *line = NULL;

      object = json_object_new ();
      json_object_set_string_member (object, "kind", "outcome");
      json_object_set_string_member (object, "status",
                                     postaci_discovery_status_to_string (rec->status));
      json_object_set_int_member (object, "exit",
                                  postaci_discovery_status_get_exit_status (rec->status));
      set_nullable_string (object, "reason",
                           rec->status == POSTACI_DISCOVERY_NOT_USABLE && rec->auth_detail != NULL
                             ? rec->auth_detail
                             : rec->reason);
      set_nullable_string (object, "form_advice", rec->form_advice);
      line = object_to_line (object);
      g_string_append (out, line);
    }
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------- */
/* Text                                                             */
/* ---------------------------------------------------------------- */

static void
append_coloured (GString *out, gboolean ansi, const char *colour, const char *text)
{
  if (ansi)
    g_string_append_printf (out, "%s%s%s", colour, text, COLOUR_RESET);
  else
    g_string_append (out, text);
}

char *
postaci_discovery_format_source (const PostaciDiscoverySource *source,
                                 PostaciTranscriptFormat       format)
{
  GString    *out;
  gboolean    ansi = format == POSTACI_TRANSCRIPT_ANSI;
  const char *colour;

  g_return_val_if_fail (source != NULL, NULL);

  if (source->status == POSTACI_SOURCE_RUNNING)
    return g_strdup ("");
  if (format == POSTACI_TRANSCRIPT_JSONL)
    return source_json (source);
  out = g_string_new (NULL);
  colour = source->status == POSTACI_SOURCE_FOUND    ? COLOUR_GREEN
           : source->status == POSTACI_SOURCE_FAILED ? COLOUR_RED
                                                     : COLOUR_DIM;
  append_coloured (out, ansi, COLOUR_BOLD, postaci_source_type_get_label (source->type));
  g_string_append_printf (out, " %s\n    ", source->name);
  append_coloured (out, ansi, colour, source->detail ? source->detail : "");
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

static char *
join_or_dash (GStrv strv)
{
  return strv != NULL && strv[0] != NULL ? g_strjoinv (" ", strv) : g_strdup ("—");
}

/* The row of one endpoint: host, port, security, connect, TLS, certificate, AUTH before and
 * after TLS, result. */
static GStrv
endpoint_row (const PostaciEndpoint *endpoint)
{
  const PostaciProbeResult *result = endpoint->result;
  GStrv                     row = g_new0 (char *, 10);

  row[0] = g_strdup (endpoint->host);
  row[1] = g_strdup_printf ("%u", endpoint->port);
  if (result == NULL)
    {
      row[2] = g_strdup (endpoint->start == POSTACI_PROBE_START_TLS ? "SSL/TLS" : "?");
      for (guint i = 3; i < 8; i++)
        row[i] = g_strdup ("—");
      row[8] = g_strdup (endpoint->running ? _ ("probing…") : _ ("cut short"));
      return row;
    }
  row[2] =
    g_strdup (result->connect_ms >= 0
                ? postaci_discovery_security_label (postaci_probe_result_get_security (result))
                : "—");
  /* "ms" is the same in both languages. */
  row[3] = result->connect_ms >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT " ms", result->connect_ms)
                                   : g_strdup ("—");
  row[4] = g_strdup (result->tls_version ? result->tls_version : "—");
  row[5] = g_strdup (!result->tls                      ? "—"
                     : result->certificate_errors == 0 ? _ ("valid")
                                                       : _ ("invalid"));
  row[6] = join_or_dash (result->auth_before);
  row[7] = join_or_dash (result->auth_after);
  if (postaci_endpoint_is_usable (endpoint))
    row[8] = g_strdup (_ ("usable"));
  else if (result->status == POSTACI_PROBE_OK)
    row[8] = g_strdup (_ ("answers, not usable"));
  else if (result->status == POSTACI_PROBE_NOT_FOUND)
    row[8] = g_strdup (_ ("no such host"));
  else if (result->status == POSTACI_PROBE_UNREACHABLE)
    row[8] = g_strdup (_ ("unreachable"));
  else
    row[8] = g_strdup (_ ("failed"));
  return row;
}

static void
append_padded (GString *out, const char *text, guint width)
{
  glong length = g_utf8_strlen (text, -1);

  g_string_append (out, text);
  for (glong i = length; i < (glong) width; i++)
    g_string_append_c (out, ' ');
}

char *
postaci_discovery_format_table (GPtrArray *endpoints, gboolean ansi)
{
  const char *headers[] = {
    _ ("Host"),   _ ("Port"),        _ ("Security"),        _ ("Connect"),
    _ ("TLS"),    _ ("Certificate"), _ ("AUTH before TLS"), _ ("AUTH after TLS"),
    _ ("Result"),
  };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  guint    widths[G_N_ELEMENTS (headers)];
  GString *out = g_string_new (NULL);

  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    widths[c] = (guint) g_utf8_strlen (headers[c], -1);
  for (guint i = 0; i < endpoints->len; i++)
    {
      GStrv row = endpoint_row (g_ptr_array_index (endpoints, i));

      for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (row[c], -1));
      g_ptr_array_add (rows, row);
    }

  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    {
      g_autoptr(GString) cell = g_string_new (NULL);

      append_padded (cell, headers[c], c + 1 < G_N_ELEMENTS (headers) ? widths[c] + 2 : 0);
      append_coloured (out, ansi, COLOUR_BOLD, cell->str);
    }
  g_string_append_c (out, '\n');
  for (guint i = 0; i < rows->len; i++)
    {
      GStrv                  row = g_ptr_array_index (rows, i);
      const PostaciEndpoint *endpoint = g_ptr_array_index (endpoints, i);

      for (guint c = 0; c + 1 < G_N_ELEMENTS (headers); c++)
        append_padded (out, row[c], widths[c] + 2);
      append_coloured (out, ansi,
                       postaci_endpoint_is_usable (endpoint)  ? COLOUR_GREEN
                       : postaci_endpoint_answered (endpoint) ? COLOUR_AMBER
                                                              : COLOUR_RED,
                       row[G_N_ELEMENTS (headers) - 1]);
      g_string_append_c (out, '\n');
    }
  /* Below the table, why each endpoint that answered is not usable. */
  for (guint i = 0; i < endpoints->len; i++)
    {
      const PostaciEndpoint *endpoint = g_ptr_array_index (endpoints, i);
      g_autofree char       *problem = NULL;

      if (endpoint->result == NULL || postaci_endpoint_is_usable (endpoint) ||
          endpoint->result->status == POSTACI_PROBE_NOT_FOUND)
        continue;
      problem = postaci_endpoint_describe_problem (endpoint);
      g_string_append_printf (out, "  %s:%u  ", endpoint->host, endpoint->port);
      append_coloured (out, ansi, COLOUR_DIM, problem);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static char *
recommendation_text (const PostaciRecommendation *rec, gboolean ansi)
{
  GString *out = g_string_new ("\n");

  if (rec->host != NULL)
    {
      g_autofree char *auth = join_or_dash (rec->auth);
      /* Translators: “Recommended: smtp.example.com, port 465, SSL/TLS” */
      g_autofree char *head =
        g_strdup_printf (_ ("Recommended: %s, port %u, %s"), rec->host, rec->port,
                         postaci_discovery_security_label (rec->security));

      append_coloured (out, ansi, COLOUR_BOLD, head);
      g_string_append_c (out, '\n');
      g_string_append_printf (out, "  %s %s\n", _ ("Login mechanisms:"), auth);
      if (rec->username != NULL)
        g_string_append_printf (out, "  %s %s\n", _ ("User name:"), rec->username);
      g_string_append_printf (out, "  %s\n", rec->reason);
      if (rec->auth_detail != NULL)
        {
          g_string_append (out, "  ");
          append_coloured (out, ansi, rec->auth_confirmed ? COLOUR_GREEN : COLOUR_RED,
                           rec->auth_detail);
          g_string_append_c (out, '\n');
        }
    }
  if (rec->status != POSTACI_DISCOVERY_FOUND && (rec->host == NULL || rec->auth_detail == NULL))
    {
      /* Translators: the last line when no usable server was found; %s says why */
      g_autofree char *line = g_strdup_printf (_ ("No usable server: %s"), rec->reason);

      append_coloured (out, ansi, COLOUR_RED, line);
      g_string_append_c (out, '\n');
    }
  if (rec->form_advice != NULL)
    g_string_append_printf (out, "  %s\n", rec->form_advice);
  return g_string_free (out, FALSE);
}

char *
postaci_discovery_format_recommendation (const PostaciRecommendation *recommendation,
                                         PostaciTranscriptFormat      format)
{
  g_return_val_if_fail (recommendation != NULL, NULL);

  if (format == POSTACI_TRANSCRIPT_JSONL)
    return recommendation_json (recommendation);
  return recommendation_text (recommendation, format == POSTACI_TRANSCRIPT_ANSI);
}
