/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c — postaci-cli: the Postacı engine in a terminal, for scripts, CI and people. */
#define G_LOG_DOMAIN "postaci-cli"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "postaci-cli-discover.h"
#include "postaci-input-file.h"
#include "postaci-keyring.h"
#include "postaci-local-server.h"
#include "postaci-locale.h"
#include "postaci-message.h"
#include "postaci-nagios.h"
#include "postaci-option.h"
#include "postaci-profile-store.h"
#include "postaci-report.h"
#include "postaci-request.h"
#include "postaci-session.h"
#include "postaci-transcript.h"

typedef struct {
  char     *server;
  char     *port;
  char     *security;
  char     *user;
  char     *password_file;
  char     *auth;
  gboolean  allow_plain_auth;
  char     *from;
  char    **to;
  char     *subject;
  char     *html;
  char     *html_file;
  char     *text;
  char    **attach;
  char     *size;
  char     *ehlo;
  char     *stop_after;
  gboolean  no_pipelining;
  char     *timeout;
  char     *ca_file;
  gboolean  insecure;
  char     *lang;
  char     *color;
  char     *format;
  gboolean  version;
  char     *pin_certificate;
  /* --serve */
  gboolean  serve;
  char     *tls_port;
  char     *save;
  char    **fail;
  char     *cert_out;
  /* saved servers */
  char     *profile;
  char     *save_profile;
  gboolean  remember_password;
  char     *delete_profile;
  gboolean  list_profiles;
  char     *export_profiles;
  char     *import_profiles;
  char     *quota;
  char     *max_size;
  /* --discover */
  char     *discover;
  /* --format nagios */
  char     *warning;
  char     *critical;
  char     *cert_warning;
  char     *cert_critical;
} Options;

typedef struct {
  GMainLoop               *loop;
  GCancellable            *cancellable;
  PostaciTranscriptFormat  format;
  GPtrArray               *events; /* kept for --format markdown or html, NULL otherwise */
  PostaciOutcome          *outcome;
} Run;

static void
options_clear (Options *options)
{
  g_free (options->server);
  g_free (options->port);
  g_free (options->security);
  g_free (options->user);
  g_free (options->password_file);
  g_free (options->auth);
  g_free (options->from);
  g_strfreev (options->to);
  g_free (options->subject);
  g_free (options->html);
  g_free (options->html_file);
  g_free (options->text);
  g_strfreev (options->attach);
  g_free (options->size);
  g_free (options->ehlo);
  g_free (options->stop_after);
  g_free (options->timeout);
  g_free (options->ca_file);
  g_free (options->lang);
  g_free (options->color);
  g_free (options->format);
  g_free (options->pin_certificate);
  g_free (options->tls_port);
  g_free (options->save);
  g_strfreev (options->fail);
  g_free (options->cert_out);
  g_free (options->discover);
  g_free (options->profile);
  g_free (options->save_profile);
  g_free (options->delete_profile);
  g_free (options->export_profiles);
  g_free (options->import_profiles);
  g_free (options->quota);
  g_free (options->max_size);
  g_free (options->warning);
  g_free (options->critical);
  g_free (options->cert_warning);
  g_free (options->cert_critical);
}

/* With --format nagios every answer is a plugin's: bad usage is UNKNOWN (3), on stdout. */
static gboolean nagios_mode;

/* --format is needed before the options are parsed, to report a parse error the right way. */
static gboolean
find_nagios_format (int argc, char **argv)
{
  const char *format = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_has_prefix (argv[i], "--format="))
        format = argv[i] + strlen ("--format=");
      else if (g_str_equal (argv[i], "--format") && i + 1 < argc)
        format = argv[++i];
    }
  return g_strcmp0 (format, "nagios") == 0;
}

static int
usage_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (nagios_mode)
    {
      g_autofree char *line = postaci_nagios_unknown (message);

      fputs (line, stdout);
      return POSTACI_NAGIOS_UNKNOWN;
    }
  g_printerr ("postaci-cli: %s\n", message);
  g_printerr ("%s\n", _("Run “postaci-cli --help” to see the options."));
  return POSTACI_EXIT_USAGE;
}

/* The terminal the prompt turned echo off on, and its settings before: a signal that ends the
 * program at the prompt (Ctrl+C) must not leave the person's shell without echo. */
static int prompt_tty_fd = -1;
static struct termios prompt_tty_saved;
static const int prompt_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void
restore_tty_and_die (int signum)
{
  /* Only async-signal-safe calls here. */
  if (prompt_tty_fd >= 0)
    tcsetattr (prompt_tty_fd, TCSAFLUSH, &prompt_tty_saved);
  signal (signum, SIG_DFL);
  raise (signum);
}

/* Asks on the terminal without echo. Returns NULL without @error when there is no terminal. */
static char *
prompt_password (const char *user, GError **error)
{
  struct termios quiet;
  struct sigaction on_signal = { 0 }, previous[G_N_ELEMENTS (prompt_signals)];
  /* An OAuth2 token is a few KiB: the buffer holds the longest secret a file may hold too. */
  gsize size = POSTACI_MAX_PASSWORD_BYTES + 2;
  g_autofree char *buffer = NULL;
  char *password = NULL;
  char *line;
  FILE *tty = fopen ("/dev/tty", "r+");

  if (tty == NULL)
    return NULL;
  /* Unbuffered: no copy of the secret is left in a stdio buffer that fclose() frees unwiped. */
  setvbuf (tty, NULL, _IONBF, 0);
  if (tcgetattr (fileno (tty), &prompt_tty_saved) != 0)
    {
      fclose (tty);
      return NULL;
    }
  buffer = g_malloc0 (size);
  prompt_tty_fd = fileno (tty);
  on_signal.sa_handler = restore_tty_and_die;
  sigemptyset (&on_signal.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (prompt_signals); i++)
    sigaction (prompt_signals[i], &on_signal, &previous[i]);
  quiet = prompt_tty_saved;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  tcsetattr (prompt_tty_fd, TCSAFLUSH, &quiet);
  /* Only now: what is typed once the prompt shows is neither echoed nor flushed away. */
  fprintf (tty, _("Password for %s: "), user);
  fflush (tty);
  line = fgets (buffer, (int) size, tty);
  if (line != NULL && strchr (buffer, '\n') == NULL && !feof (tty))
    {
      /* Too long: read the rest of the line, or the shell would get it after we exit. */
      int c;

      while ((c = getc (tty)) != EOF && c != '\n')
        ;
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("The password is longer than %d bytes."), POSTACI_MAX_PASSWORD_BYTES);
      line = NULL;
    }
  tcsetattr (prompt_tty_fd, TCSAFLUSH, &prompt_tty_saved);
  for (guint i = 0; i < G_N_ELEMENTS (prompt_signals); i++)
    sigaction (prompt_signals[i], &previous[i], NULL);
  prompt_tty_fd = -1;
  fputc ('\n', tty);
  fclose (tty);
  if (line != NULL)
    {
      buffer[strcspn (buffer, "\r\n")] = '\0';
      password = g_strdup (buffer);
    }
  explicit_bzero (buffer, size);
  return password;
}

