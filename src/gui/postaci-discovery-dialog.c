/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-discovery-dialog.c — "Find Settings": every source and probe live, then one click
 * fills the form. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "postaci-accessible.h"
#include "postaci-discovery-dialog.h"
#include "postaci-discovery-report.h"
#include "postaci-recommendation.h"

struct _PostaciDiscoveryDialog
{
  AdwWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkButton       *copy_button;
  GtkButton       *use_button;
  GtkEntry        *query_entry;
  GtkButton       *search_button;
  GtkSpinner      *spinner;
  GtkLabel        *recommendation_label;
  GtkLabel        *reason_label;
  GtkLabel        *advice_label;
  GtkGrid         *table;
  GtkBox          *details_box;
  GtkLabel        *details_label;
  GtkLabel        *before_label;
  GtkLabel        *after_label;
  GtkListBox      *sources_list;

  char                  *form_host;
  guint                  form_port;
  PostaciSecurity        form_security;
  char                  *ca_file;
  PostaciDiscovery      *discovery;
  GCancellable          *cancellable;
  PostaciRecommendation *recommendation;
  const PostaciEndpoint *selected;
  GHashTable            *source_rows; /* PostaciDiscoverySource * → AdwActionRow */
};

G_DEFINE_FINAL_TYPE (PostaciDiscoveryDialog, postaci_discovery_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_USE_SETTINGS,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void start_search (PostaciDiscoveryDialog *self);

/* ---------------------------------------------------------------- */
/* Sources                                                          */
/* ---------------------------------------------------------------- */

static const char *
source_icon (PostaciSourceStatus status)
{
  switch (status)
    {
    case POSTACI_SOURCE_FOUND:
      return "emblem-ok-symbolic";
    case POSTACI_SOURCE_FAILED:
      return "dialog-warning-symbolic";
    case POSTACI_SOURCE_RUNNING:
      return "content-loading-symbolic";
    case POSTACI_SOURCE_NONE:
    case POSTACI_SOURCE_NO_SERVICE:
    case POSTACI_SOURCE_SKIPPED:
    default:
      return "action-unavailable-symbolic";
    }
}

static void
source_changed_cb (PostaciDiscovery *discovery, const PostaciDiscoverySource *source,
                   PostaciDiscoveryDialog *self)
{
  AdwActionRow    *row = g_hash_table_lookup (self->source_rows, source);
  GtkImage        *icon;
  g_autofree char *title =
    g_strdup_printf ("%s · %s", postaci_source_type_get_label (source->type), source->name);

  if (row == NULL)
    {
      row = ADW_ACTION_ROW (adw_action_row_new ());
      /* Names and details come from DNS and the web: never markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      icon = GTK_IMAGE (gtk_image_new ());
      adw_action_row_add_prefix (row, GTK_WIDGET (icon));
      g_object_set_data (G_OBJECT (row), "icon", icon);
      gtk_list_box_append (self->sources_list, GTK_WIDGET (row));
      g_hash_table_insert (self->source_rows, (gpointer) source, row);
    }
  icon = g_object_get_data (G_OBJECT (row), "icon");
  gtk_image_set_from_icon_name (icon, source_icon (source->status));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, source->status == POSTACI_SOURCE_RUNNING ? _ ("Looking…")
                                    : source->detail                         ? source->detail
                                                                             : "");
}

/* ---------------------------------------------------------------- */
/* The table: one row per host, one column per port                 */
/* ---------------------------------------------------------------- */

static char *
column_title (const PostaciEndpoint *endpoint)
{
  return endpoint->start == POSTACI_PROBE_START_TLS
           /* Translators: a column of the table: a port probed with TLS from the first byte */
           ? g_strdup_printf (_ ("%u (TLS)"), endpoint->port)
           : g_strdup_printf ("%u", endpoint->port);
}

static void show_details (PostaciDiscoveryDialog *self);

static void
cell_toggled_cb (GtkToggleButton *button, PostaciDiscoveryDialog *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  self->selected = g_object_get_data (G_OBJECT (button), "endpoint");
  show_details (self);
}

static GtkWidget *
make_cell (PostaciDiscoveryDialog *self, const PostaciEndpoint *endpoint, GtkToggleButton **group)
{
  GtkWidget                *button = gtk_toggle_button_new ();
  GtkWidget                *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget                *label;
  const PostaciProbeResult *result = endpoint->result;
  const char               *text;
  const char               *style = NULL;
  g_autofree char          *problem = NULL;

  if (endpoint->running || result == NULL)
    {
      GtkWidget *spinner = gtk_spinner_new ();

      gtk_spinner_set_spinning (GTK_SPINNER (spinner), endpoint->running);
      gtk_box_append (GTK_BOX (box), spinner);
      text = endpoint->running ? _ ("probing…") : _ ("cut short");
    }
  else
    {
      const char *icon;

      if (postaci_endpoint_is_usable (endpoint))
        icon = "emblem-ok-symbolic", style = "success";
      else if (postaci_endpoint_answered (endpoint))
        icon = "dialog-warning-symbolic", style = "warning";
      else
        icon = "window-close-symbolic", style = "error";
      gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (icon));
      text = postaci_endpoint_answered (endpoint)
               ? postaci_discovery_security_label (postaci_probe_result_get_security (result))
             : result->status == POSTACI_PROBE_NOT_FOUND ? _ ("no such host")
                                                         : _ ("unreachable");
      problem = postaci_endpoint_describe_problem (endpoint);
    }
  label = gtk_label_new (text);
  gtk_box_append (GTK_BOX (box), label);
  if (style != NULL)
    gtk_widget_add_css_class (box, style);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_set_tooltip_text (
    button, problem ? problem : _ ("Usable: encrypted, a valid certificate, login offered"));
  {
    /* Read as a screen reader moves through the table: which server and port, and what it found. */
    /* Translators: a cell of the Find Settings table for screen readers: host, port, result */
    g_autofree char *name =
      g_strdup_printf (_ ("%s, port %u: %s"), endpoint->host, endpoint->port, text);

    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    gtk_widget_get_tooltip_text (button), -1);
  }
  g_object_set_data (G_OBJECT (button), "endpoint", (gpointer) endpoint);
  if (*group != NULL)
    gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), *group);
  else
    *group = GTK_TOGGLE_BUTTON (button);
  if (endpoint == self->selected)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
  g_signal_connect (button, "toggled", G_CALLBACK (cell_toggled_cb), self);
  return button;
}

