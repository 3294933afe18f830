/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-request-form.c — the form a helpdesk knows, as a request. What fills it besides the
 * person (the settings, postaci-cli's options) is in postaci-request-form-settings.c, the
 * marks on a field at fault in postaci-request-form-marks.c, the attached files in
 * postaci-request-form-attachments.c. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "postaci-accessible.h"
#include "postaci-combo-row-choices.h"
#include "postaci-expander-rows.h"
#include "postaci-discovery-dialog.h"
#include "postaci-long-entry-buffer.h"
#include "postaci-request-form-private.h"
#include "postaci-source-scheme.h"
#include "postaci-source-scheme.h"

G_DEFINE_FINAL_TYPE (PostaciRequestForm, postaci_request_form, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_STOP_NOTICE,
  PROP_REMEMBER_PASSWORD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  PASSWORD_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
_postaci_request_form_show_toast (PostaciRequestForm *self, const char *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (title));
}

/* NULL for an empty field, so the request uses its default. */
static char *
get_optional (gpointer editable)
{
  char *text = get_stripped (editable);

  if (*text == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

char *
_postaci_request_form_get_html (PostaciRequestForm *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->html_view));
  GtkTextIter    start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
_postaci_request_form_set_html (PostaciRequestForm *self, const char *html)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->html_view)), html, -1);
}

static char *
default_html (void)
{
  g_autofree char *text =
    g_markup_escape_text (_ ("This is a test message sent by Postacı, the SMTP tester."), -1);

  return g_strdup_printf ("<html>\n<body>\n<h1>Postacı</h1>\n<p>%s</p>\n</body>\n</html>\n", text);
}

/* ---------------------------------------------------------------- */
/* Port and security                                                */
/* ---------------------------------------------------------------- */

void
_postaci_request_form_set_port (PostaciRequestForm *self, guint port)
{
  g_autofree char *text = g_strdup_printf ("%u", port);

  self->setting_port = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), text);
  self->setting_port = FALSE;
}

guint
_postaci_request_form_security_index (PostaciRequestForm *self)
{
  guint i = adw_combo_row_get_selected (self->security_row);

  return i < G_N_ELEMENTS (security_choices) ? i : DEFAULT_SECURITY_INDEX;
}

/* Security and port together; a port that is not the usual one for the security sticks. */
void
_postaci_request_form_set_security_and_port (PostaciRequestForm *self, PostaciSecurity security,
                                             guint port)
{
  guint index = INDEX_OF (security_choices, security, DEFAULT_SECURITY_INDEX);

  self->port_edited = TRUE; /* the port comes next */
  adw_combo_row_set_selected (self->security_row, index);
  if (port == 0)
    port = security_ports[index];
  _postaci_request_form_set_port (self, port);
  self->port_edited = port != security_ports[index];
}

static void
port_changed_cb (PostaciRequestForm *self)
{
  if (!self->setting_port)
    self->port_edited = *gtk_editable_get_text (GTK_EDITABLE (self->port_row)) != '\0';
}

static gboolean form_points_at_local_server (PostaciRequestForm *self);

/* None / STARTTLS / SSL/TLS move the port to 25 / 587 / 465, unless the person typed one.
 * On the Local Test Server, to its own ports: SSL/TLS to the implicit-TLS one, else STARTTLS's. */
static void
security_changed_cb (PostaciRequestForm *self)
{
  PostaciSecurity security = security_choices[_postaci_request_form_security_index (self)];

  if (form_points_at_local_server (self))
    _postaci_request_form_set_port (self, security == POSTACI_SECURITY_TLS
                                            ? postaci_local_server_get_tls_port (self->local)
                                            : postaci_local_server_get_port (self->local));
  else if (!self->port_edited)
    _postaci_request_form_set_port (self,
                                    security_ports[_postaci_request_form_security_index (self)]);
}

/* ---------------------------------------------------------------- */
/* The Local Test Server                                         */
/* ---------------------------------------------------------------- */