static gboolean
use_colour (const char *choice)
{
  if (choice == NULL || g_str_equal (choice, "auto"))
    return isatty (STDOUT_FILENO) && g_getenv ("NO_COLOR") == NULL &&
           g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
  return g_str_equal (choice, "always");
}

/* The password for --user: from --password-file, $POSTACI_PASSWORD or the terminal. */
static int
obtain_password (const Options *options, char **out)
{
  g_autoptr(GError) error = NULL;
  char *password = NULL;

  if (options->password_file != NULL)
    {
      password = postaci_input_file_read_password (options->password_file, 30, &error);
      if (password == NULL)
        return usage_error ("--password-file: %s", error->message);
    }
  else if (g_getenv ("POSTACI_PASSWORD") != NULL)
    password = g_strdup (g_getenv ("POSTACI_PASSWORD"));
  else if (isatty (STDIN_FILENO))
    {
      password = prompt_password (options->user, &error);
      if (password == NULL && error != NULL)
        return usage_error ("%s", error->message);
    }
  if (password == NULL)
    return usage_error ("%s", _("--user needs a password: use --password-file, $POSTACI_PASSWORD, "
                                "or run on a terminal to be asked."));
  *out = password;
  return 0;
}

/* The password of a saved server that asked for it to be remembered, from the keyring. */
static void
keyring_lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *wait = user_data;
  GError *error = NULL;
  char *password = postaci_keyring_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (wait, error);
  else
    g_task_return_pointer (wait, password, (GDestroyNotify) postaci_keyring_password_free);
}

static char *
keyring_password (PostaciProfile *profile, GError **error)
{
  g_autoptr(GTask) wait = g_task_new (NULL, NULL, NULL, NULL);

  postaci_keyring_lookup_async (profile, NULL, keyring_lookup_cb, wait);
  while (!g_task_get_completed (wait))
    g_main_context_iteration (NULL, TRUE);
  return g_task_propagate_pointer (wait, error);
}

/* Turns the options into a request, over the saved server's settings when `profile` is given
 * (each option given overrides its field); returns an exit status other than 0 on bad usage. */
