/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-profiles.c — saved servers in the real window: the header's menu, the name dialog, the
 * keyring of tests/run-with-keyring.sh (or none at all), "postaci --profile", and the list
 * exported and imported as a team shares it. */
#define G_LOG_DOMAIN "test-profiles"

#include "config.h"

#include <locale.h>
#include <adwaita.h>
#include <glib/gi18n.h>

#include "postaci-application.h"
#include "postaci-gui-test.h"
#include "postaci-keyring.h"
#include "postaci-menu-button.h"
#include "postaci-profile-button.h"
#include "postaci-scripted-server.h"
#include "postaci-window.h"

#define ACME      "Acme – Exchange Online"
#define SUBE      "Şube 3 – Postfix"
#define ACME_PASS "acme-Şifre-1"
#define SUBE_PASS "sube-Parola-2"

static PostaciApplication *application;

#define child postaci_gui_test_window_child

#define set_text     postaci_gui_test_set_field
#define get_text     postaci_gui_test_get_field
#define close_window postaci_gui_test_close
#define open_window() \
  ((PostaciWindow *) postaci_gui_test_present (postaci_window_new_for_options (application), 1320, 900))

static PostaciProfileStore *
store (void)
{
  return postaci_application_get_profiles (application);
}

static void
activate (PostaciWindow *window, const char *action, GVariant *target)
{
  g_assert_true (gtk_widget_activate_action_variant (child (window, "profile_button"), action, target));
  postaci_gui_test_flush ();
}

/* The name dialog as a person uses it: the name typed, Enter pressed. Returns the name it
 * offered first. */
static char *
answer_name_dialog (const char *name)
{
  GtkWindow *dialog = postaci_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  GtkWidget *entry;
  char *offered;

  g_assert_nonnull (dialog);
  entry = adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog));
  offered = g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));
  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  /* Save is the default response: the button Enter presses. */
  g_assert_nonnull (gtk_window_get_default_widget (dialog));
  gtk_widget_activate (gtk_window_get_default_widget (dialog));
  postaci_gui_test_wait_closed (ADW_TYPE_MESSAGE_DIALOG);
  postaci_gui_test_flush ();
  return offered;
}

static void
fill (PostaciWindow *window, const char *server, guint security, const char *port, const char *user,
      const char *password, const char *subject, guint stop_after)
{
  set_text (window, "server_row", server);
  adw_combo_row_set_selected (child (window, "security_row"), security);
  set_text (window, "port_row", port);
  adw_expander_row_set_enable_expansion (child (window, "auth_row"), TRUE);
  set_text (window, "user_row", user);
  set_text (window, "password_row", password);
  set_text (window, "from_row", user);
  set_text (window, "to_row", "helpdesk@example.com");
  set_text (window, "subject_row", subject);
  adw_combo_row_set_selected (child (window, "stop_after_row"), stop_after);
}

static void
save_as (PostaciWindow *window, const char *name)
{
  g_autofree char *offered = NULL;

  activate (window, "profile.save-as", NULL);
  offered = answer_name_dialog (name);
  /* The server's name is offered first. */
  g_assert_cmpstr (offered, ==, get_text (window, "server_row"));
}

static void
choose (PostaciWindow *window, const char *name)
{
  PostaciProfile *profile = postaci_profile_store_lookup (store (), name);

  g_assert_nonnull (profile);
  activate (window, "profile.current", g_variant_new_string (postaci_profile_get_id (profile)));
}

static const char *
button_label (PostaciWindow *window)
{
  GtkWidget *button = gtk_widget_get_first_child (child (window, "profile_button"));

  return gtk_menu_button_get_label (GTK_MENU_BUTTON (button));
}

/* ---------------------------------------------------------------- */
/* The keyring, asked directly                                      */
/* ---------------------------------------------------------------- */

typedef struct {
  gboolean done;
  char    *password;
  GError  *error;
} Lookup;

