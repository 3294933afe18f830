/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-window.c — the pages, the toasts and a run on the main loop, and what it meant.
 * The form is PostaciRequestForm, the actions are in postaci-window-actions.c, the verdict
 * card in postaci-verdict-panel.c. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "postaci-accessible.h"
#include "postaci-local-server-page.h"
#include "postaci-menu-button.h"
#include "postaci-request.h"
#include "postaci-window-private.h"

G_DEFINE_FINAL_TYPE (PostaciWindow, postaci_window, ADW_TYPE_APPLICATION_WINDOW)

void
_postaci_window_show_toast (PostaciWindow *self, const char *title)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

/* ---------------------------------------------------------------- */
/* The form and the Local Test Server                               */
/* ---------------------------------------------------------------- */

static void
local_server_changed_cb (PostaciWindow *self)
{
  postaci_request_form_local_server_changed (
    self->request_form, self->local_page != NULL
                          ? postaci_local_server_page_get_failure_label (self->local_page)
                          : NULL);
  /* The verdict's offer to turn the server on is done once it runs. */
  if (postaci_local_server_is_running (self->local_server))
    postaci_verdict_panel_local_server_started (self->verdict_panel);
}

static void
use_local_server_cb (PostaciWindow *self)
{
  if (self->cancellable != NULL)
    return;
  /* The filled form, in sight, says what happened. */
  postaci_request_form_fill_for_local_server (self->request_form);
  adw_view_stack_set_visible_child_name (self->view_stack, "test");
}

gboolean
_postaci_window_start_local_server (PostaciWindow *self)
{
  g_clear_error (&self->local_error);
  postaci_local_server_start_on_last_ports (self->local_server, &self->local_error);
  if (self->local_page != NULL)
    postaci_local_server_page_show_start_error (self->local_page, self->local_error);
  return self->local_error == NULL;
}

/* The page is built the first time it is shown, not with the window: most starts never
 * show it, and its list, rows and columns would cost the first frame ~20 ms (bench/). */
static PostaciLocalServerPage *
ensure_local_page (PostaciWindow *self)
{
  if (self->local_page != NULL)
    return self->local_page;
  self->local_page = POSTACI_LOCAL_SERVER_PAGE (postaci_local_server_page_new (self->local_server));
  postaci_local_server_page_show_start_error (self->local_page, self->local_error);
  postaci_local_server_page_set_form_busy (self->local_page, self->cancellable != NULL);
  postaci_local_server_page_set_narrow (self->local_page, postaci_window_get_narrow (self));
  g_signal_connect_swapped (self->local_page, "use-in-form", G_CALLBACK (use_local_server_cb),
                            self);
  g_signal_connect_swapped (self->local_page, "notify::failure",
                            G_CALLBACK (local_server_changed_cb), self);
  adw_bin_set_child (self->local_bin, GTK_WIDGET (self->local_page));
  /* Use in the Form: read without the underline, as the window's own buttons are. */
  postaci_accessible_name_buttons_by_label (GTK_WIDGET (self->local_page));
  return self->local_page;
}

static void
visible_page_cb (PostaciWindow *self)
{
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "local-server") == 0)
    ensure_local_page (self);
}

PostaciLocalServer *
postaci_window_get_local_server (PostaciWindow *self)
{
  g_return_val_if_fail (POSTACI_IS_WINDOW (self), NULL);
  return self->local_server;
}

GtkWidget *
postaci_window_get_local_server_page (PostaciWindow *self)
{
  g_return_val_if_fail (POSTACI_IS_WINDOW (self), NULL);
  return GTK_WIDGET (ensure_local_page (self));
}

/* "How far to go" is remembered across starts: when it is not all the way, it says so under
 * the button. */
static void
stop_notice_cb (PostaciWindow *self)
{
  const char *notice = postaci_request_form_get_stop_notice (self->request_form);

  gtk_label_set_text (self->stop_notice, notice != NULL ? notice : "");
  gtk_widget_set_visible (GTK_WIDGET (self->stop_notice), notice != NULL);
}

/* ---------------------------------------------------------------- */
/* The window's size (the form remembers itself)                    */
/* ---------------------------------------------------------------- */

static void
load_window_state (PostaciWindow *self)
{
  if (self->settings == NULL)
    return;
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  self->wide_position = g_settings_get_int (self->settings, "paned-position");
  gtk_paned_set_position (self->paned, self->wide_position);
}

static void
save_window_state (PostaciWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_set_int (self->settings, "paned-position",
                      postaci_window_get_narrow (self) ? self->wide_position
                                                       : gtk_paned_get_position (self->paned));
  g_settings_apply (self->settings);
}

/* ---------------------------------------------------------------- */
/* A run                                                            */
/* ---------------------------------------------------------------- */

