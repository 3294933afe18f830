/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-profile-button.c — saved servers in the header bar, as GNOME apps keep accounts: a
 * menu to switch between them, save, rename, duplicate and delete (with Undo), export and import
 * them for a team; passwords go to the keyring through postaci-keyring.c and nowhere else. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "postaci-keyring.h"
#include "postaci-menu-button.h"
#include "postaci-profile-button.h"
#include "postaci-save-dialog.h"

struct _PostaciProfileButton
{
  AdwBin parent_instance;

  GtkMenuButton        *button;
  GMenu                *servers; /* the menu's first section: one item per saved server */
  PostaciProfileStore  *store;
  PostaciRequestForm   *form;        /* weak: the window's form */
  PostaciProfile       *current;     /* the server chosen, or NULL */
  GCancellable         *cancellable; /* keyring calls; cancelled when the button goes */
  GtkFileChooserNative *chooser;     /* the open Export or Import dialog */
  gboolean              choosing;    /* the form is being filled: its switch is not a request */
  gboolean              narrow;      /* an icon, not the name: the page switcher needs the room */
  gboolean password_unsaved;         /* edited since the keyring got it: Save Changes keeps it */
};

G_DEFINE_FINAL_TYPE (PostaciProfileButton, postaci_profile_button, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_CURRENT_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_toast (PostaciProfileButton *self, AdwToast *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
say (PostaciProfileButton *self, const char *text)
{
  show_toast (self, adw_toast_new (text));
}

/* The keyring said no: the form keeps working, the password is only not remembered. */
static void
say_keyring_failed (PostaciProfileButton *self, const GError *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, POSTACI_KEYRING_ERROR, POSTACI_KEYRING_ERROR_UNAVAILABLE))
    text = g_strdup (_ ("No keyring is available, so the password is not remembered. "
                        "Everything else works as before."));
  else
    /* Translators: %s is the keyring's own explanation */
    text = g_strdup_printf (_ ("The keyring refused the password, so it is not remembered: %s"),
                            error->message);
  say (self, text);
}

static gboolean
save_store (PostaciProfileButton *self)
{
  g_autoptr(GError) error = NULL;

  if (postaci_profile_store_save (self->store, &error))
    return TRUE;
  {
    /* Translators: %s says why the file of saved servers could not be written */
    g_autofree char *text = g_strdup_printf (_ ("Could not save the servers: %s"), error->message);

    say (self, text);
  }
  return FALSE;
}

/* ---------------------------------------------------------------- */
/* The menu                                                         */
/* ---------------------------------------------------------------- */

static void
update_menu (PostaciProfileButton *self)
{
  guint    n = self->store != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->store)) : 0;
  gboolean have_current = self->current != NULL;

  g_menu_remove_all (self->servers);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PostaciProfile) profile = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      /* A name's own "_" is no access key. */
      g_auto(GStrv) parts = g_strsplit (postaci_profile_get_name (profile), "_", -1);
      g_autofree char *label = g_strjoinv ("__", parts);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      /* A radio item: the property action marks the chosen one. */
      g_menu_item_set_action_and_target_value (
        item, "profile.current", g_variant_new_string (postaci_profile_get_id (profile)));
      g_menu_append_item (self->servers, item);
    }
  gtk_menu_button_set_always_show_arrow (self->button, !self->narrow);
  if (self->narrow)
    gtk_menu_button_set_icon_name (self->button, "view-list-symbolic");
  else
    gtk_menu_button_set_label (self->button, have_current ? postaci_profile_get_name (self->current)
                                                          : _ ("Saved Servers"));
  /* Narrow, the button is an icon, which a screen reader reads as "GtkMenuButton"; wide, a
   * server's name alone would not say what the button is for. */
  {
    /* Translators: the screen reader's name of the header's button; %s is the chosen server */
    g_autofree char *name =
      have_current
        ? g_strdup_printf (_ ("Saved Servers: %s"), postaci_profile_get_name (self->current))
        : g_strdup (_ ("Saved Servers"));

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    name, -1);
  }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.save", have_current);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.rename", have_current);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.duplicate", have_current);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.delete", have_current);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.export", n > 0);
  if (self->form != NULL)
    postaci_request_form_set_saved_server (
      self->form, have_current ? postaci_profile_get_name (self->current) : NULL,
      have_current && self->password_unsaved);
}

