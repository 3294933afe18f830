/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-profiles.h — postaci-cli's saved servers: list, save, delete, export, import. Each
 * returns the exit status, and says what went wrong. */
#pragma once

#include "postaci-cli-options.h"
#include "postaci-profile-store.h"
#include "postaci-request.h"

G_BEGIN_DECLS

/* The saved servers of this user, or NULL with the exit status in @status. */
PostaciProfileStore *postaci_cli_profiles_open   (int                      *status);
/* The saved server @name, or NULL with the exit status in @status. (transfer none) */
PostaciProfile      *postaci_cli_profiles_find   (PostaciProfileStore      *store,
                                                  const char               *name,
                                                  int                      *status);
/* --save-profile NAME: @request kept under NAME; its password only with --remember-password,
 * and only in the keyring. */
int                  postaci_cli_profiles_save   (const PostaciCliOptions  *options,
                                                  PostaciProfileStore      *store,
                                                  PostaciRequest           *request);
int                  postaci_cli_profiles_list   (void);
int                  postaci_cli_profiles_delete (const char               *name);
int                  postaci_cli_profiles_export (const char               *path);
int                  postaci_cli_profiles_import (const char               *path);

G_END_DECLS
