/* replay.c — runs a fuzz target over files, without libFuzzer: the committed corpus as a test.
 *
 *   fuzz-replay-TARGET FILE|DIR…   (TAP on stdout)
 *
 * Every seed in fuzz/corpus/<target>/ goes through the same checks as under libFuzzer, in the
 * normal and the sanitizer build; a crash file that `make fuzz` found, once the bug is fixed,
 * is added to the corpus and so becomes a regression test. */
#include "config.h"

#include <glib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static guint count;

static void
run_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  /* Exactly the bytes, in a buffer of their own size, as libFuzzer hands them over. */
  {
    g_autofree guint8 *copy = g_memdup2 (contents, length);
    LLVMFuzzerTestOneInput (copy, length);
  }
  g_print ("ok %u - %s\n", ++count, path);
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static void
run_path (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      run_file (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  g_assert (dir != NULL);
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  g_assert (names->len > 0);
  for (guint i = 0; i < names->len; i++)
    run_file (g_ptr_array_index (names, i));
}

int
main (int argc, char **argv)
{
  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    run_path (argv[i]);
  g_assert (count > 0);
  g_print ("1..%u\n", count);
  return 0;
}