static void
set_current (PostaciProfileButton *self, PostaciProfile *profile)
{
  /* Another server (or none): its password is the keyring's, or not remembered at all. */
  if (profile != self->current)
    self->password_unsaved = FALSE;
  if (g_set_object (&self->current, profile))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ID]);
  update_menu (self);
}

/* ---------------------------------------------------------------- */
/* Choosing a server, and its password                              */
/* ---------------------------------------------------------------- */

typedef struct
{
  PostaciProfileButton *self;
  PostaciProfile       *profile;
} KeyringCall;

static KeyringCall *
keyring_call_new (PostaciProfileButton *self, PostaciProfile *profile)
{
  KeyringCall *call = g_new (KeyringCall, 1);

  call->self = g_object_ref (self);
  call->profile = g_object_ref (profile);
  return call;
}

static void
keyring_call_free (KeyringCall *call)
{
  g_object_unref (call->self);
  g_object_unref (call->profile);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeyringCall, keyring_call_free)

static void
lookup_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(KeyringCall) call = user_data;
  g_autoptr(GError) error = NULL;
  char *password = postaci_keyring_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    say_keyring_failed (call->self, error);
  /* Only if the person is still on that server, and typed no password meanwhile. */
  else if (password != NULL && call->self->current == call->profile && call->self->form != NULL &&
           postaci_request_form_get_password (call->self->form) == NULL)
    {
      /* The keyring's own password: nothing to save. */
      call->self->choosing = TRUE;
      postaci_request_form_set_password (call->self->form, password);
      call->self->choosing = FALSE;
    }
  postaci_keyring_password_free (password);
}

void
postaci_profile_button_choose (PostaciProfileButton *self, PostaciProfile *profile,
                               gboolean with_password)
{
  g_return_if_fail (POSTACI_IS_PROFILE_BUTTON (self));
  g_return_if_fail (POSTACI_IS_PROFILE (profile));
  g_return_if_fail (self->form != NULL);

  self->choosing = TRUE;
  postaci_request_form_set_request (self->form, postaci_profile_get_request (profile));
  g_object_set (self->form, "remember-password", postaci_profile_get_remember_password (profile),
                NULL);
  self->choosing = FALSE;
  /* The form is the saved server again, even if it was already the chosen one. */
  self->password_unsaved = FALSE;
  set_current (self, profile);
  if (with_password && postaci_profile_get_remember_password (profile))
    postaci_keyring_lookup_async (profile, self->cancellable, lookup_cb,
                                  keyring_call_new (self, profile));
}

void
postaci_profile_button_set_narrow (PostaciProfileButton *self, gboolean narrow)
{
  g_return_if_fail (POSTACI_IS_PROFILE_BUTTON (self));

  self->narrow = narrow;
  update_menu (self);
}

PostaciProfile *
postaci_profile_button_get_current (PostaciProfileButton *self)
{
  g_return_val_if_fail (POSTACI_IS_PROFILE_BUTTON (self), NULL);
  return self->current;
}

static void
store_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(KeyringCall) call = user_data;
  g_autoptr(GError) error = NULL;

  if (postaci_keyring_store_finish (result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  say_keyring_failed (call->self, error);
  /* Not remembered after all: the switch says so, and the saved server too. */
  postaci_profile_set_remember_password (call->profile, FALSE);
  save_store (call->self);
  if (call->self->current == call->profile && call->self->form != NULL)
    {
      call->self->choosing = TRUE;
      g_object_set (call->self->form, "remember-password", FALSE, NULL);
      call->self->choosing = FALSE;
    }
}

static void
clear_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  /* Nothing to forget is no error; a keyring that is gone keeps nothing either. */
  if (!postaci_keyring_clear_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, POSTACI_KEYRING_ERROR, POSTACI_KEYRING_ERROR_UNAVAILABLE))
    g_warning ("The keyring did not forget a password: %s", error->message);
}

