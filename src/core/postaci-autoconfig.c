/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-autoconfig.c — Thunderbird's config-v1.1.xml: fetch it over HTTP, keep its SMTP
 * servers. */
#define G_LOG_DOMAIN "postaci-autoconfig"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-autoconfig.h"
#include "postaci-dns.h"
#include "postaci-soup.h"

/* clang-format off */
G_DEFINE_QUARK (postaci-autoconfig-error-quark, postaci_autoconfig_error)
/* clang-format on */

void
postaci_autoconfig_server_free (PostaciAutoconfigServer *server)
{
  if (server == NULL)
    return;
  g_free (server->hostname);
  g_strfreev (server->authentication);
  g_free (server->username);
  g_free (server);
}

char *
postaci_autoconfig_expand (const char *pattern, const char *address, const char *domain)
{
  GString         *out = g_string_new (pattern);
  g_autofree char *local = NULL;

  if (address != NULL)
    {
      const char *at = strrchr (address, '@');

      local = at ? g_strndup (address, (gsize) (at - address)) : g_strdup (address);
      g_string_replace (out, "%EMAILADDRESS%", address, 0);
      g_string_replace (out, "%EMAILLOCALPART%", local, 0);
    }
  if (domain != NULL)
    g_string_replace (out, "%EMAILDOMAIN%", domain, 0);
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------- */
/* Parsing                                                          */
/* ---------------------------------------------------------------- */

typedef struct
{
  const char *address;
  const char *domain;
  gboolean    seen_root;
  guint       depth;
  gboolean    in_smtp; /* inside <outgoingServer type="smtp"> */
  const char *field;   /* the child element whose text we collect */
  GString    *text;
  char       *hostname;
  char       *port;
  char       *socket_type;
  GPtrArray  *authentication;
  char       *username;
  GPtrArray  *servers;
} ParseState;

static void
reset_entry (ParseState *state)
{
  g_clear_pointer (&state->hostname, g_free);
  g_clear_pointer (&state->port, g_free);
  g_clear_pointer (&state->socket_type, g_free);
  g_clear_pointer (&state->username, g_free);
  g_clear_pointer (&state->authentication, g_ptr_array_unref);
}

static void
start_element_cb (GMarkupParseContext *context, const char *name, const char **attribute_names,
                  const char **attribute_values, gpointer user_data, GError **error)
{
  ParseState *state = user_data;

  state->depth++;
  if (state->depth == 1)
    {
      if (!g_str_equal (name, "clientConfig"))
        g_set_error (error, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_INVALID,
                     _ ("The document is not a mail client configuration (it starts with <%s>)."),
                     name);
      state->seen_root = TRUE;
      return;
    }
  if (g_str_equal (name, "outgoingServer"))
    {
      const char *type = NULL;

      for (guint i = 0; attribute_names[i] != NULL; i++)
        if (g_str_equal (attribute_names[i], "type"))
          type = attribute_values[i];
      state->in_smtp = g_strcmp0 (type, "smtp") == 0;
      reset_entry (state);
      state->authentication = g_ptr_array_new_with_free_func (g_free);
      return;
    }
  if (state->in_smtp && (g_str_equal (name, "hostname") || g_str_equal (name, "port") ||
                         g_str_equal (name, "socketType") || g_str_equal (name, "authentication") ||
                         g_str_equal (name, "username")))
    {
      state->field = g_intern_string (name);
      g_string_truncate (state->text, 0);
    }
}

static gboolean
parse_security (const char *socket_type, PostaciSecurity *security)
{
  if (g_strcmp0 (socket_type, "SSL") == 0)
    *security = POSTACI_SECURITY_TLS;
  else if (g_strcmp0 (socket_type, "STARTTLS") == 0)
    *security = POSTACI_SECURITY_STARTTLS;
  else if (g_strcmp0 (socket_type, "plain") == 0)
    *security = POSTACI_SECURITY_NONE;
  else
    return FALSE;
  return TRUE;
}

static void
finish_entry (ParseState *state)
{
  g_autoptr(PostaciAutoconfigServer) server = g_new0 (PostaciAutoconfigServer, 1);
  guint64 port = 0;

  if (state->hostname == NULL || state->port == NULL ||
      state->servers->len >= POSTACI_AUTOCONFIG_MAX_SERVERS)
    return;
  server->hostname = postaci_autoconfig_expand (state->hostname, state->address, state->domain);
  /* A host name from the web goes to the resolver and into transcripts: plain names only. */
  if (!postaci_dns_is_host_name (server->hostname) ||
      !g_ascii_string_to_unsigned (state->port, 10, 1, 65535, &port, NULL))
    {
      g_debug ("skipping outgoing server %s:%s", state->hostname, state->port);
      return;
    }
  server->port = (guint16) port;
  /* socketType is required by the format; a missing or unknown one reads as plain, the
   * weakest claim, so that it never makes us expect more protection than is promised. */
  if (!parse_security (state->socket_type, &server->security))
    server->security = POSTACI_SECURITY_NONE;
  g_ptr_array_add (state->authentication, NULL);
  server->authentication = (GStrv) g_ptr_array_steal (state->authentication, NULL);
  server->username = g_steal_pointer (&state->username);
  g_ptr_array_add (state->servers, g_steal_pointer (&server));
}

static void
replace_string (char **slot, char *value)
{
  g_free (*slot);
  *slot = value;
}

static void
end_element_cb (GMarkupParseContext *context, const char *name, gpointer user_data, GError **error)
{
  ParseState *state = user_data;

  state->depth--;
  if (state->field != NULL && g_str_equal (name, state->field))
    {
      char *value = g_strstrip (g_strdup (state->text->str));

      /* A repeated field: the last one counts, as in Thunderbird. */
      if (state->field == g_intern_static_string ("hostname"))
        replace_string (&state->hostname, value);
      else if (state->field == g_intern_static_string ("port"))
        replace_string (&state->port, value);
      else if (state->field == g_intern_static_string ("socketType"))
        replace_string (&state->socket_type, value);
      else if (state->field == g_intern_static_string ("username"))
        replace_string (&state->username, value);
      else if (state->authentication->len < 8)
        g_ptr_array_add (state->authentication, value);
      else
        g_free (value);
      state->field = NULL;
      return;
    }
  if (g_str_equal (name, "outgoingServer"))
    {
      if (state->in_smtp)
        finish_entry (state);
      state->in_smtp = FALSE;
      reset_entry (state);
    }
}

static void
text_cb (GMarkupParseContext *context, const char *text, gsize length, gpointer user_data,
         GError **error)
{
  ParseState *state = user_data;

  /* A field longer than a host name can be is not one; stop collecting, keep parsing. */
  if (state->field != NULL && state->text->len + length <= 1024)
    g_string_append_len (state->text, text, (gssize) length);
}

GPtrArray *
postaci_autoconfig_parse (const char *document, gsize length, const char *address,
                          const char *domain, GError **error)
{
  static const GMarkupParser parser = { start_element_cb, end_element_cb, text_cb, NULL, NULL };
  ParseState                 state = { 0 };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (document != NULL || length == 0, NULL);

  if (length > POSTACI_AUTOCONFIG_MAX_SIZE)
    {
      g_set_error (error, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_TOO_LARGE,
                   _ ("The document is larger than %u KiB."), POSTACI_AUTOCONFIG_MAX_SIZE / 1024);
      return NULL;
    }
  servers = g_ptr_array_new_with_free_func ((GDestroyNotify) postaci_autoconfig_server_free);
  state.address = address;
  state.domain = domain;
  state.text = g_string_new (NULL);
  state.servers = servers;
  /* GMarkup knows no DTDs and no external entities: nothing in the document can make us
   * fetch or expand anything. */
  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, &state, NULL);
  ok = g_markup_parse_context_parse (context, document ? document : "", (gssize) length,
                                     &local_error) &&
       g_markup_parse_context_end_parse (context, &local_error);
  reset_entry (&state);
  g_string_free (state.text, TRUE);

  if (!ok || !state.seen_root)
    {
      if (local_error != NULL && local_error->domain == POSTACI_AUTOCONFIG_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_INVALID,
                     _ ("The document is not valid XML: %s"),
                     local_error ? local_error->message : _ ("it is empty"));
      return NULL;
    }
  if (servers->len == 0)
    {
      g_set_error_literal (error, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_NO_SMTP,
                           _ ("The document names no usable SMTP server."));
      return NULL;
    }
  return g_steal_pointer (&servers);
}

