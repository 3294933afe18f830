/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-local-server-page.c — run the Local Test Server, read what it caught, rehearse
 * failures. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "postaci-accessible.h"
#include "postaci-combo-row-choices.h"
#include "postaci-local-server-page.h"
#include "postaci-message-window.h"

/* The "Fail on purpose" choices, in the order the combo row lists them: the
 * failures a helpdesk meets most, each at the stage where servers send it. */
static const struct
{
  PostaciStage stage;
  guint        code;
  const char  *label;
} failure_choices[] = {
  /* Translators: "Fail on purpose" choices: the reply the Local Test Server gives, and at which
   * step */
  { POSTACI_STAGE_CONNECT, 0, N_ ("None: answer normally") },
  { POSTACI_STAGE_GREETING, 421, N_ ("421 at the greeting: service not available") },
  { POSTACI_STAGE_GREETING, 554, N_ ("554 at the greeting: no SMTP service here") },
  { POSTACI_STAGE_GREETING, POSTACI_LOCAL_SERVER_SILENT,
    N_ ("Silent greeting: connect, then say nothing") },
  { POSTACI_STAGE_EHLO, 504, N_ ("504 to EHLO: host name rejected") },
  { POSTACI_STAGE_TLS, 454, N_ ("454 to STARTTLS: TLS not available") },
  { POSTACI_STAGE_AUTH, 535, N_ ("535 at AUTH: wrong user name or password") },
  { POSTACI_STAGE_AUTH, 534, N_ ("534 at AUTH: an app password is needed") },
  { POSTACI_STAGE_MAIL, 550, N_ ("550 at MAIL: sender not allowed") },
  { POSTACI_STAGE_MAIL, 452, N_ ("452 at MAIL: server out of storage") },
  { POSTACI_STAGE_RCPT, 550, N_ ("550 5.1.1 at RCPT: no such mailbox") },
  { POSTACI_STAGE_RCPT, 554, N_ ("554 at RCPT: relay access denied") },
  { POSTACI_STAGE_DATA, 552, N_ ("552 at DATA: message too big") },
  { POSTACI_STAGE_DATA, 554, N_ ("554 at DATA: rejected as spam") },
  { POSTACI_STAGE_DATA, 451, N_ ("451 at DATA: temporary local error") },
};

/* The columns of the message list. */
typedef enum
{
  COLUMN_FROM,
  COLUMN_TO,
  COLUMN_SUBJECT,
  COLUMN_SIZE,
  COLUMN_TIME,
} Column;

struct _PostaciLocalServerPage
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkSwitch     *server_switch;
  GtkLabel      *error_label;
  GtkWidget     *details_group;
  AdwActionRow  *starttls_row;
  AdwActionRow  *tls_row;
  AdwActionRow  *user_row;
  AdwActionRow  *password_row;
  GtkWidget     *copy_password_button;
  AdwActionRow  *fingerprint_row;
  AdwActionRow  *folder_row;
  AdwComboRow   *failure_row;
  GtkWidget     *use_button;
  GtkStack      *messages_stack;
  GtkLabel      *messages_title;
  GtkColumnView *messages_view;
  AdwStatusPage *empty_page;

  PostaciLocalServer *server;
  GtkSingleSelection *selection;
  gboolean            syncing;   /* the switch follows the server: no start or stop */
  gboolean            form_busy; /* the window's form runs a test */
};

G_DEFINE_FINAL_TYPE (PostaciLocalServerPage, postaci_local_server_page, ADW_TYPE_BIN)