/* The form's password into the keyring for @profile when it is to be remembered, else out of
 * it. An empty field replaces nothing stored before (the keyring may not have answered yet),
 * unless the person emptied it: then the keyring forgets the password too. */
static void
keep_password (PostaciProfileButton *self, PostaciProfile *profile)
{
  const char *password = postaci_request_form_get_password (self->form);
  gboolean    emptied = profile == self->current && self->password_unsaved && password == NULL;

  if (!postaci_profile_get_remember_password (profile) || emptied)
    postaci_keyring_clear_async (profile, self->cancellable, clear_cb, NULL);
  else if (password != NULL)
    postaci_keyring_store_async (profile, password, self->cancellable, store_cb,
                                 keyring_call_new (self, profile));
  if (profile == self->current && self->password_unsaved)
    {
      self->password_unsaved = FALSE;
      update_menu (self);
    }
}

/* A password typed for a server whose password is remembered goes to the keyring with "Save
 * Changes", as every other field goes to the saved server; until then the switch's row says
 * that the keyring still holds the one before (tests/gui/test-profiles.c). */
static void
password_changed_cb (PostaciProfileButton *self)
{
  gboolean remember = FALSE;

  if (self->choosing || self->current == NULL || self->password_unsaved)
    return;
  g_object_get (self->form, "remember-password", &remember, NULL);
  if (!remember)
    return;
  self->password_unsaved = TRUE;
  update_menu (self);
}

static void
remember_changed_cb (PostaciProfileButton *self)
{
  gboolean remember = FALSE;

  if (self->choosing || self->current == NULL)
    return;
  g_object_get (self->form, "remember-password", &remember, NULL);
  postaci_profile_set_remember_password (self->current, remember);
  if (save_store (self))
    keep_password (self, self->current);
}

/* ---------------------------------------------------------------- */
/* Save as, save, rename, duplicate, delete                         */
/* ---------------------------------------------------------------- */

/* The form as a saved server's settings; a port that is no port is marked at the field. */
static PostaciRequest *
form_settings (PostaciProfileButton *self)
{
  g_autoptr(GError) error = NULL;
  PostaciRequest *request = postaci_request_form_get_settings (self->form, &error);

  if (request == NULL)
    postaci_request_form_mark_invalid (self->form, error);
  return request;
}

typedef void (*NameChosen) (PostaciProfileButton *self, const char *name);

static void
name_response_cb (AdwMessageDialog *dialog, const char *response, PostaciProfileButton *self)
{
  NameChosen       chosen = g_object_get_data (G_OBJECT (dialog), "postaci-name-chosen");
  GtkEditable     *entry = g_object_get_data (G_OBJECT (dialog), "postaci-name-entry");
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (g_strcmp0 (response, "save") == 0)
    chosen (self, name);
}

static void
name_changed_cb (GtkEditable *entry, AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "save",
                                           postaci_profile_name_is_valid (name, NULL));
}

