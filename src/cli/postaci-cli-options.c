/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-options.c — postaci-cli's options: the table (a test's from core's, as the
 * window's), their parsing, and bad usage said the way the output format asks. */
#define G_LOG_DOMAIN "postaci-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "postaci-cli-options.h"
#include "postaci-nagios.h"
#include "postaci-option.h"
#include "postaci-outcome.h"
#include "postaci-report.h"

void
postaci_cli_options_clear (PostaciCliOptions *options)
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

gboolean
postaci_cli_nagios_mode (void)
{
  return nagios_mode;
}

int
postaci_cli_usage_error (const char *format, ...)
{
  va_list          args;
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
  g_printerr ("%s\n", _ ("Run “postaci-cli --help” to see the options."));
  return POSTACI_EXIT_USAGE;
}

gboolean
postaci_cli_use_colour (const char *choice)
{
  if (choice == NULL || g_str_equal (choice, "auto"))
    return isatty (STDOUT_FILENO) && g_getenv ("NO_COLOR") == NULL &&
           g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
  return g_str_equal (choice, "always");
}

/* The options that shape the output, checked before anything else happens. */
int
postaci_cli_options_check_output (const PostaciCliOptions *options)
{
  PostaciReportFormat report;

  if (options->lang != NULL && !g_str_equal (options->lang, "tr") &&
      !g_str_equal (options->lang, "en"))
    return postaci_cli_usage_error (_ ("--lang must be tr or en, not “%s”."), options->lang);
  if (options->format != NULL && !g_str_equal (options->format, "text") &&
      !g_str_equal (options->format, "jsonl") && !g_str_equal (options->format, "nagios") &&
      !postaci_report_format_from_string (options->format, &report))
    return postaci_cli_usage_error (_ ("--format must be text, jsonl, markdown, html or nagios, "
                                       "not “%s”."),
                                    options->format);
  if (options->color != NULL && !g_str_equal (options->color, "auto") &&
      !g_str_equal (options->color, "always") && !g_str_equal (options->color, "never"))
    return postaci_cli_usage_error (_ ("--color must be auto, always or never, not “%s”."),
                                    options->color);
  return POSTACI_EXIT_SUCCESS;
}

/* --port serves --serve too: its help says what it means there. */
static GOptionEntry
port_entry (char **port)
{
  GOptionEntry entry = postaci_option_entry (POSTACI_OPTION_PORT, port);

  entry.description = N_ ("Port (default: 465 with tls, otherwise 587; with --serve: a free port)");
  return entry;
}