static int
build_request (Options *options, PostaciProfile *profile, PostaciRequest *request,
               gboolean for_a_run)
{
  g_autoptr(GError) error = NULL;

  if (options->tls_port != NULL || options->save != NULL || options->fail != NULL ||
      options->cert_out != NULL || options->quota != NULL || options->max_size != NULL)
    return usage_error ("%s", _("--tls-port, --save, --fail, --quota, --max-size and --cert-out go "
                                "with --serve."));
  if (!nagios_mode && (options->warning != NULL || options->critical != NULL ||
                       options->cert_warning != NULL || options->cert_critical != NULL))
    return usage_error ("%s", _("--warning, --critical, --cert-warning and --cert-critical go with "
                                "--format nagios."));
  if (options->server != NULL)
    {
      g_free (request->server);
      request->server = g_strdup (options->server);
    }
  if (request->server == NULL || *request->server == '\0')
    return usage_error ("%s", _("--server is required: the SMTP server to test."));

  if ((options->security != NULL &&
       !postaci_option_parse (POSTACI_OPTION_SECURITY, options->security, &request->security,
                              &error)) ||
      (options->port != NULL &&
       !postaci_option_parse (POSTACI_OPTION_PORT, options->port, &request->port, &error)) ||
      (options->auth != NULL &&
       !postaci_option_parse (POSTACI_OPTION_AUTH, options->auth, &request->mechanism, &error)) ||
      (options->stop_after != NULL &&
       !postaci_option_parse (POSTACI_OPTION_STOP_AFTER, options->stop_after, &request->stop_after,
                              &error)) ||
      (options->timeout != NULL &&
       !postaci_option_parse (POSTACI_OPTION_TIMEOUT, options->timeout, &request->timeout_seconds,
                              &error)))
    return usage_error ("%s", error->message);
  if (options->html != NULL && options->html_file != NULL)
    return usage_error ("%s", _("Give either --html or --html-file, not both."));

  if (options->user != NULL)
    {
      g_free (request->username);
      request->username = g_strdup (options->user);
      request->auth = TRUE;
    }
  /* A saved server that does not log in keeps its user name for the form, not for AUTH. */
  if (!request->auth)
    g_clear_pointer (&request->username, g_free);
  if (request->username != NULL)
    {
      g_autofree char *password = NULL;

      request->allow_plain_auth = request->allow_plain_auth || options->allow_plain_auth;
      if (options->password_file != NULL)
        {
          password = postaci_input_file_read_password (options->password_file,
                                                       postaci_request_get_timeout (request),
                                                       &error);
          if (password == NULL)
            return usage_error ("--password-file: %s", error->message);
        }
      else if (g_getenv ("POSTACI_PASSWORD") != NULL)
        password = g_strdup (g_getenv ("POSTACI_PASSWORD"));
      else if (profile != NULL && postaci_profile_get_remember_password (profile) &&
               (password = keyring_password (profile, &error)) == NULL && error != NULL)
        {
          /* No keyring: say so, and go on to the prompt as if nothing had been remembered. */
          g_printerr ("postaci-cli: %s\n", error->message);
          g_clear_error (&error);
        }
      if (password == NULL && isatty (STDIN_FILENO))
        {
          password = prompt_password (request->username, &error);
          if (password == NULL && error != NULL)
            return usage_error ("%s", error->message);
        }
      if (password == NULL)
        return usage_error ("%s", _("--user needs a password: use --password-file, $POSTACI_PASSWORD, "
                                    "or run on a terminal to be asked."));
      postaci_request_set_password (request, password);
      memset (password, 0, strlen (password));
    }
  /* Without a user name there is no AUTH: the run would go on without the login asked for. */
  else if (options->password_file != NULL || options->auth != NULL || options->allow_plain_auth)
    return usage_error ("%s", _("--password-file, --auth and --allow-plain-auth need --user."));

  if (options->from != NULL)
    {
      g_free (request->from);
      request->from = g_strdup (options->from);
    }
  if (options->to != NULL)
    g_ptr_array_set_size (request->recipients, 0);
  for (guint i = 0; options->to != NULL && options->to[i] != NULL; i++)
    postaci_request_add_recipients (request, options->to[i]);
  if (options->ehlo != NULL)
    {
      g_free (request->ehlo_name);
      request->ehlo_name = g_strdup (options->ehlo);
    }
  /* GTlsFileDatabase wants an absolute path; people type relative ones. */
  if (options->ca_file != NULL)
    {
      g_free (request->ca_file);
      request->ca_file = g_canonicalize_filename (options->ca_file, NULL);
    }
  request->accept_invalid_certificate = options->insecure;
  request->no_pipelining = options->no_pipelining;
  if (options->pin_certificate != NULL)
    {
      gsize length = 0;
      g_autofree char *pem = postaci_input_file_read (options->pin_certificate,
                                                      POSTACI_MAX_CERTIFICATE_FILE_BYTES,
                                                      postaci_request_get_timeout (request),
                                                      &length, &error);

      if (pem != NULL)
        request->pinned_certificate = g_tls_certificate_new_from_pem (pem, (gssize) length, &error);
      if (request->pinned_certificate == NULL)
        return usage_error ("--pin-certificate: %s", error->message);
    }
  if (options->subject != NULL || (for_a_run && request->subject == NULL))
    {
      g_free (request->subject);
      request->subject = g_strdup (options->subject ? options->subject : _("Postacı SMTP test"));
    }
  if (options->text != NULL)
    {
      g_free (request->text);
      request->text = g_strdup (options->text);
    }

  /* The file is read as the message is sent, never whole: postaci_session_prepare() checks
   * it (a NUL, invalid UTF-8) before anything is sent. */
  if (options->html_file != NULL)
    {
      struct stat st;

      /* A regular file is read as the message is sent, never whole (any size; checked for a
       * NUL and UTF-8 by postaci_session_prepare()). Anything else, a pipe, is read here, with
       * the bounds of size and time every file option has. */
      if (stat (options->html_file, &st) == 0 && S_ISREG (st.st_mode))
        request->html_file = g_strdup (options->html_file);
      else
        {
          gsize length = 0;

          g_free (request->html);
          request->html = postaci_input_file_read (options->html_file, POSTACI_MAX_HTML_FILE_BYTES,
                                                   postaci_request_get_timeout (request), &length,
                                                   &error);
          if (request->html == NULL)
            return usage_error ("--html-file: %s", error->message);
          /* A NUL would silently cut the message short: this is not a text file. */
          if (memchr (request->html, '\0', length) != NULL)
            return usage_error (_("--html-file: “%s” contains a NUL byte; give a UTF-8 text file."),
                                options->html_file);
        }
    }
  else if (options->html != NULL)
    {
      g_free (request->html);
      request->html = g_strdup (options->html);
    }
  else if (for_a_run && (request->html == NULL || *request->html == '\0'))
    {
      g_free (request->html);
      request->html = g_strdup_printf ("<p>%s</p>",
                                     _("This is a test message sent by Postacı, the SMTP tester."));
    }

  for (guint i = 0; options->attach != NULL && options->attach[i] != NULL; i++)
    g_ptr_array_add (request->attachments, g_strdup (options->attach[i]));
  if (options->size != NULL &&
      !postaci_option_parse (POSTACI_OPTION_SIZE, options->size, &request->size, &error))
    return usage_error ("%s", error->message);

  if (!postaci_request_validate (request, &error))
    return usage_error ("%s", error->message);
  return 0;
}

static void
event_cb (PostaciSession *session, const PostaciEvent *event, gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *text = NULL;

  /* A monitoring plugin prints one status line, not a transcript. */
  if (nagios_mode)
    return;
  /* A report is one document, written when the run has ended. */
  if (run->events != NULL)
    {
      g_ptr_array_add (run->events, postaci_event_copy (event));
      return;
    }
  text = postaci_transcript_format_event (event, run->format);
  fputs (text, stdout);
  fflush (stdout);
}

static void
run_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;

  run->outcome = postaci_session_run_finish (POSTACI_SESSION (object), result);
  g_main_loop_quit (run->loop);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  Run *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------- */
/* --serve: the Local Test Server in a terminal                     */
/* ---------------------------------------------------------------- */

static gboolean
parse_serve_port (const char *text, guint *port)
{
  guint64 value;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, 65535, &value, NULL))
    return FALSE;
  *port = (guint) value;
  return TRUE;
}