static void
lookup_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;

  lookup->password = postaci_keyring_lookup_finish (result, &lookup->error);
  lookup->done = TRUE;
}

static gboolean
lookup_done (gpointer data)
{
  return ((Lookup *) data)->done;
}

/* What the keyring holds for @name's saved server (NULL: nothing). */
static char *
keyring_password (PostaciProfile *profile)
{
  Lookup lookup = { 0 };
  char *password;

  postaci_keyring_lookup_async (profile, NULL, lookup_cb, &lookup);
  postaci_test_wait_until (lookup_done, &lookup, POSTACI_GUI_TEST_TIMEOUT_MS);
  g_assert_no_error (lookup.error);
  password = g_strdup (lookup.password);
  postaci_keyring_password_free (lookup.password);
  return password;
}

typedef struct {
  PostaciProfile *profile;
  const char     *expected;
} Expect;

static gboolean
keyring_holds (gpointer data)
{
  Expect *expect = data;
  g_autofree char *password = keyring_password (expect->profile);

  return g_strcmp0 (password, expect->expected) == 0;
}

typedef struct {
  PostaciWindow *window;
  const char    *expected;
} Field;

static gboolean
password_is (gpointer data)
{
  Field *field = data;

  postaci_gui_test_flush ();
  return g_strcmp0 (get_text (field->window, "password_row"), field->expected) == 0;
}

static char *
profiles_file (void)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (postaci_profile_store_get_path (store ()), &contents, NULL, NULL));
  return g_steal_pointer (&contents);
}

/* ---------------------------------------------------------------- */
/* Tests                                                            */
/* ---------------------------------------------------------------- */

/* Two servers saved from the form; choosing one brings back every field, and its password
 * from the keyring once "Remember password" is on. The file never holds a password. */
static void
test_save_and_switch (void)
{
  PostaciWindow *window = open_window ();
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *file = NULL;
  Expect acme_kept;
  Field acme_field = { window, ACME_PASS };

  g_assert_cmpstr (button_label (window), ==, "Saved Servers");

  fill (window, "smtp.acme.example", 2, "465", "ali@acme.example", ACME_PASS, "Acme deneme", 1);
  save_as (window, ACME);
  g_assert_cmpstr (button_label (window), ==, ACME);
  g_assert_cmpstr (adw_action_row_get_subtitle (child (window, "remember_row")), ==, "For “" ACME "”");
  gtk_switch_set_active (child (window, "remember_switch"), TRUE);
  acme_kept.profile = postaci_profile_store_lookup (store (), ACME);
  acme_kept.expected = ACME_PASS;
  g_assert_true (postaci_profile_get_remember_password (acme_kept.profile));
  postaci_test_wait_until (keyring_holds, &acme_kept, POSTACI_GUI_TEST_TIMEOUT_MS);

  fill (window, "mail.sube3.example", 1, "2525", "veli", SUBE_PASS, "Şube deneme", 0);
  save_as (window, SUBE);
  g_assert_cmpstr (button_label (window), ==, SUBE);
  /* Saved with the switch as it stood (on); turned off, the keyring forgets it again. */
  {
    Expect sube_kept = { postaci_profile_store_lookup (store (), SUBE), SUBE_PASS };
    Expect sube_gone = { sube_kept.profile, NULL };

    g_assert_true (gtk_switch_get_active (child (window, "remember_switch")));
    postaci_test_wait_until (keyring_holds, &sube_kept, POSTACI_GUI_TEST_TIMEOUT_MS);
    gtk_switch_set_active (child (window, "remember_switch"), FALSE);
    g_assert_false (postaci_profile_get_remember_password (sube_kept.profile));
    postaci_test_wait_until (keyring_holds, &sube_gone, POSTACI_GUI_TEST_TIMEOUT_MS);
  }

  file = profiles_file ();
  g_assert_nonnull (strstr (file, ACME));
  g_assert_nonnull (strstr (file, SUBE));
  g_assert_null (strstr (file, ACME_PASS));
  g_assert_null (strstr (file, SUBE_PASS));

  choose (window, ACME);
  g_assert_cmpstr (button_label (window), ==, ACME);
  g_assert_cmpstr (get_text (window, "server_row"), ==, "smtp.acme.example");
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "security_row")), ==, 2);
  g_assert_cmpstr (get_text (window, "port_row"), ==, "465");
  g_assert_true (adw_expander_row_get_enable_expansion (child (window, "auth_row")));
  g_assert_cmpstr (get_text (window, "user_row"), ==, "ali@acme.example");
  g_assert_cmpstr (get_text (window, "subject_row"), ==, "Acme deneme");
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "stop_after_row")), ==, 1);
  g_assert_true (gtk_switch_get_active (child (window, "remember_switch")));
  postaci_test_wait_until (password_is, &acme_field, POSTACI_GUI_TEST_TIMEOUT_MS);

  choose (window, SUBE);
  g_assert_cmpstr (get_text (window, "server_row"), ==, "mail.sube3.example");
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "security_row")), ==, 1);
  g_assert_cmpstr (get_text (window, "port_row"), ==, "2525");
  g_assert_cmpstr (get_text (window, "user_row"), ==, "veli");
  /* Not remembered: the field is empty, not the other server's. */
  g_assert_cmpstr (get_text (window, "password_row"), ==, "");
  g_assert_cmpstr (get_text (window, "subject_row"), ==, "Şube deneme");
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "stop_after_row")), ==, 0);

  /* The menu as it opens, light and dark. */
  {
    GtkMenuButton *button = GTK_MENU_BUTTON (gtk_widget_get_first_child (child (window, "profile_button")));

    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
    gtk_menu_button_popup (button);
    postaci_gui_test_wait_for_frames (GTK_WIDGET (window));
    postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-window-profiles.png");
    postaci_gui_test_save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (button)),
                                      "postaci-profiles-menu.png");
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
    postaci_gui_test_wait_for_frames (GTK_WIDGET (window));
    postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-window-profiles-dark.png");
    postaci_gui_test_save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (button)),
                                      "postaci-profiles-menu-dark.png");
    gtk_menu_button_popdown (button);
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  }
  close_window (window);
}

