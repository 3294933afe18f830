/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-profile-button.h — the saved servers, as a menu button in the header bar. */
#pragma once

#include <adwaita.h>

#include "postaci-profile-store.h"
#include "postaci-request-form.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_PROFILE_BUTTON (postaci_profile_button_get_type ())
G_DECLARE_FINAL_TYPE (PostaciProfileButton, postaci_profile_button, POSTACI, PROFILE_BUTTON, AdwBin)

/*
 * The button lists the servers of @store; choosing one fills @form with it (its password from
 * the keyring when it is remembered). Its menu saves the form as a new server, saves changes
 * to the chosen one, renames, duplicates and deletes it (with Undo), exports and imports the
 * list. The form's "Remember
 * password" stores the chosen server's password in the keyring, never anywhere else.
 */
void            postaci_profile_button_setup       (PostaciProfileButton *self,
                                                    PostaciProfileStore  *store,
                                                    PostaciRequestForm   *form);
/* In a narrow window the button shows an icon instead of the server's name. */
void            postaci_profile_button_set_narrow  (PostaciProfileButton *self,
                                                    gboolean              narrow);
/* The server chosen, or NULL. */
PostaciProfile *postaci_profile_button_get_current (PostaciProfileButton *self);
/* Fills the form with @profile and makes it the chosen one; its remembered password is
 * looked up unless @with_password is FALSE (a password was given some other way). */
void            postaci_profile_button_choose      (PostaciProfileButton *self,
                                                    PostaciProfile       *profile,
                                                    gboolean              with_password);
/* What Export Saved Servers… and Import Saved Servers… do with the file chosen: every saved
 * server to @file, without passwords (a toast says how many), or every one of @file added to
 * the list (a name taken gets a number). A file that cannot be written or read, or is no file
 * of saved servers, is explained in a dialog. */
void            postaci_profile_button_export      (PostaciProfileButton *self,
                                                    GFile                *file);
void            postaci_profile_button_import      (PostaciProfileButton *self,
                                                    GFile                *file);

G_END_DECLS