/* Asks for a name (@initial typed in), then calls @chosen with it. */
static void
ask_name (PostaciProfileButton *self, const char *heading, const char *initial, const char *button,
          NameChosen chosen)
{
  GtkWidget *dialog =
    adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading, NULL);
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), initial);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Name"),
                                  -1);
  adw_message_dialog_set_body (
    ADW_MESSAGE_DIALOG (dialog),
    _ ("A name to find this server by, such as a customer’s and its mail "
       "system’s. The password is never saved with it."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "save",
                                    button, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "postaci-name-chosen", chosen);
  g_object_set_data (G_OBJECT (dialog), "postaci-name-entry", entry);
  g_signal_connect (entry, "changed", G_CALLBACK (name_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (name_response_cb), self, 0);
  name_changed_cb (GTK_EDITABLE (entry), ADW_MESSAGE_DIALOG (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
say_error (PostaciProfileButton *self, const GError *error)
{
  say (self, error->message);
}

static void
save_as_chosen (PostaciProfileButton *self, const char *name)
{
  g_autoptr(PostaciRequest) request = form_settings (self);
  g_autoptr(PostaciProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  gboolean remember = FALSE;

  if (request == NULL)
    return;
  profile = postaci_profile_new (name, request);
  g_object_get (self->form, "remember-password", &remember, NULL);
  postaci_profile_set_remember_password (profile, remember);
  if (!postaci_profile_store_add (self->store, profile, &error))
    {
      say_error (self, error);
      return;
    }
  if (!save_store (self))
    return;
  set_current (self, profile);
  keep_password (self, profile);
  {
    /* Translators: %s is the name of the server just saved */
    g_autofree char *text = g_strdup_printf (_ ("Saved as “%s”"), name);

    say (self, text);
  }
}

static void
save_as_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciProfileButton *self = POSTACI_PROFILE_BUTTON (widget);
  g_autoptr(PostaciRequest) request = form_settings (self);
  g_autofree char *initial = NULL;

  if (request == NULL)
    return;
  /* The server's name as a start: most people name a saved server after it. */
  initial =
    postaci_profile_store_unique_name (self->store, request->server != NULL ? request->server : "");
  ask_name (self, _ ("Save as Server"), *request->server != '\0' ? initial : "", _ ("_Save"),
            save_as_chosen);
}

static void
save_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciProfileButton *self = POSTACI_PROFILE_BUTTON (widget);
  g_autoptr(PostaciRequest) request = form_settings (self);

  if (request == NULL || self->current == NULL)
    return;
  postaci_profile_set_request (self->current, request);
  if (!save_store (self))
    return;
  keep_password (self, self->current);
  {
    /* Translators: %s is the name of a saved server */
    g_autofree char *text =
      g_strdup_printf (_ ("Changes saved to “%s”"), postaci_profile_get_name (self->current));

    say (self, text);
  }
}

static void
rename_chosen (PostaciProfileButton *self, const char *name)
{
  g_autoptr(GError) error = NULL;

  if (self->current == NULL)
    return;
  if (!postaci_profile_store_rename (self->store, self->current, name, &error))
    {
      say_error (self, error);
      return;
    }
  save_store (self);
  update_menu (self);
}

static void
rename_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciProfileButton *self = POSTACI_PROFILE_BUTTON (widget);

  if (self->current != NULL)
    ask_name (self, _ ("Rename Server"), postaci_profile_get_name (self->current), _ ("_Rename"),
              rename_chosen);
}

static void
duplicate_lookup_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(KeyringCall) call = user_data;
  g_autoptr(GError) error = NULL;
  char *password = postaci_keyring_lookup_finish (result, &error);

  /* The copy's own entry: deleting one server keeps the other's password. */
  if (password != NULL)
    postaci_keyring_store_async (call->profile, password, call->self->cancellable, store_cb,
                                 keyring_call_new (call->self, call->profile));
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    say_keyring_failed (call->self, error);
  postaci_keyring_password_free (password);
}

static void
duplicate_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciProfileButton *self = POSTACI_PROFILE_BUTTON (widget);
  g_autofree char      *name = NULL;
  g_autoptr(PostaciProfile) copy = NULL;
  g_autoptr(GError) error = NULL;
  PostaciProfile *original = self->current;

  if (original == NULL)
    return;
  name = postaci_profile_store_unique_name (self->store, postaci_profile_get_name (original));
  copy = postaci_profile_duplicate (original, name);
  postaci_profile_set_remember_password (copy, postaci_profile_get_remember_password (original));
  if (!postaci_profile_store_add (self->store, copy, &error))
    {
      say_error (self, error);
      return;
    }
  if (!save_store (self))
    return;
  if (postaci_profile_get_remember_password (original))
    postaci_keyring_lookup_async (original, self->cancellable, duplicate_lookup_cb,
                                  keyring_call_new (self, copy));
  set_current (self, copy);
  {
    /* Translators: %s is the name of the copy, such as “Acme (2)” */
    g_autofree char *text = g_strdup_printf (_ ("Duplicated as “%s”"), name);

    say (self, text);
  }
}