/* "500M", "2G", "1048576": bytes, with K, M or G for KiB, MiB, GiB. */
static gboolean
parse_quota (const char *text, guint64 *bytes)
{
  g_autofree char *number = NULL;
  guint64 value, unit = 1;
  gsize len = strlen (text);

  if (len > 0 && strchr ("kKmMgG", text[len - 1]) != NULL)
    {
      unit = g_ascii_tolower (text[len - 1]) == 'k' ? 1024 : g_ascii_tolower (text[len - 1]) == 'm'
                                                              ? 1024 * 1024 : 1024 * 1024 * 1024;
      len--;
    }
  number = g_strndup (text, len);
  if (!g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT64 / unit, &value, NULL))
    return FALSE;
  *bytes = value * unit;
  return TRUE;
}

/* --cert-out writes a new file or replaces a regular one, never anything else: as root, a
 * rename over /dev/full would replace the device node. Checked before the server starts. */
static gboolean
cert_out_is_safe (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) != 0 ? errno == ENOENT : S_ISREG (st.st_mode);
}

static void
message_received_cb (PostaciLocalServer     *server,
                     PostaciCapturedMessage *message,
                     gpointer                user_data)
{
  g_autofree char *time = g_date_time_format (postaci_captured_message_get_received_time (message), "%H:%M:%S");
  g_autofree char *to = g_strjoinv (", ", (char **) postaci_captured_message_get_recipients (message));

  /* One line per message; the subject was decoded from the message, so escape it for the terminal. */
  {
    g_autofree char *subject = postaci_escape_text (postaci_captured_message_get_subject (message), -1);
    g_autofree char *from = postaci_escape_text (postaci_captured_message_get_from (message), -1);
    g_autofree char *to_safe = postaci_escape_text (to, -1);

    /* Translators: time, sender, recipients, subject, size, then ", TLS" and ", authenticated"
     * (each may be empty), then the file name */
    g_print (_("[%s] Message received from <%s> to %s: “%s” (%zu bytes%s%s), saved as %s\n"),
             time, from, to_safe, subject, postaci_captured_message_get_size (message),
             postaci_captured_message_get_tls (message) ? _(", TLS") : "",
             postaci_captured_message_get_authenticated (message) ? _(", authenticated") : "",
             postaci_captured_message_get_path (message));
  }
  fflush (stdout);
}