enum
{
  SIGNAL_USE_IN_FORM,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum
{
  PROP_0,
  PROP_SERVER,
  PROP_RUNNING,
  PROP_FAILURE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------- */
/* What the page shows                                              */
/* ---------------------------------------------------------------- */

/* "127.0.0.1:2525", and "[::1]:2525" beside it when ::1 is served too. */
static char *
format_address (PostaciLocalServer *server, guint port)
{
  if (postaci_local_server_get_has_ipv6 (server))
    return g_strdup_printf ("127.0.0.1:%u · [::1]:%u", port, port);
  return g_strdup_printf ("127.0.0.1:%u", port);
}

static void
update_messages_state (PostaciLocalServerPage *self)
{
  gboolean running = postaci_local_server_is_running (self->server);
  guint    n = g_list_model_get_n_items (postaci_local_server_get_messages (self->server));

  if (n > 0)
    {
      gtk_stack_set_visible_child_name (self->messages_stack, "list");
      return;
    }
  if (running)
    {
      adw_status_page_set_title (self->empty_page, _ ("No Messages Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _ ("Messages sent to the Local Test Server appear here. "
                                          "Press Use in the Form, then Test SMTP."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _ ("The Local Test Server Is Off"));
      adw_status_page_set_description (self->empty_page,
                                       _ ("Turn it on to receive test messages on this computer."));
    }
  gtk_stack_set_visible_child_name (self->messages_stack, "empty");
}

static void
update_state (PostaciLocalServerPage *self)
{
  gboolean running = postaci_local_server_is_running (self->server);

  self->syncing = TRUE;
  gtk_switch_set_active (self->server_switch, running);
  self->syncing = FALSE;

  gtk_widget_set_visible (self->details_group, running);
  gtk_widget_set_sensitive (self->use_button, running && !self->form_busy);
  if (running)
    {
      g_autofree char *plain =
        format_address (self->server, postaci_local_server_get_port (self->server));
      g_autofree char *tls =
        format_address (self->server, postaci_local_server_get_tls_port (self->server));

      adw_action_row_set_subtitle (self->starttls_row, plain);
      adw_action_row_set_subtitle (self->tls_row, tls);
      adw_action_row_set_subtitle (self->user_row,
                                   postaci_local_server_get_username (self->server));
      adw_action_row_set_subtitle (self->fingerprint_row,
                                   postaci_local_server_get_fingerprint (self->server));
      adw_action_row_set_subtitle (self->folder_row,
                                   postaci_local_server_get_folder (self->server));
      /* What the copy buttons copy: one address each, not the line shown. */
      g_object_set_data_full (
        G_OBJECT (self->starttls_row), "copy-text",
        g_strdup_printf ("127.0.0.1:%u", postaci_local_server_get_port (self->server)), g_free);
      g_object_set_data_full (
        G_OBJECT (self->tls_row), "copy-text",
        g_strdup_printf ("127.0.0.1:%u", postaci_local_server_get_tls_port (self->server)), g_free);
      g_object_set_data_full (G_OBJECT (self->user_row), "copy-text",
                              g_strdup (postaci_local_server_get_username (self->server)), g_free);
      g_object_set_data_full (G_OBJECT (self->fingerprint_row), "copy-text",
                              g_strdup (postaci_local_server_get_fingerprint (self->server)),
                              g_free);
      g_object_set_data_full (G_OBJECT (self->folder_row), "copy-text",
                              g_strdup (postaci_local_server_get_folder (self->server)), g_free);
    }
  update_messages_state (self);
}

/* The server's own "running" drives the page, whoever started or stopped it. */
static void
server_running_cb (PostaciLocalServerPage *self)
{
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

/* ---------------------------------------------------------------- */
/* Starting and stopping                                            */
/* ---------------------------------------------------------------- */

void
postaci_local_server_page_show_start_error (PostaciLocalServerPage *self, const GError *error)
{
  g_autofree char *message = NULL;

  g_return_if_fail (POSTACI_IS_LOCAL_SERVER_PAGE (self));

  if (error != NULL)
    /* Translators: %s says why, e.g. a port that could not be bound */
    message = g_strdup_printf (_ ("The Local Test Server could not start: %s"), error->message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

void
postaci_local_server_page_set_form_busy (PostaciLocalServerPage *self, gboolean busy)
{
  g_return_if_fail (POSTACI_IS_LOCAL_SERVER_PAGE (self));

  self->form_busy = busy;
  update_state (self);
}

static void
switch_active_cb (PostaciLocalServerPage *self)
{
  g_autoptr(GError) error = NULL;

  if (self->syncing)
    return;
  if (!gtk_switch_get_active (self->server_switch))
    {
      postaci_local_server_stop (self->server);
      return;
    }
  postaci_local_server_start_on_last_ports (self->server, &error);
  postaci_local_server_page_show_start_error (self, error);
  /* A failed start leaves the server off: the switch goes back. */
  update_state (self);
}

PostaciLocalServer *
postaci_local_server_page_get_server (PostaciLocalServerPage *self)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER_PAGE (self), NULL);
  return self->server;
}

/* ---------------------------------------------------------------- */
/* Fail on purpose, copy, use in the form                           */
/* ---------------------------------------------------------------- */

static void
failure_selected_cb (PostaciLocalServerPage *self)
{
  guint i = adw_combo_row_get_selected (self->failure_row);
  g_autoptr(GError) error = NULL;

  postaci_local_server_clear_failures (self->server);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE]);
  if (i == 0 || i >= G_N_ELEMENTS (failure_choices))
    return;
  /* Every choice in the table is one the server accepts. */
  if (!postaci_local_server_set_failure (self->server, failure_choices[i].stage,
                                         failure_choices[i].code, &error))
    g_critical ("failure choice %u: %s", i, error->message);
}

const char *
postaci_local_server_page_get_failure_label (PostaciLocalServerPage *self)
{
  guint i;

  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER_PAGE (self), NULL);

  i = adw_combo_row_get_selected (self->failure_row);
  if (i == 0 || i >= G_N_ELEMENTS (failure_choices))
    return NULL;
  return _ (failure_choices[i].label);
}

void
postaci_local_server_page_set_narrow (PostaciLocalServerPage *self, gboolean narrow)
{
  g_return_if_fail (POSTACI_IS_LOCAL_SERVER_PAGE (self));

  /* The page's child, not a bound template child: AdwBin unparents it itself. */
  gtk_orientable_set_orientation (GTK_ORIENTABLE (adw_bin_get_child (ADW_BIN (self))),
                                  narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
}

/* The copy button of a row of the page: its value to the clipboard, and a toast that says so. */
static void
copy_row_cb (GtkButton *button, AdwActionRow *row)
{
  PostaciLocalServerPage *self = POSTACI_LOCAL_SERVER_PAGE (
    gtk_widget_get_ancestor (GTK_WIDGET (row), POSTACI_TYPE_LOCAL_SERVER_PAGE));
  const char      *text = g_object_get_data (G_OBJECT (row), "copy-text");
  GtkWidget       *overlay;
  g_autofree char *message = NULL;

  if (text == NULL || !postaci_local_server_is_running (self->server))
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  /* Translators: a toast; %s is what was copied, such as “127.0.0.1:2525” */
  message = g_strdup_printf (_ ("Copied %s"), text);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
}

static void
add_copy_button (AdwActionRow *row)
{
  GtkWidget *button = g_object_new (GTK_TYPE_BUTTON, "icon-name", "edit-copy-symbolic", "valign",
                                    GTK_ALIGN_CENTER, "tooltip-text", _ ("Copy"), NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), -1);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect (button, "clicked", G_CALLBACK (copy_row_cb), row);
  adw_action_row_add_suffix (row, button);
}

static void
copy_password_cb (PostaciLocalServerPage *self)
{
  GtkWidget *overlay;

  if (!postaci_local_server_is_running (self->server))
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          postaci_local_server_get_password (self->server));
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay),
                                 adw_toast_new (_ ("Password copied")));
}