/* Rename keeps the server's password in the keyring (it is found by the server's id). */
static void
test_rename (void)
{
  PostaciWindow *window = open_window ();
  PostaciProfile *acme;
  g_autofree char *offered = NULL;
  g_autofree char *password = NULL;
  g_autofree char *file = NULL;

  choose (window, ACME);
  acme = postaci_profile_store_lookup (store (), ACME);
  activate (window, "profile.rename", NULL);
  offered = answer_name_dialog ("Acme – Exchange");
  g_assert_cmpstr (offered, ==, ACME);
  g_assert_null (postaci_profile_store_lookup (store (), ACME));
  g_assert_true (postaci_profile_store_lookup (store (), "Acme – Exchange") == acme);
  g_assert_cmpstr (button_label (window), ==, "Acme – Exchange");
  password = keyring_password (acme);
  g_assert_cmpstr (password, ==, ACME_PASS);
  file = profiles_file ();
  g_assert_null (strstr (file, ACME));
  g_assert_nonnull (strstr (file, "Acme – Exchange"));

  /* A name taken by another server is refused, and nothing changes. */
  activate (window, "profile.rename", NULL);
  g_clear_pointer (&offered, g_free);
  offered = answer_name_dialog (SUBE);
  g_assert_cmpstr (button_label (window), ==, "Acme – Exchange");
  close_window (window);
}

/* The real toast's Undo button, wherever the overlay put it. */
static gboolean
is_button_labelled (GtkWidget *widget, gconstpointer label)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  return postaci_gui_test_find_widget (widget, is_button_labelled, label);
}

static gboolean
undo_shown (gpointer data)
{
  return find_button (data, _("_Undo")) != NULL;
}

