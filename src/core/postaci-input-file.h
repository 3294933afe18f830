/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-input-file.h — reading a file a person named on the command line, bounded in size
 * and in time: a device such as /dev/zero cannot fill the memory, a FIFO nobody writes to
 * cannot hang the program, and a pipe (`--password-file <(pass show smtp)`) still works. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define POSTACI_INPUT_FILE_ERROR (postaci_input_file_error_quark ())

/* Opening or reading the file itself fails with a GFileError (no such file, permission…). */
typedef enum {
  POSTACI_INPUT_FILE_ERROR_NOT_A_FILE, /* a folder, a device or a socket */
  POSTACI_INPUT_FILE_ERROR_TOO_LARGE,  /* more bytes than the caller's limit */
  POSTACI_INPUT_FILE_ERROR_TIMED_OUT,  /* a pipe that delivered no end of file in time */
  POSTACI_INPUT_FILE_ERROR_NOT_TEXT,   /* a NUL byte, or not one line where one is wanted */
} PostaciInputFileError;

/* The longest password or OAuth2 token read from a file (a token is a few KiB). */
#define POSTACI_MAX_PASSWORD_BYTES         (16 * 1024)
/* A PEM file of certificates: a whole system CA bundle is about 200 KiB. */
#define POSTACI_MAX_CERTIFICATE_FILE_BYTES (1024 * 1024)
/* An HTML message: above the 25 MiB SIZE limit common today, so that a server's limit can be
 * tried for real (552 5.3.4). The session streams any size; this bounds what a file costs. */
#define POSTACI_MAX_HTML_FILE_BYTES        (32 * 1024 * 1024)

GQuark    postaci_input_file_error_quark   (void);
char     *postaci_input_file_read          (const char  *path,
                                            gsize        max_bytes,
                                            guint        timeout_seconds,
                                            gsize       *length,
                                            GError     **error);
char     *postaci_input_file_read_password (const char  *path,
                                            guint        timeout_seconds,
                                            GError     **error);
gboolean  postaci_input_file_check_regular (const char  *path,
                                            gsize        max_bytes,
                                            GError     **error);

G_END_DECLS
