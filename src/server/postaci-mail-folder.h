/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-mail-folder.h — the folder the Local Test Server writes .eml files to: checked and
 * measured. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether @folder may take received messages: a folder of this user that no one else may write,
 * and that we can write. Errors: POSTACI_LOCAL_SERVER_ERROR_FOLDER, saying why. */
gboolean postaci_mail_folder_check (const char *folder,
                                    GError    **error);
/* The bytes of the regular .eml files in @folder (for the quota). */
guint64  postaci_mail_folder_usage (const char *folder);

G_END_DECLS
