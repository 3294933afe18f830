/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-application.c — postaci-cli's options prefill the form; About, shortcuts, settings. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "postaci-application.h"
#include "postaci-input-file.h"
#include "postaci-option.h"
#include "postaci-profile-store.h"
#include "postaci-request.h"
#include "postaci-window.h"

struct _PostaciApplication
{
  AdwApplication parent_instance;

  GSettings           *settings;
  gboolean             settings_looked_up;
  PostaciProfileStore *profiles; /* the saved servers, shared by every window */
};

G_DEFINE_FINAL_TYPE (PostaciApplication, postaci_application, ADW_TYPE_APPLICATION)

/* The options of a test that the form takes: core's one table, which postaci-cli uses too
 * (see README.md). Nothing here starts a run. */
static const PostaciOptionId form_options[] = {
  POSTACI_OPTION_SERVER,
  POSTACI_OPTION_PORT,
  POSTACI_OPTION_SECURITY,
  POSTACI_OPTION_USER,
  POSTACI_OPTION_PASSWORD_FILE,
  POSTACI_OPTION_AUTH,
  POSTACI_OPTION_ALLOW_PLAIN_AUTH,
  POSTACI_OPTION_FROM,
  POSTACI_OPTION_TO,
  POSTACI_OPTION_SUBJECT,
  POSTACI_OPTION_HTML,
  POSTACI_OPTION_HTML_FILE,
  POSTACI_OPTION_EHLO,
  POSTACI_OPTION_STOP_AFTER,
  POSTACI_OPTION_TIMEOUT,
  POSTACI_OPTION_CA_FILE,
  POSTACI_OPTION_INSECURE,
};

static const GOptionEntry program_entries[] = {
  /* Not a field of the form: the saved server whose fields the form starts from. */
  { "profile", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("Start from this saved server; the options given override its settings"), N_ ("NAME") },
  /* Read from argv in main.c, before the first string is translated; listed here for --help. */
  { "lang", 0, 0, G_OPTION_ARG_STRING, NULL, N_ ("Language of the messages: tr or en"),
    N_ ("LANG") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Show the version and exit"), NULL },
  { NULL }
};

PostaciProfileStore *
postaci_application_get_profiles (PostaciApplication *self)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (POSTACI_IS_APPLICATION (self), NULL);

  if (self->profiles != NULL)
    return self->profiles;
  self->profiles = postaci_profile_store_new (NULL);
  /* A damaged file is left as it is (it is saved over only once a server is saved). */
  if (!postaci_profile_store_load (self->profiles, &error))
    g_message ("The saved servers could not be read: %s", error->message);
  return self->profiles;
}

GSettings *
postaci_application_get_settings (PostaciApplication *self)
{
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchemaSource) build_source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;

  g_return_val_if_fail (POSTACI_IS_APPLICATION (self), NULL);

  if (self->settings_looked_up)
    return self->settings;
  self->settings_looked_up = TRUE;

  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  /* Run from the build tree (make run) before anything is installed. */
  if (schema == NULL &&
      g_file_test (POSTACI_BUILD_SCHEMA_DIR "/gschemas.compiled", G_FILE_TEST_EXISTS))
    {
      build_source =
        g_settings_schema_source_new_from_directory (POSTACI_BUILD_SCHEMA_DIR, source, FALSE, NULL);
      if (build_source != NULL)
        schema = g_settings_schema_source_lookup (build_source, APPLICATION_ID, FALSE);
    }
  if (schema == NULL)
    {
      g_message ("The settings schema %s is not installed: the form will not be remembered.",
                 APPLICATION_ID);
      return NULL;
    }
  self->settings = g_settings_new_full (schema, NULL, NULL);
  return self->settings;
}

/* The open window, or a new one. A new one opened with form options is set up by them alone:
 * not first for the Local Test Server, whose port and password would stay where no option
 * names them. */
static PostaciWindow *
get_window (PostaciApplication *self, gboolean with_options)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (POSTACI_IS_WINDOW (window))
    return POSTACI_WINDOW (window);
  return with_options ? postaci_window_new_for_options (self) : postaci_window_new (self);
}

