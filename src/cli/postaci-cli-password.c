/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-password.c — the password of a login: from a file, the environment, the keyring
 * or the terminal, asked there without echo and with the terminal put back on any signal. */
#define G_LOG_DOMAIN "postaci-cli"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "postaci-cli-options.h"
#include "postaci-cli-password.h"
#include "postaci-input-file.h"
#include "postaci-keyring.h"
#include "postaci-request.h"

/* The terminal the prompt turned echo off on, and its settings before: a signal that ends the
 * program at the prompt (Ctrl+C) must not leave the person's shell without echo. */
static int            prompt_tty_fd = -1;
static struct termios prompt_tty_saved;
static const int      prompt_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

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
  struct termios   quiet;
  struct sigaction on_signal = { 0 }, previous[G_N_ELEMENTS (prompt_signals)];
  /* An OAuth2 token is a few KiB: the buffer holds the longest secret a file may hold too. */
  gsize            size = POSTACI_MAX_PASSWORD_BYTES + 2;
  g_autofree char *buffer = NULL;
  char            *password = NULL;
  char            *line;
  FILE            *tty = fopen ("/dev/tty", "r+");

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
  fprintf (tty, _ ("Password for %s: "), user);
  fflush (tty);
  line = fgets (buffer, (int) size, tty);
  if (line != NULL && strchr (buffer, '\n') == NULL && !feof (tty))
    {
      /* Too long: read the rest of the line, or the shell would get it after we exit. */
      int c;

      while ((c = getc (tty)) != EOF && c != '\n')
        ;
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _ ("The password is longer than %d bytes."), POSTACI_MAX_PASSWORD_BYTES);
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

/* The password of a saved server that asked for it to be remembered, from the keyring. */
static void
keyring_lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask  *wait = user_data;
  GError *error = NULL;
  char   *password = postaci_keyring_lookup_finish (result, &error);

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

int
postaci_cli_password (const char *user, const char *password_file, guint timeout_seconds,
                      PostaciProfile *profile, char **out)
{
  g_autoptr(GError) error = NULL;
  char *password = NULL;

  if (password_file != NULL)
    {
      password = postaci_input_file_read_password (password_file, timeout_seconds, &error);
      if (password == NULL)
        return postaci_cli_usage_error ("--password-file: %s", error->message);
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
      password = prompt_password (user, &error);
      if (password == NULL && error != NULL)
        return postaci_cli_usage_error ("%s", error->message);
    }
  if (password == NULL)
    return postaci_cli_usage_error ("%s", _ ("--user needs a password: use --password-file, "
                                             "$POSTACI_PASSWORD, or run on a terminal to be "
                                             "asked."));
  *out = password;
  return 0;
}