gboolean
postaci_request_form_is_local_address (PostaciRequestForm *self, const char *server, guint port)
{
  static const char *const loopback[] = { "127.0.0.1", "localhost", "::1", "[::1]", NULL };

  if (self->local == NULL || server == NULL || port == 0)
    return FALSE;
  if (port != postaci_local_server_get_port (self->local) &&
      port != postaci_local_server_get_tls_port (self->local))
    return FALSE;
  return g_strv_contains (loopback, server);
}

gboolean
postaci_request_form_names_local_server (PostaciRequestForm *self)
{
  g_autofree char *server = NULL;
  g_autofree char *port = NULL;
  guint64          port_value = 0;

  g_return_val_if_fail (POSTACI_IS_REQUEST_FORM (self), FALSE);

  server = get_stripped (self->server_row);
  port = get_stripped (self->port_row);
  if (!g_ascii_string_to_unsigned (port, 10, 1, 65535, &port_value, NULL))
    return FALSE;
  return postaci_request_form_is_local_address (self, server, (guint) port_value);
}

/* Whether the form, as typed now, points at the running Local Test Server. */
static gboolean
form_points_at_local_server (PostaciRequestForm *self)
{
  return self->local != NULL && postaci_local_server_is_running (self->local) &&
         postaci_request_form_names_local_server (self);
}

/* What the form is set for without the person having typed it: the Local Test Server (and the
 * failure it rehearses), or that server while it is off. Said at the top of the form. */
void
_postaci_request_form_update_notices (PostaciRequestForm *self)
{
  gboolean    names_local = postaci_request_form_names_local_server (self);
  gboolean    running = self->local != NULL && postaci_local_server_is_running (self->local);
  const char *failure = self->local_failure;

  gtk_widget_set_visible (self->notice_box, names_local);
  gtk_widget_set_visible (self->notice_button, names_local && !running);
  if (names_local && running)
    gtk_label_set_text (self->notice_label,
                        _ ("This form is set up for the Local Test Server on this computer. "
                           "Type your own server to test it instead."));
  else if (names_local)
    gtk_label_set_text (self->notice_label,
                        _ ("The form points at the Local Test Server, which is off."));
  if (names_local && running && failure != NULL)
    {
      /* Translators: %s is a “Fail on purpose” choice, such as “535 at AUTH: wrong user name or
       * password” */
      g_autofree char *text = g_strdup_printf (_ ("Fail on purpose is on: %s."), failure);

      gtk_label_set_text (self->failure_notice, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->failure_notice),
                          names_local && running && failure != NULL);
}

/* "How far to go" is remembered across starts: a run that stops early sends no mail. */
static void
update_stop_notice (PostaciRequestForm *self)
{
  guint stop_after = adw_combo_row_get_selected (self->stop_after_row);
  char *text = NULL;

  if (stop_after > 0 && stop_after < G_N_ELEMENTS (stop_after_choices))
    {
      GtkStringObject *item = adw_combo_row_get_selected_item (self->stop_after_row);

      /* Translators: %s is a “How far to go” choice, such as “Stop after the recipients (RCPT)” */
      text = g_strdup_printf (_ ("%s: no message is sent."), gtk_string_object_get_string (item));
    }
  if (g_strcmp0 (text, self->stop_notice) == 0)
    {
      g_free (text);
      return;
    }
  g_free (self->stop_notice);
  self->stop_notice = text;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STOP_NOTICE]);
}

const char *
postaci_request_form_get_stop_notice (PostaciRequestForm *self)
{
  g_return_val_if_fail (POSTACI_IS_REQUEST_FORM (self), NULL);
  return self->stop_notice;
}

/* The server or port changed: once the form no longer names the Local Test Server, its server
 * fields are the person's own again, and remembered. */
static void
address_changed_cb (PostaciRequestForm *self)
{
  gboolean names_local = postaci_request_form_names_local_server (self);

  if (!self->filling_local)
    {
      if (self->named_local && !names_local)
        _postaci_request_form_write_server_fields (self);
      self->named_local = names_local;
    }
  _postaci_request_form_update_notices (self);
}

/* A form set up for the Local Test Server, taken over by command-line options: what the options do
 * not name gets its normal value, not the server's port, account or addresses. */
