/* postaci-window.c — the form a helpdesk knows, a run on the main loop, and what it meant.
 * The actions are in postaci-window-actions.c, the verdict card in postaci-verdict-panel.c. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "postaci-combo-row-choices.h"
#include "postaci-discovery-dialog.h"
#include "postaci-local-server-page.h"
#include "postaci-option.h"
#include "postaci-request.h"
#include "postaci-window-private.h"

/* The choices of the combo rows, in the order the .ui lists them. */
static const PostaciSecurity security_choices[] = {
  POSTACI_SECURITY_NONE, POSTACI_SECURITY_STARTTLS, POSTACI_SECURITY_TLS, POSTACI_SECURITY_AUTO,
};
/* Where each security usually listens: plain SMTP, submission, submissions (RFC 8314); auto as
 * in postaci-cli: 587, where it means STARTTLS when offered (on 465 it means SSL/TLS). */
static const guint security_ports[] = { 25, 587, 465, 587 };

static const PostaciMechanism mechanism_choices[] = {
  POSTACI_MECHANISM_AUTO, POSTACI_MECHANISM_PLAIN, POSTACI_MECHANISM_LOGIN,
  POSTACI_MECHANISM_CRAM_MD5, POSTACI_MECHANISM_DIGEST_MD5, POSTACI_MECHANISM_SCRAM_SHA_1,
  POSTACI_MECHANISM_SCRAM_SHA_256, POSTACI_MECHANISM_NTLM, POSTACI_MECHANISM_XOAUTH2,
};

/* POSTACI_STAGE_QUIT means the whole session: the message is sent. */
static const PostaciStage stop_after_choices[] = {
  POSTACI_STAGE_QUIT, POSTACI_STAGE_RCPT, POSTACI_STAGE_MAIL, POSTACI_STAGE_AUTH,
  POSTACI_STAGE_TLS, POSTACI_STAGE_EHLO, POSTACI_STAGE_GREETING, POSTACI_STAGE_CONNECT,
};

/* INDEX_OF () reads these tables as int arrays. */
G_STATIC_ASSERT (sizeof (PostaciSecurity) == sizeof (int));
G_STATIC_ASSERT (sizeof (PostaciMechanism) == sizeof (int));
G_STATIC_ASSERT (sizeof (PostaciStage) == sizeof (int));

#define DEFAULT_SECURITY_INDEX 1 /* STARTTLS on 587: what providers document today */

/* The addresses a form set up for the local server gets when it has none. */
#define LOCAL_FROM "postaci@localhost"
#define LOCAL_TO   "inbox@localhost"


G_DEFINE_FINAL_TYPE (PostaciWindow, postaci_window, ADW_TYPE_APPLICATION_WINDOW)

static guint
index_of (const int *choices, guint n_choices, int value, guint fallback)
{
  for (guint i = 0; i < n_choices; i++)
    if (choices[i] == value)
      return i;
  return fallback;
}

#define INDEX_OF(choices, value, fallback) \
  index_of ((const int *) (choices), G_N_ELEMENTS (choices), (int) (value), (fallback))

void
_postaci_window_show_toast (PostaciWindow *self, const char *title)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

/* ---------------------------------------------------------------- */
/* Port and security                                                */
/* ---------------------------------------------------------------- */

static void
set_port (PostaciWindow *self, guint port)
{
  g_autofree char *text = g_strdup_printf ("%u", port);

  self->setting_port = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), text);
  self->setting_port = FALSE;
}

static guint
selected_security_index (PostaciWindow *self)
{
  guint i = adw_combo_row_get_selected (self->security_row);

  return i < G_N_ELEMENTS (security_choices) ? i : DEFAULT_SECURITY_INDEX;
}

static void
port_changed_cb (PostaciWindow *self)
{
  if (!self->setting_port)
    self->port_edited = *gtk_editable_get_text (GTK_EDITABLE (self->port_row)) != '\0';
}

static gboolean form_points_at_local_server (PostaciWindow *self);

/* None / STARTTLS / SSL/TLS move the port to 25 / 587 / 465, unless the person typed one.
 * On the built-in server, to its own ports: SSL/TLS to the implicit-TLS one, else STARTTLS's. */
static void
security_changed_cb (PostaciWindow *self)
{
  PostaciSecurity security = security_choices[selected_security_index (self)];

  if (form_points_at_local_server (self))
    {
      PostaciLocalServer *local = postaci_local_server_page_get_server (self->local_page);

      set_port (self, security == POSTACI_SECURITY_TLS ? postaci_local_server_get_tls_port (local)
                                                       : postaci_local_server_get_port (local));
    }
  else if (!self->port_edited)
    set_port (self, security_ports[selected_security_index (self)]);
}

/* ---------------------------------------------------------------- */
/* Marking invalid fields                                           */
/* ---------------------------------------------------------------- */

static void
clear_invalid (PostaciWindow *self)
{
  GtkWidget *parent = gtk_widget_get_parent (self->error_row);

  if (self->invalid_field != NULL)
    {
      gtk_widget_remove_css_class (self->invalid_field, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (self->invalid_field), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->invalid_field),
                                     GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE);
    }
  if (self->invalid_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->invalid_label), FALSE);
  if (parent != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (parent), self->error_row);
  self->invalid_field = NULL;
  self->invalid_label = NULL;
}

static void
field_changed_cb (GtkWidget *field, PostaciWindow *self)
{
  if (field == self->invalid_field)
    clear_invalid (self);
}

static void
html_changed_cb (GtkTextBuffer *buffer, PostaciWindow *self)
{
  field_changed_cb (self->html_frame, self);
}

static void
mechanism_changed_cb (GObject *object, GParamSpec *pspec, PostaciWindow *self)
{
  field_changed_cb (GTK_WIDGET (self->mechanism_row), self);
}

/* The field a request error names, or NULL for an error of no one field. */
static GtkWidget *
field_for_error (PostaciWindow *self, const GError *error)
{
  if (error->domain != POSTACI_REQUEST_ERROR)
    return NULL;
  switch ((PostaciRequestError) error->code)
    {
    case POSTACI_REQUEST_ERROR_SERVER:
      return GTK_WIDGET (self->server_row);
    case POSTACI_REQUEST_ERROR_PORT:
      return GTK_WIDGET (self->port_row);
    case POSTACI_REQUEST_ERROR_USERNAME:
      return GTK_WIDGET (self->user_row);
    case POSTACI_REQUEST_ERROR_PASSWORD:
      return GTK_WIDGET (self->password_row);
    case POSTACI_REQUEST_ERROR_MECHANISM:
      return GTK_WIDGET (self->mechanism_row);
    case POSTACI_REQUEST_ERROR_FROM:
      return GTK_WIDGET (self->from_row);
    case POSTACI_REQUEST_ERROR_RECIPIENTS:
      return GTK_WIDGET (self->to_row);
    case POSTACI_REQUEST_ERROR_SUBJECT:
      return GTK_WIDGET (self->subject_row);
    case POSTACI_REQUEST_ERROR_BODY:
      return self->html_frame;
    case POSTACI_REQUEST_ERROR_EHLO_NAME:
      return GTK_WIDGET (self->ehlo_row);
    case POSTACI_REQUEST_ERROR_TIMEOUT:
      return GTK_WIDGET (self->timeout_spin);
    case POSTACI_REQUEST_ERROR_CA_FILE:
      return GTK_WIDGET (self->ca_row);
    default:
      return NULL;
    }
}

