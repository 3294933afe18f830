/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-profile-store.h — the saved servers of this user, kept in one key file. */
#pragma once

#include <gio/gio.h>

#include "postaci-profile.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_PROFILE_STORE (postaci_profile_store_get_type ())
G_DECLARE_FINAL_TYPE (PostaciProfileStore, postaci_profile_store, POSTACI, PROFILE_STORE, GObject)

/* The largest profile file read back: a saved HTML message makes profiles big, but never this. */
#define POSTACI_PROFILE_FILE_MAX_BYTES (16 * 1024 * 1024)

/* A GListModel of PostaciProfile, sorted by name. `path` NULL: the user's own file,
 * $XDG_CONFIG_HOME/postaci/profiles.ini (mode 0600 in a 0700 folder). */
PostaciProfileStore *postaci_profile_store_new      (const char          *path);
const char          *postaci_profile_store_get_path (PostaciProfileStore *self);

/* A missing file is an empty store. Errors: G_FILE_ERROR, POSTACI_PROFILE_ERROR_INVALID. */
gboolean        postaci_profile_store_load          (PostaciProfileStore *self,
                                                     GError             **error);
gboolean        postaci_profile_store_save          (PostaciProfileStore *self,
                                                     GError             **error);

/* An exact name first, then one that differs only in case (when only one does). */
PostaciProfile *postaci_profile_store_lookup        (PostaciProfileStore *self,
                                                     const char          *name);
PostaciProfile *postaci_profile_store_lookup_id     (PostaciProfileStore *self,
                                                     const char          *id);
/* Errors: POSTACI_PROFILE_ERROR_NAME, POSTACI_PROFILE_ERROR_NAME_TAKEN. */
gboolean        postaci_profile_store_add           (PostaciProfileStore *self,
                                                     PostaciProfile      *profile,
                                                     GError             **error);
gboolean        postaci_profile_store_rename        (PostaciProfileStore *self,
                                                     PostaciProfile      *profile,
                                                     const char          *name,
                                                     GError             **error);
void            postaci_profile_store_remove        (PostaciProfileStore *self,
                                                     PostaciProfile      *profile);
/* `base` itself when free, otherwise “base (2)”, “base (3)”… */
char           *postaci_profile_store_unique_name   (PostaciProfileStore *self,
                                                     const char          *base);

/* A file to share with a team: every profile, without ids and without any password. */
gboolean        postaci_profile_store_export        (PostaciProfileStore *self,
                                                     const char          *path,
                                                     GError             **error);
/* Adds every profile of an exported file; a name already taken gets a number. Returns how
 * many were added, or -1 with `error` set (nothing is added then). */
int             postaci_profile_store_import        (PostaciProfileStore *self,
                                                     const char          *path,
                                                     GError             **error);

G_END_DECLS