static void
rebuild_table (PostaciDiscoveryDialog *self)
{
  GPtrArray *endpoints = postaci_discovery_get_endpoints (self->discovery);
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
  GtkToggleButton *group = NULL;
  GtkWidget       *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->table))) != NULL)
    gtk_grid_remove (self->table, child);

  for (guint i = 0; i < endpoints->len; i++)
    {
      const PostaciEndpoint *endpoint = g_ptr_array_index (endpoints, i);
      g_autofree char       *column = column_title (endpoint);

      if (!g_ptr_array_find_with_equal_func (hosts, endpoint->host, g_str_equal, NULL))
        g_ptr_array_add (hosts, g_strdup (endpoint->host));
      if (!g_ptr_array_find_with_equal_func (columns, column, g_str_equal, NULL))
        g_ptr_array_add (columns, g_steal_pointer (&column));
    }
  for (guint c = 0; c < columns->len; c++)
    {
      GtkWidget *header = gtk_label_new (g_ptr_array_index (columns, c));

      gtk_widget_add_css_class (header, "heading");
      gtk_grid_attach (self->table, header, (int) c + 1, 0, 1, 1);
    }
  for (guint h = 0; h < hosts->len; h++)
    {
      GtkWidget *label = gtk_label_new (g_ptr_array_index (hosts, h));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_grid_attach (self->table, label, 0, (int) h + 1, 1, 1);
    }
  for (guint i = 0; i < endpoints->len; i++)
    {
      const PostaciEndpoint *endpoint = g_ptr_array_index (endpoints, i);
      g_autofree char       *column = column_title (endpoint);
      guint                  row = 0, col = 0;

      g_ptr_array_find_with_equal_func (hosts, endpoint->host, g_str_equal, &row);
      g_ptr_array_find_with_equal_func (columns, column, g_str_equal, &col);
      gtk_grid_attach (self->table, make_cell (self, endpoint, &group), (int) col + 1,
                       (int) row + 1, 1, 1);
    }
}

static char *
join_lines (GStrv lines)
{
  return lines != NULL && lines[0] != NULL ? g_strjoinv ("\n", lines) : g_strdup ("—");
}