/* Scrolls the form so that the field and the reason under it are both in sight, once they
 * are laid out (the reason's row was only just put in). */
static gboolean
scroll_to_invalid_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  PostaciWindow *self = POSTACI_WINDOW (widget);
  GtkWidget *content = gtk_viewport_get_child (GTK_VIEWPORT (gtk_scrolled_window_get_child (self->form_scroller)));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->form_scroller);
  GtkWidget *last = self->invalid_label != NULL ? GTK_WIDGET (self->invalid_label) : self->error_row;
  graphene_rect_t top, bottom;
  double value = gtk_adjustment_get_value (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);

  if (self->invalid_field == NULL || gtk_widget_get_parent (last) == NULL)
    return G_SOURCE_REMOVE;
  /* Tick callbacks run before layout: the frame after the one that put the reason in. */
  if (gtk_widget_get_height (last) == 0 && ++self->scroll_frames < 10)
    return G_SOURCE_CONTINUE;
  if (!gtk_widget_compute_bounds (self->invalid_field, content, &top) ||
      !gtk_widget_compute_bounds (last, content, &bottom))
    return G_SOURCE_REMOVE;
  if (bottom.origin.y + bottom.size.height > value + page)
    value = bottom.origin.y + bottom.size.height + 12 - page;
  if (top.origin.y < value)
    value = top.origin.y - 12;
  gtk_adjustment_set_value (adjustment, value);
  return G_SOURCE_REMOVE;
}

/* Nothing was sent: say why right under the field at fault, bring both into sight, and put
 * the cursor there. */
static void
mark_invalid (PostaciWindow *self, const GError *error)
{
  GtkWidget *field = field_for_error (self, error);
  GtkWidget *message;

  clear_invalid (self);
  if (field == NULL)
    {
      gtk_label_set_text (self->test_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->test_error), TRUE);
      self->invalid_label = self->test_error;
      return;
    }

  if (gtk_widget_is_ancestor (field, GTK_WIDGET (self->auth_row)))
    adw_expander_row_set_expanded (self->auth_row, TRUE);
  if (gtk_widget_is_ancestor (field, GTK_WIDGET (self->advanced_row)))
    adw_expander_row_set_expanded (self->advanced_row, TRUE);
  if (field == self->html_frame)
    {
      /* The HTML editor is no row: its reason is the label right under it. */
      gtk_label_set_text (self->mail_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->mail_error), TRUE);
      self->invalid_label = self->mail_error;
      message = GTK_WIDGET (self->mail_error);
    }
  else
    {
      GtkWidget *row = GTK_IS_LIST_BOX_ROW (field) ? field
                                                   : gtk_widget_get_ancestor (field, GTK_TYPE_LIST_BOX_ROW);
      GtkWidget *list = gtk_widget_get_parent (row);

      gtk_label_set_text (self->error_row_label, error->message);
      gtk_list_box_insert (GTK_LIST_BOX (list), self->error_row,
                           gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) + 1);
      message = GTK_WIDGET (self->error_row_label);
    }
  gtk_widget_add_css_class (field, "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID,
                               GTK_ACCESSIBLE_INVALID_TRUE, -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE,
                                  message, NULL, -1);
  gtk_widget_grab_focus (field == self->html_frame ? GTK_WIDGET (self->html_view) : field);
  self->invalid_field = field;
  self->scroll_frames = 0;
  gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_to_invalid_cb, NULL, NULL);
}

/* ---------------------------------------------------------------- */
/* The form and the request                                         */
/* ---------------------------------------------------------------- */

static char *
get_html (PostaciWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->html_view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_html (PostaciWindow *self, const char *html)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->html_view)), html, -1);
}

static char *
get_stripped (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
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

/* ---------------------------------------------------------------- */
/* The built-in test server                                         */
/* ---------------------------------------------------------------- */

/* Whether @server and @port name the local server (either of its ports, the last ones it
 * used when it is off), running or not. */
static gboolean
is_local_server_address (PostaciWindow *self, const char *server, guint port)
{
  PostaciLocalServer *local = postaci_local_server_page_get_server (self->local_page);
  static const char *const loopback[] = { "127.0.0.1", "localhost", "::1", "[::1]", NULL };

  if (server == NULL || port == 0)
    return FALSE;
  if (port != postaci_local_server_get_port (local) && port != postaci_local_server_get_tls_port (local))
    return FALSE;
  return g_strv_contains (loopback, server);
}

/* The running local server when @server and @port name it, else NULL. */
static PostaciLocalServer *
local_server_at (PostaciWindow *self, const char *server, guint port)
{
  PostaciLocalServer *local = postaci_local_server_page_get_server (self->local_page);

  if (!postaci_local_server_is_running (local) || !is_local_server_address (self, server, port))
    return NULL;
  return local;
}

/* Whether the form, as typed now, names the local server, running or not. */
static gboolean
form_names_local_server (PostaciWindow *self)
{
  g_autofree char *server = get_stripped (self->server_row);
  g_autofree char *port = get_stripped (self->port_row);
  guint64 port_value = 0;

  if (!g_ascii_string_to_unsigned (port, 10, 1, 65535, &port_value, NULL))
    return FALSE;
  return is_local_server_address (self, server, (guint) port_value);
}

/* Whether the form, as typed now, points at the running local server. */
static gboolean
form_points_at_local_server (PostaciWindow *self)
{
  PostaciLocalServer *local = postaci_local_server_page_get_server (self->local_page);

  return postaci_local_server_is_running (local) && form_names_local_server (self);
}

/* What the form is set for without the person having typed it: the built-in server (and the
 * failure it rehearses), or that server while it is off. Said at the top of the form. */
static void
update_notices (PostaciWindow *self)
{
  PostaciLocalServer *local = postaci_local_server_page_get_server (self->local_page);
  gboolean names_local = form_names_local_server (self);
  gboolean running = postaci_local_server_is_running (local);
  const char *failure = postaci_local_server_page_get_failure_label (self->local_page);
  guint stop_after = adw_combo_row_get_selected (self->stop_after_row);

  gtk_widget_set_visible (self->notice_box, names_local);
  gtk_widget_set_visible (self->notice_button, names_local && !running);
  if (names_local && running)
    gtk_label_set_text (self->notice_label,
                        _("This form is set up for the Local Test Server on this computer. "
                          "Type your own server to test it instead."));
  else if (names_local)
    gtk_label_set_text (self->notice_label,
                        _("The form points at the Local Test Server, which is off."));
  if (names_local && running && failure != NULL)
    {
      /* Translators: %s is a “Fail on purpose” choice, such as “535 at AUTH: wrong user name or password” */
      g_autofree char *text = g_strdup_printf (_("Fail on purpose is on: %s."), failure);

      gtk_label_set_text (self->failure_notice, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->failure_notice), names_local && running && failure != NULL);

  /* "How far to go" is remembered across starts: a run that stops early sends no mail. */
  if (stop_after > 0 && stop_after < G_N_ELEMENTS (stop_after_choices))
    {
      GtkStringObject *item = adw_combo_row_get_selected_item (self->stop_after_row);
      /* Translators: %s is a “How far to go” choice, such as “Stop after the recipients (RCPT)” */
      g_autofree char *text = g_strdup_printf (_("%s: no message is sent."),
                                               gtk_string_object_get_string (item));

      gtk_label_set_text (self->stop_notice, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->stop_notice),
                          stop_after > 0 && stop_after < G_N_ELEMENTS (stop_after_choices));
}

/* A form set up for the local server, taken over by command-line options: what the options do
 * not name gets its normal value, not the server's port, account or addresses. */
static void
forget_local_server_fill (PostaciWindow *self)
{
  if (!form_names_local_server (self))
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), "");
  adw_combo_row_set_selected (self->security_row, DEFAULT_SECURITY_INDEX);
  self->port_edited = FALSE;
  set_port (self, security_ports[DEFAULT_SECURITY_INDEX]);
  adw_expander_row_set_enable_expansion (self->auth_row, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  adw_combo_row_set_selected (self->mechanism_row, INDEX_OF (mechanism_choices, POSTACI_MECHANISM_AUTO, 0));
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->from_row)), LOCAL_FROM) == 0)
    gtk_editable_set_text (GTK_EDITABLE (self->from_row), "");
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->to_row)), LOCAL_TO) == 0)
    gtk_editable_set_text (GTK_EDITABLE (self->to_row), "");
}