/* ---------------------------------------------------------------- */
/* Fetching                                                         */
/* ---------------------------------------------------------------- */

typedef struct
{
  SoupMessage  *message;
  GByteArray   *body;
  char         *address;
  char         *domain;
  GCancellable *cancellable; /* ours: the caller's cancellation or the time limit */
  gulong        cancelled_id;
  GCancellable *outer;
  guint         timeout_ms;
  guint         timeout_id;
  gboolean      timed_out;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_handle_id (&data->timeout_id, g_source_remove);
  if (data->outer != NULL)
    g_cancellable_disconnect (data->outer, data->cancelled_id);
  g_clear_object (&data->outer);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->message);
  g_byte_array_unref (data->body);
  g_free (data->address);
  g_free (data->domain);
  g_free (data);
}

static void read_cb (GObject *object, GAsyncResult *result, gpointer user_data);

/* Every error goes out through here: a cancellation by our own clock is a timeout. */
static void
return_error (GTask *task, GError *error)
{
  FetchData *data = g_task_get_task_data (task);
  guint      seconds = MAX (1, (data->timeout_ms + 999) / 1000);

  if (data->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      g_task_return_new_error (task, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_TIMEOUT,
                               g_dngettext (GETTEXT_PACKAGE, "No whole answer within %u second.",
                                            "No whole answer within %u seconds.", seconds),
                               seconds);
      return;
    }
  g_task_return_error (task, error);
}

static gboolean
timeout_cb (gpointer user_data)
{
  FetchData *data = user_data;

  data->timeout_id = 0;
  data->timed_out = TRUE;
  g_cancellable_cancel (data->cancellable);
  return G_SOURCE_REMOVE;
}