void
_postaci_request_form_forget_local_fill (PostaciRequestForm *self)
{
  if (!postaci_request_form_names_local_server (self))
    return;
  set_text (self->server_row, "");
  self->port_edited = FALSE;
  adw_combo_row_set_selected (self->security_row, DEFAULT_SECURITY_INDEX);
  _postaci_request_form_set_port (self, security_ports[DEFAULT_SECURITY_INDEX]);
  adw_expander_row_set_enable_expansion (self->auth_row, FALSE);
  set_text (self->user_row, "");
  set_text (self->password_row, "");
  adw_combo_row_set_selected (self->mechanism_row,
                              INDEX_OF (mechanism_choices, POSTACI_MECHANISM_AUTO, 0));
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->from_row)), LOCAL_FROM) == 0)
    set_text (self->from_row, "");
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->to_row)), LOCAL_TO) == 0)
    set_text (self->to_row, "");
}

void
postaci_request_form_fill_for_local_server (PostaciRequestForm *self)
{
  g_autoptr(PostaciRequest) request = NULL;

  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));
  g_return_if_fail (self->local != NULL && postaci_local_server_is_running (self->local));

  /* The server's own request: its address, security, STARTTLS port and account. Its pinned
   * certificate is taken again when the form builds a request that points at it. */
  request = postaci_local_server_new_request (self->local);
  postaci_request_form_clear_invalid (self);
  /* Its port and account last one run: the server remembered stays the person's own. */
  self->filling_local = TRUE;
  set_text (self->server_row, request->server);
  adw_combo_row_set_selected (
    self->security_row, INDEX_OF (security_choices, request->security, DEFAULT_SECURITY_INDEX));
  _postaci_request_form_set_port (self, request->port);
  self->port_edited = TRUE;
  adw_expander_row_set_enable_expansion (self->auth_row, request->auth);
  set_text (self->user_row, request->username);
  set_text (self->password_row, request->password);
  adw_combo_row_set_selected (self->mechanism_row,
                              INDEX_OF (mechanism_choices, request->mechanism, 0));
  self->filling_local = FALSE;
  self->named_local = TRUE;
  if (*gtk_editable_get_text (GTK_EDITABLE (self->from_row)) == '\0')
    set_text (self->from_row, LOCAL_FROM);
  if (*gtk_editable_get_text (GTK_EDITABLE (self->to_row)) == '\0')
    set_text (self->to_row, LOCAL_TO);
  _postaci_request_form_update_notices (self);
}

void
postaci_request_form_local_server_changed (PostaciRequestForm *self, const char *failure_label)
{
  g_autofree char *user = NULL;

  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));

  g_free (self->local_failure);
  self->local_failure = g_strdup (failure_label);
  /* Restarted on the same port, the server has a new password: a form still pointing at it
   * (with its account) gets that one; not under a run, which makes the form insensitive. */
  user = get_stripped (self->user_row);
  if (gtk_widget_get_sensitive (GTK_WIDGET (self)) && form_points_at_local_server (self) &&
      g_strcmp0 (user, postaci_local_server_get_username (self->local)) == 0)
    set_text (self->password_row, postaci_local_server_get_password (self->local));
  _postaci_request_form_update_notices (self);
}

void
postaci_request_form_set_local_server (PostaciRequestForm *self, PostaciLocalServer *local)
{
  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));

  g_set_object (&self->local, local);
  self->named_local = postaci_request_form_names_local_server (self);
  _postaci_request_form_update_notices (self);
}

/* ---------------------------------------------------------------- */
/* The form and the request                                         */
/* ---------------------------------------------------------------- */

void
postaci_request_form_commit (PostaciRequestForm *self)
{
  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));
  gtk_spin_button_update (self->timeout_spin);
}

void
postaci_request_form_save (PostaciRequestForm *self)
{
  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));

  postaci_request_form_commit (self);
  if (self->settings != NULL)
    g_settings_apply (self->settings);
}