static void
set_running (PostaciWindow *self, gboolean running)
{
  GtkWidget *button = GTK_WIDGET (self->test_button);

  gtk_button_set_label (self->test_button, running ? _ ("_Cancel") : _ ("_Test SMTP"));
  gtk_widget_set_tooltip_text (button, running ? _ ("Cancel the run (Escape)")
                                               : _ ("Test SMTP (Ctrl+Enter)"));
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
   * focus. The Cancel button holds it meanwhile (Enter or Space cancels); the field gets it
   * back. */
  if (running)
    {
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->request_form)))
        {
          g_set_weak_pointer (&self->focus_before_run, focus);
          gtk_widget_grab_focus (button);
        }
    }

  /* The form stays readable but cannot change under a run, not even from the server page. */
  if (self->local_page != NULL)
    postaci_local_server_page_set_form_busy (self->local_page, running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->request_form), !running);

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
      g_autofree char      *subtitle = NULL;
      g_autofree char      *title = NULL;

      g_autofree char *host = postaci_request_get_host_for_tls (request);
      guint            port = postaci_request_get_port (request);
      g_autofree char *address = strchr (host, ':') != NULL
                                   ? g_strdup_printf ("[%s]:%u", host, port)
                                   : g_strdup_printf ("%s:%u", host, port);

      /* Translators: the window subtitle during a run, “Testing smtp.example.com:587…” */
      subtitle = g_strdup_printf (_ ("Testing %s…"), address);
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

  return self->outcome->verdict == POSTACI_VERDICT_NETWORK &&
         !postaci_local_server_is_running (self->local_server) &&
         postaci_request_form_is_local_address (self->request_form, request->server,
                                                postaci_request_get_port (request));
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
  g_autoptr(PostaciSession) session = NULL;
  g_autoptr(GError) error = NULL;

  if (self->cancellable != NULL)
    return;

  postaci_request_form_clear_invalid (self->request_form);
  request = postaci_request_form_build_request (self->request_form, &error);
  /* The message's files are opened now: one gone or unreadable is marked in the form, before
   * anything is sent, like any other field. */
  if (request != NULL)
    {
      session = postaci_session_new (request);
      if (!postaci_session_prepare (session, &error))
        g_clear_pointer (&request, postaci_request_free);
    }
  if (request == NULL)
    {
      /* The last run's verdict is not this press's answer: only the marked field is. */
      postaci_verdict_panel_hide (self->verdict_panel);
      postaci_stage_bar_reset (self->stage_bar);
      postaci_request_form_mark_invalid (self->request_form, error);
      return;
    }
  postaci_request_form_save (self->request_form);

  clear_run (self);
  drop_cleared_run (self);
  gtk_widget_set_visible (self->empty_page, FALSE);
  postaci_stage_bar_set_tls_first (
    self->stage_bar, postaci_request_get_effective_security (request) == POSTACI_SECURITY_TLS);

  self->session = g_steal_pointer (&session);
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

  self->clear_toast = g_object_ref (adw_toast_new (_ ("Transcript cleared")));
  adw_toast_set_button_label (self->clear_toast, _ ("_Undo"));
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
  postaci_stage_bar_set_tls_first (
    self->stage_bar, postaci_request_get_effective_security (
                       postaci_session_get_request (self->session)) == POSTACI_SECURITY_TLS);
  for (guint i = 0; i < events->len; i++)
    session_event_cb (self->session, events->pdata[i], self);
  gtk_widget_set_visible (self->empty_page, FALSE);
  if (self->outcome != NULL)
    {
      postaci_stage_bar_finish (self->stage_bar, self->outcome->verdict, self->outcome->stage);
      postaci_transcript_view_append_outcome (self->transcript_view, self->outcome);
      postaci_verdict_panel_show (self->verdict_panel, self->outcome,
                                  run_missed_local_server (self));
    }
  _postaci_window_update_actions (self);
}

/* ---------------------------------------------------------------- */
/* Prefill from the command line                                    */
/* ---------------------------------------------------------------- */