/* Fills the form for the running local server: 127.0.0.1, its STARTTLS port, its account.
 * Its certificate is pinned when the request is built. From and To are filled only when empty. */
static void
fill_for_local_server (PostaciWindow *self)
{
  PostaciLocalServer *local = postaci_local_server_page_get_server (self->local_page);

  g_return_if_fail (postaci_local_server_is_running (local));

  clear_invalid (self);
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), "127.0.0.1");
  adw_combo_row_set_selected (self->security_row, INDEX_OF (security_choices, POSTACI_SECURITY_STARTTLS,
                                                            DEFAULT_SECURITY_INDEX));
  set_port (self, postaci_local_server_get_port (local));
  self->port_edited = TRUE;
  adw_expander_row_set_enable_expansion (self->auth_row, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), postaci_local_server_get_username (local));
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), postaci_local_server_get_password (local));
  adw_combo_row_set_selected (self->mechanism_row, INDEX_OF (mechanism_choices, POSTACI_MECHANISM_AUTO, 0));
  if (*gtk_editable_get_text (GTK_EDITABLE (self->from_row)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->from_row), LOCAL_FROM);
  if (*gtk_editable_get_text (GTK_EDITABLE (self->to_row)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->to_row), LOCAL_TO);
}

/* Restarted on the same port, the server has a new password: a form still pointing at it
 * (with its account) gets that one. */
static void
local_server_running_cb (PostaciWindow *self)
{
  PostaciLocalServer *local = postaci_local_server_page_get_server (self->local_page);
  g_autofree char *user = get_stripped (self->user_row);

  if (self->cancellable == NULL && form_points_at_local_server (self) &&
      g_strcmp0 (user, postaci_local_server_get_username (local)) == 0)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), postaci_local_server_get_password (local));
  update_notices (self);
  /* The verdict's offer to turn the server on is done once it runs. */
  if (postaci_local_server_is_running (local))
    postaci_verdict_panel_local_server_started (self->verdict_panel);
}

static void
use_local_server_cb (PostaciWindow *self)
{
  if (self->cancellable != NULL)
    return;
  /* The filled form, in sight, says what happened. */
  fill_for_local_server (self);
  adw_view_stack_set_visible_child_name (self->view_stack, "test");
}

/* A number typed in the spin button counts once Enter or Tab commits it; Ctrl+Enter and
 * closing the window do neither. */
static void
commit_typed_values (PostaciWindow *self)
{
  gtk_spin_button_update (self->timeout_spin);
}

static PostaciRequest *
build_request (PostaciWindow *self, GError **error)
{
  g_autoptr(PostaciRequest) request = postaci_request_new ();
  g_autofree char *port = get_stripped (self->port_row);
  g_autofree char *to = get_stripped (self->to_row);
  guint security = selected_security_index (self);
  guint mechanism = adw_combo_row_get_selected (self->mechanism_row);
  guint stop_after = adw_combo_row_get_selected (self->stop_after_row);

  commit_typed_values (self);
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
                               _("The port must be a number from 1 to 65535."));
          return NULL;
        }
      request->port = (guint) value;
    }

  request->auth = adw_expander_row_get_enable_expansion (self->auth_row);
  if (request->auth)
    {
      request->username = get_stripped (self->user_row);
      postaci_request_set_password (request, gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
      request->mechanism = mechanism < G_N_ELEMENTS (mechanism_choices)
                           ? mechanism_choices[mechanism] : POSTACI_MECHANISM_AUTO;
      request->allow_plain_auth = gtk_switch_get_active (self->plain_auth_switch);
    }

  request->from = get_stripped (self->from_row);
  postaci_request_add_recipients (request, to);
  request->subject = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject_row)));
  request->html = get_html (self);
  request->stop_after = stop_after < G_N_ELEMENTS (stop_after_choices)
                        ? stop_after_choices[stop_after] : POSTACI_STAGE_QUIT;

  request->ehlo_name = get_optional (self->ehlo_row);
  request->timeout_seconds = (guint) gtk_spin_button_get_value_as_int (self->timeout_spin);
  request->ca_file = get_optional (self->ca_row);
  request->accept_invalid_certificate = gtk_switch_get_active (self->insecure_switch);
  /* The built-in server's throwaway certificate is trusted only while the form points at it. */
  if (local_server_at (self, request->server, request->port) != NULL)
    request->pinned_certificate =
      g_object_ref (postaci_local_server_get_certificate (postaci_local_server_page_get_server (self->local_page)));

  if (!postaci_request_validate (request, error))
    return NULL;
  return g_steal_pointer (&request);
}

