/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-library.c — libraries opened on first use: found, or a reason a person can read. */
#include "config.h"

#include <string.h>
#include <gsasl.h>

#include "postaci-library.h"

typedef struct {
  __typeof__ (gsasl_strerror) *strerror;
  __typeof__ (gsasl_check_version) *check_version;
} Functions;

static void
test_found (void)
{
  static const PostaciLibrarySymbol symbols[] = {
    POSTACI_LIBRARY_SYMBOL (Functions, "gsasl_", strerror),
    POSTACI_LIBRARY_SYMBOL (Functions, "gsasl_", check_version),
  };
  Functions functions = { NULL, NULL };
  g_autofree char *reason = NULL;

  g_assert_true (postaci_library_load (GSASL_LIBRARY, symbols, G_N_ELEMENTS (symbols),
                                       &functions, &reason));
  g_assert_null (reason);
  g_assert_nonnull (functions.check_version (NULL));
  g_assert_cmpstr (functions.strerror (GSASL_OK), !=, "");
}

static void
test_missing_library (void)
{
  static const PostaciLibrarySymbol symbols[] = {
    POSTACI_LIBRARY_SYMBOL (Functions, "gsasl_", strerror),
  };
  Functions functions = { NULL, NULL };
  g_autofree char *reason = NULL;

  g_assert_false (postaci_library_load ("libpostaci-no-such-library.so.0", symbols,
                                        G_N_ELEMENTS (symbols), &functions, &reason));
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "libpostaci-no-such-library.so.0"));
  g_assert_null (functions.strerror);
}

static void
test_missing_symbol (void)
{
  static const PostaciLibrarySymbol symbols[] = {
    POSTACI_LIBRARY_SYMBOL (Functions, "gsasl_", strerror),
    { "gsasl_no_such_function", G_STRUCT_OFFSET (Functions, check_version) },
  };
  Functions functions = { NULL, NULL };
  g_autofree char *reason = NULL;

  g_assert_false (postaci_library_load (GSASL_LIBRARY, symbols, G_N_ELEMENTS (symbols),
                                        &functions, &reason));
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "gsasl_no_such_function"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/postaci/library/found", test_found);
  g_test_add_func ("/postaci/library/missing-library", test_missing_library);
  g_test_add_func ("/postaci/library/missing-symbol", test_missing_symbol);
  return g_test_run ();
}