static void
postaci_application_activate (GApplication *application)
{
  gtk_window_present (GTK_WINDOW (get_window (POSTACI_APPLICATION (application), FALSE)));
}

/* Whether the command line names anything of the form (--version is answered before this). */
static gboolean
has_form_options (GVariantDict *options)
{
  if (g_variant_dict_contains (options, "profile"))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (form_options); i++)
    if (g_variant_dict_contains (options, postaci_option_get (form_options[i])->name))
      return TRUE;
  return FALSE;
}

/* Turns file options into what the form shows: the file's text, or its absolute path. */
static gboolean
resolve_files (GApplicationCommandLine *command_line, GVariantDict *options, GError **error)
{
  const char *path = NULL;

  if (g_variant_dict_lookup (options, "html-file", "^&ay", &path))
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, path);
      g_autofree char *absolute = g_file_get_path (file);
      g_autofree char *html = NULL;
      gsize            length = 0;

      if (g_variant_dict_contains (options, "html"))
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _ ("Give either --html or --html-file, not both."));
          return FALSE;
        }
      /* Bounded as in postaci-cli: /dev/zero or a FIFO nobody writes to cannot stall the window. */
      html = postaci_input_file_read (absolute, POSTACI_MAX_HTML_FILE_BYTES,
                                      POSTACI_DEFAULT_TIMEOUT_SECONDS, &length, error);
      if (html == NULL)
        return FALSE;
      if (!g_utf8_validate_len (html, length, NULL))
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _ ("The subject and message must be UTF-8 text."));
          return FALSE;
        }
      g_variant_dict_insert (options, "html", "s", html);
    }
  if (g_variant_dict_lookup (options, "ca-file", "^&ay", &path))
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, path);
      g_autofree char *absolute = g_file_get_path (file);

      g_variant_dict_insert (options, "ca-file", "s", absolute);
    }
  if (g_variant_dict_lookup (options, "password-file", "^&ay", &path))
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, path);
      g_autofree char *absolute = g_file_get_path (file);
      g_autofree char *password =
        postaci_input_file_read_password (absolute, POSTACI_DEFAULT_TIMEOUT_SECONDS, error);

      if (password == NULL)
        return FALSE;
      g_variant_dict_insert (options, "password", "s", password);
      explicit_bzero (password, strlen (password));
    }
  else if (has_form_options (options))
    {
      const char *password = g_application_command_line_getenv (command_line, "POSTACI_PASSWORD");

      /* Only with options: a plain "postaci" from a shell that has it set is a first start. */
      if (password != NULL)
        g_variant_dict_insert (options, "password", "s", password);
    }
  return TRUE;
}

static int
postaci_application_command_line (GApplication *application, GApplicationCommandLine *command_line)
{
  PostaciApplication *self = POSTACI_APPLICATION (application);
  GVariantDict       *options = g_application_command_line_get_options_dict (command_line);
  g_autoptr(GError) error = NULL;
  g_auto (GStrv) arguments = NULL;
  PostaciWindow *window;
  int            argc = 0;

  arguments = g_application_command_line_get_arguments (command_line, &argc);
  if (argc > 1)
    {
      g_application_command_line_printerr (command_line, "postaci: %s\n",
                                           _ ("Unexpected argument; see “postaci --help”."));
      return POSTACI_EXIT_USAGE;
    }
  if (!resolve_files (command_line, options, &error))
    {
      g_application_command_line_printerr (command_line, "postaci: %s\n", error->message);
      return POSTACI_EXIT_USAGE;
    }

  window = get_window (self, has_form_options (options));
  if (!postaci_window_prefill (window, options, &error))
    {
      g_application_command_line_printerr (command_line, "postaci: %s\n", error->message);
      if (!gtk_widget_get_visible (GTK_WIDGET (window)))
        gtk_window_destroy (GTK_WINDOW (window));
      return POSTACI_EXIT_USAGE;
    }
  gtk_window_present (GTK_WINDOW (window));
  return 0;
}