gboolean
postaci_window_prefill (PostaciWindow *self, GVariantDict *options, GError **error)
{
  const char     *name = NULL;
  PostaciProfile *profile = NULL;

  g_return_val_if_fail (POSTACI_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  /* The form of a running test is what the transcript is about: it is not changed under it. */
  if (postaci_window_is_running (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _ ("A test is running in the open window, so its form was left as it "
                              "is. Try again when the test has ended."));
      return FALSE;
    }
  if (!postaci_request_form_check_options (self->request_form, options, error))
    return FALSE;
  if (g_variant_dict_lookup (options, "profile", "&s", &name))
    {
      PostaciApplication *application =
        POSTACI_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

      profile = postaci_profile_store_lookup (postaci_application_get_profiles (application), name);
      if (profile == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("There is no saved server named “%s”."), name);
          return FALSE;
        }
      /* The saved server first, the options over it, as postaci-cli does; a password given
       * on the command line is not replaced by the keyring's. */
      postaci_profile_button_choose (self->profile_button, profile,
                                     !g_variant_dict_contains (options, "password"));
    }
  return postaci_request_form_apply_options (self->request_form, options, error);
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

static gboolean
postaci_window_close_request (GtkWindow *window)
{
  PostaciWindow  *self = POSTACI_WINDOW (window);
  GtkWindowClass *parent_class = GTK_WINDOW_CLASS (postaci_window_parent_class);

  postaci_request_form_save (self->request_form);
  save_window_state (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  postaci_local_server_stop (self->local_server);
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
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), POSTACI_TYPE_WINDOW);
  self->local_page = NULL; /* the bin's, gone with the template */
  if (self->local_server != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->local_server, self);
      postaci_local_server_stop (self->local_server);
    }
  g_clear_object (&self->local_server);
  g_clear_error (&self->local_error);
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
  if (self->local_page != NULL)
    postaci_local_server_page_set_narrow (self->local_page, narrow);
  postaci_profile_button_set_narrow (self->profile_button, narrow);
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
  gboolean       narrow = width < NARROW_WIDTH;

  GTK_WIDGET_CLASS (postaci_window_parent_class)->size_allocate (widget, width, height, baseline);
  if (!narrow &&
      gtk_orientable_get_orientation (GTK_ORIENTABLE (self->paned)) == GTK_ORIENTATION_HORIZONTAL)
    self->wide_position = gtk_paned_get_position (self->paned);
  if (narrow != (gtk_orientable_get_orientation (GTK_ORIENTABLE (self->paned)) ==
                 GTK_ORIENTATION_VERTICAL) &&
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
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = postaci_window_dispose;
  widget_class->size_allocate = postaci_window_size_allocate;
  window_class->close_request = postaci_window_close_request;

  g_type_ensure (POSTACI_TYPE_STAGE_BAR);
  g_type_ensure (POSTACI_TYPE_TRANSCRIPT_VIEW);
  g_type_ensure (POSTACI_TYPE_REQUEST_FORM);
  g_type_ensure (POSTACI_TYPE_PROFILE_BUTTON);
  g_type_ensure (POSTACI_TYPE_VERDICT_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postaci/Postaci/postaci-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, PostaciWindow, name)
  BIND (toast_overlay);
  BIND (view_switcher);
  BIND (main_menu_button);
  BIND (primary_menu);
  BIND (report_button);
  BIND (report_menu);
  BIND (profile_button);
  BIND (run_label);
  BIND (view_stack);
  BIND (local_bin);
  BIND (paned);
  BIND (form_scroller);
  BIND (request_form);
  BIND (test_button);
  BIND (stop_notice);
  BIND (stage_bar);
  BIND (transcript_view);
  BIND (empty_page);
  BIND (verdict_panel);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, test_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, visible_page_cb);
  _postaci_window_class_actions_init (klass);
}

static void
postaci_window_init (PostaciWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->wide_position = gtk_paned_get_position (self->paned);
  postaci_menu_button_set_menu_on_demand (self->main_menu_button, self->primary_menu);
  postaci_menu_button_set_menu_on_demand (self->report_button, self->report_menu);
  _postaci_window_add_shortcuts_action (self);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->test_button));
  self->local_server = postaci_local_server_new ();
  postaci_request_form_set_local_server (self->request_form, self->local_server);
  g_signal_connect_swapped (self->local_server, "notify::running",
                            G_CALLBACK (local_server_changed_cb), self);
  g_signal_connect_swapped (self->request_form, "notify::stop-notice", G_CALLBACK (stop_notice_cb),
                            self);
  /* Test SMTP: read without the underline. */
  postaci_accessible_name_buttons_by_label (GTK_WIDGET (self));

  /* The window opens in the form, not on the view switcher: type the server, press Enter. */
  gtk_widget_grab_focus (GTK_WIDGET (self->request_form));
}

/* Whether a server of the person's own is remembered (the Local Test Server's never is). */
static gboolean
has_own_server (PostaciWindow *self)
{
  g_autofree char *server = NULL;

  if (self->settings == NULL)
    return FALSE;
  server = g_settings_get_string (self->settings, "server");
  return *server != '\0';
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
  load_window_state (self);
  postaci_request_form_bind_settings (self->request_form, self->settings);
  postaci_profile_button_setup (self->profile_button,
                                postaci_application_get_profiles (application), self->request_form);
  /* A first start (no server of one's own yet): the Local Test Server runs and the form points
   * at it, so the first Test SMTP succeeds. A server that cannot start says why on its page. */
  if (first_start && !has_own_server (self) && _postaci_window_start_local_server (self))
    postaci_request_form_fill_for_local_server (self->request_form);
  _postaci_window_update_actions (self);
  stop_notice_cb (self);
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