/* Delete takes the password out of the keyring at once; Undo brings the server back with its
 * password. */
static void
test_delete_and_undo (void)
{
  PostaciWindow *window = open_window ();
  PostaciProfile *acme = NULL;
  Expect acme_gone, acme_back;
  Field acme_field = { window, ACME_PASS };

  choose (window, "Acme – Exchange");
  postaci_test_wait_until (password_is, &acme_field, POSTACI_GUI_TEST_TIMEOUT_MS);
  acme = g_object_ref (postaci_profile_store_lookup (store (), "Acme – Exchange"));
  activate (window, "profile.delete", NULL);
  g_assert_null (postaci_profile_store_lookup (store (), "Acme – Exchange"));
  g_assert_cmpstr (button_label (window), ==, "Saved Servers");
  {
    g_autofree char *file = profiles_file ();

    g_assert_null (strstr (file, "Acme – Exchange"));
  }
  acme_gone.profile = acme;
  acme_gone.expected = NULL;
  postaci_test_wait_until (keyring_holds, &acme_gone, POSTACI_GUI_TEST_TIMEOUT_MS);
  postaci_test_wait_until (undo_shown, window, POSTACI_GUI_TEST_TIMEOUT_MS);
  postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-window-profile-deleted.png");
  postaci_gui_test_click (find_button (GTK_WIDGET (window), _("_Undo")));
  g_assert_true (postaci_profile_store_lookup (store (), "Acme – Exchange") == acme);
  g_assert_cmpstr (button_label (window), ==, "Acme – Exchange");
  {
    g_autofree char *file = profiles_file ();

    g_assert_nonnull (strstr (file, "Acme – Exchange"));
  }
  acme_back.profile = acme;
  acme_back.expected = ACME_PASS;
  postaci_test_wait_until (keyring_holds, &acme_back, POSTACI_GUI_TEST_TIMEOUT_MS);

  /* Duplicate: a copy with a number and a password entry of its own, which deleting the copy
   * takes away while the original keeps its own. */
  activate (window, "profile.duplicate", NULL);
  g_assert_cmpstr (button_label (window), ==, "Acme – Exchange (2)");
  {
    Expect copied = { postaci_profile_store_lookup (store (), "Acme – Exchange (2)"), ACME_PASS };
    Expect gone = { NULL, NULL };

    g_assert_nonnull (copied.profile);
    postaci_test_wait_until (keyring_holds, &copied, POSTACI_GUI_TEST_TIMEOUT_MS);
    gone.profile = g_object_ref (copied.profile);
    activate (window, "profile.delete", NULL);
    postaci_test_wait_until (keyring_holds, &gone, POSTACI_GUI_TEST_TIMEOUT_MS);
    g_assert_true (keyring_holds (&acme_back));
    g_object_unref (gone.profile);
  }
  g_object_unref (acme);
  close_window (window);
}

/* postaci --profile NAME: the saved server in the form, its password from the keyring, and the
 * options given over it; an unknown name is an error and opens nothing new. */
