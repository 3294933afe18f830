/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-keyring.c — passwords of saved servers through libsecret, never in a file of ours. */
#define G_LOG_DOMAIN "postaci-keyring"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "postaci-keyring.h"
#include "postaci-library.h"

#define ATTRIBUTE_PROFILE "profile-id"

/* clang-format off */
G_DEFINE_QUARK (postaci-keyring-error-quark, postaci_keyring_error)
/* clang-format on */

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    APPLICATION_ID ".Profile",
    SECRET_SCHEMA_NONE,
    {
      { ATTRIBUTE_PROFILE, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };
  return &schema;
}

/* libsecret, opened when a saved server's password is first stored, read or cleared: a start
 * without one never loads it, nor libgcrypt with it (see README, "Benchmarks"). */
static struct
{
  __typeof__ (secret_password_store)         *password_store;
  __typeof__ (secret_password_store_finish)  *password_store_finish;
  __typeof__ (secret_password_lookup)        *password_lookup;
  __typeof__ (secret_password_lookup_finish) *password_lookup_finish;
  __typeof__ (secret_password_clear)         *password_clear;
  __typeof__ (secret_password_clear_finish)  *password_clear_finish;
  __typeof__ (secret_password_free)          *password_free;
  __typeof__ (secret_error_get_quark)        *error_get_quark;
} secret;

static gpointer
load_secret (gpointer data)
{
  static const PostaciLibrarySymbol symbols[] = {
#define SYMBOL(field) POSTACI_LIBRARY_SYMBOL (__typeof__ (secret), "secret_", field)
    SYMBOL (password_store),         SYMBOL (password_store_finish), SYMBOL (password_lookup),
    SYMBOL (password_lookup_finish), SYMBOL (password_clear),        SYMBOL (password_clear_finish),
    SYMBOL (password_free),          SYMBOL (error_get_quark),
#undef SYMBOL
  };
  char *reason = NULL;

  if (!postaci_library_load (SECRET_LIBRARY, symbols, G_N_ELEMENTS (symbols), &secret, &reason))
    return reason;
  return NULL;
}

/* Opens libsecret the first time; FALSE, the task ended with the reason, when it cannot be. */
static gboolean
have_secret (GTask *task)
{
  static GOnce     once = G_ONCE_INIT;
  const char      *reason = g_once (&once, load_secret, NULL);
  g_autofree char *message = NULL;

  if (reason == NULL)
    return TRUE;
  /* Translators: the first %s is the library's file name, the second the system's reason */
  message = g_strdup_printf (_ ("No keyring can be used: %s could not be loaded: %s"),
                             SECRET_LIBRARY, reason);
  g_task_return_new_error (task, POSTACI_KEYRING_ERROR, POSTACI_KEYRING_ERROR_UNAVAILABLE, "%s",
                           message);
  return FALSE;
}

/* libsecret's errors come from D-Bus: turn them into words a person can act on. A missing
 * bus or service means there is no keyring at all; anything else is the keyring's own answer. */
static void
propagate (GTask *task, GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }
  if (error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR ||
      g_error_matches (error, secret.error_get_quark (), SECRET_ERROR_NO_SUCH_OBJECT))
    g_task_return_new_error (task, POSTACI_KEYRING_ERROR, POSTACI_KEYRING_ERROR_UNAVAILABLE,
                             _ ("No keyring is available (GNOME Keyring or KWallet), so the "
                                "password cannot be remembered: %s"),
                             error->message);
  else
    g_task_return_new_error (task, POSTACI_KEYRING_ERROR, POSTACI_KEYRING_ERROR_FAILED,
                             _ ("The keyring refused the password: %s"), error->message);
  g_error_free (error);
}

static void
store_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret.password_store_finish (result, &error))
    propagate (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
postaci_keyring_store_async (PostaciProfile *profile, const char *password,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (POSTACI_IS_PROFILE (profile));
  g_return_if_fail (password != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, postaci_keyring_store_async);
  /* TRANSLATORS: the label of the password in the keyring; %s is the saved server's name */
  label = g_strdup_printf (_ ("Postacı: password for “%s”"), postaci_profile_get_name (profile));
  if (!have_secret (task))
    return;
  secret.password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, password, cancellable,
                         store_cb, g_steal_pointer (&task), ATTRIBUTE_PROFILE,
                         postaci_profile_get_id (profile), NULL);
}

gboolean
postaci_keyring_store_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char   *password = secret.password_lookup_finish (result, &error);

  if (error != NULL)
    propagate (task, error);
  else
    g_task_return_pointer (task, password, (GDestroyNotify) secret.password_free);
}

void
postaci_keyring_lookup_async (PostaciProfile *profile, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTACI_IS_PROFILE (profile));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, postaci_keyring_lookup_async);
  if (!have_secret (task))
    return;
  secret.password_lookup (get_schema (), cancellable, lookup_cb, g_steal_pointer (&task),
                          ATTRIBUTE_PROFILE, postaci_profile_get_id (profile), NULL);
}

char *
postaci_keyring_lookup_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error: nothing was stored, which is what clearing wants. */
  secret.password_clear_finish (result, &error);
  if (error != NULL)
    propagate (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
postaci_keyring_clear_async (PostaciProfile *profile, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTACI_IS_PROFILE (profile));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, postaci_keyring_clear_async);
  if (!have_secret (task))
    return;
  secret.password_clear (get_schema (), cancellable, clear_cb, g_steal_pointer (&task),
                         ATTRIBUTE_PROFILE, postaci_profile_get_id (profile), NULL);
}

gboolean
postaci_keyring_clear_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
postaci_keyring_password_free (char *password)
{
  /* A password comes only from libsecret, which is then open. */
  if (password != NULL)
    secret.password_free (password);
}