/* --version is answered here, in the process that was started, before any window. */
static int
postaci_application_handle_local_options (GApplication *application, GVariantDict *options)
{
  const char *lang = NULL;

  if (g_variant_dict_lookup (options, "lang", "&s", &lang) && !g_str_equal (lang, "tr") &&
      !g_str_equal (lang, "en"))
    {
      g_printerr ("postaci: ");
      g_printerr (_ ("--lang must be tr or en, not “%s”."), lang);
      g_printerr ("\n");
      return POSTACI_EXIT_USAGE;
    }
  /* Only this process speaks it: a window already open stays in its language. */
  g_variant_dict_remove (options, "lang");
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("postaci %s\n", PACKAGE_VERSION);
      return 0;
    }
  return -1;
}

static void
about_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  const char     *developers[] = { _ ("The Postacı developers"), NULL };
  GtkWidget      *about;

  about = g_object_new (
    ADW_TYPE_ABOUT_WINDOW, "transient-for", gtk_application_get_active_window (application),
    "application-name", "Postacı", "application-icon", APPLICATION_ID, "developer-name",
    _ ("The Postacı developers"), "developers", developers, "version", PACKAGE_VERSION, "comments",
    _ ("Test an SMTP server the way a helpdesk needs it: watch the whole "
       "conversation, read what every reply means, and get a verdict "
       "that says what to try."),
    "website", "https://github.com/postaci/postaci", "issue-url",
    "https://github.com/postaci/postaci/issues", "license-type", GTK_LICENSE_GPL_3_0,
    /* Translators: your name and e-mail, one per line */
    "translator-credits", _ ("translator-credits"), NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  GList          *windows = gtk_application_get_windows (application);

  /* Close, not destroy: each window remembers its form and stops its run. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;
      l = l->next;
      gtk_window_close (window);
    }
}

static const GActionEntry app_actions[] = {
  { "about", about_action_cb },
  { "quit", quit_action_cb },
};

static void
postaci_application_startup (GApplication *application)
{
  struct
  {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.test", { "<Control>Return", "<Control>KP_Enter", NULL } },
    { "win.copy-transcript", { "<Control><Shift>c", NULL } },
    { "win.save-transcript", { "<Control>s", NULL } },
    { "win.clear-transcript", { "<Control>l", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };

  G_APPLICATION_CLASS (postaci_application_parent_class)->startup (application);

  gtk_source_init ();
  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (application), accels[i].action,
                                           accels[i].accels);
}

static void
postaci_application_shutdown (GApplication *application)
{
  gtk_source_finalize ();
  G_APPLICATION_CLASS (postaci_application_parent_class)->shutdown (application);
}

static void
postaci_application_finalize (GObject *object)
{
  PostaciApplication *self = POSTACI_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->profiles);
  G_OBJECT_CLASS (postaci_application_parent_class)->finalize (object);
}

static void
postaci_application_class_init (PostaciApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = postaci_application_finalize;
  application_class->startup = postaci_application_startup;
  application_class->shutdown = postaci_application_shutdown;
  application_class->activate = postaci_application_activate;
  application_class->command_line = postaci_application_command_line;
  application_class->handle_local_options = postaci_application_handle_local_options;
}

static void
postaci_application_init (PostaciApplication *self)
{
  GOptionEntry entries[G_N_ELEMENTS (form_options) + 1] = { { NULL } };

  /* GApplication copies the entries: they may live on the stack. */
  for (guint i = 0; i < G_N_ELEMENTS (form_options); i++)
    entries[i] = postaci_option_entry (form_options[i], NULL);
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_add_main_option_entries (G_APPLICATION (self), program_entries);
  g_application_set_option_context_summary (
    G_APPLICATION (self), _ ("Test an SMTP server: the options fill in the form; "
                             "nothing is sent until you press Test SMTP. "
                             "The password comes from --password-file or $POSTACI_PASSWORD."));
}

PostaciApplication *
postaci_application_new (GApplicationFlags flags)
{
  return g_object_new (POSTACI_TYPE_APPLICATION, "application-id", APPLICATION_ID, "flags",
                       G_APPLICATION_HANDLES_COMMAND_LINE | flags, "resource-base-path",
                       "/io/github/postaci/Postaci", NULL);
}
