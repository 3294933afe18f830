/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-password.h — the password of a login: from a file, the environment, the keyring
 * or the terminal. */
#pragma once

#include <glib.h>

#include "postaci-profile.h"

G_BEGIN_DECLS

/* The password for @user: from @password_file (read within @timeout_seconds), else
 * $POSTACI_PASSWORD, else the keyring when @profile (or NULL) remembers one, else asked on the
 * terminal without echo. Returns 0 with the password in @out (wipe it after use), or the exit
 * status of bad usage (said already). */
int postaci_cli_password (const char      *user,
                          const char      *password_file,
                          guint            timeout_seconds,
                          PostaciProfile  *profile,
                          char           **out);

G_END_DECLS