static void
test_command_line (void)
{
  g_autoptr(GVariantDict) options = g_variant_dict_new (NULL);
  g_autoptr(GVariantDict) unknown = g_variant_dict_new (NULL);
  PostaciWindow *window;
  Field field;

  g_variant_dict_insert (options, "profile", "s", "Acme – Exchange");
  g_variant_dict_insert (options, "subject", "s", "Komut satırından");
  g_variant_dict_insert (options, "port", "s", "2465");
  g_assert_cmpint (postaci_gui_test_command_line (G_APPLICATION (application), options, NULL), ==, 0);
  window = (PostaciWindow *) postaci_gui_test_find_toplevel (POSTACI_TYPE_WINDOW);
  g_assert_nonnull (window);
  g_assert_cmpstr (button_label (window), ==, "Acme – Exchange");
  g_assert_cmpstr (get_text (window, "server_row"), ==, "smtp.acme.example");
  g_assert_cmpstr (get_text (window, "user_row"), ==, "ali@acme.example");
  g_assert_cmpuint (adw_combo_row_get_selected (child (window, "stop_after_row")), ==, 1);
  g_assert_cmpstr (get_text (window, "subject_row"), ==, "Komut satırından");
  g_assert_cmpstr (get_text (window, "port_row"), ==, "2465");
  field.window = window;
  field.expected = ACME_PASS;
  postaci_test_wait_until (password_is, &field, POSTACI_GUI_TEST_TIMEOUT_MS);
  close_window (window);

  /* A password in the environment wins over the keyring's, as in postaci-cli. */
  {
    const char *environ_[] = { "POSTACI_PASSWORD=from-the-environment", NULL };
    g_autoptr(GVariantDict) with_password = g_variant_dict_new (NULL);

    g_variant_dict_insert (with_password, "profile", "s", "Acme – Exchange");
    g_assert_cmpint (postaci_gui_test_command_line (G_APPLICATION (application), with_password, environ_),
                     ==, 0);
    window = (PostaciWindow *) postaci_gui_test_find_toplevel (POSTACI_TYPE_WINDOW);
    /* Long enough for a keyring answer to have come, had it been asked. */
    postaci_test_wait_until (password_is, &(Field) { window, "from-the-environment" }, 1000);
    g_usleep (200000);
    postaci_gui_test_flush ();
    g_assert_cmpstr (get_text (window, "password_row"), ==, "from-the-environment");
    close_window (window);
  }

  g_variant_dict_insert (unknown, "profile", "s", "Nobody – Nowhere");
  g_assert_cmpint (postaci_gui_test_command_line (G_APPLICATION (application), unknown, NULL), !=, 0);
  g_assert_null (postaci_gui_test_find_toplevel (POSTACI_TYPE_WINDOW));
}

/* A new password for a server whose password is remembered: the switch's row says it is not
 * in the keyring yet, "Save Changes" puts it there (as every other field goes to the saved
 * server), and the server chosen again brings the new one back. */
static void
test_password_change (void)
{
  PostaciWindow *window = open_window ();
  AdwActionRow *remember_row = child (window, "remember_row");
  const char *new_password = "acme-Yeni-3";
  Field old_field = { window, ACME_PASS };
  Field new_field = { window, new_password };
  Expect kept_old, kept_new;

  choose (window, "Acme – Exchange");
  postaci_test_wait_until (password_is, &old_field, POSTACI_GUI_TEST_TIMEOUT_MS);
  g_assert_true (gtk_switch_get_active (child (window, "remember_switch")));
  /* The keyring's own password in the field changes nothing to save. */
  g_assert_cmpstr (adw_action_row_get_subtitle (remember_row), ==, "For “Acme – Exchange”");

  set_text (window, "password_row", new_password);
  g_assert_cmpstr (adw_action_row_get_subtitle (remember_row), ==,
                   "Password changed, not yet in the keyring: choose “Save Changes” to keep it "
                   "for “Acme – Exchange”");
  postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-window-password-unsaved.png");
  kept_old.profile = postaci_profile_store_lookup (store (), "Acme – Exchange");
  kept_old.expected = ACME_PASS;
  g_assert_true (keyring_holds (&kept_old));

  activate (window, "profile.save", NULL);
  g_assert_cmpstr (adw_action_row_get_subtitle (remember_row), ==, "For “Acme – Exchange”");
  kept_new.profile = kept_old.profile;
  kept_new.expected = new_password;
  postaci_test_wait_until (keyring_holds, &kept_new, POSTACI_GUI_TEST_TIMEOUT_MS);
  {
    g_autofree char *file = profiles_file ();

    g_assert_null (strstr (file, new_password));
  }

  /* Another server and back: the new password comes from the keyring. */
  choose (window, SUBE);
  g_assert_cmpstr (get_text (window, "password_row"), ==, "");
  choose (window, "Acme – Exchange");
  postaci_test_wait_until (password_is, &new_field, POSTACI_GUI_TEST_TIMEOUT_MS);
  g_assert_cmpstr (adw_action_row_get_subtitle (remember_row), ==, "For “Acme – Exchange”");

  /* Emptied and saved: the keyring forgets it, as the field shows. */
  set_text (window, "password_row", "");
  activate (window, "profile.save", NULL);
  kept_new.expected = NULL;
  postaci_test_wait_until (keyring_holds, &kept_new, POSTACI_GUI_TEST_TIMEOUT_MS);
  close_window (window);
}

