/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c — postaci-cli: the Postacı engine in a terminal, for scripts, CI and people. What it
 * does is in the files named after it: the options (postaci-cli-options.c), a test run
 * (postaci-cli-run.c, its request from postaci-cli-request.c), --serve (postaci-cli-serve.c),
 * --discover (postaci-cli-discover.c) and the saved servers (postaci-cli-profiles.c). */
#define G_LOG_DOMAIN "postaci-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "postaci-cli-discover.h"
#include "postaci-cli-options.h"
#include "postaci-cli-profiles.h"
#include "postaci-cli-run.h"
#include "postaci-cli-serve.h"
#include "postaci-locale.h"

/* What the options ask for, once they are known to be good: a run, --serve, --discover, or one
 * of the saved servers' commands. Returns the exit status. */
static int
dispatch (const PostaciCliOptions *options, int argc, char **argv)
{
  int status;

  if (options->version)
    {
      g_print ("postaci-cli %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc > 1)
    return postaci_cli_usage_error (_ ("Unexpected argument “%s”."), argv[1]);
  if ((status = postaci_cli_options_check_output (options)) != 0)
    return status;
  if (options->list_profiles)
    return postaci_cli_profiles_list ();
  if (options->delete_profile != NULL)
    return postaci_cli_profiles_delete (options->delete_profile);
  if (options->export_profiles != NULL)
    return postaci_cli_profiles_export (options->export_profiles);
  if (options->import_profiles != NULL)
    return postaci_cli_profiles_import (options->import_profiles);
  if (options->discover != NULL)
    return postaci_cli_discover_from_options (options);
  if (options->serve)
    return postaci_cli_serve (options);
  return postaci_cli_run_test (options);
}

int
main (int argc, char **argv)
{
  PostaciCliOptions options = { 0 };
  int               status;

  /* --lang must act before any string is translated, so argv is scanned first. */
  postaci_locale_init ("postaci-cli", postaci_locale_find_lang_option (argc, argv));
  if ((status = postaci_cli_options_parse (&options, &argc, &argv)) != 0)
    return status;
  status = dispatch (&options, argc, argv);
  postaci_cli_options_clear (&options);
  return status;
}
