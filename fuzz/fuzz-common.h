/* fuzz-common.h — what every libFuzzer target of Postacı shares. */
#pragma once

#include <glib.h>

/* A warning or critical from GLib or from us on hostile input is a bug: make it a crash
 * that libFuzzer reports, like G_DEBUG=fatal-warnings does in the tests. */
static inline void
postaci_fuzz_init (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  /* The message goes through a temporary file: plain local files, no GVfs daemon. */
  g_setenv ("GIO_USE_VFS", "local", TRUE);
}

/* Runs the default main context until *done; the fuzzed streams live in memory, so every
 * operation completes without waiting. */
static inline void
postaci_fuzz_iterate_until (const gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}