/* ---------------------------------------------------------------- */
/* Remembering the form (everything but the password)               */
/* ---------------------------------------------------------------- */

static void
set_text_from_settings (PostaciWindow *self, gpointer editable, const char *key)
{
  g_autofree char *value = g_settings_get_string (self->settings, key);

  gtk_editable_set_text (GTK_EDITABLE (editable), value);
}

static void
load_settings (PostaciWindow *self)
{
  g_autofree char *security = NULL;
  g_autofree char *mechanism = NULL;
  g_autofree char *stop_after = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *html = NULL;
  PostaciSecurity security_value = POSTACI_SECURITY_STARTTLS;
  PostaciMechanism mechanism_value = POSTACI_MECHANISM_AUTO;
  PostaciStage stop_value = POSTACI_STAGE_QUIT;
  guint security_index;
  int port;

  if (self->settings == NULL)
    {
      set_port (self, security_ports[DEFAULT_SECURITY_INDEX]);
      gtk_editable_set_text (GTK_EDITABLE (self->subject_row), _("Postacı SMTP test"));
      return;
    }

  set_text_from_settings (self, self->server_row, "server");
  security = g_settings_get_string (self->settings, "security");
  postaci_security_from_string (security, &security_value);
  security_index = INDEX_OF (security_choices, security_value, DEFAULT_SECURITY_INDEX);
  self->port_edited = TRUE; /* the port comes next */
  adw_combo_row_set_selected (self->security_row, security_index);
  port = g_settings_get_int (self->settings, "port");
  if (port <= 0)
    port = (int) security_ports[security_index];
  set_port (self, (guint) port);
  self->port_edited = (guint) port != security_ports[security_index];

  adw_expander_row_set_enable_expansion (self->auth_row, g_settings_get_boolean (self->settings, "auth"));
  adw_expander_row_set_expanded (self->auth_row, g_settings_get_boolean (self->settings, "auth"));
  set_text_from_settings (self, self->user_row, "username");
  mechanism = g_settings_get_string (self->settings, "mechanism");
  postaci_mechanism_from_string (mechanism, &mechanism_value);
  adw_combo_row_set_selected (self->mechanism_row, INDEX_OF (mechanism_choices, mechanism_value, 0));

  set_text_from_settings (self, self->from_row, "from");
  set_text_from_settings (self, self->to_row, "to");
  subject = g_settings_get_string (self->settings, "subject");
  gtk_editable_set_text (GTK_EDITABLE (self->subject_row),
                         *subject != '\0' ? subject : _("Postacı SMTP test"));
  html = g_settings_get_string (self->settings, "html");
  if (*html != '\0')
    set_html (self, html);

  stop_after = g_settings_get_string (self->settings, "stop-after");
  postaci_stage_from_string (stop_after, &stop_value);
  adw_combo_row_set_selected (self->stop_after_row, INDEX_OF (stop_after_choices, stop_value, 0));
  set_text_from_settings (self, self->ehlo_row, "ehlo-name");
  gtk_spin_button_set_value (self->timeout_spin, g_settings_get_int (self->settings, "timeout"));
  set_text_from_settings (self, self->ca_row, "ca-file");

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  self->wide_position = g_settings_get_int (self->settings, "paned-position");
  gtk_paned_set_position (self->paned, self->wide_position);
}

static void
save_text_to_settings (PostaciWindow *self, gpointer editable, const char *key)
{
  g_autofree char *value = get_stripped (editable);

  g_settings_set_string (self->settings, key, value);
}

static void
save_settings (PostaciWindow *self)
{
  g_autofree char *port = NULL;
  g_autofree char *html = NULL;
  guint64 port_value = 0;
  guint mechanism = adw_combo_row_get_selected (self->mechanism_row);
  guint stop_after = adw_combo_row_get_selected (self->stop_after_row);
  int width, height;

  if (self->settings == NULL)
    return;

  commit_typed_values (self);
  /* One write for the whole form (delay mode stays on; every save ends with apply). */
  g_settings_delay (self->settings);
  /* The local server's port and account last one run: the server remembered stays the
   * person's own (empty until they type one, so the next start is a first start again). */
  if (!form_names_local_server (self))
    {
      save_text_to_settings (self, self->server_row, "server");
      port = get_stripped (self->port_row);
      g_ascii_string_to_unsigned (port, 10, 1, 65535, &port_value, NULL);
      g_settings_set_int (self->settings, "port", (int) port_value);
      g_settings_set_string (self->settings, "security",
                             postaci_security_to_string (security_choices[selected_security_index (self)]));
      g_settings_set_boolean (self->settings, "auth", adw_expander_row_get_enable_expansion (self->auth_row));
      save_text_to_settings (self, self->user_row, "username");
      g_settings_set_string (self->settings, "mechanism",
                             postaci_mechanism_to_string (mechanism < G_N_ELEMENTS (mechanism_choices)
                                                          ? mechanism_choices[mechanism]
                                                          : POSTACI_MECHANISM_AUTO));
    }
  save_text_to_settings (self, self->from_row, "from");
  save_text_to_settings (self, self->to_row, "to");
  g_settings_set_string (self->settings, "subject", gtk_editable_get_text (GTK_EDITABLE (self->subject_row)));
  html = get_html (self);
  g_settings_set_string (self->settings, "html", html);
  g_settings_set_string (self->settings, "stop-after",
                         postaci_stage_to_string (stop_after < G_N_ELEMENTS (stop_after_choices)
                                                  ? stop_after_choices[stop_after]
                                                  : POSTACI_STAGE_QUIT));
  save_text_to_settings (self, self->ehlo_row, "ehlo-name");
  g_settings_set_int (self->settings, "timeout", gtk_spin_button_get_value_as_int (self->timeout_spin));
  save_text_to_settings (self, self->ca_row, "ca-file");

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_set_int (self->settings, "paned-position",
                      postaci_window_get_narrow (self) ? self->wide_position : gtk_paned_get_position (self->paned));
  g_settings_apply (self->settings);
}

/* ---------------------------------------------------------------- */
/* A run                                                            */
/* ---------------------------------------------------------------- */

