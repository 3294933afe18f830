/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-profiles.c — postaci-cli's saved servers: list, save, delete, export, import, with
 * the remembered password in the keyring. */
#define G_LOG_DOMAIN "postaci-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "postaci-cli-profiles.h"
#include "postaci-keyring.h"
#include "postaci-outcome.h"

PostaciProfileStore *
postaci_cli_profiles_open (int *status)
{
  g_autoptr(PostaciProfileStore) store = postaci_profile_store_new (NULL);
  g_autoptr(GError) error = NULL;

  if (!postaci_profile_store_load (store, &error))
    {
      *status = postaci_cli_usage_error ("%s", error->message);
      return NULL;
    }
  return g_steal_pointer (&store);
}

PostaciProfile *
postaci_cli_profiles_find (PostaciProfileStore *store, const char *name, int *status)
{
  PostaciProfile *profile = postaci_profile_store_lookup (store, name);

  if (profile == NULL)
    *status = postaci_cli_usage_error (
      _ ("There is no saved server named “%s”; “postaci-cli --list-profiles” "
         "shows them."),
      name);
  return profile;
}

static void
keyring_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask  *wait = user_data;
  GError *error = NULL;

  /* store and clear both finish with a boolean */
  if (g_task_get_source_tag (G_TASK (result)) == postaci_keyring_store_async
        ? postaci_keyring_store_finish (result, &error)
        : postaci_keyring_clear_finish (result, &error))
    g_task_return_boolean (wait, TRUE);
  else
    g_task_return_error (wait, error);
}

static gboolean
wait_keyring (GTask *wait, GError **error)
{
  while (!g_task_get_completed (wait))
    g_main_context_iteration (NULL, TRUE);
  return g_task_propagate_boolean (wait, error);
}

/* --save-profile NAME: the request the options describe (over --profile's, when given) is kept
 * under NAME; the password only with --remember-password, and only in the keyring. */
int
postaci_cli_profiles_save (const PostaciCliOptions *options, PostaciProfileStore *store,
                           PostaciRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) wait = g_task_new (NULL, NULL, NULL, NULL);
  PostaciProfile *profile = postaci_profile_store_lookup (store, options->save_profile);
  g_autoptr(PostaciProfile) created = NULL;
  gboolean remembered = profile != NULL && postaci_profile_get_remember_password (profile);

  if (profile == NULL)
    {
      created = postaci_profile_new (options->save_profile, request);
      if (!postaci_profile_store_add (store, created, &error))
        return postaci_cli_usage_error ("%s", error->message);
      profile = created;
    }
  else
    postaci_profile_set_request (profile, request);
  postaci_profile_set_remember_password (profile,
                                         options->remember_password && request->password != NULL);
  if (!postaci_profile_store_save (store, &error))
    return postaci_cli_usage_error ("%s", error->message);

  if (postaci_profile_get_remember_password (profile))
    postaci_keyring_store_async (profile, request->password, NULL, keyring_done_cb, wait);
  else if (remembered)
    postaci_keyring_clear_async (profile, NULL, keyring_done_cb, wait);
  else
    g_task_return_boolean (wait, TRUE);
  if (!wait_keyring (wait, &error))
    {
      /* The settings are saved; only the password is not: say so, and why. */
      g_printerr ("postaci-cli: %s\n", error->message);
      if (options->remember_password)
        {
          postaci_profile_set_remember_password (profile, FALSE);
          postaci_profile_store_save (store, NULL);
        }
    }
  g_print (_ ("Saved “%s” in %s.\n"), postaci_profile_get_name (profile),
           postaci_profile_store_get_path (store));
  return POSTACI_EXIT_SUCCESS;
}

int
postaci_cli_profiles_list (void)
{
  int status = POSTACI_EXIT_SUCCESS;
  g_autoptr(PostaciProfileStore) store = postaci_cli_profiles_open (&status);
  guint n;

  if (store == NULL)
    return status;
  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PostaciProfile) profile = g_list_model_get_item (G_LIST_MODEL (store), i);
      const PostaciRequest *r = postaci_profile_get_request (profile);

      /* name, then what it points at: tab-separated, for people and for cut(1) alike */
      g_print ("%s\t%s:%u\t%s\t%s\n", postaci_profile_get_name (profile),
               r->server ? r->server : "", postaci_request_get_port (r),
               postaci_security_to_string (r->security),
               r->auth && r->username ? r->username : "-");
    }
  return status;
}

int
postaci_cli_profiles_delete (const char *name)
{
  int status = POSTACI_EXIT_SUCCESS;
  g_autoptr(PostaciProfileStore) store = postaci_cli_profiles_open (&status);
  g_autoptr(GTask) wait = g_task_new (NULL, NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;
  PostaciProfile *profile;

  if (store == NULL || (profile = postaci_cli_profiles_find (store, name, &status)) == NULL)
    return status;
  g_object_ref (profile);
  postaci_profile_store_remove (store, profile);
  if (!postaci_profile_store_save (store, &error))
    status = postaci_cli_usage_error ("%s", error->message);
  else if (postaci_profile_get_remember_password (profile))
    {
      postaci_keyring_clear_async (profile, NULL, keyring_done_cb, wait);
      if (!wait_keyring (wait, &error))
        g_printerr ("postaci-cli: %s\n", error->message);
    }
  g_object_unref (profile);
  return status;
}

int
postaci_cli_profiles_export (const char *path)
{
  int status = POSTACI_EXIT_SUCCESS;
  g_autoptr(PostaciProfileStore) store = postaci_cli_profiles_open (&status);
  g_autoptr(GError) error = NULL;

  if (store == NULL)
    return status;
  if (!postaci_profile_store_export (store, path, &error))
    return postaci_cli_usage_error ("--export-profiles: %s", error->message);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Exported %u saved server, without passwords, to %s.\n",
                        "Exported %u saved servers, without passwords, to %s.\n",
                        g_list_model_get_n_items (G_LIST_MODEL (store))),
           g_list_model_get_n_items (G_LIST_MODEL (store)), path);
  return status;
}

int
postaci_cli_profiles_import (const char *path)
{
  int status = POSTACI_EXIT_SUCCESS;
  g_autoptr(PostaciProfileStore) store = postaci_cli_profiles_open (&status);
  g_autoptr(GError) error = NULL;
  int added;

  if (store == NULL)
    return status;
  added = postaci_profile_store_import (store, path, &error);
  if (added < 0)
    return postaci_cli_usage_error ("--import-profiles: %s", error->message);
  if (!postaci_profile_store_save (store, &error))
    return postaci_cli_usage_error ("%s", error->message);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Imported %d saved server from %s.\n",
                        "Imported %d saved servers from %s.\n", (gulong) added),
           added, path);
  return status;
}
