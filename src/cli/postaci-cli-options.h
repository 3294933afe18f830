/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-options.h — postaci-cli's options: the table, their parsing, and bad usage said
 * the way the output format asks. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

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
} PostaciCliOptions;

/* Parses the command line into @options (which starts zeroed); --help prints and exits. Returns
 * 0, or the exit status of bad usage (said already). */
int      postaci_cli_options_parse         (PostaciCliOptions        *options,
                                            int                      *argc,
                                            char                   ***argv);
void     postaci_cli_options_clear         (PostaciCliOptions        *options);
/* The options that shape the output (--lang, --format, --color), checked before anything else
 * happens: 0, or the exit status of bad usage. */
int      postaci_cli_options_check_output  (const PostaciCliOptions  *options);

/* Whether the command line asks for --format nagios: then every answer is a monitoring
 * plugin's. Known from postaci_cli_options_parse() on. */
gboolean postaci_cli_nagios_mode           (void);
/* Says what is wrong with the command line, on stderr (with --format nagios: an UNKNOWN status
 * line on stdout); returns the exit status for it. */
int      postaci_cli_usage_error           (const char               *format,
                                            ...) G_GNUC_PRINTF (1, 2);
/* --color: whether the output gets ANSI colours (auto: a terminal, without NO_COLOR). */
gboolean postaci_cli_use_colour            (const char               *choice);

G_END_DECLS
