/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-locale.c — where the catalogs are, and the language a program speaks. */
#define G_LOG_DOMAIN "postaci-locale"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "postaci-locale.h"

/* How far above the executable a meson build directory may be (build/src/cli/postaci-cli). */
#define MAX_BUILD_DEPTH 3

/**
 * postaci_locale_find_lang_option:
 *
 * Finds `--lang LANG` or `--lang=LANG` in @argv before GOption parses it: the language must be
 * chosen before the first string (the --help text included) is translated.
 *
 * Returns: (nullable): the last value given, pointing into @argv.
 */
const char *
postaci_locale_find_lang_option (int argc, char **argv)
{
  const char *lang = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_has_prefix (argv[i], "--lang="))
        lang = argv[i] + strlen ("--lang=");
      else if (g_str_equal (argv[i], "--lang") && i + 1 < argc)
        lang = argv[++i];
    }
  return lang;
}

/* The meson build directory the program runs from, or NULL for an installed program. */
static char *
find_build_root (const char *executable_dir)
{
  g_autofree char *dir = g_strdup (executable_dir);

  for (int depth = 0; depth <= MAX_BUILD_DEPTH && dir != NULL; depth++)
    {
      g_autofree char *private_dir = g_build_filename (dir, "meson-private", NULL);
      g_autofree char *ninja = g_build_filename (dir, "build.ninja", NULL);
      char            *parent;

      if (g_file_test (private_dir, G_FILE_TEST_IS_DIR) &&
          g_file_test (ninja, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&dir);
      parent = g_path_get_dirname (dir);
      if (g_str_equal (parent, dir))
        {
          g_free (parent);
          break;
        }
      g_free (dir);
      dir = parent;
    }
  return NULL;
}

static gboolean
is_english (const char *language)
{
  /* The C locale and English are the source strings: they need no catalog. */
  return g_str_equal (language, "C") || g_str_equal (language, "POSIX") ||
         g_str_has_prefix (language, "C.") || g_str_equal (language, "en") ||
         g_str_has_prefix (language, "en_") || g_str_has_prefix (language, "en.") ||
         g_str_has_prefix (language, "en@");
}

static gboolean
has_catalog (const char *localedir, const char *language)
{
  g_auto(GStrv) variants = g_get_locale_variants (language);

  for (guint i = 0; variants[i] != NULL; i++)
    {
      g_autofree char *mo_name = g_strconcat (GETTEXT_PACKAGE, ".mo", NULL);
      g_autofree char *path =
        g_build_filename (localedir, variants[i], "LC_MESSAGES", mo_name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return TRUE;
    }
  return FALSE;
}

/* The languages gettext will try, in its order: $LANGUAGE wins over the locale, except in the
 * C locale, where gettext ignores it. */
static GStrv
requested_languages (void)
{
  const char *messages = setlocale (LC_MESSAGES, NULL);
  const char *language = g_getenv ("LANGUAGE");

  if (messages == NULL || g_str_equal (messages, "C") || g_str_equal (messages, "POSIX"))
    return NULL;
  if (language != NULL && language[0] != '\0')
    return g_strsplit (language, ":", -1);
  return g_strsplit (messages, ":", 2);
}

/* Where catalogs may be, best first: $POSTACI_LOCALEDIR alone when set; otherwise the catalogs
 * of the build tree when the program runs from one (they were made from the same sources as the
 * program, an installed older version's would not be), then the installed ones. */
static GPtrArray *
catalog_dirs (void)
{
  GPtrArray       *dirs = g_ptr_array_new_with_free_func (g_free);
  const char      *override = g_getenv ("POSTACI_LOCALEDIR");
  g_autofree char *executable = NULL;

  if (override != NULL && override[0] != '\0')
    {
      g_ptr_array_add (dirs, g_strdup (override));
      return dirs;
    }
  executable = g_file_read_link ("/proc/self/exe", NULL);
  if (executable != NULL)
    {
      g_autofree char *executable_dir = g_path_get_dirname (executable);
      g_autofree char *build_root = find_build_root (executable_dir);

      if (build_root != NULL)
        g_ptr_array_add (dirs, g_build_filename (build_root, "po", NULL));
    }
  g_ptr_array_add (dirs, g_strdup (LOCALEDIR));
  return dirs;
}

/* "tr", "en", "pt_BR": anything else given to --lang is left to the option parser to refuse. */
static gboolean
is_language_code (const char *lang)
{
  return g_regex_match_simple ("^[a-z]{2,3}(_[A-Z]{2})?$", lang, 0, 0);
}

/* Makes LC_MESSAGES a locale in which gettext honours $LANGUAGE. */
static void
use_language (const char *lang)
{
  const char *messages;

  g_setenv ("LANGUAGE", lang, TRUE);
  if (is_english (lang))
    return;
  if (strchr (lang, '_') == NULL)
    {
      g_autofree char *upper = g_ascii_strup (lang, -1);
      g_autofree char *name = g_strdup_printf ("%s_%s.UTF-8", lang, upper);

      /* tr_TR.UTF-8 where it exists, so that the C library speaks the language too. */
      setlocale (LC_MESSAGES, name);
    }
  messages = setlocale (LC_MESSAGES, NULL);
  /* gettext ignores LANGUAGE in the C locale: C.UTF-8 is always there on Debian. */
  if (messages == NULL || g_str_equal (messages, "C") || g_str_equal (messages, "POSIX"))
    setlocale (LC_MESSAGES, "C.UTF-8");
}

/**
 * postaci_locale_init:
 * @program: the program's name, for messages on stderr
 * @lang: (nullable): the language asked for with --lang, or %NULL for the environment's
 *
 * Sets the locale and binds the text domain before anything is translated. The catalogs are
 * looked for in $POSTACI_LOCALEDIR, or in the build tree the program runs from, then in the
 * installed LOCALEDIR. When the language asked for (by @lang or the environment) has no catalog
 * in any of them, says so on stderr: a silent fall back to English reads as "not translated".
 */
void
postaci_locale_init (const char *program, const char *lang)
{
  g_autoptr(GPtrArray) dirs = catalog_dirs ();
  g_auto(GStrv) languages = NULL;
  const char *chosen_dir = NULL;
  const char *first_missing = NULL;
  const char *spoken = NULL;

  setlocale (LC_ALL, "");
  if (lang != NULL && is_language_code (lang))
    use_language (lang);

  languages = requested_languages ();
  for (guint i = 0; languages != NULL && languages[i] != NULL && spoken == NULL; i++)
    {
      if (languages[i][0] == '\0')
        continue;
      if (is_english (languages[i]))
        {
          spoken = languages[i];
          break;
        }
      for (guint d = 0; d < dirs->len && spoken == NULL; d++)
        if (has_catalog (dirs->pdata[d], languages[i]))
          {
            chosen_dir = dirs->pdata[d];
            spoken = languages[i];
          }
      if (spoken == NULL && first_missing == NULL)
        first_missing = languages[i];
    }

  /* Without a catalog anywhere, the installed place (or the override) is still the right one. */
  if (chosen_dir == NULL)
    chosen_dir = dirs->pdata[dirs->len - 1];
  bindtextdomain (GETTEXT_PACKAGE, chosen_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (first_missing != NULL)
    {
      g_autofree char *looked_in = NULL;

      g_ptr_array_add (dirs, NULL);
      looked_in = g_strjoinv (", ", (char **) dirs->pdata);
      if (spoken == NULL || is_english (spoken))
        /* Translators: program name, a language code such as “de”, folders */
        g_printerr (_ ("%s: no catalog for the language “%s” in %s; messages are in English.\n"),
                    program, first_missing, looked_in);
      else
        /* Translators: program name, a language code, folders, the language code used instead */
        g_printerr (_ ("%s: no catalog for the language “%s” in %s; messages are in “%s”.\n"),
                    program, first_missing, looked_in, spoken);
    }
}