#define DELETED_PASSWORD "postaci-deleted-password"

/* Delete's Undo: the server back, with its id and the password the keyring gave up. */
static void
undo_delete_cb (AdwToast *toast, PostaciProfileButton *self)
{
  PostaciProfile *profile = g_object_get_data (G_OBJECT (toast), "postaci-profile");
  const char     *password = g_object_get_data (G_OBJECT (profile), DELETED_PASSWORD);
  g_autoptr(GError) error = NULL;

  if (!postaci_profile_store_add (self->store, profile, &error))
    {
      say_error (self, error);
      return;
    }
  save_store (self);
  if (password != NULL)
    postaci_keyring_store_async (profile, password, self->cancellable, store_cb,
                                 keyring_call_new (self, profile));
  g_object_set_data (G_OBJECT (profile), DELETED_PASSWORD, NULL);
  postaci_profile_button_choose (self, profile, TRUE);
}

/* A deleted server's password leaves the keyring at once; it is kept in memory only while
 * the toast can still undo the delete. */
static void
delete_lookup_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(KeyringCall) call = user_data;
  g_autoptr(GError) error = NULL;
  char *password = postaci_keyring_lookup_finish (result, &error);

  /* Undone before the keyring answered: the password stays where it is. */
  if (postaci_profile_store_lookup_id (call->self->store, postaci_profile_get_id (call->profile)) !=
      NULL)
    {
      postaci_keyring_password_free (password);
      return;
    }
  if (password != NULL)
    g_object_set_data_full (G_OBJECT (call->profile), DELETED_PASSWORD, password,
                            (GDestroyNotify) postaci_keyring_password_free);
  if (error == NULL || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    postaci_keyring_clear_async (call->profile, NULL, clear_cb, NULL);
}

static void
delete_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciProfileButton *self = POSTACI_PROFILE_BUTTON (widget);
  g_autoptr(PostaciProfile) profile = NULL;
  g_autofree char *text = NULL;
  AdwToast        *toast;

  if (self->current == NULL)
    return;
  profile = g_object_ref (self->current);
  postaci_profile_store_remove (self->store, profile);
  if (!save_store (self))
    return;
  set_current (self, NULL);

  /* Translators: %s is the name of the server deleted */
  text = g_strdup_printf (_ ("“%s” deleted"), postaci_profile_get_name (profile));
  toast = adw_toast_new (text);
  adw_toast_set_button_label (toast, _ ("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "postaci-profile", g_object_ref (profile),
                          g_object_unref);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_delete_cb), self, 0);
  show_toast (self, toast);
  if (postaci_profile_get_remember_password (profile))
    postaci_keyring_lookup_async (profile, self->cancellable, delete_lookup_cb,
                                  keyring_call_new (self, profile));
}

/* ---------------------------------------------------------------- */
/* Export and import, to share a customer list with a team          */
/* ---------------------------------------------------------------- */

/* A file that could not be written or read: its reason stays on screen until it is read. */
static void
say_file_failed (PostaciProfileButton *self, const char *heading, const GError *error)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading, error->message));
  adw_message_dialog_add_response (dialog, "close", _ ("_Close"));
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A file the chooser gave that has no local path (a portal's document, a remote place). */
static char *
local_path (PostaciProfileButton *self, GFile *file, const char *heading)
{
  char *path = g_file_get_path (file);

  if (path == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                      _ ("Choose a file on this computer."));

      say_file_failed (self, heading, error);
    }
  return path;
}