static gboolean
stop_serving_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* Runs the Local Test Server until SIGINT or SIGTERM; returns the exit status. */
static int
serve (Options *options)
{
  g_autoptr(PostaciLocalServer) server = postaci_local_server_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint port = 0, tls_port = 0;
  guint sigint_id, sigterm_id;
  const char *also = "";

  if (options->server != NULL || options->security != NULL || options->user != NULL ||
      options->password_file != NULL || options->auth != NULL || options->allow_plain_auth ||
      options->from != NULL || options->to != NULL || options->subject != NULL ||
      options->html != NULL || options->html_file != NULL || options->text != NULL ||
      options->attach != NULL || options->size != NULL ||
      options->ehlo != NULL || options->stop_after != NULL || options->no_pipelining ||
      options->timeout != NULL ||
      options->ca_file != NULL || options->insecure || options->pin_certificate != NULL ||
      options->profile != NULL || options->save_profile != NULL || options->remember_password ||
      nagios_mode || options->warning != NULL || options->critical != NULL ||
      options->cert_warning != NULL || options->cert_critical != NULL)
    return usage_error ("%s", _("--serve runs the Local Test Server; it takes --port, --tls-port, --save, "
                                "--fail, --quota and --cert-out, not the options of a test run."));
  if (!parse_serve_port (options->port, &port))
    return usage_error (_("--port must be a number from 0 (a free port) to 65535, not “%s”."), options->port);
  if (!parse_serve_port (options->tls_port, &tls_port))
    return usage_error (_("--tls-port must be a number from 0 (a free port) to 65535, not “%s”."),
                        options->tls_port);
  for (guint i = 0; options->fail != NULL && options->fail[i] != NULL; i++)
    {
      PostaciStage stage;
      guint code;

      if (!postaci_local_server_parse_failure (options->fail[i], &stage, &code, &error) ||
          !postaci_local_server_set_failure (server, stage, code, &error))
        return usage_error ("--fail: %s", error->message);
    }
  if (options->quota != NULL)
    {
      guint64 quota;

      if (!parse_quota (options->quota, &quota))
        return usage_error (_("--quota must be a size in bytes, or with K, M or G (such as 500M), "
                              "not “%s”."), options->quota);
      postaci_local_server_set_quota (server, quota);
    }
  if (options->cert_out != NULL && !cert_out_is_safe (options->cert_out))
    return usage_error (_("--cert-out: “%s” exists and is not a regular file; name a new file."),
                        options->cert_out);
  if (options->max_size != NULL)
    {
      guint64 max_size;

      if (!postaci_parse_size (options->max_size, &max_size) || max_size > G_MAXSIZE)
        return usage_error (_("--max-size must be a number of bytes with an optional K, M or G, "
                              "such as 100M, not “%s”."), options->max_size);
      postaci_local_server_set_max_size (server, (gsize) max_size);
    }
  postaci_local_server_set_port (server, port);
  postaci_local_server_set_tls_port (server, tls_port);
  if (options->save != NULL)
    postaci_local_server_set_folder (server, options->save);

  if (!postaci_local_server_start (server, &error))
    {
      g_printerr ("postaci-cli: %s\n", error->message);
      /* A --save folder that cannot be used is bad input, like a bad option. */
      return g_error_matches (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FOLDER)
               ? POSTACI_EXIT_USAGE : POSTACI_EXIT_FAILURE;
    }
  if (options->cert_out != NULL &&
      !g_file_set_contents (options->cert_out, postaci_local_server_get_certificate_pem (server), -1, &error))
    {
      g_printerr ("postaci-cli: --cert-out: %s\n", error->message);
      return POSTACI_EXIT_USAGE;
    }

  if (postaci_local_server_get_has_ipv6 (server))
    also = _(" and [::1]");
  g_print ("%s\n", _("Postacı’s Local Test Server: a sink on this computer only; nothing is ever forwarded."));
  g_print (_("SMTP with STARTTLS: 127.0.0.1%s, port %u\n"), also, postaci_local_server_get_port (server));
  g_print (_("SMTP over TLS: 127.0.0.1%s, port %u\n"), also, postaci_local_server_get_tls_port (server));
  g_print (_("User name: %s\n"), postaci_local_server_get_username (server));
  /* The server's own throwaway password, made for this run: shown on purpose. */
  g_print (_("Password: %s\n"), postaci_local_server_get_password (server));
  g_print (_("Certificate SHA-256 fingerprint: %s\n"), postaci_local_server_get_fingerprint (server));
  if (options->cert_out != NULL)
    g_print (_("Certificate written to: %s\n"), options->cert_out);
  g_print (_("Messages are saved in: %s\n"), postaci_local_server_get_folder (server));
  if (postaci_local_server_get_quota (server) > 0)
    {
      g_autofree char *quota = g_format_size_full (postaci_local_server_get_quota (server),
                                                   G_FORMAT_SIZE_IEC_UNITS);

      /* Translators: the folder's quota, such as "500.0 MiB" */
      g_print (_("Quota: %s (then 452 4.3.1)\n"), quota);
    }
  for (guint i = 0; options->fail != NULL && options->fail[i] != NULL; i++)
    g_print (_("Failure on purpose: %s\n"), options->fail[i]);
  g_print ("%s\n", _("Press Ctrl+C to stop."));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (server, "message-received", G_CALLBACK (message_received_cb), NULL);
  sigint_id = g_unix_signal_add (SIGINT, stop_serving_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, stop_serving_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  postaci_local_server_stop (server);
  g_print ("%s\n", _("The Local Test Server has stopped."));
  fflush (stdout);
  return POSTACI_EXIT_SUCCESS;
}

/* --discover: find the submission server of an address, domain or host, probe it, recommend. */
static int
discover (Options *options)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  guint seconds = 10;
  int status;

  if (options->server != NULL || options->port != NULL || options->security != NULL ||
      options->auth != NULL || options->allow_plain_auth || options->from != NULL ||
      options->to != NULL || options->subject != NULL || options->html != NULL ||
      options->html_file != NULL || options->text != NULL || options->ehlo != NULL ||
      options->stop_after != NULL || options->no_pipelining || options->insecure ||
      options->pin_certificate != NULL || options->serve || options->tls_port != NULL || options->save != NULL ||
      options->fail != NULL || options->cert_out != NULL || options->quota != NULL ||
      options->profile != NULL || options->save_profile != NULL || options->remember_password)
    return usage_error ("%s", _("--discover takes --user, --password-file, --timeout, --ca-file, "
                                "--lang, --color and --format, not the options of a test run."));
  if (options->format != NULL && !g_str_equal (options->format, "text") &&
      !g_str_equal (options->format, "jsonl"))
    return usage_error (_("--format must be text or jsonl with --discover, not “%s”."),
                        options->format);
  if (options->timeout != NULL &&
      !postaci_option_parse (POSTACI_OPTION_TIMEOUT, options->timeout, &seconds, &error))
    return usage_error ("%s", error->message);
  if (options->user != NULL)
    {
      if ((status = obtain_password (options, &password)) != 0)
        return status;
    }
  else if (options->password_file != NULL)
    return usage_error ("%s", _("--password-file needs --user."));

  {
    PostaciCliDiscover run = {
      .query = options->discover,
      .user = options->user,
      .password = password,
      .step_seconds = seconds,
      .ca_file = options->ca_file,
      .format = g_strcmp0 (options->format, "jsonl") == 0 ? POSTACI_TRANSCRIPT_JSONL
                : use_colour (options->color) ? POSTACI_TRANSCRIPT_ANSI : POSTACI_TRANSCRIPT_TEXT,
    };

    status = postaci_cli_discover (&run);
  }
  if (password != NULL)
    memset (password, 0, strlen (password));
  return status;
}

/* The options that shape the output, checked before anything else happens. */
static int
check_output_options (const Options *options)
{
  PostaciReportFormat report;

  if (options->lang != NULL && !g_str_equal (options->lang, "tr") && !g_str_equal (options->lang, "en"))
    return usage_error (_("--lang must be tr or en, not “%s”."), options->lang);
  if (options->format != NULL && !g_str_equal (options->format, "text") &&
      !g_str_equal (options->format, "jsonl") && !g_str_equal (options->format, "nagios") &&
      !postaci_report_format_from_string (options->format, &report))
    return usage_error (_("--format must be text, jsonl, markdown, html or nagios, not “%s”."),
                        options->format);
  if (options->color != NULL && !g_str_equal (options->color, "auto") &&
      !g_str_equal (options->color, "always") && !g_str_equal (options->color, "never"))
    return usage_error (_("--color must be auto, always or never, not “%s”."), options->color);
  return POSTACI_EXIT_SUCCESS;
}

/* ---------------------------------------------------------------- */
/* Saved servers (profiles)                                         */
/* ---------------------------------------------------------------- */

static PostaciProfileStore *
open_profiles (int *status)
{
  g_autoptr(PostaciProfileStore) store = postaci_profile_store_new (NULL);
  g_autoptr(GError) error = NULL;

  if (!postaci_profile_store_load (store, &error))
    {
      *status = usage_error ("%s", error->message);
      return NULL;
    }
  return g_steal_pointer (&store);
}

static PostaciProfile *
find_profile (PostaciProfileStore *store, const char *name, int *status)
{
  PostaciProfile *profile = postaci_profile_store_lookup (store, name);

  if (profile == NULL)
    *status = usage_error (_("There is no saved server named “%s”; “postaci-cli --list-profiles” "
                             "shows them."), name);
  return profile;
}

static void
keyring_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *wait = user_data;
  GError *error = NULL;

  /* store and clear both finish with a boolean */
  if (g_task_get_source_tag (G_TASK (result)) == postaci_keyring_store_async
      ? postaci_keyring_store_finish (result, &error)
      : postaci_keyring_clear_finish (result, &error))
    g_task_return_boolean (wait, TRUE);
  else
    g_task_return_error (wait, error);
}