/* The form as a request, without the password and without validation. */
static PostaciRequest *
read_form (PostaciRequestForm *self, GError **error)
{
  g_autoptr(PostaciRequest) request = postaci_request_new ();
  g_autofree char *port = get_stripped (self->port_row);
  g_autofree char *to = get_stripped (self->to_row);
  guint            security = _postaci_request_form_security_index (self);
  guint            mechanism = adw_combo_row_get_selected (self->mechanism_row);
  guint            stop_after = adw_combo_row_get_selected (self->stop_after_row);

  postaci_request_form_commit (self);
  request->server = get_stripped (self->server_row);
  request->security = security_choices[security];
  if (*port == '\0')
    request->port = security_ports[security];
  else
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (port, 10, 1, 65535, &value, NULL))
        {
          g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_PORT,
                               _ ("The port must be a number from 1 to 65535."));
          return NULL;
        }
      request->port = (guint) value;
    }

  request->auth = adw_expander_row_get_enable_expansion (self->auth_row);
  request->username = get_stripped (self->user_row);
  request->mechanism = mechanism < G_N_ELEMENTS (mechanism_choices) ? mechanism_choices[mechanism]
                                                                    : POSTACI_MECHANISM_AUTO;
  request->allow_plain_auth = gtk_switch_get_active (self->plain_auth_switch);

  request->from = get_stripped (self->from_row);
  postaci_request_add_recipients (request, to);
  request->subject = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject_row)));
  request->html = _postaci_request_form_get_html (self);
  _postaci_request_form_read_attachments (self, request->attachments);
  request->stop_after = stop_after < G_N_ELEMENTS (stop_after_choices)
                          ? stop_after_choices[stop_after]
                          : POSTACI_STAGE_QUIT;

  request->ehlo_name = get_optional (self->ehlo_row);
  request->timeout_seconds = (guint) gtk_spin_button_get_value_as_int (self->timeout_spin);
  request->ca_file = get_optional (self->ca_row);
  return g_steal_pointer (&request);
}

PostaciRequest *
postaci_request_form_get_settings (PostaciRequestForm *self, GError **error)
{
  g_return_val_if_fail (POSTACI_IS_REQUEST_FORM (self), NULL);
  return read_form (self, error);
}

PostaciRequest *
postaci_request_form_build_request (PostaciRequestForm *self, GError **error)
{
  g_autoptr(PostaciRequest) request = NULL;

  g_return_val_if_fail (POSTACI_IS_REQUEST_FORM (self), NULL);

  request = read_form (self, error);
  if (request == NULL)
    return NULL;
  if (request->auth)
    postaci_request_set_password (request,
                                  gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  else
    {
      /* No login: its fields say nothing about this run. */
      g_clear_pointer (&request->username, g_free);
      request->mechanism = POSTACI_MECHANISM_AUTO;
      request->allow_plain_auth = FALSE;
    }
  request->accept_invalid_certificate = gtk_switch_get_active (self->insecure_switch);
  /* The Local Test Server's throwaway certificate is trusted only while the form points at it. */
  if (self->local != NULL && postaci_local_server_is_running (self->local) &&
      postaci_request_form_is_local_address (self, request->server, request->port))
    g_set_object (&request->pinned_certificate, postaci_local_server_get_certificate (self->local));

  if (!postaci_request_validate (request, error))
    return NULL;
  return g_steal_pointer (&request);
}

/* "ali@example.com, ayse@example.com": read only, the request is someone else's. */
static char *
join_recipients (const GPtrArray *recipients)
{
  GString *to = g_string_new (NULL);

  for (guint i = 0; recipients != NULL && i < recipients->len; i++)
    {
      if (i > 0)
        g_string_append (to, ", ");
      g_string_append (to, g_ptr_array_index (recipients, i));
    }
  return g_string_free (to, FALSE);
}

void
postaci_request_form_set_request (PostaciRequestForm *self, const PostaciRequest *request)
{
  g_autofree char *to = NULL;
  g_autofree char *html = NULL;
  guint            missing;

  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));
  g_return_if_fail (request != NULL);

  postaci_request_form_clear_invalid (self);
  set_text (self->server_row, request->server);
  _postaci_request_form_set_security_and_port (self, request->security, request->port);

  adw_expander_row_set_enable_expansion (self->auth_row, request->auth);
  set_text (self->user_row, request->username);
  set_text (self->password_row, request->password);
  adw_combo_row_set_selected (self->mechanism_row,
                              INDEX_OF (mechanism_choices, request->mechanism, 0));
  gtk_switch_set_active (self->plain_auth_switch, request->allow_plain_auth);

  set_text (self->from_row, request->from);
  to = join_recipients (request->recipients);
  set_text (self->to_row, to);
  set_text (self->subject_row, request->subject != NULL && *request->subject != '\0'
                                 ? request->subject
                                 : _ ("Postacı SMTP test"));
  if (request->html != NULL && *request->html != '\0')
    _postaci_request_form_set_html (self, request->html);
  else
    {
      html = default_html ();
      _postaci_request_form_set_html (self, html);
    }
  adw_combo_row_set_selected (self->stop_after_row,
                              INDEX_OF (stop_after_choices, request->stop_after, 0));
  missing = _postaci_request_form_set_attachments (self, request->attachments);
  if (missing > 0)
    {
      /* Translators: said when a saved server's attached files are gone from the disk */
      g_autofree char *text = g_strdup_printf (
        g_dngettext (
          GETTEXT_PACKAGE, "%u attached file is no longer there: it is marked in the list.",
          "%u attached files are no longer there: they are marked in the list.", missing),
        missing);

      _postaci_request_form_show_toast (self, text);
    }

  set_text (self->ehlo_row, request->ehlo_name);
  gtk_spin_button_set_value (self->timeout_spin, request->timeout_seconds > 0
                                                   ? request->timeout_seconds
                                                   : POSTACI_DEFAULT_TIMEOUT_SECONDS);
  set_text (self->ca_row, request->ca_file);
  /* Never remembered: an invalid certificate is accepted for one run that asks for it. */
  gtk_switch_set_active (self->insecure_switch, request->accept_invalid_certificate);
}