static void
outer_cancelled_cb (GCancellable *outer, gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
read_more (GInputStream *stream, GTask *task)
{
  /* One byte more than the limit: reading it proves the document is too large. */
  gsize room =
    POSTACI_AUTOCONFIG_MAX_SIZE + 1 - ((FetchData *) g_task_get_task_data (task))->body->len;

  g_input_stream_read_bytes_async (stream, MIN (room, 16384), G_PRIORITY_DEFAULT,
                                   ((FetchData *) g_task_get_task_data (task))->cancellable,
                                   read_cb, task);
}

static void
read_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GError    *error = NULL;
  g_autoptr(GBytes) bytes =
               g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  GPtrArray *servers;

  if (bytes == NULL)
    {
      return_error (task, error);
      return;
    }
  if (g_bytes_get_size (bytes) > 0)
    {
      g_byte_array_append (data->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      if (data->body->len > POSTACI_AUTOCONFIG_MAX_SIZE)
        {
          g_task_return_new_error (
            task, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_TOO_LARGE,
            _ ("The document is larger than %u KiB."), POSTACI_AUTOCONFIG_MAX_SIZE / 1024);
          return;
        }
      read_more (G_INPUT_STREAM (object), g_steal_pointer (&task));
      return;
    }
  servers = postaci_autoconfig_parse ((const char *) data->body->data, data->body->len,
                                      data->address, data->domain, &error);
  if (servers == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, servers, (GDestroyNotify) g_ptr_array_unref);
}

static void
send_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData         *data = g_task_get_task_data (task);
  const PostaciSoup *soup = postaci_soup_get (NULL);
  GError            *error = NULL;
  g_autoptr(GInputStream) stream =
               soup->session_send_finish ((SoupSession *) object, result, &error);
  guint   status;
  goffset length;

  if (stream == NULL)
    {
      return_error (task, error);
      return;
    }
  status = soup->message_get_status (data->message);
  if (status != SOUP_STATUS_OK)
    {
      /* Translators: an HTTP status, e.g. “HTTP 404 Not Found” */
      g_task_return_new_error (task, POSTACI_AUTOCONFIG_ERROR,
                               status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE
                                 ? POSTACI_AUTOCONFIG_ERROR_NOT_FOUND
                                 : POSTACI_AUTOCONFIG_ERROR_HTTP,
                               _ ("HTTP %u %s"), status,
                               soup->message_get_reason_phrase (data->message)
                                 ? soup->message_get_reason_phrase (data->message)
                                 : "");
      return;
    }
  length =
    soup->message_headers_get_content_length (soup->message_get_response_headers (data->message));
  if (length > POSTACI_AUTOCONFIG_MAX_SIZE)
    {
      g_task_return_new_error (task, POSTACI_AUTOCONFIG_ERROR, POSTACI_AUTOCONFIG_ERROR_TOO_LARGE,
                               _ ("The document is larger than %u KiB."),
                               POSTACI_AUTOCONFIG_MAX_SIZE / 1024);
      return;
    }
  read_more (stream, g_steal_pointer (&task));
}

void
postaci_autoconfig_fetch_async (SoupSession *session, const char *url, guint timeout_ms,
                                const char *address, const char *domain, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  GError            *error = NULL;
  const PostaciSoup *soup = postaci_soup_get (&error);
  FetchData         *data;
  SoupMessage       *message;

  g_return_if_fail (url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, postaci_autoconfig_fetch_async);
  if (soup == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_return_if_fail (G_IS_OBJECT (session));
  message = soup->message_new ("GET", url);
  if (message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("“%s” is not a valid URL."), url);
      return;
    }
  data = g_new0 (FetchData, 1);
  data->message = message;
  data->body = g_byte_array_new ();
  data->address = g_strdup (address);
  data->domain = g_strdup (domain);
  data->cancellable = g_cancellable_new ();
  data->timeout_ms = timeout_ms;
  data->timeout_id = g_timeout_add (timeout_ms, timeout_cb, data);
  if (cancellable != NULL)
    {
      data->outer = g_object_ref (cancellable);
      data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                                  data->cancellable, NULL);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);
  /* No check against the caller's cancellable on return: ours says why it stopped. */
  g_task_set_check_cancellable (task, FALSE);
  soup->session_send_async (session, message, G_PRIORITY_DEFAULT, data->cancellable, send_cb,
                            g_steal_pointer (&task));
}

GPtrArray *
postaci_autoconfig_fetch_finish (GAsyncResult *result, char **final_url, GError **error)
{
  GTask     *task = G_TASK (result);
  GPtrArray *servers;

  g_return_val_if_fail (g_task_get_source_tag (task) == postaci_autoconfig_fetch_async, NULL);

  servers = g_task_propagate_pointer (task, error);
  if (servers != NULL && final_url != NULL)
    {
      FetchData *data = g_task_get_task_data (task);

      *final_url = g_uri_to_string (postaci_soup_get (NULL)->message_get_uri (data->message));
    }
  return servers;
}