static gboolean
is_label_showing (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static gboolean
says_no_keyring (gpointer data)
{
  return postaci_gui_test_find_widget (data, is_label_showing, "No keyring is available") != NULL;
}

/* No Secret Service on the bus: saving works, "Remember password" says why it cannot and
 * turns itself off, and a run can still be built from the form. */
static void
test_no_keyring (void)
{
  PostaciWindow *window = open_window ();
  GtkSwitch *remember = child (window, "remember_switch");
  g_autoptr(PostaciRequest) request = NULL;
  g_autofree char *file = NULL;

  fill (window, "smtp.acme.example", 2, "465", "ali@acme.example", ACME_PASS, "Acme deneme", 1);
  save_as (window, ACME);
  gtk_switch_set_active (remember, TRUE);
  postaci_test_wait_until (says_no_keyring, window, POSTACI_GUI_TEST_TIMEOUT_MS);
  postaci_gui_test_flush ();
  g_assert_false (gtk_switch_get_active (remember));
  g_assert_false (postaci_profile_get_remember_password (postaci_profile_store_lookup (store (), ACME)));
  postaci_gui_test_save_screenshot (GTK_WIDGET (window), "postaci-window-no-keyring.png");
  file = profiles_file ();
  g_assert_null (strstr (file, ACME_PASS));
  request = postaci_request_form_build_request (child (window, "request_form"), NULL);
  g_assert_nonnull (request);
  g_assert_cmpstr (request->password, ==, ACME_PASS);
  close_window (window);
}

/* ---------------------------------------------------------------- */
/* Export and import                                                */
/* ---------------------------------------------------------------- */

typedef struct {
  PostaciWindow *window;
  const char    *text;
} Shown;

static gboolean
is_shown (gpointer data)
{
  Shown *shown = data;

  return postaci_gui_test_find_widget (GTK_WIDGET (shown->window), is_label_showing, shown->text) != NULL;
}

/* Waits until a label of @window (a toast's) shows @text. */
static void
wait_for_text (PostaciWindow *window, const char *text)
{
  postaci_test_wait_until (is_shown, &(Shown) { window, text }, POSTACI_GUI_TEST_TIMEOUT_MS);
}

/* The labels of the menu section @section of the saved servers' button. */
static GPtrArray *
menu_labels (PostaciWindow *window, int section)
{
  GtkWidget *button = gtk_widget_get_first_child (child (window, "profile_button"));
  GMenuModel *menu = postaci_menu_button_get_menu (GTK_MENU_BUTTON (button));
  g_autoptr(GMenuModel) items = g_menu_model_get_item_link (menu, section, G_MENU_LINK_SECTION);
  GPtrArray *labels = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; i < g_menu_model_get_n_items (items); i++)
    {
      char *label = NULL;

      g_assert_true (g_menu_model_get_item_attribute (items, i, G_MENU_ATTRIBUTE_LABEL, "s", &label));
      g_ptr_array_add (labels, label);
    }
  return labels;
}

static gboolean
contains_string (GPtrArray *strings, const char *text)
{
  return g_ptr_array_find_with_equal_func (strings, text, g_str_equal, NULL);
}

#define TEAM_ACME "Ekip – Acme Exchange"
#define TEAM_SUBE "Ekip – Şube 3 Postfix"

/* In a new XDG_CONFIG_HOME: a team's file, as Import Saved Servers… takes it, shows its servers
 * in the menu and keeps them in the user's own file; a file that is not one of saved servers
 * is explained in a dialog and adds nothing. */
