/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-mail-folder.c — the folder the Local Test Server writes .eml files to: checked and
 * measured. */
#define G_LOG_DOMAIN "postaci-local-server"

#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "postaci-local-server.h"
#include "postaci-mail-folder.h"

/* A folder given by the person is used only when it is theirs alone: in a folder that others
 * may write, another user could rename, replace or delete what arrives. Also checked: that it
 * is a folder we can write, so the first message does not fail with 451. */
gboolean
postaci_mail_folder_check (const char *folder, GError **error)
{
  struct stat st;

  if (g_stat (folder, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FOLDER,
                   _ ("Cannot use the folder for received messages “%s”: %s"), folder,
                   g_strerror (saved));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FOLDER,
                   _ ("Cannot use “%s” for received messages: it is not a folder."), folder);
      return FALSE;
    }
  if (st.st_uid != geteuid ())
    {
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FOLDER,
                   _ ("Will not save messages in “%s”: the folder belongs to another user."),
                   folder);
      return FALSE;
    }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FOLDER,
                   _ ("Will not save messages in “%s”: other users may write in it "
                      "(chmod go-w makes it yours alone)."),
                   folder);
      return FALSE;
    }
  if (access (folder, W_OK | X_OK) != 0)
    {
      int saved = errno;
      g_set_error (error, POSTACI_LOCAL_SERVER_ERROR, POSTACI_LOCAL_SERVER_ERROR_FOLDER,
                   _ ("Cannot use the folder for received messages “%s”: %s"), folder,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* The bytes of .eml files already in the folder, for the quota. */
guint64
postaci_mail_folder_usage (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint64     used = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      struct stat      st;

      if (g_str_has_suffix (name, ".eml") && g_lstat (path, &st) == 0 && S_ISREG (st.st_mode))
        used += (guint64) st.st_size;
    }
  return used;
}