void
postaci_request_form_set_password (PostaciRequestForm *self, const char *password)
{
  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));
  set_text (self->password_row, password);
}

const char *
postaci_request_form_get_password (PostaciRequestForm *self)
{
  const char *password;

  g_return_val_if_fail (POSTACI_IS_REQUEST_FORM (self), NULL);

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (!adw_expander_row_get_enable_expansion (self->auth_row) || *password == '\0')
    return NULL;
  return password;
}

void
postaci_request_form_set_ca_file (PostaciRequestForm *self, const char *path)
{
  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));
  set_text (self->ca_row, path);
}

/* ---------------------------------------------------------------- */
/* Find Settings                                                    */
/* ---------------------------------------------------------------- */

/* "Use These Settings": server, security, port, the mechanism left to the session (it picks the
 * strongest the server offers), the login switched on, and the user name when it is known. */
static void
use_discovered_cb (PostaciDiscoveryDialog *dialog, const PostaciRecommendation *recommendation,
                   PostaciRequestForm *self)
{
  postaci_request_form_clear_invalid (self);
  set_text (self->server_row, recommendation->host);
  /* A port the records named sticks; a standard one still follows the security choice. */
  _postaci_request_form_set_security_and_port (self, recommendation->security,
                                               recommendation->port);
  adw_combo_row_set_selected (self->mechanism_row,
                              INDEX_OF (mechanism_choices, POSTACI_MECHANISM_AUTO, 0));
  if (recommendation->auth != NULL && recommendation->auth[0] != NULL)
    adw_expander_row_set_enable_expansion (self->auth_row, TRUE);
  /* A pattern such as %EMAILADDRESS% is not a user name: left for the person to type. */
  if (recommendation->username != NULL && strchr (recommendation->username, '%') == NULL)
    set_text (self->user_row, recommendation->username);
  _postaci_request_form_show_toast (
    self, _ ("The form holds the settings found: press Test SMTP to try them."));
}

/* The address inside "Ali <ali@example.com>", or the text as it is. */
static char *
bare_address (const char *from)
{
  const char *open = strrchr (from, '<');
  const char *close = open ? strchr (open, '>') : NULL;

  if (open != NULL && close != NULL)
    return g_strndup (open + 1, (gsize) (close - open - 1));
  return g_strdup (from);
}