static void
set_running (PostaciWindow *self, gboolean running)
{
  GtkWidget *button = GTK_WIDGET (self->test_button);

  gtk_button_set_label (self->test_button, running ? _("_Cancel") : _("_Test SMTP"));
  gtk_widget_set_tooltip_text (button, running ? _("Cancel the run (Escape)") : _("Test SMTP (Ctrl+Enter)"));
  if (running)
    {
      gtk_widget_remove_css_class (button, "suggested-action");
      gtk_widget_add_css_class (button, "destructive-action");
    }
  else
    {
      gtk_widget_remove_css_class (button, "destructive-action");
      gtk_widget_add_css_class (button, "suggested-action");
    }
  /* A run started with Ctrl+Enter from a field: the field goes insensitive and would drop the
   * focus. The Cancel button holds it meanwhile (Enter or Space cancels); the field gets it back. */
  if (running)
    {
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

      if (focus != NULL && gtk_widget_is_ancestor (focus, self->form_box))
        {
          g_set_weak_pointer (&self->focus_before_run, focus);
          gtk_widget_grab_focus (button);
        }
    }

  /* The form stays readable but cannot change under a run, not even from the server page. */
  postaci_local_server_page_set_form_busy (self->local_page, running);
  for (GtkWidget *child = gtk_widget_get_first_child (self->form_box); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (child != button)
      gtk_widget_set_sensitive (child, !running);

  if (!running && self->focus_before_run != NULL)
    {
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

      /* Unless the person moved on to something else meanwhile. */
      /* The cursor where it was, the text not all selected (as a plain grab would). */
      if ((focus == NULL || focus == button) && GTK_IS_TEXT (self->focus_before_run))
        gtk_text_grab_focus_without_selecting (GTK_TEXT (self->focus_before_run));
      else if (focus == NULL || focus == button)
        gtk_widget_grab_focus (self->focus_before_run);
      g_clear_weak_pointer (&self->focus_before_run);
    }

  if (running)
    {
      const PostaciRequest *request = postaci_session_get_request (self->session);
      g_autofree char *subtitle = NULL;
      g_autofree char *title = NULL;

      g_autofree char *host = postaci_request_get_host_for_tls (request);
      guint port = postaci_request_get_port (request);
      g_autofree char *address = strchr (host, ':') != NULL ? g_strdup_printf ("[%s]:%u", host, port)
                                                            : g_strdup_printf ("%s:%u", host, port);

      /* Translators: the window subtitle during a run, “Testing smtp.example.com:587…” */
      subtitle = g_strdup_printf (_("Testing %s…"), address);
      /* The header holds the page switcher: the server is named beside the transcript's
       * heading, and in the window's title (the task switcher, the window list). */
      gtk_label_set_text (self->run_label, subtitle);
      title = g_strdup_printf ("Postacı — %s", subtitle);
      gtk_window_set_title (GTK_WINDOW (self), title);
    }
  else
    {
      gtk_label_set_text (self->run_label, "");
      gtk_window_set_title (GTK_WINDOW (self), "Postacı");
    }
  _postaci_window_update_actions (self);
}

static void
session_event_cb (PostaciSession *session, const PostaciEvent *event, PostaciWindow *self)
{
  if (event->kind == POSTACI_EVENT_STAGE)
    postaci_stage_bar_set_status (self->stage_bar, event->stage, event->stage_status);
  postaci_transcript_view_append_event (self->transcript_view, event);
}

/* Whether the last run found nothing at the address of the Local Test Server, which is off. */
static gboolean
run_missed_local_server (PostaciWindow *self)
{
  const PostaciRequest *request = postaci_session_get_request (self->session);
  PostaciLocalServer *local = postaci_local_server_page_get_server (self->local_page);

  return self->outcome->verdict == POSTACI_VERDICT_NETWORK && !postaci_local_server_is_running (local) &&
         is_local_server_address (self, request->server, postaci_request_get_port (request));
}

static void
run_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(PostaciWindow) self = user_data;
  PostaciSession *session = POSTACI_SESSION (object);
  g_autoptr(PostaciOutcome) outcome = postaci_session_run_finish (session, result);

  /* The window was closed during the run. */
  if (session != self->session)
    return;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->outcome, postaci_outcome_free);
  self->outcome = g_steal_pointer (&outcome);
  postaci_stage_bar_finish (self->stage_bar, self->outcome->verdict, self->outcome->stage);
  postaci_transcript_view_append_outcome (self->transcript_view, self->outcome);
  postaci_verdict_panel_show (self->verdict_panel, self->outcome, run_missed_local_server (self));
  set_running (self, FALSE);
}

static void
forget_run (PostaciWindow *self)
{
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_pointer (&self->outcome, postaci_outcome_free);
}

/* Back to an empty transcript, pending stages and no verdict. */
static void
clear_run (PostaciWindow *self)
{
  forget_run (self);
  postaci_transcript_view_clear (self->transcript_view);
  postaci_stage_bar_reset (self->stage_bar);
  postaci_verdict_panel_hide (self->verdict_panel);
}

static void drop_cleared_run (PostaciWindow *self);

void
_postaci_window_start_run (PostaciWindow *self)
{
  g_autoptr(PostaciRequest) request = NULL;
  g_autoptr(GError) error = NULL;

  if (self->cancellable != NULL)
    return;

  clear_invalid (self);
  request = build_request (self, &error);
  if (request == NULL)
    {
      /* The last run's verdict is not this press's answer: only the marked field is. */
      postaci_verdict_panel_hide (self->verdict_panel);
      postaci_stage_bar_reset (self->stage_bar);
      mark_invalid (self, error);
      return;
    }
  save_settings (self);

  clear_run (self);
  drop_cleared_run (self);
  gtk_widget_set_visible (self->empty_page, FALSE);
  postaci_stage_bar_set_tls_first (self->stage_bar,
                                   postaci_request_get_effective_security (request) == POSTACI_SECURITY_TLS);

  self->session = postaci_session_new (request);
  self->cancellable = g_cancellable_new ();
  g_signal_connect (self->session, "event", G_CALLBACK (session_event_cb), self);
  set_running (self, TRUE);
  postaci_session_run_async (self->session, self->cancellable, run_cb, g_object_ref (self));
}

void
_postaci_window_cancel_run (PostaciWindow *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* One button: Test SMTP when idle, Cancel during a run. */
static void
test_button_clicked_cb (PostaciWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self),
                              self->cancellable != NULL ? "win.cancel" : "win.test", NULL);
}

/* ---------------------------------------------------------------- */
/* Clear, and its undo                                              */
/* ---------------------------------------------------------------- */

static void
clear_toast_dismissed_cb (AdwToast *toast, PostaciWindow *self)
{
  /* The run stays until the next run or Clear: Undo's action may come right after this. */
  if (toast == self->clear_toast)
    g_clear_object (&self->clear_toast);
}

/* The run Clear took away is gone for good: a new run began, or it came back. */
static void
drop_cleared_run (PostaciWindow *self)
{
  g_clear_object (&self->cleared_session);
  g_clear_pointer (&self->cleared_outcome, postaci_outcome_free);
  if (self->clear_toast != NULL)
    {
      AdwToast *toast = g_steal_pointer (&self->clear_toast);

      g_signal_handlers_disconnect_by_data (toast, self);
      adw_toast_dismiss (toast);
      g_object_unref (toast);
    }
}