static gboolean
wait_keyring (GTask *wait, GError **error)
{
  while (!g_task_get_completed (wait))
    g_main_context_iteration (NULL, TRUE);
  return g_task_propagate_boolean (wait, error);
}

/* --save-profile NAME: the request the options describe (over --profile's, when given) is kept
 * under NAME; the password only with --remember-password, and only in the keyring. */
static int
save_profile (Options *options, PostaciProfileStore *store, PostaciRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) wait = g_task_new (NULL, NULL, NULL, NULL);
  PostaciProfile *profile = postaci_profile_store_lookup (store, options->save_profile);
  g_autoptr(PostaciProfile) created = NULL;
  gboolean remembered = profile != NULL && postaci_profile_get_remember_password (profile);

  if (profile == NULL)
    {
      created = postaci_profile_new (options->save_profile, request);
      if (!postaci_profile_store_add (store, created, &error))
        return usage_error ("%s", error->message);
      profile = created;
    }
  else
    postaci_profile_set_request (profile, request);
  postaci_profile_set_remember_password (profile, options->remember_password &&
                                         request->password != NULL);
  if (!postaci_profile_store_save (store, &error))
    return usage_error ("%s", error->message);

  if (postaci_profile_get_remember_password (profile))
    postaci_keyring_store_async (profile, request->password, NULL, keyring_done_cb, wait);
  else if (remembered)
    postaci_keyring_clear_async (profile, NULL, keyring_done_cb, wait);
  else
    g_task_return_boolean (wait, TRUE);
  if (!wait_keyring (wait, &error))
    {
      /* The settings are saved; only the password is not: say so, and why. */
      g_printerr ("postaci-cli: %s\n", error->message);
      if (options->remember_password)
        {
          postaci_profile_set_remember_password (profile, FALSE);
          postaci_profile_store_save (store, NULL);
        }
    }
  g_print (_("Saved “%s” in %s.\n"), postaci_profile_get_name (profile),
           postaci_profile_store_get_path (store));
  return POSTACI_EXIT_SUCCESS;
}

static int
list_profiles (void)
{
  int status = POSTACI_EXIT_SUCCESS;
  g_autoptr(PostaciProfileStore) store = open_profiles (&status);
  guint n;

  if (store == NULL)
    return status;
  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PostaciProfile) profile = g_list_model_get_item (G_LIST_MODEL (store), i);
      const PostaciRequest *r = postaci_profile_get_request (profile);

      /* name, then what it points at: tab-separated, for people and for cut(1) alike */
      g_print ("%s\t%s:%u\t%s\t%s\n", postaci_profile_get_name (profile),
               r->server ? r->server : "", postaci_request_get_port (r),
               postaci_security_to_string (r->security),
               r->auth && r->username ? r->username : "-");
    }
  return status;
}

static int
delete_profile (const char *name)
{
  int status = POSTACI_EXIT_SUCCESS;
  g_autoptr(PostaciProfileStore) store = open_profiles (&status);
  g_autoptr(GTask) wait = g_task_new (NULL, NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;
  PostaciProfile *profile;

  if (store == NULL || (profile = find_profile (store, name, &status)) == NULL)
    return status;
  g_object_ref (profile);
  postaci_profile_store_remove (store, profile);
  if (!postaci_profile_store_save (store, &error))
    status = usage_error ("%s", error->message);
  else if (postaci_profile_get_remember_password (profile))
    {
      postaci_keyring_clear_async (profile, NULL, keyring_done_cb, wait);
      if (!wait_keyring (wait, &error))
        g_printerr ("postaci-cli: %s\n", error->message);
    }
  g_object_unref (profile);
  return status;
}

static int
export_profiles (const char *path)
{
  int status = POSTACI_EXIT_SUCCESS;
  g_autoptr(PostaciProfileStore) store = open_profiles (&status);
  g_autoptr(GError) error = NULL;

  if (store == NULL)
    return status;
  if (!postaci_profile_store_export (store, path, &error))
    return usage_error ("--export-profiles: %s", error->message);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Exported %u saved server, without passwords, to %s.\n",
                        "Exported %u saved servers, without passwords, to %s.\n",
                        g_list_model_get_n_items (G_LIST_MODEL (store))),
           g_list_model_get_n_items (G_LIST_MODEL (store)), path);
  return status;
}

static int
import_profiles (const char *path)
{
  int status = POSTACI_EXIT_SUCCESS;
  g_autoptr(PostaciProfileStore) store = open_profiles (&status);
  g_autoptr(GError) error = NULL;
  int added;

  if (store == NULL)
    return status;
  added = postaci_profile_store_import (store, path, &error);
  if (added < 0)
    return usage_error ("--import-profiles: %s", error->message);
  if (!postaci_profile_store_save (store, &error))
    return usage_error ("%s", error->message);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Imported %d saved server from %s.\n",
                        "Imported %d saved servers from %s.\n", (gulong) added), added, path);
  return status;
}

/* The thresholds of --format nagios; each is optional. */
static int
parse_thresholds (const Options *options, PostaciNagiosThresholds *thresholds)
{
  const struct { const char *text; gint64 *ms; } seconds[] = {
    { options->warning, &thresholds->warning_ms },
    { options->critical, &thresholds->critical_ms },
  };
  const struct { const char *text; gint *days; } days[] = {
    { options->cert_warning, &thresholds->cert_warning_days },
    { options->cert_critical, &thresholds->cert_critical_days },
  };

  *thresholds = (PostaciNagiosThresholds) { -1, -1, -1, -1 };
  for (guint i = 0; i < G_N_ELEMENTS (seconds); i++)
    if (seconds[i].text != NULL && !postaci_nagios_parse_seconds (seconds[i].text, seconds[i].ms))
      return usage_error (_("--warning and --critical take seconds, such as 2 or 0.5, not “%s”."),
                          seconds[i].text);
  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    if (days[i].text != NULL && !postaci_nagios_parse_days (days[i].text, days[i].days))
      return usage_error (_("--cert-warning and --cert-critical take a whole number of days "
                            "from 0 to 3650, not “%s”."), days[i].text);
  return POSTACI_EXIT_SUCCESS;
}