/* Export (@import FALSE) or import @file, and say how it went. */
static void
exchange_file (PostaciProfileButton *self, GFile *file, gboolean import)
{
  const char *heading =
    import ? _ ("Could Not Import the Saved Servers") : _ ("Could Not Export the Saved Servers");
  g_autofree char *path = local_path (self, file, heading);
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  int n;

  if (path == NULL)
    return;
  if (import)
    n = postaci_profile_store_import (self->store, path, &error);
  else
    n = postaci_profile_store_export (self->store, path, &error)
          ? (int) g_list_model_get_n_items (G_LIST_MODEL (self->store))
          : -1;
  if (n < 0)
    {
      say_file_failed (self, heading, error);
      return;
    }
  if (import && !save_store (self))
    return;
  name = g_filename_display_basename (path);
  if (!import)
    /* Translators: %d is how many saved servers, %s the file's name */
    text = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%d saved server exported to “%s”. Passwords are not included.",
                   "%d saved servers exported to “%s”. Passwords are not included.", (gulong) n),
      n, name);
  else if (n == 0)
    /* Translators: %s is the file's name */
    text = g_strdup_printf (_ ("“%s” holds no saved servers."), name);
  else
    /* Translators: %d is how many saved servers, %s the file's name */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%d saved server imported from “%s”. Passwords are not "
                                         "included: type it once and choose Save Changes.",
                                         "%d saved servers imported from “%s”. Passwords are not "
                                         "included: type each once and choose Save Changes.",
                                         (gulong) n),
                            n, name);
  say (self, text);
}