void
_postaci_window_clear_run (PostaciWindow *self)
{
  if (self->cancellable != NULL || self->session == NULL)
    return;
  drop_cleared_run (self);
  /* Kept until the toast goes, so that Undo can bring the whole run back. */
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  self->cleared_session = g_steal_pointer (&self->session);
  self->cleared_outcome = g_steal_pointer (&self->outcome);
  clear_run (self);
  gtk_widget_set_visible (self->empty_page, TRUE);
  _postaci_window_update_actions (self);

  self->clear_toast = g_object_ref (adw_toast_new (_("Transcript cleared")));
  adw_toast_set_button_label (self->clear_toast, _("_Undo"));
  adw_toast_set_action_name (self->clear_toast, "win.undo-clear");
  /* In front of a "copied" or "saved" toast still showing: Undo is only useful right away. */
  adw_toast_set_priority (self->clear_toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (self->clear_toast, "dismissed", G_CALLBACK (clear_toast_dismissed_cb), self);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->clear_toast));
}

/* Undo of Clear: the run back as it was, replayed from its events. */
void
_postaci_window_undo_clear (PostaciWindow *self)
{
  GPtrArray *events;

  if (self->cleared_session == NULL || self->cancellable != NULL || self->session != NULL)
    return;
  self->session = g_steal_pointer (&self->cleared_session);
  self->outcome = g_steal_pointer (&self->cleared_outcome);
  drop_cleared_run (self);

  events = postaci_session_get_events (self->session);
  postaci_stage_bar_reset (self->stage_bar);
  postaci_stage_bar_set_tls_first (self->stage_bar,
                                   postaci_request_get_effective_security (postaci_session_get_request (self->session))
                                   == POSTACI_SECURITY_TLS);
  for (guint i = 0; i < events->len; i++)
    session_event_cb (self->session, events->pdata[i], self);
  gtk_widget_set_visible (self->empty_page, FALSE);
  if (self->outcome != NULL)
    {
      postaci_stage_bar_finish (self->stage_bar, self->outcome->verdict, self->outcome->stage);
      postaci_transcript_view_append_outcome (self->transcript_view, self->outcome);
      postaci_verdict_panel_show (self->verdict_panel, self->outcome, run_missed_local_server (self));
    }
  _postaci_window_update_actions (self);
}

/* ---------------------------------------------------------------- */
/* Prefill from the command line                                    */
/* ---------------------------------------------------------------- */

gboolean
postaci_window_prefill (PostaciWindow *self, GVariantDict *options, GError **error)
{
  const char *server = NULL, *port = NULL, *security = NULL, *user = NULL, *password = NULL;
  const char *auth = NULL, *from = NULL, *subject = NULL, *html = NULL, *ehlo = NULL;
  const char *stop_after = NULL, *ca_file = NULL, *timeout_text = NULL;
  g_autofree const char **to = NULL;
  guint timeout = 0;
  gboolean insecure = FALSE, allow_plain_auth = FALSE;
  PostaciSecurity security_value = POSTACI_SECURITY_AUTO;
  PostaciMechanism mechanism_value = POSTACI_MECHANISM_AUTO;
  PostaciStage stop_value = POSTACI_STAGE_QUIT;
  guint port_value = 0;

  g_return_val_if_fail (POSTACI_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  /* The form of a running test is what the transcript is about: it is not changed under it. */
  if (postaci_window_is_running (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("A test is running in the open window, so its form was left as it "
                             "is. Try again when the test has ended."));
      return FALSE;
    }

  g_variant_dict_lookup (options, "server", "&s", &server);
  g_variant_dict_lookup (options, "port", "&s", &port);
  g_variant_dict_lookup (options, "security", "&s", &security);
  g_variant_dict_lookup (options, "user", "&s", &user);
  g_variant_dict_lookup (options, "password", "&s", &password);
  g_variant_dict_lookup (options, "auth", "&s", &auth);
  g_variant_dict_lookup (options, "from", "&s", &from);
  g_variant_dict_lookup (options, "to", "^a&s", &to);
  g_variant_dict_lookup (options, "subject", "&s", &subject);
  g_variant_dict_lookup (options, "html", "&s", &html);
  g_variant_dict_lookup (options, "ehlo", "&s", &ehlo);
  g_variant_dict_lookup (options, "stop-after", "&s", &stop_after);
  g_variant_dict_lookup (options, "timeout", "&s", &timeout_text);
  g_variant_dict_lookup (options, "ca-file", "&s", &ca_file);
  g_variant_dict_lookup (options, "insecure", "b", &insecure);
  g_variant_dict_lookup (options, "allow-plain-auth", "b", &allow_plain_auth);

  /* Check everything before touching the form: core's option table, postaci-cli's words. */
  if ((port != NULL && !postaci_option_parse (POSTACI_OPTION_PORT, port, &port_value, error)) ||
      (security != NULL &&
       !postaci_option_parse (POSTACI_OPTION_SECURITY, security, &security_value, error)) ||
      (auth != NULL && !postaci_option_parse (POSTACI_OPTION_AUTH, auth, &mechanism_value, error)) ||
      (stop_after != NULL &&
       !postaci_option_parse (POSTACI_OPTION_STOP_AFTER, stop_after, &stop_value, error)) ||
      (timeout_text != NULL &&
       !postaci_option_parse (POSTACI_OPTION_TIMEOUT, timeout_text, &timeout, error)))
    return FALSE;

  clear_invalid (self);
  /* A plain "postaci" (no options) leaves a form set up for the local server as it is. */
  if (server != NULL || port != NULL || security != NULL || user != NULL || password != NULL ||
      auth != NULL || from != NULL || to != NULL || subject != NULL || html != NULL || ehlo != NULL ||
      stop_after != NULL || ca_file != NULL || timeout > 0 || insecure || allow_plain_auth)
    forget_local_server_fill (self);
  if (server != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);
  /* The form's Automatic is postaci-cli's auto: SSL/TLS on 465, STARTTLS when offered elsewhere. */
  if (security != NULL)
    adw_combo_row_set_selected (self->security_row,
                                INDEX_OF (security_choices, security_value, DEFAULT_SECURITY_INDEX));
  if (port == NULL && security != NULL) /* --security tls alone means port 465, whatever was remembered */
    port_value = security_ports[selected_security_index (self)];
  if (port != NULL || security != NULL)
    {
      set_port (self, (guint) port_value);
      self->port_edited = (guint) port_value != security_ports[selected_security_index (self)];
    }

  if (user != NULL)
    {
      adw_expander_row_set_enable_expansion (self->auth_row, TRUE);
      gtk_editable_set_text (GTK_EDITABLE (self->user_row), user);
    }
  if (password != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
  if (auth != NULL)
    adw_combo_row_set_selected (self->mechanism_row, INDEX_OF (mechanism_choices, mechanism_value, 0));
  if (allow_plain_auth)
    gtk_switch_set_active (self->plain_auth_switch, TRUE);

  if (from != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->from_row), from);
  if (to != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", (char **) to);
      gtk_editable_set_text (GTK_EDITABLE (self->to_row), joined);
    }
  if (subject != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->subject_row), subject);
  if (html != NULL)
    set_html (self, html);
  if (stop_after != NULL)
    {
      /* The form has no "stop after DATA": the message is sent either way. */
      if (stop_value == POSTACI_STAGE_DATA)
        stop_value = POSTACI_STAGE_QUIT;
      adw_combo_row_set_selected (self->stop_after_row, INDEX_OF (stop_after_choices, stop_value, 0));
    }

  if (ehlo != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->ehlo_row), ehlo);
  if (timeout > 0)
    gtk_spin_button_set_value (self->timeout_spin, timeout);
  if (ca_file != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->ca_row), ca_file);
  if (insecure)
    gtk_switch_set_active (self->insecure_switch, TRUE);
  if (ehlo != NULL || timeout > 0 || ca_file != NULL || insecure)
    adw_expander_row_set_expanded (self->advanced_row, TRUE);
  return TRUE;
}