/* The server and port as a monitoring system names the service: "mx.example.com:587", "[::1]:25". */
static char *
describe_target (const PostaciRequest *request)
{
  g_autofree char *host = postaci_request_get_host_for_tls (request);

  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, postaci_request_get_port (request));
  return g_strdup_printf ("%s:%u", host, postaci_request_get_port (request));
}

/* One test run: the request from the options, the session on a main loop, the verdict. */
static int
run_test (Options *options)
{
  g_autoptr(PostaciRequest) request = NULL;
  g_autoptr(PostaciSession) session = NULL;
  g_autoptr(PostaciProfileStore) store = NULL;
  g_autofree char *verdict = NULL;
  PostaciProfile *profile = NULL;
  Run run = { 0 };
  PostaciReportFormat report_format;
  gboolean report = postaci_report_format_from_string (options->format, &report_format);
  PostaciNagiosThresholds thresholds;
  g_autofree char *target = NULL;
  PostaciStage last_stage;
  int status = POSTACI_EXIT_SUCCESS;
  guint sigint_id, sigterm_id;

  if ((status = parse_thresholds (options, &thresholds)) != 0)
    return status;

  if (options->profile != NULL || options->save_profile != NULL)
    {
      store = open_profiles (&status);
      if (store == NULL)
        return status;
    }
  if (options->profile != NULL && (profile = find_profile (store, options->profile, &status)) == NULL)
    return status;
  if (options->remember_password && options->save_profile == NULL)
    return usage_error ("%s", _("--remember-password goes with --save-profile."));
  request = profile != NULL ? postaci_profile_to_request (profile) : postaci_request_new ();

  /* A saved server keeps no default subject or message: those follow the language of each run. */
  status = build_request (options, profile, request, options->save_profile == NULL);
  if (status != 0)
    return status;
  if (options->save_profile != NULL)
    return save_profile (options, store, request);
  target = describe_target (request);
  last_stage = request->stop_after;

  if (g_strcmp0 (options->format, "jsonl") == 0)
    run.format = POSTACI_TRANSCRIPT_JSONL;
  else
    run.format = use_colour (options->color) ? POSTACI_TRANSCRIPT_ANSI : POSTACI_TRANSCRIPT_TEXT;

  /* The session keeps its own copy of the request; a large message body need not stay twice. */
  session = postaci_session_new (request);
  g_clear_pointer (&request, postaci_request_free);
  {
    g_autoptr(GError) error = NULL;

    /* Bad input (a NUL in the HTML file, an unreadable attachment) is a usage error. */
    if (!postaci_session_prepare (session, &error))
      return usage_error ("%s", error->message);
  }

  if (report)
    run.events = g_ptr_array_new_with_free_func ((GDestroyNotify) postaci_event_free);
  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupted_cb, &run);
  g_signal_connect (session, "event", G_CALLBACK (event_cb), &run);
  postaci_session_run_async (session, run.cancellable, run_cb, &run);
  g_main_loop_run (run.loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  status = postaci_outcome_get_exit_status (run.outcome);
  if (nagios_mode)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      status = (int) postaci_nagios_report (run.outcome, target, last_stage, &thresholds, now,
                                            &verdict);
    }
  else if (report)
    verdict = postaci_report_format (postaci_session_get_request (session), run.events,
                                     run.outcome, NULL, report_format);
  else
    verdict = postaci_transcript_format_outcome (run.outcome, run.format);
  fputs (verdict, stdout);
  fflush (stdout);

  postaci_outcome_free (run.outcome);
  g_clear_pointer (&run.events, g_ptr_array_unref);
  g_object_unref (run.cancellable);
  g_main_loop_unref (run.loop);
  return status;
}

/* --port serves --serve too: its help says what it means there. */
static GOptionEntry
port_entry (char **port)
{
  GOptionEntry entry = postaci_option_entry (POSTACI_OPTION_PORT, port);

  entry.description = N_("Port (default: 465 with tls, otherwise 587; with --serve: a free port)");
  return entry;
}