void
postaci_request_form_find_settings (PostaciRequestForm *self)
{
  g_autofree char        *server = NULL;
  g_autofree char        *from = NULL;
  g_autofree char        *address = NULL;
  g_autofree char        *port_text = NULL;
  g_autofree char        *ca_file = NULL;
  guint                   security;
  guint64                 port;
  PostaciDiscoveryDialog *dialog;

  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));

  server = get_stripped (self->server_row);
  from = get_stripped (self->from_row);
  address = bare_address (from);
  port_text = get_stripped (self->port_row);
  ca_file = get_optional (self->ca_row);
  security = _postaci_request_form_security_index (self);
  port = security_ports[security];
  /* The server field first; from the From address when the server is empty. */
  if (*server == '\0' && *address == '\0')
    {
      _postaci_request_form_show_toast (
        self, _ ("Type a server or a domain, or a From address, to find its settings."));
      gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
      return;
    }
  if (*port_text != '\0')
    g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL);
  dialog = postaci_discovery_dialog_new (
    GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), *server != '\0' ? server : address,
    *server != '\0' ? server : NULL, (guint) port, security_choices[security], ca_file);
  g_signal_connect_object (dialog, "use-settings", G_CALLBACK (use_discovered_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---------------------------------------------------------------- */
/* GObject and GtkWidget                                            */
/* ---------------------------------------------------------------- */

static void
password_changed_cb (PostaciRequestForm *self)
{
  g_signal_emit (self, signals[PASSWORD_CHANGED], 0);
}

static void
remember_changed_cb (PostaciRequestForm *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMEMBER_PASSWORD]);
}

void
postaci_request_form_set_saved_server (PostaciRequestForm *self, const char *name,
                                       gboolean password_unsaved)
{
  g_autofree char *subtitle = NULL;

  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));

  /* Without a saved server yet, the switch says what the next "Save as Server…" does. */
  if (name != NULL && password_unsaved)
    /* Translators: under "Remember password in the keyring" once the password was edited;
     * %s is the name of a saved server. "Save Changes" is the item of the saved servers' menu. */
    subtitle =
      g_strdup_printf (_ ("Password changed, not yet in the keyring: choose “Save Changes” "
                          "to keep it for “%s”"),
                       name);
  else if (name != NULL)
    /* Translators: %s is the name of a saved server, such as “Acme – Exchange Online” */
    subtitle = g_strdup_printf (_ ("For “%s”"), name);
  adw_action_row_set_subtitle (
    self->remember_row,
    subtitle != NULL ? subtitle
                     : _ ("For the server “Save as Server…” saves (the menu at the top left)"));
}

/* The window opens in the form: type the server, press Enter. */
static gboolean
postaci_request_form_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (POSTACI_REQUEST_FORM (widget)->server_row));
}