static void
test_import (void)
{
  PostaciWindow *window = open_window ();
  PostaciProfileButton *button = child (window, "profile_button");
  g_autofree char *dir = g_dir_make_tmp ("postaci-import-XXXXXX", NULL);
  g_autofree char *team_path = g_build_filename (dir, "ekip.ini", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "bozuk.ini", NULL);
  g_autofree char *own_path = g_build_filename (dir, "kendi.ini", NULL);
  g_autoptr(PostaciProfileStore) team = postaci_profile_store_new (own_path);
  g_autoptr(PostaciProfileStore) scratch = postaci_profile_store_new (own_path);
  g_autoptr(PostaciRequest) acme = postaci_request_new ();
  g_autoptr(PostaciProfile) acme_profile = NULL;
  g_autoptr(PostaciProfile) sube_profile = postaci_profile_new (TEAM_SUBE, NULL);
  g_autoptr(GFile) team_file = g_file_new_for_path (team_path);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad_path);
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GPtrArray) file_items = NULL;
  g_autoptr(GError) expected = NULL;
  g_autofree char *contents = NULL;
  GtkWindow *dialog;
  GtkWindow *chooser;

  /* Nothing saved yet: nothing to export. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 0);
  gtk_widget_activate_action_variant (GTK_WIDGET (button), "profile.export", NULL);
  postaci_gui_test_flush ();
  g_assert_null (postaci_gui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
  file_items = menu_labels (window, 2);
  g_assert_true (contains_string (file_items, "_Export Saved Servers…"));
  g_assert_true (contains_string (file_items, "_Import Saved Servers…"));

  acme->server = g_strdup ("smtp.acme.example");
  acme->port = 587;
  acme->security = POSTACI_SECURITY_STARTTLS;
  acme->auth = TRUE;
  acme->username = g_strdup ("ali@acme.example");
  acme_profile = postaci_profile_new (TEAM_ACME, acme);
  g_assert_true (postaci_profile_store_add (team, acme_profile, NULL));
  g_assert_true (postaci_profile_store_add (team, sube_profile, NULL));
  g_assert_true (postaci_profile_store_export (team, team_path, NULL));

  /* The menu item opens a chooser (GTK's own here: no portal under Xvfb)… */
  activate (window, "profile.import", NULL);
  chooser = postaci_gui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_nonnull (chooser);
  g_assert_cmpstr (gtk_window_get_title (chooser), ==, "Import Saved Servers");
  gtk_window_close (chooser);
  postaci_gui_test_wait_closed (GTK_TYPE_FILE_CHOOSER_DIALOG);
  /* …whose answer does this. */
  postaci_profile_button_import (button, team_file);
  wait_for_text (window, "2 saved servers imported from “ekip.ini”. Passwords are not included");
  servers = menu_labels (window, 0);
  g_assert_cmpuint (servers->len, ==, 2);
  g_assert_true (contains_string (servers, TEAM_ACME));
  g_assert_true (contains_string (servers, TEAM_SUBE));
  contents = profiles_file ();
  g_assert_nonnull (strstr (contents, "Name=" TEAM_ACME));
  g_assert_nonnull (strstr (contents, "Name=" TEAM_SUBE));
  choose (window, TEAM_ACME);
  g_assert_cmpstr (get_text (window, "server_row"), ==, "smtp.acme.example");
  g_assert_cmpstr (get_text (window, "user_row"), ==, "ali@acme.example");
  g_assert_cmpstr (get_text (window, "password_row"), ==, "");

  /* Not a file of saved servers: the reason core gives, in a dialog; nothing added. */
  g_assert_true (g_file_set_contents (bad_path, "[Başka bir program]\nAyar=1\n", -1, NULL));
  g_assert_cmpint (postaci_profile_store_import (scratch, bad_path, &expected), ==, -1);
  postaci_profile_button_import (button, bad_file);
  postaci_gui_test_flush ();
  dialog = postaci_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Could Not Import the Saved Servers");
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), ==, expected->message);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store ())), ==, 2);
  gtk_window_close (dialog);
  postaci_gui_test_wait_closed (ADW_TYPE_MESSAGE_DIALOG);

  close_window (window);
  postaci_gui_test_remove_tree (dir);
}

