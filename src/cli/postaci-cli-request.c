/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-request.c — the options of a test run as a request: each option checked, a
 * password found for a login, the files it names read or left to be read as the message goes. */
#define G_LOG_DOMAIN "postaci-cli"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gi18n.h>

#include "postaci-cli-password.h"
#include "postaci-cli-request.h"
#include "postaci-gnutls.h"
#include "postaci-input-file.h"
#include "postaci-option.h"

int
postaci_cli_request_from_options (const PostaciCliOptions *options, PostaciProfile *profile,
                                  PostaciRequest *request, gboolean for_a_run)
{
  g_autoptr(GError) error = NULL;

  if (options->tls_port != NULL || options->save != NULL || options->fail != NULL ||
      options->cert_out != NULL || options->quota != NULL || options->max_size != NULL)
    return postaci_cli_usage_error ("%s", _ ("--tls-port, --save, --fail, --quota, --max-size and "
                                             "--cert-out go with --serve."));
  if (!postaci_cli_nagios_mode () &&
      (options->warning != NULL || options->critical != NULL || options->cert_warning != NULL ||
       options->cert_critical != NULL))
    return postaci_cli_usage_error ("%s", _ ("--warning, --critical, --cert-warning and "
                                             "--cert-critical go with --format nagios."));
  if (options->server != NULL)
    {
      g_free (request->server);
      request->server = g_strdup (options->server);
    }
  if (request->server == NULL || *request->server == '\0')
    return postaci_cli_usage_error ("%s", _ ("--server is required: the SMTP server to test."));

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
      (options->timeout != NULL && !postaci_option_parse (POSTACI_OPTION_TIMEOUT, options->timeout,
                                                          &request->timeout_seconds, &error)))
    return postaci_cli_usage_error ("%s", error->message);
  if (options->html != NULL && options->html_file != NULL)
    return postaci_cli_usage_error ("%s", _ ("Give either --html or --html-file, not both."));

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
      int              status;

      request->allow_plain_auth = request->allow_plain_auth || options->allow_plain_auth;
      status = postaci_cli_password (request->username, options->password_file,
                                     postaci_request_get_timeout (request), profile, &password);
      if (status != 0)
        return status;
      postaci_request_set_password (request, password);
      memset (password, 0, strlen (password));
    }
  /* Without a user name there is no AUTH: the run would go on without the login asked for. */
  else if (options->password_file != NULL || options->auth != NULL || options->allow_plain_auth)
    return postaci_cli_usage_error ("%s", _ ("--password-file, --auth and --allow-plain-auth "
                                             "need --user."));

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
      gsize            length = 0;
      g_autofree char *pem =
        postaci_input_file_read (options->pin_certificate, POSTACI_MAX_CERTIFICATE_FILE_BYTES,
                                 postaci_request_get_timeout (request), &length, &error);

      postaci_gnutls_hold ();
      if (pem != NULL)
        request->pinned_certificate = g_tls_certificate_new_from_pem (pem, (gssize) length, &error);
      if (request->pinned_certificate == NULL)
        return postaci_cli_usage_error ("--pin-certificate: %s", error->message);
    }
  if (options->subject != NULL || (for_a_run && request->subject == NULL))
    {
      g_free (request->subject);
      request->subject = g_strdup (options->subject ? options->subject : _ ("Postacı SMTP test"));
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
          request->html =
            postaci_input_file_read (options->html_file, POSTACI_MAX_HTML_FILE_BYTES,
                                     postaci_request_get_timeout (request), &length, &error);
          if (request->html == NULL)
            return postaci_cli_usage_error ("--html-file: %s", error->message);
          /* A NUL would silently cut the message short: this is not a text file. */
          if (memchr (request->html, '\0', length) != NULL)
            return postaci_cli_usage_error (
              _ ("--html-file: “%s” contains a NUL byte; give a UTF-8 text file."),
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
      request->html = g_strdup_printf (
        "<p>%s</p>", _ ("This is a test message sent by Postacı, the SMTP tester."));
    }

  for (guint i = 0; options->attach != NULL && options->attach[i] != NULL; i++)
    g_ptr_array_add (request->attachments, g_strdup (options->attach[i]));
  if (options->size != NULL &&
      !postaci_option_parse (POSTACI_OPTION_SIZE, options->size, &request->size, &error))
    return postaci_cli_usage_error ("%s", error->message);

  if (!postaci_request_validate (request, &error))
    return postaci_cli_usage_error ("%s", error->message);
  return 0;
}
