/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-profile.h — a saved server: a name and every field of the form but the password. */
#pragma once

#include <gio/gio.h>

#include "postaci-request.h"

G_BEGIN_DECLS

#define POSTACI_PROFILE_ERROR (postaci_profile_error_quark ())

typedef enum {
  POSTACI_PROFILE_ERROR_NAME,       /* empty, too long, or with a control character */
  POSTACI_PROFILE_ERROR_NAME_TAKEN, /* another profile has this name */
  POSTACI_PROFILE_ERROR_NOT_FOUND,  /* no profile of this name */
  POSTACI_PROFILE_ERROR_INVALID,    /* a profile file that is not ours, too large, or damaged */
} PostaciProfileError;

#define POSTACI_TYPE_PROFILE (postaci_profile_get_type ())
G_DECLARE_FINAL_TYPE (PostaciProfile, postaci_profile, POSTACI, PROFILE, GObject)

/* A profile's name: shown in lists and typed after --profile, so it stays one short line. */
#define POSTACI_PROFILE_MAX_NAME 200

GQuark                 postaci_profile_error_quark          (void);
PostaciProfile        *postaci_profile_new                  (const char           *name,
                                                             const PostaciRequest *request);
PostaciProfile        *postaci_profile_duplicate            (PostaciProfile       *self,
                                                             const char           *name);
const char            *postaci_profile_get_id               (PostaciProfile       *self);
const char            *postaci_profile_get_name             (PostaciProfile       *self);
void                   postaci_profile_set_name             (PostaciProfile       *self,
                                                             const char           *name);
gboolean               postaci_profile_get_remember_password (PostaciProfile      *self);
void                   postaci_profile_set_remember_password (PostaciProfile      *self,
                                                              gboolean             remember);
const PostaciRequest  *postaci_profile_get_request          (PostaciProfile       *self);
void                   postaci_profile_set_request          (PostaciProfile       *self,
                                                             const PostaciRequest *request);
PostaciRequest        *postaci_profile_to_request           (PostaciProfile       *self);

/* The key file form, one group per profile. `with_identity` keeps the id, the
 * remember-password choice and the attached files' paths (the user's own file); an export
 * leaves them out. */
void                   postaci_profile_save_to_key_file     (PostaciProfile       *self,
                                                             GKeyFile             *key_file,
                                                             const char           *group,
                                                             gboolean              with_identity);
PostaciProfile        *postaci_profile_load_from_key_file   (GKeyFile             *key_file,
                                                             const char           *group,
                                                             gboolean              with_identity,
                                                             GError              **error);
gboolean               postaci_profile_name_is_valid        (const char           *name,
                                                             GError              **error);

G_END_DECLS