static void
show_details (PostaciDiscoveryDialog *self)
{
  const PostaciEndpoint    *endpoint = self->selected;
  const PostaciProbeResult *result = endpoint ? endpoint->result : NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *problem = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->details_box), endpoint != NULL);
  if (endpoint == NULL)
    return;
  /* Translators: the heading of the details: host and port */
  g_string_append_printf (text, _ ("%s, port %u"), endpoint->host, endpoint->port);
  if (result == NULL)
    {
      g_string_append_printf (text, " — %s", endpoint->running ? _ ("probing…") : _ ("cut short"));
      gtk_label_set_text (self->details_label, text->str);
      gtk_label_set_text (self->before_label, "—");
      gtk_label_set_text (self->after_label, "—");
      return;
    }
  if (result->connect_ms >= 0)
    g_string_append_printf (text, "\n%s %s (%u ms)", _ ("Connected to:"),
                            result->address ? result->address : endpoint->host,
                            (guint) result->connect_ms);
  if (result->banner != NULL)
    g_string_append_printf (text, "\n%s %u %s", _ ("Greeting:"), result->greeting_code,
                            result->banner);
  if (result->tls)
    {
      g_autofree char *until = result->certificate && result->certificate->not_after
                                 ? g_date_time_format (result->certificate->not_after, "%Y-%m-%d")
                                 : g_strdup ("?");

      g_string_append_printf (
        text, "\n%s %s · %s", _ ("TLS:"), result->tls_version ? result->tls_version : "?",
        result->certificate_errors == 0 ? _ ("the certificate is valid for this name")
                                        : _ ("the certificate is not valid"));
      g_string_append_printf (text, "\n%s %s", _ ("Certificate valid until:"), until);
    }
  problem = postaci_endpoint_describe_problem (endpoint);
  g_string_append_printf (
    text, "\n%s", problem ? problem : _ ("Usable: encrypted, a valid certificate, login offered"));
  gtk_label_set_text (self->details_label, text->str);
  before = join_lines (result->capabilities_before);
  after = join_lines (result->capabilities_after);
  gtk_label_set_text (self->before_label, before);
  gtk_label_set_text (self->after_label, after);
}

static void
endpoint_changed_cb (PostaciDiscovery *discovery, const PostaciEndpoint *endpoint,
                     PostaciDiscoveryDialog *self)
{
  rebuild_table (self);
  if (endpoint == self->selected)
    show_details (self);
}

/* ---------------------------------------------------------------- */
/* Running                                                          */
/* ---------------------------------------------------------------- */

static void
set_running (PostaciDiscoveryDialog *self, gboolean running)
{
  gtk_spinner_set_spinning (self->spinner, running);
  gtk_button_set_label (self->search_button, running ? _ ("_Stop") : _ ("_Search"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), !running && self->discovery != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->use_button), !running &&
                                                             self->recommendation != NULL &&
                                                             self->recommendation->host != NULL);
}

static void
show_label (GtkLabel *label, const char *text)
{
  gtk_label_set_text (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
run_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(PostaciDiscoveryDialog) self = user_data;
  PostaciRecommendation *rec = postaci_discovery_run_finish (POSTACI_DISCOVERY (object), result);
  g_autofree char       *head = NULL;

  if (POSTACI_DISCOVERY (object) != self->discovery)
    {
      /* A search replaced by a newer one. */
      postaci_recommendation_free (rec);
      return;
    }
  g_clear_pointer (&self->recommendation, postaci_recommendation_free);
  self->recommendation = rec;
  if (rec->host != NULL)
    {
      g_autofree char *auth =
        rec->auth && rec->auth[0] ? g_strjoinv (" ", rec->auth) : g_strdup ("—");

      /* Translators: “Recommended: smtp.example.com, port 465, SSL/TLS · login: PLAIN LOGIN” */
      head = g_strdup_printf (_ ("Recommended: %s, port %u, %s · login: %s"), rec->host, rec->port,
                              postaci_discovery_security_label (rec->security), auth);
    }
  else
    head = g_strdup (_ ("No usable server found"));
  show_label (self->recommendation_label, head);
  show_label (self->reason_label, rec->auth_detail ? rec->auth_detail : rec->reason);
  show_label (self->advice_label, rec->form_advice);
  if (rec->host != NULL && rec->status != POSTACI_DISCOVERY_FOUND)
    show_label (self->reason_label, rec->auth_detail ? rec->auth_detail : rec->reason);
  g_clear_object (&self->cancellable);
  set_running (self, FALSE);
  rebuild_table (self);
}

static void
start_search (PostaciDiscoveryDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostaciDiscovery) discovery = NULL;
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->query_entry));
  GtkWidget  *child;

  discovery = postaci_discovery_new (query, &error);
  if (discovery == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  if (self->ca_file != NULL && !postaci_discovery_set_ca_file (discovery, self->ca_file, &error))
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  postaci_discovery_set_form (discovery, self->form_host, self->form_port, self->form_security);

  if (self->discovery != NULL)
    g_signal_handlers_disconnect_by_data (self->discovery, self);
  g_set_object (&self->discovery, discovery);
  g_clear_pointer (&self->recommendation, postaci_recommendation_free);
  self->selected = NULL;
  g_hash_table_remove_all (self->source_rows);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sources_list))) != NULL)
    gtk_list_box_remove (self->sources_list, child);
  show_details (self);
  show_label (self->recommendation_label, NULL);
  show_label (self->reason_label, NULL);
  show_label (self->advice_label, NULL);
  adw_window_title_set_subtitle (self->window_title, query);

  g_signal_connect (discovery, "source-changed", G_CALLBACK (source_changed_cb), self);
  g_signal_connect (discovery, "endpoint-changed", G_CALLBACK (endpoint_changed_cb), self);
  self->cancellable = g_cancellable_new ();
  set_running (self, TRUE);
  rebuild_table (self);
  postaci_discovery_run_async (discovery, self->cancellable, run_cb, g_object_ref (self));
}