static void
use_clicked_cb (PostaciLocalServerPage *self)
{
  if (postaci_local_server_is_running (self->server) && !self->form_busy)
    g_signal_emit (self, signals[SIGNAL_USE_IN_FORM], 0);
}

/* ---------------------------------------------------------------- */
/* The message list                                                 */
/* ---------------------------------------------------------------- */

static void
setup_cell_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label),
                        GPOINTER_TO_INT (user_data) == COLUMN_SIZE ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (GPOINTER_TO_INT (user_data) == COLUMN_SIZE || GPOINTER_TO_INT (user_data) == COLUMN_TIME)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static char *
cell_text (PostaciCapturedMessage *message, Column column)
{
  switch (column)
    {
    case COLUMN_FROM:
      {
        const char *from = postaci_captured_message_get_from (message);
        return g_strdup (*from != '\0' ? from : "<>");
      }
    case COLUMN_TO:
      return g_strjoinv (", ", (char **) postaci_captured_message_get_recipients (message));
    case COLUMN_SUBJECT:
      return g_strdup (postaci_captured_message_get_subject (message));
    case COLUMN_SIZE:
      return g_format_size (postaci_captured_message_get_size (message));
    case COLUMN_TIME:
      {
        g_autoptr(GDateTime) local =
                     g_date_time_to_local (postaci_captured_message_get_received_time (message));
        return g_date_time_format (local, "%H:%M:%S");
      }
    default:
      g_assert_not_reached ();
    }
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  PostaciCapturedMessage *message = gtk_list_item_get_item (item);
  g_autofree char        *text = cell_text (message, GPOINTER_TO_INT (user_data));
  GtkLabel               *label = GTK_LABEL (gtk_list_item_get_child (item));

  gtk_label_set_text (label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), text);
}