/* ---------------------------------------------------------------- */
/* GObject and GtkWidget                                            */
/* ---------------------------------------------------------------- */

gboolean
postaci_window_is_running (PostaciWindow *self)
{
  g_return_val_if_fail (POSTACI_IS_WINDOW (self), FALSE);
  return self->cancellable != NULL;
}

const PostaciOutcome *
postaci_window_get_outcome (PostaciWindow *self)
{
  g_return_val_if_fail (POSTACI_IS_WINDOW (self), NULL);
  return self->cancellable == NULL ? self->outcome : NULL;
}

static void
update_source_scheme (PostaciWindow *self)
{
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->html_view)));
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleScheme *scheme =
    gtk_source_style_scheme_manager_get_scheme (gtk_source_style_scheme_manager_get_default (),
                                                dark ? "Adwaita-dark" : "Adwaita");

  if (scheme != NULL)
    gtk_source_buffer_set_style_scheme (buffer, scheme);
}

static gboolean
postaci_window_close_request (GtkWindow *window)
{
  PostaciWindow *self = POSTACI_WINDOW (window);
  GtkWindowClass *parent_class = GTK_WINDOW_CLASS (postaci_window_parent_class);

  save_settings (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  postaci_local_server_page_stop (self->local_page);
  return parent_class->close_request != NULL && parent_class->close_request (window);
}

static void
postaci_window_dispose (GObject *object)
{
  PostaciWindow *self = POSTACI_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->narrow_idle, g_source_remove);
  g_clear_weak_pointer (&self->focus_before_run);
  forget_run (self);
  drop_cleared_run (self);
  if (self->error_row != NULL)
    clear_invalid (self);
  g_clear_object (&self->error_row);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), POSTACI_TYPE_WINDOW);
  G_OBJECT_CLASS (postaci_window_parent_class)->dispose (object);
}

/* Below this width the form and the transcript stand one above the other, not side by side. */
#define NARROW_WIDTH 750

static void
apply_narrow (PostaciWindow *self, gboolean narrow)
{
  GtkOrientation orientation = narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL;

  if (gtk_orientable_get_orientation (GTK_ORIENTABLE (self->paned)) == orientation)
    return;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->paned), orientation);
  /* A remembered width means nothing as a height: the form gets a bit more than half. */
  gtk_paned_set_position (self->paned, narrow ? gtk_widget_get_height (GTK_WIDGET (self)) * 11 / 20
                                              : self->wide_position);
  postaci_local_server_page_set_narrow (self->local_page, narrow);
  adw_view_switcher_set_policy (self->view_switcher, narrow ? ADW_VIEW_SWITCHER_POLICY_NARROW
                                                            : ADW_VIEW_SWITCHER_POLICY_WIDE);
}

static gboolean
apply_narrow_cb (gpointer user_data)
{
  PostaciWindow *self = POSTACI_WINDOW (user_data);

  self->narrow_idle = 0;
  apply_narrow (self, gtk_widget_get_width (GTK_WIDGET (self)) < NARROW_WIDTH);
  return G_SOURCE_REMOVE;
}

/* libadwaita 1.2 has no breakpoints: the width is looked at after each allocation, and the
 * layout changed outside of it (changing it during an allocation would be ignored). */
static void
postaci_window_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  PostaciWindow *self = POSTACI_WINDOW (widget);
  gboolean narrow = width < NARROW_WIDTH;

  GTK_WIDGET_CLASS (postaci_window_parent_class)->size_allocate (widget, width, height, baseline);
  if (!narrow && gtk_orientable_get_orientation (GTK_ORIENTABLE (self->paned)) == GTK_ORIENTATION_HORIZONTAL)
    self->wide_position = gtk_paned_get_position (self->paned);
  if (narrow != (gtk_orientable_get_orientation (GTK_ORIENTABLE (self->paned)) == GTK_ORIENTATION_VERTICAL) &&
      self->narrow_idle == 0)
    self->narrow_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_narrow_cb, self, NULL);
}

gboolean
postaci_window_get_narrow (PostaciWindow *self)
{
  g_return_val_if_fail (POSTACI_IS_WINDOW (self), FALSE);
  return gtk_orientable_get_orientation (GTK_ORIENTABLE (self->paned)) == GTK_ORIENTATION_VERTICAL;
}

static void
postaci_window_class_init (PostaciWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = postaci_window_dispose;
  widget_class->size_allocate = postaci_window_size_allocate;
  window_class->close_request = postaci_window_close_request;

  g_type_ensure (POSTACI_TYPE_STAGE_BAR);
  g_type_ensure (POSTACI_TYPE_TRANSCRIPT_VIEW);
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (POSTACI_TYPE_LOCAL_SERVER_PAGE);
  g_type_ensure (POSTACI_TYPE_VERDICT_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/postaci/Postaci/postaci-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, PostaciWindow, name)
  BIND (toast_overlay);
  BIND (view_switcher);
  BIND (run_label);
  BIND (view_stack);
  BIND (local_page);
  BIND (paned);
  BIND (form_scroller);
  BIND (form_box);
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
  BIND (mechanism_row);
  BIND (from_row);
  BIND (to_row);
  BIND (subject_row);
  BIND (html_frame);
  BIND (html_view);
  BIND (mail_error);
  BIND (stop_after_row);
  BIND (advanced_row);
  BIND (ehlo_row);
  BIND (timeout_spin);
  BIND (ca_row);
  BIND (insecure_switch);
  BIND (plain_auth_switch);
  BIND (test_error);
  BIND (test_button);
  BIND (stop_notice);
  BIND (stage_bar);
  BIND (transcript_view);
  BIND (empty_page);
  BIND (verdict_panel);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, test_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, use_local_server_cb);
  _postaci_window_class_actions_init (klass);
}