static void
search_clicked_cb (PostaciDiscoveryDialog *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else
    start_search (self);
}

static void
copy_clicked_cb (PostaciDiscoveryDialog *self)
{
  g_autofree char *transcript = NULL;

  if (self->discovery == NULL)
    return;
  transcript = postaci_discovery_get_transcript (self->discovery);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), transcript);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_ ("Transcript copied")));
}

static void
use_clicked_cb (PostaciDiscoveryDialog *self)
{
  if (self->recommendation == NULL || self->recommendation->host == NULL)
    return;
  g_signal_emit (self, signals[SIGNAL_USE_SETTINGS], 0, self->recommendation);
  gtk_window_close (GTK_WINDOW (self));
}

/* ---------------------------------------------------------------- */
/* Object                                                           */
/* ---------------------------------------------------------------- */

static gboolean
close_request_cb (GtkWindow *window)
{
  PostaciDiscoveryDialog *self = POSTACI_DISCOVERY_DIALOG (window);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  return FALSE;
}

static void
postaci_discovery_dialog_dispose (GObject *object)
{
  PostaciDiscoveryDialog *self = POSTACI_DISCOVERY_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->discovery != NULL)
    g_signal_handlers_disconnect_by_data (self->discovery, self);
  g_clear_object (&self->discovery);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), POSTACI_TYPE_DISCOVERY_DIALOG);
  G_OBJECT_CLASS (postaci_discovery_dialog_parent_class)->dispose (object);
}

static void
postaci_discovery_dialog_finalize (GObject *object)
{
  PostaciDiscoveryDialog *self = POSTACI_DISCOVERY_DIALOG (object);

  g_free (self->form_host);
  g_free (self->ca_file);
  g_clear_pointer (&self->recommendation, postaci_recommendation_free);
  g_hash_table_unref (self->source_rows);
  G_OBJECT_CLASS (postaci_discovery_dialog_parent_class)->finalize (object);
}

static void
postaci_discovery_dialog_class_init (PostaciDiscoveryDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = postaci_discovery_dialog_dispose;
  object_class->finalize = postaci_discovery_dialog_finalize;
  window_class->close_request = close_request_cb;

  signals[SIGNAL_USE_SETTINGS] =
    g_signal_new ("use-settings", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/postaci/Postaci/postaci-discovery-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, PostaciDiscoveryDialog, name)
  BIND (toast_overlay);
  BIND (window_title);
  BIND (copy_button);
  BIND (use_button);
  BIND (query_entry);
  BIND (search_button);
  BIND (spinner);
  BIND (recommendation_label);
  BIND (reason_label);
  BIND (advice_label);
  BIND (table);
  BIND (details_box);
  BIND (details_label);
  BIND (before_label);
  BIND (after_label);
  BIND (sources_list);
#undef BIND
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
postaci_discovery_dialog_init (PostaciDiscoveryDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  postaci_accessible_name_buttons_by_label (GTK_WIDGET (self));
  self->source_rows = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_signal_connect_swapped (self->search_button, "clicked", G_CALLBACK (search_clicked_cb), self);
  g_signal_connect_swapped (self->query_entry, "activate", G_CALLBACK (search_clicked_cb), self);
  g_signal_connect_swapped (self->copy_button, "clicked", G_CALLBACK (copy_clicked_cb), self);
  g_signal_connect_swapped (self->use_button, "clicked", G_CALLBACK (use_clicked_cb), self);
}

PostaciDiscoveryDialog *
postaci_discovery_dialog_new (GtkWindow *parent, const char *query, const char *host, guint port,
                              PostaciSecurity security, const char *ca_file)
{
  PostaciDiscoveryDialog *self =
    g_object_new (POSTACI_TYPE_DISCOVERY_DIALOG, "transient-for", parent, NULL);

  self->form_host = g_strdup (host);
  self->form_port = port;
  self->form_security = security;
  self->ca_file = ca_file != NULL && *ca_file != '\0' ? g_strdup (ca_file) : NULL;
  gtk_editable_set_text (GTK_EDITABLE (self->query_entry), query ? query : "");
  if (query != NULL && *query != '\0')
    start_search (self);
  return self;
}

PostaciDiscovery *
postaci_discovery_dialog_get_discovery (PostaciDiscoveryDialog *self)
{
  g_return_val_if_fail (POSTACI_IS_DISCOVERY_DIALOG (self), NULL);
  return self->discovery;
}

const PostaciRecommendation *
postaci_discovery_dialog_get_recommendation (PostaciDiscoveryDialog *self)
{
  g_return_val_if_fail (POSTACI_IS_DISCOVERY_DIALOG (self), NULL);
  return self->recommendation;
}
