/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-keyring.h — a saved server's password in the Secret Service (GNOME Keyring, KWallet). */
#pragma once

#include <gio/gio.h>

#include "postaci-profile.h"

G_BEGIN_DECLS

#define POSTACI_KEYRING_ERROR (postaci_keyring_error_quark ())

typedef enum {
  POSTACI_KEYRING_ERROR_UNAVAILABLE, /* no Secret Service on the session bus, or no session bus */
  POSTACI_KEYRING_ERROR_FAILED,      /* the keyring answered with an error (locked, refused…) */
} PostaciKeyringError;

GQuark   postaci_keyring_error_quark  (void);

/* The password is found by the profile's id, so a rename keeps it. Each call asks the
 * keyring on the session bus; nothing is cached in this process. */
void     postaci_keyring_store_async  (PostaciProfile      *profile,
                                       const char          *password,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean postaci_keyring_store_finish (GAsyncResult        *result,
                                       GError             **error);

/* Returns NULL without an error when nothing is stored; free with postaci_keyring_password_free(),
 * which wipes the memory. */
void     postaci_keyring_lookup_async (PostaciProfile      *profile,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
char    *postaci_keyring_lookup_finish (GAsyncResult       *result,
                                        GError            **error);

/* Forgets the password; nothing stored is not an error. */
void     postaci_keyring_clear_async  (PostaciProfile      *profile,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean postaci_keyring_clear_finish (GAsyncResult        *result,
                                       GError             **error);

void     postaci_keyring_password_free (char               *password);

G_END_DECLS