int
postaci_cli_options_parse (PostaciCliOptions *options, int *argc, char ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  /* The options of a test come from core's one table, as the window's do. */
  const GOptionEntry entries[] = {
    postaci_option_entry (POSTACI_OPTION_SERVER, &options->server),
    port_entry (&options->port),
    postaci_option_entry (POSTACI_OPTION_SECURITY, &options->security),
    postaci_option_entry (POSTACI_OPTION_USER, &options->user),
    postaci_option_entry (POSTACI_OPTION_PASSWORD_FILE, &options->password_file),
    postaci_option_entry (POSTACI_OPTION_AUTH, &options->auth),
    postaci_option_entry (POSTACI_OPTION_ALLOW_PLAIN_AUTH, &options->allow_plain_auth),
    postaci_option_entry (POSTACI_OPTION_FROM, &options->from),
    postaci_option_entry (POSTACI_OPTION_TO, &options->to),
    postaci_option_entry (POSTACI_OPTION_SUBJECT, &options->subject),
    postaci_option_entry (POSTACI_OPTION_HTML, &options->html),
    postaci_option_entry (POSTACI_OPTION_HTML_FILE, &options->html_file),
    postaci_option_entry (POSTACI_OPTION_TEXT, &options->text),
    postaci_option_entry (POSTACI_OPTION_ATTACH, &options->attach),
    postaci_option_entry (POSTACI_OPTION_SIZE, &options->size),
    postaci_option_entry (POSTACI_OPTION_EHLO, &options->ehlo),
    postaci_option_entry (POSTACI_OPTION_STOP_AFTER, &options->stop_after),
    postaci_option_entry (POSTACI_OPTION_NO_PIPELINING, &options->no_pipelining),
    postaci_option_entry (POSTACI_OPTION_TIMEOUT, &options->timeout),
    postaci_option_entry (POSTACI_OPTION_CA_FILE, &options->ca_file),
    postaci_option_entry (POSTACI_OPTION_INSECURE, &options->insecure),
    { "lang", 0, 0, G_OPTION_ARG_STRING, &options->lang, N_ ("Language of the output: tr or en"),
      N_ ("LANG") },
    { "color", 0, 0, G_OPTION_ARG_STRING, &options->color, N_ ("auto, always or never"),
      N_ ("WHEN") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &options->format,
      N_ ("text, jsonl, markdown, html or nagios (markdown and html: a report of the whole test; "
          "nagios: a monitoring plugin’s status line)"),
      N_ ("FORMAT") },
    { "warning", 0, 0, G_OPTION_ARG_STRING, &options->warning,
      N_ ("With --format nagios: WARNING when the test takes longer"), N_ ("SECONDS") },
    { "critical", 0, 0, G_OPTION_ARG_STRING, &options->critical,
      N_ ("With --format nagios: CRITICAL when the test takes longer"), N_ ("SECONDS") },
    { "cert-warning", 0, 0, G_OPTION_ARG_STRING, &options->cert_warning,
      N_ ("With --format nagios: WARNING when the certificate expires in fewer days"),
      N_ ("DAYS") },
    { "cert-critical", 0, 0, G_OPTION_ARG_STRING, &options->cert_critical,
      N_ ("With --format nagios: CRITICAL when the certificate expires in fewer days"),
      N_ ("DAYS") },
    { "pin-certificate", 0, 0, G_OPTION_ARG_FILENAME, &options->pin_certificate,
      N_ ("Accept this certificate (PEM) for this run even if it does not verify"), N_ ("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version, N_ ("Show the version and exit"),
      NULL },
    { "serve", 0, 0, G_OPTION_ARG_NONE, &options->serve,
      N_ ("Run the Local Test Server until interrupted"), NULL },
    { "tls-port", 0, 0, G_OPTION_ARG_STRING, &options->tls_port,
      N_ ("With --serve: port for implicit TLS (default: a free one)"), N_ ("N") },
    { "save", 0, 0, G_OPTION_ARG_FILENAME, &options->save,
      N_ ("With --serve: folder for the received messages"), N_ ("DIR") },
    { "fail", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->fail,
      N_ ("With --serve: fail on purpose, e.g. rcpt=550 or greeting=silent"), N_ ("STAGE=CODE") },
    { "cert-out", 0, 0, G_OPTION_ARG_FILENAME, &options->cert_out,
      N_ ("With --serve: write the server's certificate (PEM) to this file"), N_ ("FILE") },
    { "discover", 0, 0, G_OPTION_ARG_STRING, &options->discover,
      N_ ("Find the submission server of an e-mail address, a domain or a host, probe it and "
          "recommend settings"),
      N_ ("ADDRESS") },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &options->profile,
      N_ ("Start from this saved server; the options given override its settings"), N_ ("NAME") },
    { "save-profile", 0, 0, G_OPTION_ARG_STRING, &options->save_profile,
      N_ ("Save these settings as a saved server of this name instead of testing"), N_ ("NAME") },
    { "remember-password", 0, 0, G_OPTION_ARG_NONE, &options->remember_password,
      N_ ("With --save-profile: keep the password in the keyring"), NULL },
    { "list-profiles", 0, 0, G_OPTION_ARG_NONE, &options->list_profiles,
      N_ ("List the saved servers and exit"), NULL },
    { "delete-profile", 0, 0, G_OPTION_ARG_STRING, &options->delete_profile,
      N_ ("Delete a saved server and its remembered password"), N_ ("NAME") },
    { "export-profiles", 0, 0, G_OPTION_ARG_FILENAME, &options->export_profiles,
      N_ ("Write every saved server, without passwords, to this file"), N_ ("FILE") },
    { "import-profiles", 0, 0, G_OPTION_ARG_FILENAME, &options->import_profiles,
      N_ ("Add the saved servers of an exported file"), N_ ("FILE") },
    { "quota", 0, 0, G_OPTION_ARG_STRING, &options->quota,
      N_ ("With --serve: the most bytes of messages the folder may hold, e.g. 500M"), N_ ("SIZE") },
    { "max-size", 0, 0, G_OPTION_ARG_STRING, &options->max_size,
      N_ ("With --serve: the largest message taken, announced with SIZE (default: 25M)"),
      N_ ("BYTES") },
    { NULL }
  };

  nagios_mode = find_nagios_format (*argc, *argv);
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _ ("Test an SMTP server: connect, talk, explain every reply."));
  g_option_context_set_description (
    context,
    _ ("Exit status: 0 the run reached its goal; 1 the server refused; 2 bad usage or input, "
       "nothing was sent; 3 network, TLS or protocol failure; 4 a deadline passed; 5 delivered, "
       "but some recipients were refused. With --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, "
       "3 UNKNOWN (bad usage too)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      postaci_cli_options_clear (options);
      return postaci_cli_usage_error ("%s", error->message);
    }
  return 0;
}