static void
add_column (PostaciLocalServerPage *self, const char *title, Column column, gboolean expand)
{
  GtkListItemFactory  *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, factory); /* takes the factory */
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->messages_view, view_column);
  g_object_unref (view_column);
}

void
postaci_local_server_page_open_message (PostaciLocalServerPage *self, guint position)
{
  g_autoptr(PostaciCapturedMessage) message = NULL;
  GtkRoot              *root;
  PostaciMessageWindow *window;

  g_return_if_fail (POSTACI_IS_LOCAL_SERVER_PAGE (self));

  message = g_list_model_get_item (postaci_local_server_get_messages (self->server), position);
  g_return_if_fail (message != NULL);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  window = postaci_message_window_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, message);
  gtk_window_present (GTK_WINDOW (window));
}

static void
message_activated_cb (PostaciLocalServerPage *self, guint position)
{
  postaci_local_server_page_open_message (self, position);
}

/* ---------------------------------------------------------------- */
/* GObject                                                          */
/* ---------------------------------------------------------------- */

static void
postaci_local_server_page_dispose (GObject *object)
{
  PostaciLocalServerPage *self = POSTACI_LOCAL_SERVER_PAGE (object);

  if (self->server != NULL)
    {
      g_signal_handlers_disconnect_by_data (postaci_local_server_get_messages (self->server), self);
      g_signal_handlers_disconnect_by_data (self->server, self);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), POSTACI_TYPE_LOCAL_SERVER_PAGE);
  g_clear_object (&self->selection);
  g_clear_object (&self->server);
  G_OBJECT_CLASS (postaci_local_server_page_parent_class)->dispose (object);
}