static void
postaci_request_form_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PostaciRequestForm *self = POSTACI_REQUEST_FORM (object);

  switch (prop_id)
    {
    case PROP_STOP_NOTICE:
      g_value_set_string (value, self->stop_notice);
      break;
    case PROP_REMEMBER_PASSWORD:
      g_value_set_boolean (value, gtk_switch_get_active (self->remember_switch));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postaci_request_form_set_property (GObject *object, guint prop_id, const GValue *value,
                                   GParamSpec *pspec)
{
  PostaciRequestForm *self = POSTACI_REQUEST_FORM (object);

  switch (prop_id)
    {
    case PROP_REMEMBER_PASSWORD:
      gtk_switch_set_active (self->remember_switch, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postaci_request_form_dispose (GObject *object)
{
  PostaciRequestForm *self = POSTACI_REQUEST_FORM (object);

  if (self->error_row != NULL)
    postaci_request_form_clear_invalid (self);
  g_clear_object (&self->error_row);
  g_clear_pointer (&self->attachment_rows, g_ptr_array_unref);
  /* The bindings go with the widgets; nothing is written after this. */
  g_clear_object (&self->settings);
  g_clear_object (&self->local);
  gtk_widget_dispose_template (GTK_WIDGET (self), POSTACI_TYPE_REQUEST_FORM);
  G_OBJECT_CLASS (postaci_request_form_parent_class)->dispose (object);
}

static void
postaci_request_form_finalize (GObject *object)
{
  PostaciRequestForm *self = POSTACI_REQUEST_FORM (object);

  g_free (self->local_failure);
  g_free (self->stop_notice);
  G_OBJECT_CLASS (postaci_request_form_parent_class)->finalize (object);
}

static void
postaci_request_form_class_init (PostaciRequestFormClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = postaci_request_form_get_property;
  object_class->set_property = postaci_request_form_set_property;
  object_class->dispose = postaci_request_form_dispose;
  object_class->finalize = postaci_request_form_finalize;
  widget_class->grab_focus = postaci_request_form_grab_focus;

  properties[PROP_STOP_NOTICE] =
    g_param_spec_string ("stop-notice", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The "Remember password" switch: what the profile button stores in the keyring. */
  properties[PROP_REMEMBER_PASSWORD] =
    g_param_spec_boolean ("remember-password", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  /* The password field's text changed (typed, or set by the program). */
  signals[PASSWORD_CHANGED] = g_signal_new ("password-changed", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/postaci/Postaci/postaci-request-form.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, PostaciRequestForm, name)
  BIND (notice_box);
  BIND (notice_label);
  BIND (failure_notice);
  BIND (notice_button);
  BIND (server_row);
  BIND (port_row);
  BIND (security_row);
  BIND (auth_row);
  BIND (user_row);
  BIND (password_row);
  BIND (remember_row);
  BIND (remember_switch);
  BIND (mechanism_row);
  BIND (from_row);
  BIND (to_row);
  BIND (subject_row);
  BIND (attach_row);
  BIND (attach_button);
  BIND (html_frame);
  BIND (html_view);
  BIND (mail_error);
  BIND (stop_after_row);
  BIND (advanced_row);
  BIND (ehlo_row);
  BIND (timeout_row);
  BIND (timeout_spin);
  BIND (ca_row);
  BIND (insecure_row);
  BIND (insecure_switch);
  BIND (plain_auth_row);
  BIND (plain_auth_switch);
  BIND (test_error);
#undef BIND
}

static gboolean
highlight_html_cb (gpointer user_data)
{
  GtkSourceView   *view = user_data;
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));

  gtk_source_buffer_set_language (buffer, gtk_source_language_manager_get_language (
                                            gtk_source_language_manager_get_default (), "html"));
  postaci_source_view_follow_style (view);
  return G_SOURCE_REMOVE;
}

/* The HTML's highlighting and colours come once the window is on screen: finding the language
 * reads every .lang file GtkSourceView ships and compiles the HTML, CSS and JavaScript rules,
 * the colours parse every style scheme. The first frame needs none of it (see README,
 * "Benchmarks"). */
static void
html_view_map_cb (GtkWidget *view, gpointer user_data)
{
  g_signal_handlers_disconnect_by_func (view, html_view_map_cb, user_data);
  g_idle_add_full (G_PRIORITY_LOW, highlight_html_cb, g_object_ref (view), g_object_unref);
}

/* What a screen reader reads for the parts the toolkit builds inside the form's rows. */
static void
name_toolkit_parts (PostaciRequestForm *self)
{
  AdwPreferencesRow *lists[] = {
    ADW_PREFERENCES_ROW (self->security_row),
    ADW_PREFERENCES_ROW (self->mechanism_row),
    ADW_PREFERENCES_ROW (self->stop_after_row),
  };

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    postaci_accessible_label_row_parts (lists[i], GTK_TYPE_LIST_VIEW);
  postaci_accessible_label_row_parts (ADW_PREFERENCES_ROW (self->auth_row), GTK_TYPE_SWITCH);
  postaci_accessible_label_parts (GTK_WIDGET (self->password_row), GTK_TYPE_BUTTON,
                                  _ ("Show the Password"));
}

/* @text as a row of its own right under @row: an explanation that, in the row's title, would
 * be cut short with "…" at large text sizes (libadwaita 1.2 keeps entry-row titles on one
 * line). A screen reader reads it as the field's description. */
static void
add_field_hint (AdwPreferencesRow *row, const char *text)
{
  GtkWidget *list = gtk_widget_get_parent (GTK_WIDGET (row));
  GtkWidget *label = g_object_new (GTK_TYPE_LABEL, "label", text, "wrap", TRUE, "wrap-mode",
                                   PANGO_WRAP_WORD_CHAR, "xalign", 0.0f, "margin-top", 4,
                                   "margin-bottom", 8, "margin-start", 12, "margin-end", 12, NULL);
  GtkWidget *hint = g_object_new (ADW_TYPE_PREFERENCES_ROW, "activatable", FALSE, "selectable",
                                  FALSE, "focusable", FALSE, "child", label, NULL);

  gtk_widget_add_css_class (label, "field-hint");
  gtk_widget_add_css_class (hint, "field-hint-row");
  gtk_list_box_insert (GTK_LIST_BOX (list), hint,
                       gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) + 1);
  /* Shown with its field (the rows of a collapsed expander wait for it to open). */
  g_object_bind_property (row, "visible", hint, "visible", G_BINDING_SYNC_CREATE);
  postaci_accessible_describe_parts (GTK_WIDGET (row), GTK_TYPE_TEXT, text);
}

static void
postaci_request_form_init (PostaciRequestForm *self)
{
  g_autofree char *html = default_html ();

  /* The HTML field's buffer gets its scheme once on screen, without parsing them all now. */
  postaci_source_schemes_hold ();
  gtk_widget_init_template (GTK_WIDGET (self));
  postaci_source_schemes_release ();
  postaci_expander_rows_show_when_expanded (
    self->auth_row, GTK_WIDGET (self->user_row), GTK_WIDGET (self->password_row),
    GTK_WIDGET (self->remember_row), GTK_WIDGET (self->mechanism_row), NULL);
  postaci_expander_rows_show_when_expanded (
    self->advanced_row, GTK_WIDGET (self->ehlo_row), GTK_WIDGET (self->timeout_row),
    GTK_WIDGET (self->ca_row), GTK_WIDGET (self->insecure_row), GTK_WIDGET (self->plain_auth_row),
    NULL);
  /* A list of recipients can be longer than GTK's entry keeps (65,535 bytes). */
  postaci_long_entry_buffer_install (GTK_EDITABLE (self->to_row));

  g_signal_connect (self->html_view, "map", G_CALLBACK (html_view_map_cb), NULL);
  _postaci_request_form_set_html (self, html);
  set_text (self->subject_row, _ ("Postacı SMTP test"));

  _postaci_request_form_init_marks (self);

  /* Not "changed": setting a text emits it twice, once with the field empty. */
  g_signal_connect_swapped (self->server_row, "notify::text", G_CALLBACK (address_changed_cb),
                            self);
  g_signal_connect_swapped (self->port_row, "notify::text", G_CALLBACK (address_changed_cb), self);
  g_signal_connect_swapped (self->stop_after_row, "notify::selected",
                            G_CALLBACK (update_stop_notice), self);
  _postaci_request_form_init_attachments (self);
  postaci_combo_row_show_whole_choices (self->stop_after_row);
  name_toolkit_parts (self);
  add_field_hint (ADW_PREFERENCES_ROW (self->to_row),
                  _ ("Separate several addresses with commas."));
  add_field_hint (ADW_PREFERENCES_ROW (self->ehlo_row),
                  _ ("Empty: this computer’s address, such as [192.0.2.1]."));
  add_field_hint (ADW_PREFERENCES_ROW (self->ca_row),
                  _ ("Empty: the certificate authorities this computer trusts."));
  g_signal_connect_swapped (self->remember_switch, "notify::active",
                            G_CALLBACK (remember_changed_cb), self);
  g_signal_connect_swapped (self->port_row, "changed", G_CALLBACK (port_changed_cb), self);
  g_signal_connect_swapped (self->security_row, "notify::selected",
                            G_CALLBACK (security_changed_cb), self);
  adw_combo_row_set_selected (self->security_row, DEFAULT_SECURITY_INDEX);
  _postaci_request_form_set_port (self, security_ports[DEFAULT_SECURITY_INDEX]);
  g_signal_connect_swapped (self->password_row, "notify::text", G_CALLBACK (password_changed_cb),
                            self);
  postaci_request_form_set_saved_server (self, NULL, FALSE);
}