/* "Use These Settings": server, security, port, the mechanism left to the session (it picks the
 * strongest the server offers), the login switched on, and the user name when it is known. */
static void
use_discovered_cb (PostaciDiscoveryDialog      *dialog,
                   const PostaciRecommendation *recommendation,
                   PostaciWindow               *self)
{
  guint security = INDEX_OF (security_choices, recommendation->security, DEFAULT_SECURITY_INDEX);

  gtk_editable_set_text (GTK_EDITABLE (self->server_row), recommendation->host);
  adw_combo_row_set_selected (self->security_row, security);
  set_port (self, recommendation->port);
  /* A port the records named sticks; a standard one still follows the security choice. */
  self->port_edited = recommendation->port != security_ports[security];
  adw_combo_row_set_selected (self->mechanism_row,
                              INDEX_OF (mechanism_choices, POSTACI_MECHANISM_AUTO, 0));
  if (recommendation->auth != NULL && recommendation->auth[0] != NULL)
    adw_expander_row_set_enable_expansion (self->auth_row, TRUE);
  /* A pattern such as %EMAILADDRESS% is not a user name: left for the person to type. */
  if (recommendation->username != NULL && strchr (recommendation->username, '%') == NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->user_row), recommendation->username);
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("The form holds the settings found: press Test SMTP "
                                                "to try them.")));
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

/* "Find Settings…" beside the server field (win.find-settings). */
void
_postaci_window_find_settings (PostaciWindow *self)
{
  g_autofree char *server = get_stripped (self->server_row);
  g_autofree char *from = get_stripped (self->from_row);
  g_autofree char *address = bare_address (from);
  g_autofree char *port_text = get_stripped (self->port_row);
  g_autofree char *ca_file = get_optional (self->ca_row);
  guint security = selected_security_index (self);
  guint64 port = security_ports[security];
  PostaciDiscoveryDialog *dialog;

  /* The server field first; from the From address when the server is empty. */
  if (*server == '\0' && *address == '\0')
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("Type a server or a domain, or a From address, "
                                                    "to find its settings.")));
      gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
      return;
    }
  if (*port_text != '\0')
    g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL);
  dialog = postaci_discovery_dialog_new (GTK_WINDOW (self), *server != '\0' ? server : address,
                                         *server != '\0' ? server : NULL, (guint) port,
                                         security_choices[security], ca_file);
  g_signal_connect_object (dialog, "use-settings", G_CALLBACK (use_discovered_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
postaci_window_init (PostaciWindow *self)
{
  GtkSourceBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->wide_position = gtk_paned_get_position (self->paned);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->test_button));

  buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->html_view)));
  gtk_source_buffer_set_language (buffer,
                                  gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (),
                                                                            "html"));
  {
    g_autofree char *text = g_markup_escape_text (_("This is a test message sent by Postacı, the SMTP tester."), -1);
    g_autofree char *html = g_strdup_printf ("<html>\n<body>\n<h1>Postacı</h1>\n<p>%s</p>\n</body>\n</html>\n", text);
    set_html (self, html);
  }
  update_source_scheme (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_source_scheme), self, G_CONNECT_SWAPPED);

  /* Marks go away as soon as the person edits the field they are on. */
  {
    gpointer editables[] = {
      self->server_row, self->port_row, self->user_row, self->password_row, self->from_row,
      self->to_row, self->subject_row, self->ehlo_row, self->ca_row,
    };

    for (guint i = 0; i < G_N_ELEMENTS (editables); i++)
      g_signal_connect (editables[i], "changed", G_CALLBACK (field_changed_cb), self);
  }
  g_signal_connect (buffer, "changed", G_CALLBACK (html_changed_cb), self);
  g_signal_connect (self->timeout_spin, "value-changed", G_CALLBACK (field_changed_cb), self);
  g_signal_connect (self->mechanism_row, "notify::selected", G_CALLBACK (mechanism_changed_cb), self);

  g_signal_connect_swapped (self->local_page, "notify::running", G_CALLBACK (local_server_running_cb), self);
  g_signal_connect_swapped (self->local_page, "notify::failure", G_CALLBACK (update_notices), self);
  g_signal_connect_swapped (self->server_row, "changed", G_CALLBACK (update_notices), self);
  g_signal_connect_swapped (self->port_row, "changed", G_CALLBACK (update_notices), self);
  g_signal_connect_swapped (self->stop_after_row, "notify::selected", G_CALLBACK (update_notices), self);
  postaci_combo_row_show_whole_choices (self->stop_after_row);

  /* The reason a field is wrong, as a row of its own put right under the field's row. */
  self->error_row_label = GTK_LABEL (g_object_new (GTK_TYPE_LABEL,
                                                   "wrap", TRUE, "xalign", 0.0f, "margin-top", 6,
                                                   "margin-bottom", 6, "margin-start", 12, "margin-end", 12,
                                                   NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->error_row_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->error_row_label), "field-error");
  self->error_row = g_object_ref_sink (g_object_new (ADW_TYPE_PREFERENCES_ROW,
                                                     "activatable", FALSE, "selectable", FALSE,
                                                     "focusable", FALSE, "child", self->error_row_label,
                                                     NULL));
  gtk_widget_add_css_class (self->error_row, "field-error-row");
  g_signal_connect_swapped (self->port_row, "changed", G_CALLBACK (port_changed_cb), self);
  g_signal_connect_swapped (self->security_row, "notify::selected", G_CALLBACK (security_changed_cb), self);
  adw_combo_row_set_selected (self->security_row, DEFAULT_SECURITY_INDEX);

  /* The window opens in the form, not on the view switcher: type the server, press Enter. */
  gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
}

static PostaciWindow *
window_new (PostaciApplication *application, gboolean first_start)
{
  PostaciWindow *self;

  g_return_val_if_fail (POSTACI_IS_APPLICATION (application), NULL);

  self = g_object_new (POSTACI_TYPE_WINDOW, "application", application, NULL);
  self->settings = postaci_application_get_settings (application);
  if (self->settings != NULL)
    g_object_ref (self->settings);
  load_settings (self);
  /* A first start (no server of one's own yet): the built-in server runs and the form points
   * at it, so the first Test SMTP succeeds. A server that cannot start says why on its page. */
  if (first_start && *gtk_editable_get_text (GTK_EDITABLE (self->server_row)) == '\0' &&
      postaci_local_server_page_start (self->local_page, NULL))
    fill_for_local_server (self);
  _postaci_window_update_actions (self);
  update_notices (self);
  return self;
}

PostaciWindow *
postaci_window_new (PostaciApplication *application)
{
  return window_new (application, TRUE);
}

PostaciWindow *
postaci_window_new_for_options (PostaciApplication *application)
{
  return window_new (application, FALSE);
}