/* Export Saved Servers… writes every saved server, and no password: not the form's, not the
 * keyring's, not a key that could hold one. */
static void
test_export (void)
{
  PostaciWindow *window = open_window ();
  g_autofree char *dir = g_dir_make_tmp ("postaci-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "disa-aktarilan.ini", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *toast = NULL;
  g_auto(GStrv) groups = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store ()));

  g_assert_cmpuint (n, >, 0);
  adw_expander_row_set_enable_expansion (child (window, "auth_row"), TRUE);
  set_text (window, "password_row", "formdaki-gizli-parola");
  postaci_profile_button_export (child (window, "profile_button"), file);
  toast = g_strdup_printf ("%u saved servers exported to “disa-aktarilan.ini”. Passwords are not included.", n);
  wait_for_text (window, n == 1 ? "1 saved server exported" : toast);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "formdaki-gizli-parola"));
  g_assert_null (strstr (contents, ACME_PASS));
  g_assert_null (strstr (contents, SUBE_PASS));
  g_assert_true (g_key_file_load_from_data (key_file, contents, (gsize) -1, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_key_file_get_string (key_file, "Postaci", "Kind", NULL), ==, "export");
  groups = g_key_file_get_groups (key_file, NULL);
  g_assert_cmpuint (g_strv_length (groups), ==, n + 1);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (key_file, groups[i], NULL, NULL);
      g_autofree char *name = g_key_file_get_string (key_file, groups[i], "Name", NULL);

      for (guint j = 0; keys[j] != NULL; j++)
        g_assert_true (strstr (keys[j], "Password") == NULL && g_strcmp0 (keys[j], "Id") != 0);
      if (i > 0)
        g_assert_nonnull (postaci_profile_store_lookup (store (), name));
    }
  close_window (window);
  postaci_gui_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  gboolean with_keyring = g_strcmp0 (g_getenv ("POSTACI_TEST_KEYRING"), "session") == 0;
  g_autofree char *config = NULL;
  char *cache = NULL;
  int status;

  setlocale (LC_ALL, "");
  /* The saved servers go to a folder of this run only (tests/run-with-keyring.sh makes one;
   * without it, one of our own), set before GLib first reads it. */
  if (!with_keyring)
    {
      config = g_dir_make_tmp ("postaci-profiles-XXXXXX", NULL);
      g_assert_nonnull (config);
      g_setenv ("XDG_CONFIG_HOME", config, TRUE);
    }
  application = postaci_gui_test_init (&argc, &argv, &cache);
  if (application == NULL)
    status = 0;
  else
    {
      if (with_keyring)
        {
          g_test_add_func ("/postaci/profiles/save-and-switch", test_save_and_switch);
          g_test_add_func ("/postaci/profiles/rename", test_rename);
          g_test_add_func ("/postaci/profiles/delete-and-undo", test_delete_and_undo);
          g_test_add_func ("/postaci/profiles/command-line", test_command_line);
          g_test_add_func ("/postaci/profiles/export", test_export);
          g_test_add_func ("/postaci/profiles/password-change", test_password_change);
        }
      else
        {
          /* The import first, into the new, empty folder of this run. */
          g_test_add_func ("/postaci/profiles/import", test_import);
          g_test_add_func ("/postaci/profiles/no-keyring", test_no_keyring);
          g_test_add_func ("/postaci/profiles/export", test_export);
        }
      status = postaci_gui_test_finish (application, cache, g_test_run ());
    }
  if (config != NULL)
    postaci_gui_test_remove_tree (config);
  return status;
}