int
main (int argc, char **argv)
{
  Options options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status = POSTACI_EXIT_SUCCESS;

  /* --lang must act before any string is translated, so argv is scanned first. */
  postaci_locale_init ("postaci-cli", postaci_locale_find_lang_option (argc, argv));
  nagios_mode = find_nagios_format (argc, argv);

  {
    /* The options of a test come from core's one table, as the window's do. */
    const GOptionEntry entries[] = {
      postaci_option_entry (POSTACI_OPTION_SERVER, &options.server),
      port_entry (&options.port),
      postaci_option_entry (POSTACI_OPTION_SECURITY, &options.security),
      postaci_option_entry (POSTACI_OPTION_USER, &options.user),
      postaci_option_entry (POSTACI_OPTION_PASSWORD_FILE, &options.password_file),
      postaci_option_entry (POSTACI_OPTION_AUTH, &options.auth),
      postaci_option_entry (POSTACI_OPTION_ALLOW_PLAIN_AUTH, &options.allow_plain_auth),
      postaci_option_entry (POSTACI_OPTION_FROM, &options.from),
      postaci_option_entry (POSTACI_OPTION_TO, &options.to),
      postaci_option_entry (POSTACI_OPTION_SUBJECT, &options.subject),
      postaci_option_entry (POSTACI_OPTION_HTML, &options.html),
      postaci_option_entry (POSTACI_OPTION_HTML_FILE, &options.html_file),
      postaci_option_entry (POSTACI_OPTION_TEXT, &options.text),
      postaci_option_entry (POSTACI_OPTION_ATTACH, &options.attach),
      postaci_option_entry (POSTACI_OPTION_SIZE, &options.size),
      postaci_option_entry (POSTACI_OPTION_EHLO, &options.ehlo),
      postaci_option_entry (POSTACI_OPTION_STOP_AFTER, &options.stop_after),
      postaci_option_entry (POSTACI_OPTION_NO_PIPELINING, &options.no_pipelining),
      postaci_option_entry (POSTACI_OPTION_TIMEOUT, &options.timeout),
      postaci_option_entry (POSTACI_OPTION_CA_FILE, &options.ca_file),
      postaci_option_entry (POSTACI_OPTION_INSECURE, &options.insecure),
      { "lang", 0, 0, G_OPTION_ARG_STRING, &options.lang, N_("Language of the output: tr or en"), N_("LANG") },
      { "color", 0, 0, G_OPTION_ARG_STRING, &options.color, N_("auto, always or never"), N_("WHEN") },
      { "format", 0, 0, G_OPTION_ARG_STRING, &options.format, N_("text, jsonl, markdown, html or nagios (markdown and html: a report of the whole test; nagios: a monitoring plugin’s status line)"), N_("FORMAT") },
      { "warning", 0, 0, G_OPTION_ARG_STRING, &options.warning, N_("With --format nagios: WARNING when the test takes longer"), N_("SECONDS") },
      { "critical", 0, 0, G_OPTION_ARG_STRING, &options.critical, N_("With --format nagios: CRITICAL when the test takes longer"), N_("SECONDS") },
      { "cert-warning", 0, 0, G_OPTION_ARG_STRING, &options.cert_warning, N_("With --format nagios: WARNING when the certificate expires in fewer days"), N_("DAYS") },
      { "cert-critical", 0, 0, G_OPTION_ARG_STRING, &options.cert_critical, N_("With --format nagios: CRITICAL when the certificate expires in fewer days"), N_("DAYS") },
      { "pin-certificate", 0, 0, G_OPTION_ARG_FILENAME, &options.pin_certificate, N_("Accept this certificate (PEM) for this run even if it does not verify"), N_("FILE") },
      { "version", 0, 0, G_OPTION_ARG_NONE, &options.version, N_("Show the version and exit"), NULL },
      { "serve", 0, 0, G_OPTION_ARG_NONE, &options.serve, N_("Run the Local Test Server until interrupted"), NULL },
      { "tls-port", 0, 0, G_OPTION_ARG_STRING, &options.tls_port, N_("With --serve: port for implicit TLS (default: a free one)"), N_("N") },
      { "save", 0, 0, G_OPTION_ARG_FILENAME, &options.save, N_("With --serve: folder for the received messages"), N_("DIR") },
      { "fail", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.fail, N_("With --serve: fail on purpose, e.g. rcpt=550 or greeting=silent"), N_("STAGE=CODE") },
      { "cert-out", 0, 0, G_OPTION_ARG_FILENAME, &options.cert_out, N_("With --serve: write the server's certificate (PEM) to this file"), N_("FILE") },
      { "discover", 0, 0, G_OPTION_ARG_STRING, &options.discover, N_("Find the submission server of an e-mail address, a domain or a host, probe it and recommend settings"), N_("ADDRESS") },
      { "profile", 0, 0, G_OPTION_ARG_STRING, &options.profile, N_("Start from this saved server; the options given override its settings"), N_("NAME") },
      { "save-profile", 0, 0, G_OPTION_ARG_STRING, &options.save_profile, N_("Save these settings as a saved server of this name instead of testing"), N_("NAME") },
      { "remember-password", 0, 0, G_OPTION_ARG_NONE, &options.remember_password, N_("With --save-profile: keep the password in the keyring"), NULL },
      { "list-profiles", 0, 0, G_OPTION_ARG_NONE, &options.list_profiles, N_("List the saved servers and exit"), NULL },
      { "delete-profile", 0, 0, G_OPTION_ARG_STRING, &options.delete_profile, N_("Delete a saved server and its remembered password"), N_("NAME") },
      { "export-profiles", 0, 0, G_OPTION_ARG_FILENAME, &options.export_profiles, N_("Write every saved server, without passwords, to this file"), N_("FILE") },
      { "import-profiles", 0, 0, G_OPTION_ARG_FILENAME, &options.import_profiles, N_("Add the saved servers of an exported file"), N_("FILE") },
      { "quota", 0, 0, G_OPTION_ARG_STRING, &options.quota, N_("With --serve: the most bytes of messages the folder may hold, e.g. 500M"), N_("SIZE") },
      { "max-size", 0, 0, G_OPTION_ARG_STRING, &options.max_size, N_("With --serve: the largest message taken, announced with SIZE (default: 25M)"), N_("BYTES") },
      { NULL }
    };

    context = g_option_context_new (NULL);
    g_option_context_set_summary (context, _("Test an SMTP server: connect, talk, explain every reply."));
    g_option_context_set_description (context,
      _("Exit status: 0 the run reached its goal; 1 the server refused; 2 bad usage or input, "
        "nothing was sent; 3 network, TLS or protocol failure; 4 a deadline passed; 5 delivered, "
        "but some recipients were refused. With --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, "
        "3 UNKNOWN (bad usage too)."));
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        options_clear (&options);
        return usage_error ("%s", error->message);
      }
  }

  if (options.version)
    g_print ("postaci-cli %s\n", PACKAGE_VERSION);
  else if (argc > 1)
    status = usage_error (_("Unexpected argument “%s”."), argv[1]);
  else if ((status = check_output_options (&options)) != 0)
    ;
  else if (options.list_profiles)
    status = list_profiles ();
  else if (options.delete_profile != NULL)
    status = delete_profile (options.delete_profile);
  else if (options.export_profiles != NULL)
    status = export_profiles (options.export_profiles);
  else if (options.import_profiles != NULL)
    status = import_profiles (options.import_profiles);
  else if (options.discover != NULL)
    status = discover (&options);
  else
    status = options.serve ? serve (&options) : run_test (&options);
  options_clear (&options);
  return status;
}
