/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-keyring.c — passwords of saved servers through libsecret, never in a file of ours. */
#define G_LOG_DOMAIN "postaci-keyring"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "postaci-keyring.h"

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
      g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT))
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

  if (!secret_password_store_finish (result, &error))
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
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, password, cancellable,
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
  char   *password = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    propagate (task, error);
  else
    g_task_return_pointer (task, password, (GDestroyNotify) secret_password_free);
}

void
postaci_keyring_lookup_async (PostaciProfile *profile, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTACI_IS_PROFILE (profile));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, postaci_keyring_lookup_async);
  secret_password_lookup (get_schema (), cancellable, lookup_cb, g_steal_pointer (&task),
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
  secret_password_clear_finish (result, &error);
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
  secret_password_clear (get_schema (), cancellable, clear_cb, g_steal_pointer (&task),
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
  secret_password_free (password);
}
