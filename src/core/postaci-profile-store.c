/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-profile-store.c — the saved servers: a sorted list model over one key file. */
#define G_LOG_DOMAIN "postaci-profile-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "postaci-profile-store.h"

/* The first group of every profile file, ours or exported; a file without it is not ours. */
#define HEADER_GROUP  "Postaci"
#define KEY_FORMAT    "Format"
#define KEY_KIND      "Kind"
#define FORMAT        1
#define KIND_PROFILES "profiles"
#define KIND_EXPORT   "export"

struct _PostaciProfileStore
{
  GObject    parent_instance;
  char      *path;
  GPtrArray *profiles; /* PostaciProfile *, sorted by name */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PostaciProfileStore, postaci_profile_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return POSTACI_TYPE_PROFILE;
}

static guint
get_n_items (GListModel *model)
{
  return POSTACI_PROFILE_STORE (model)->profiles->len;
}

static gpointer
get_item (GListModel *model, guint position)
{
  PostaciProfileStore *self = POSTACI_PROFILE_STORE (model);

  if (position >= self->profiles->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->profiles, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
postaci_profile_store_finalize (GObject *object)
{
  PostaciProfileStore *self = POSTACI_PROFILE_STORE (object);

  g_free (self->path);
  g_ptr_array_unref (self->profiles);
  G_OBJECT_CLASS (postaci_profile_store_parent_class)->finalize (object);
}

static void
postaci_profile_store_class_init (PostaciProfileStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postaci_profile_store_finalize;
}

static void
postaci_profile_store_init (PostaciProfileStore *self)
{
  self->profiles = g_ptr_array_new_with_free_func (g_object_unref);
}

PostaciProfileStore *
postaci_profile_store_new (const char *path)
{
  PostaciProfileStore *self = g_object_new (POSTACI_TYPE_PROFILE_STORE, NULL);

  if (path != NULL)
    self->path = g_strdup (path);
  else
    self->path = g_build_filename (g_get_user_config_dir (), "postaci", "profiles.ini", NULL);
  return self;
}

const char *
postaci_profile_store_get_path (PostaciProfileStore *self)
{
  g_return_val_if_fail (POSTACI_IS_PROFILE_STORE (self), NULL);
  return self->path;
}

/* Names sort as a person reads them in their language (“Şube 3” after “Sakarya”). */
static int
compare_names (const char *a, const char *b)
{
  g_autofree char *fa = g_utf8_casefold (a, -1);
  g_autofree char *fb = g_utf8_casefold (b, -1);
  int              result = g_utf8_collate (fa, fb);

  return result != 0 ? result : strcmp (a, b);
}

static guint
sorted_position (PostaciProfileStore *self, PostaciProfile *profile)
{
  const char *name = postaci_profile_get_name (profile);
  guint       i;

  for (i = 0; i < self->profiles->len; i++)
    {
      PostaciProfile *other = g_ptr_array_index (self->profiles, i);
      if (other != profile && compare_names (name, postaci_profile_get_name (other)) < 0)
        break;
    }
  return i;
}

static void
insert_sorted (PostaciProfileStore *self, PostaciProfile *profile)
{
  guint position = sorted_position (self, profile);

  g_ptr_array_insert (self->profiles, (int) position, g_object_ref (profile));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

static gboolean
find_position (PostaciProfileStore *self, PostaciProfile *profile, guint *position)
{
  return g_ptr_array_find (self->profiles, profile, position);
}

PostaciProfile *
postaci_profile_store_lookup (PostaciProfileStore *self, const char *name)
{
  g_autofree char *folded = NULL;
  PostaciProfile  *match = NULL;
  guint            matches = 0;

  g_return_val_if_fail (POSTACI_IS_PROFILE_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->profiles->len; i++)
    {
      PostaciProfile *p = g_ptr_array_index (self->profiles, i);
      if (strcmp (postaci_profile_get_name (p), name) == 0)
        return p;
    }
  folded = g_utf8_casefold (name, -1);
  for (guint i = 0; i < self->profiles->len; i++)
    {
      PostaciProfile  *p = g_ptr_array_index (self->profiles, i);
      g_autofree char *other = g_utf8_casefold (postaci_profile_get_name (p), -1);
      if (strcmp (folded, other) == 0)
        {
          match = p;
          matches++;
        }
    }
  return matches == 1 ? match : NULL;
}

PostaciProfile *
postaci_profile_store_lookup_id (PostaciProfileStore *self, const char *id)
{
  g_return_val_if_fail (POSTACI_IS_PROFILE_STORE (self), NULL);

  for (guint i = 0; id != NULL && i < self->profiles->len; i++)
    {
      PostaciProfile *p = g_ptr_array_index (self->profiles, i);
      if (g_strcmp0 (postaci_profile_get_id (p), id) == 0)
        return p;
    }
  return NULL;
}

/* Two names are the same profile when they differ only in case: `--profile acme` must not
 * have to choose between “Acme” and “ACME”. */
static gboolean
name_is_free (PostaciProfileStore *self, const char *name, PostaciProfile *except)
{
  g_autofree char *folded = g_utf8_casefold (name, -1);

  for (guint i = 0; i < self->profiles->len; i++)
    {
      PostaciProfile  *p = g_ptr_array_index (self->profiles, i);
      g_autofree char *other = NULL;

      if (p == except)
        continue;
      other = g_utf8_casefold (postaci_profile_get_name (p), -1);
      if (strcmp (folded, other) == 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_new_name (PostaciProfileStore *self, const char *name, PostaciProfile *except, GError **error)
{
  if (!postaci_profile_name_is_valid (name, error))
    return FALSE;
  if (!name_is_free (self, name, except))
    {
      g_set_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_NAME_TAKEN,
                   _ ("A saved server named “%s” already exists: choose another name."), name);
      return FALSE;
    }
  return TRUE;
}

gboolean
postaci_profile_store_add (PostaciProfileStore *self, PostaciProfile *profile, GError **error)
{
  g_return_val_if_fail (POSTACI_IS_PROFILE_STORE (self), FALSE);
  g_return_val_if_fail (POSTACI_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (!find_position (self, profile, NULL), FALSE);

  if (!check_new_name (self, postaci_profile_get_name (profile), NULL, error))
    return FALSE;
  insert_sorted (self, profile);
  return TRUE;
}

gboolean
postaci_profile_store_rename (PostaciProfileStore *self, PostaciProfile *profile, const char *name,
                              GError **error)
{
  g_autoptr(PostaciProfile) keep = NULL;
  guint position;

  g_return_val_if_fail (POSTACI_IS_PROFILE_STORE (self), FALSE);
  g_return_val_if_fail (POSTACI_IS_PROFILE (profile), FALSE);

  if (!find_position (self, profile, &position))
    {
      g_set_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_NOT_FOUND,
                   _ ("There is no saved server named “%s”."), postaci_profile_get_name (profile));
      return FALSE;
    }
  if (!check_new_name (self, name, profile, error))
    return FALSE;

  keep = g_object_ref (profile);
  g_ptr_array_remove_index (self->profiles, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  postaci_profile_set_name (profile, name);
  insert_sorted (self, profile);
  return TRUE;
}

void
postaci_profile_store_remove (PostaciProfileStore *self, PostaciProfile *profile)
{
  guint position;

  g_return_if_fail (POSTACI_IS_PROFILE_STORE (self));
  if (!find_position (self, profile, &position))
    return;
  g_ptr_array_remove_index (self->profiles, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

char *
postaci_profile_store_unique_name (PostaciProfileStore *self, const char *base)
{
  g_return_val_if_fail (POSTACI_IS_PROFILE_STORE (self), NULL);

  if (name_is_free (self, base, NULL))
    return g_strdup (base);
  for (guint n = 2;; n++)
    {
      /* TRANSLATORS: a copy's name, e.g. “Acme – Exchange (2)” */
      g_autofree char *candidate = g_strdup_printf (_ ("%s (%u)"), base, n);
      if (name_is_free (self, candidate, NULL))
        return g_steal_pointer (&candidate);
    }
}

/* Reads a profile file with a bound: it must be a regular file of a sane size. */
static GKeyFile *
read_key_file (const char *path, gboolean missing_is_empty, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *contents = NULL;
  GStatBuf         st;
  gsize            length;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;
      if (saved_errno == ENOENT && missing_is_empty)
        return g_steal_pointer (&key_file);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _ ("Cannot read “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  if (!S_ISREG (st.st_mode) || st.st_size > POSTACI_PROFILE_FILE_MAX_BYTES)
    {
      g_set_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_INVALID,
                   _ ("“%s” is not a file of saved servers (not a regular file, or larger than "
                      "%d MiB)."),
                   path, POSTACI_PROFILE_FILE_MAX_BYTES / (1024 * 1024));
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  if (length > POSTACI_PROFILE_FILE_MAX_BYTES ||
      !g_key_file_load_from_data (key_file, contents, length, G_KEY_FILE_NONE, NULL))
    {
      g_set_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_INVALID,
                   _ ("“%s” is not a file of saved servers: it cannot be read as one."), path);
      return NULL;
    }
  if (g_key_file_get_integer (key_file, HEADER_GROUP, KEY_FORMAT, NULL) != FORMAT)
    {
      g_set_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_INVALID,
                   _ ("“%s” is not a file of saved servers made by this version of Postacı."),
                   path);
      return NULL;
    }
  return g_steal_pointer (&key_file);
}

/* Every profile group of a key file, in file order; all or nothing. */
static GPtrArray *
load_profiles (GKeyFile *key_file, gboolean with_identity, GError **error)
{
  g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) groups = g_key_file_get_groups (key_file, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      PostaciProfile *profile;

      if (strcmp (groups[i], HEADER_GROUP) == 0)
        continue;
      profile = postaci_profile_load_from_key_file (key_file, groups[i], with_identity, error);
      if (profile == NULL)
        return NULL;
      g_ptr_array_add (profiles, profile);
    }
  return g_steal_pointer (&profiles);
}

gboolean
postaci_profile_store_load (PostaciProfileStore *self, GError **error)
{
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GPtrArray) profiles = NULL;
  guint removed;

  g_return_val_if_fail (POSTACI_IS_PROFILE_STORE (self), FALSE);

  key_file = read_key_file (self->path, TRUE, error);
  if (key_file == NULL)
    return FALSE;
  if (g_key_file_has_group (key_file, HEADER_GROUP))
    {
      profiles = load_profiles (key_file, TRUE, error);
      if (profiles == NULL)
        return FALSE;
    }

  removed = self->profiles->len;
  g_ptr_array_set_size (self->profiles, 0);
  for (guint i = 0; profiles != NULL && i < profiles->len; i++)
    {
      PostaciProfile *profile = g_ptr_array_index (profiles, i);
      /* A hand-edited file may repeat a name: the first one wins, the rest get a number. */
      if (!name_is_free (self, postaci_profile_get_name (profile), NULL))
        {
          g_autofree char *name =
            postaci_profile_store_unique_name (self, postaci_profile_get_name (profile));
          postaci_profile_set_name (profile, name);
        }
      g_ptr_array_insert (self->profiles, (int) sorted_position (self, profile),
                          g_object_ref (profile));
    }
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->profiles->len);
  return TRUE;
}

static GKeyFile *
to_key_file (PostaciProfileStore *self, gboolean with_identity)
{
  GKeyFile *key_file = g_key_file_new ();

  g_key_file_set_integer (key_file, HEADER_GROUP, KEY_FORMAT, FORMAT);
  g_key_file_set_string (key_file, HEADER_GROUP, KEY_KIND,
                         with_identity ? KIND_PROFILES : KIND_EXPORT);
  for (guint i = 0; i < self->profiles->len; i++)
    {
      g_autofree char *group = g_strdup_printf ("Profile %u", i + 1);
      postaci_profile_save_to_key_file (g_ptr_array_index (self->profiles, i), key_file, group,
                                        with_identity);
    }
  return key_file;
}

/* Written whole or not at all, readable by its owner only: a profile names servers,
 * accounts and addresses of customers even without a password. */
static gboolean
write_key_file (GKeyFile *key_file, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  gsize            length;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _ ("Cannot create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  data = g_key_file_to_data (key_file, &length, NULL);
  return g_file_set_contents_full (path, data, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

gboolean
postaci_profile_store_save (PostaciProfileStore *self, GError **error)
{
  g_autoptr(GKeyFile) key_file = NULL;

  g_return_val_if_fail (POSTACI_IS_PROFILE_STORE (self), FALSE);
  key_file = to_key_file (self, TRUE);
  return write_key_file (key_file, self->path, error);
}

gboolean
postaci_profile_store_export (PostaciProfileStore *self, const char *path, GError **error)
{
  g_autoptr(GKeyFile) key_file = NULL;

  g_return_val_if_fail (POSTACI_IS_PROFILE_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  key_file = to_key_file (self, FALSE);
  return write_key_file (key_file, path, error);
}

int
postaci_profile_store_import (PostaciProfileStore *self, const char *path, GError **error)
{
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GPtrArray) profiles = NULL;

  g_return_val_if_fail (POSTACI_IS_PROFILE_STORE (self), -1);
  g_return_val_if_fail (path != NULL, -1);

  key_file = read_key_file (path, FALSE, error);
  if (key_file == NULL)
    return -1;
  /* An import never carries ids: the importer's keyring has no password for them anyway. */
  profiles = load_profiles (key_file, FALSE, error);
  if (profiles == NULL)
    return -1;
  for (guint i = 0; i < profiles->len; i++)
    {
      PostaciProfile  *profile = g_ptr_array_index (profiles, i);
      g_autofree char *name =
        postaci_profile_store_unique_name (self, postaci_profile_get_name (profile));

      postaci_profile_set_name (profile, name);
      insert_sorted (self, profile);
    }
  return (int) profiles->len;
}