static void
postaci_local_server_page_get_property (GObject *object, guint prop_id, GValue *value,
                                        GParamSpec *pspec)
{
  PostaciLocalServerPage *self = POSTACI_LOCAL_SERVER_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, postaci_local_server_is_running (self->server));
      break;
    case PROP_FAILURE:
      g_value_set_string (value, postaci_local_server_page_get_failure_label (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postaci_local_server_page_set_property (GObject *object, guint prop_id, const GValue *value,
                                        GParamSpec *pspec)
{
  PostaciLocalServerPage *self = POSTACI_LOCAL_SERVER_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      self->server = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void postaci_local_server_page_constructed (GObject *object);

static void
postaci_local_server_page_class_init (PostaciLocalServerPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postaci_local_server_page_dispose;
  object_class->constructed = postaci_local_server_page_constructed;
  object_class->get_property = postaci_local_server_page_get_property;
  object_class->set_property = postaci_local_server_page_set_property;

  /* The window's server, which outlives the page. */
  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL, POSTACI_TYPE_LOCAL_SERVER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The server's "running", passed on; a restart brings a new password and certificate. */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* The "Fail on purpose" choice, as the list shows it; NULL when the server answers normally. */
  properties[PROP_FAILURE] =
    g_param_spec_string ("failure", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PostaciLocalServerPage::use-in-form:
   *
   * The person pressed "Use in the Form" while the server runs.
   */
  signals[SIGNAL_USE_IN_FORM] =
    g_signal_new ("use-in-form", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/postaci/Postaci/postaci-local-server-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, PostaciLocalServerPage, name)
  BIND (server_switch);
  BIND (error_label);
  BIND (details_group);
  BIND (starttls_row);
  BIND (tls_row);
  BIND (user_row);
  BIND (password_row);
  BIND (copy_password_button);
  BIND (fingerprint_row);
  BIND (folder_row);
  BIND (failure_row);
  BIND (use_button);
  BIND (messages_stack);
  BIND (messages_title);
  BIND (messages_view);
  BIND (empty_page);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, copy_password_cb);
  gtk_widget_class_bind_template_callback (widget_class, use_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, message_activated_cb);
}

static void
postaci_local_server_page_init (PostaciLocalServerPage *self)
{
  g_autoptr(GtkStringList) failures = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (failure_choices); i++)
    gtk_string_list_append (failures, _ (failure_choices[i].label));
  adw_combo_row_set_model (self->failure_row, G_LIST_MODEL (failures));
  postaci_combo_row_show_whole_choices (self->failure_row);
  add_copy_button (self->starttls_row);
  add_copy_button (self->tls_row);
  add_copy_button (self->user_row);
  add_copy_button (self->fingerprint_row);
  add_copy_button (self->folder_row);

  /* Translators: the columns of the list of messages the Local Test Server received */
  add_column (self, _ ("From"), COLUMN_FROM, FALSE);
  add_column (self, _ ("To"), COLUMN_TO, FALSE);
  add_column (self, _ ("Subject"), COLUMN_SUBJECT, TRUE);
  add_column (self, _ ("Size"), COLUMN_SIZE, FALSE);
  add_column (self, _ ("Received"), COLUMN_TIME, FALSE);
  /* The list is read by the heading above it; the toolkit's list inside has no name of its own. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->messages_view),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->messages_title, NULL,
                                  -1);
  postaci_accessible_label_parts (GTK_WIDGET (self->messages_view), GTK_TYPE_LIST_VIEW,
                                  gtk_label_get_text (self->messages_title));
  postaci_accessible_label_row_parts (ADW_PREFERENCES_ROW (self->failure_row), GTK_TYPE_LIST_VIEW);
}

/* The server is known from here on: the page shows it as it is now, and follows it. */
static void
postaci_local_server_page_constructed (GObject *object)
{
  PostaciLocalServerPage *self = POSTACI_LOCAL_SERVER_PAGE (object);
  GListModel             *messages;

  G_OBJECT_CLASS (postaci_local_server_page_parent_class)->constructed (object);
  g_return_if_fail (self->server != NULL);

  /* What the server fails on purpose is this page's choice: none yet. */
  postaci_local_server_clear_failures (self->server);
  g_signal_connect_swapped (self->failure_row, "notify::selected", G_CALLBACK (failure_selected_cb),
                            self);
  messages = postaci_local_server_get_messages (self->server);
  self->selection = gtk_single_selection_new (g_object_ref (messages));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->messages_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (messages, "items-changed", G_CALLBACK (update_messages_state), self);

  g_signal_connect_swapped (self->server_switch, "notify::active", G_CALLBACK (switch_active_cb),
                            self);
  g_signal_connect_swapped (self->server, "notify::running", G_CALLBACK (server_running_cb), self);
  /* Each start makes a new password: the row follows the server's property. */
  g_object_bind_property (self->server, "password", self->password_row, "subtitle",
                          G_BINDING_SYNC_CREATE);
  update_state (self);
}

GtkWidget *
postaci_local_server_page_new (PostaciLocalServer *server)
{
  g_return_val_if_fail (POSTACI_IS_LOCAL_SERVER (server), NULL);
  return g_object_new (POSTACI_TYPE_LOCAL_SERVER_PAGE, "server", server, NULL);
}