void
postaci_profile_button_export (PostaciProfileButton *self, GFile *file)
{
  g_return_if_fail (POSTACI_IS_PROFILE_BUTTON (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->store != NULL);
  exchange_file (self, file, FALSE);
}

void
postaci_profile_button_import (PostaciProfileButton *self, GFile *file)
{
  g_return_if_fail (POSTACI_IS_PROFILE_BUTTON (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->store != NULL);
  exchange_file (self, file, TRUE);
}

static void
file_response_cb (GtkNativeDialog *dialog, int response, PostaciProfileButton *self)
{
  gboolean import = g_object_get_data (G_OBJECT (dialog), "postaci-import") != NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (import)
        postaci_profile_button_import (self, file);
      else
        postaci_profile_button_export (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
show_chooser (PostaciProfileButton *self, GtkFileChooserNative *chooser, gboolean import)
{
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  self->chooser = chooser;
  g_object_set_data (G_OBJECT (chooser), "postaci-import", GINT_TO_POINTER (import));
  g_signal_connect (chooser, "response", G_CALLBACK (file_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciProfileButton *self = POSTACI_PROFILE_BUTTON (widget);
  GtkWindow            *parent = GTK_WINDOW (gtk_widget_get_root (widget));

  show_chooser (self,
                postaci_save_dialog_new (parent, _ ("Export Saved Servers"), "postaci-servers.ini",
                                         _ ("Saved servers"), "text/plain", "*.ini"),
                FALSE);
}

static void
import_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  PostaciProfileButton *self = POSTACI_PROFILE_BUTTON (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GFile) folder = postaci_save_dialog_get_default_folder ();
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (
    _ ("Import Saved Servers"), GTK_WINDOW (gtk_widget_get_root (widget)),
    GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Import"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _ ("Saved servers"));
  gtk_file_filter_add_pattern (filter, "*.ini");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  show_chooser (self, chooser, TRUE);
}

/* ---------------------------------------------------------------- */
/* GObject and GtkWidget                                            */
/* ---------------------------------------------------------------- */

void
postaci_profile_button_setup (PostaciProfileButton *self, PostaciProfileStore *store,
                              PostaciRequestForm *form)
{
  g_return_if_fail (POSTACI_IS_PROFILE_BUTTON (self));
  g_return_if_fail (POSTACI_IS_PROFILE_STORE (store));
  g_return_if_fail (POSTACI_IS_REQUEST_FORM (form));
  g_return_if_fail (self->store == NULL);

  self->store = g_object_ref (store);
  g_set_weak_pointer (&self->form, form);
  g_signal_connect_object (store, "items-changed", G_CALLBACK (update_menu), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (form, "notify::remember-password", G_CALLBACK (remember_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (form, "password-changed", G_CALLBACK (password_changed_cb), self,
                           G_CONNECT_SWAPPED);
  update_menu (self);
}

static void
postaci_profile_button_get_property (GObject *object, guint prop_id, GValue *value,
                                     GParamSpec *pspec)
{
  PostaciProfileButton *self = POSTACI_PROFILE_BUTTON (object);

  switch (prop_id)
    {
    case PROP_CURRENT_ID:
      g_value_set_string (value,
                          self->current != NULL ? postaci_profile_get_id (self->current) : "");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* "profile.current" with a server's id: the menu's radio items choose it. */
static void
postaci_profile_button_set_property (GObject *object, guint prop_id, const GValue *value,
                                     GParamSpec *pspec)
{
  PostaciProfileButton *self = POSTACI_PROFILE_BUTTON (object);
  PostaciProfile       *profile;

  switch (prop_id)
    {
    case PROP_CURRENT_ID:
      profile = self->store != NULL
                  ? postaci_profile_store_lookup_id (self->store, g_value_get_string (value))
                  : NULL;
      if (profile != NULL && self->form != NULL &&
          gtk_widget_get_sensitive (GTK_WIDGET (self->form)))
        postaci_profile_button_choose (self, profile, TRUE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postaci_profile_button_dispose (GObject *object)
{
  PostaciProfileButton *self = POSTACI_PROFILE_BUTTON (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->current);
  g_clear_object (&self->store);
  g_clear_object (&self->servers);
  g_clear_weak_pointer (&self->form);
  G_OBJECT_CLASS (postaci_profile_button_parent_class)->dispose (object);
}

static void
postaci_profile_button_class_init (PostaciProfileButtonClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = postaci_profile_button_get_property;
  object_class->set_property = postaci_profile_button_set_property;
  object_class->dispose = postaci_profile_button_dispose;

  properties[PROP_CURRENT_ID] =
    g_param_spec_string ("current-id", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_property_action (widget_class, "profile.current", "current-id");
  gtk_widget_class_install_action (widget_class, "profile.save-as", NULL, save_as_action_cb);
  gtk_widget_class_install_action (widget_class, "profile.save", NULL, save_action_cb);
  gtk_widget_class_install_action (widget_class, "profile.rename", NULL, rename_action_cb);
  gtk_widget_class_install_action (widget_class, "profile.duplicate", NULL, duplicate_action_cb);
  gtk_widget_class_install_action (widget_class, "profile.delete", NULL, delete_action_cb);
  gtk_widget_class_install_action (widget_class, "profile.export", NULL, export_action_cb);
  gtk_widget_class_install_action (widget_class, "profile.import", NULL, import_action_cb);
}

static void
postaci_profile_button_init (PostaciProfileButton *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) actions = g_menu_new ();
  g_autoptr(GMenu) files = g_menu_new ();

  self->cancellable = g_cancellable_new ();
  self->servers = g_menu_new ();
  g_menu_append (actions, _ ("Save as _Server…"), "profile.save-as");
  g_menu_append (actions, _ ("Save _Changes"), "profile.save");
  g_menu_append (actions, _ ("_Rename…"), "profile.rename");
  g_menu_append (actions, _ ("_Duplicate"), "profile.duplicate");
  g_menu_append (actions, _ ("De_lete"), "profile.delete");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (self->servers));
  g_menu_append (files, _ ("_Export Saved Servers…"), "profile.export");
  g_menu_append (files, _ ("_Import Saved Servers…"), "profile.import");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (actions));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (files));

  self->button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  postaci_menu_button_set_menu_on_demand (self->button, G_MENU_MODEL (menu));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), _ ("Saved Servers"));
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->button));
  update_menu (self);
}
