/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-input-file.c — files named on the command line, read with a cap on size and time. */
#define G_LOG_DOMAIN "postaci-input-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "postaci-input-file.h"

/* clang-format off */
G_DEFINE_QUARK (postaci-input-file-error-quark, postaci_input_file_error)
/* clang-format on */

/* Opening or reading failed: the system's reason, after the file's name. */
static void
set_errno_error (GError **error, int saved_errno, gboolean reading, const char *path)
{
  g_autofree char *name = g_filename_display_name (path);
  GFileError       code = g_file_error_from_errno (saved_errno);

  if (reading)
    g_set_error (error, G_FILE_ERROR, code, _ ("Could not read “%s”: %s."), name,
                 g_strerror (saved_errno));
  else if (saved_errno == ENOENT)
    g_set_error (error, G_FILE_ERROR, code, _ ("“%s” does not exist."), name);
  else
    g_set_error (error, G_FILE_ERROR, code, _ ("Could not open “%s”: %s."), name,
                 g_strerror (saved_errno));
}

static gboolean
check_kind (const char *path, const struct stat *st, gboolean allow_pipe, GError **error)
{
  g_autofree char *name = NULL;

  if (S_ISREG (st->st_mode) || (allow_pipe && S_ISFIFO (st->st_mode)))
    return TRUE;
  name = g_filename_display_name (path);
  if (S_ISDIR (st->st_mode))
    g_set_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_NOT_A_FILE,
                 _ ("“%s” is a folder, not a file."), name);
  else if (allow_pipe)
    g_set_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_NOT_A_FILE,
                 _ ("“%s” is a device or a socket, not a file: give a regular file, or a pipe "
                    "such as <(command)."),
                 name);
  else
    g_set_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_NOT_A_FILE,
                 _ ("“%s” is not a regular file: give a file that can be read more than once, "
                    "not a device or a pipe."),
                 name);
  return FALSE;
}

static void
set_too_large (GError **error, const char *path, gsize max_bytes)
{
  g_autofree char *name = g_filename_display_name (path);
  g_autofree char *limit = g_format_size_full (max_bytes, G_FORMAT_SIZE_IEC_UNITS);

  g_set_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_TOO_LARGE,
               _ ("“%s” is larger than %s."), name, limit);
}

/* Opens @path for reading without side effects: the kind is checked before open() (opening
 * some devices does something), and again on the descriptor in case the path changed between.
 * O_NONBLOCK: opening a FIFO must not wait for a writer. */
static int
open_checked (const char *path, gboolean allow_pipe, struct stat *st, GError **error)
{
  int fd;

  if (g_stat (path, st) != 0)
    {
      set_errno_error (error, errno, FALSE, path);
      return -1;
    }
  if (!check_kind (path, st, allow_pipe, error))
    return -1;
  fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      set_errno_error (error, errno, FALSE, path);
      return -1;
    }
  if (fstat (fd, st) != 0 || !check_kind (path, st, allow_pipe, error))
    {
      if (error != NULL && *error == NULL)
        set_errno_error (error, errno, FALSE, path);
      close (fd);
      return -1;
    }
  return fd;
}

/* Waits until a pipe has bytes or its end; FALSE when the deadline passed first. A FIFO that
 * no writer has opened yet is not at its end: poll() waits for the writer, read() would not. */
static gboolean
wait_readable (int fd, gint64 deadline)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64        remaining_ms = (deadline - g_get_monotonic_time ()) / 1000;
      int           ready;

      if (remaining_ms <= 0)
        return FALSE;
      ready = poll (&pfd, 1, (int) MIN (remaining_ms, G_MAXINT));
      if (ready > 0)
        return TRUE;
      if (ready == 0)
        return FALSE;
      if (errno != EINTR)
        return TRUE; /* let read() report what is wrong */
    }
}

/* Reads at most @max_bytes. A secret is read into one buffer of the final size, so that no
 * reallocation leaves a copy behind, and is wiped on every failure. */
static char *
read_bounded (const char *path, gsize max_bytes, guint timeout_seconds, gboolean secret,
              gsize *length, GError **error)
{
  struct stat st;
  gint64      deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  gboolean    pipe;
  gsize       capacity, len = 0;
  char       *buffer;
  int         fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (max_bytes > 0 && max_bytes < G_MAXSIZE - 1, NULL);
  g_return_val_if_fail (timeout_seconds > 0, NULL);

  fd = open_checked (path, TRUE, &st, error);
  if (fd < 0)
    return NULL;
  pipe = S_ISFIFO (st.st_mode);
  if (!pipe && (guint64) st.st_size > max_bytes)
    {
      close (fd);
      set_too_large (error, path, max_bytes);
      return NULL;
    }

  /* One byte more than allowed tells "exactly at the limit" from "over it". */
  if (secret)
    capacity = max_bytes + 1;
  else if (!pipe)
    capacity = (gsize) st.st_size + 1;
  else
    capacity = MIN (max_bytes + 1, 64 * 1024);
  buffer = g_malloc (capacity + 1);

  for (;;)
    {
      gssize n;

      if (len == capacity)
        {
          if (capacity > max_bytes)
            break;
          /* A regular file that grew since fstat(), or a pipe: grow up to the cap. */
          g_assert (!secret);
          capacity = MIN (capacity * 2, max_bytes + 1);
          buffer = g_realloc (buffer, capacity + 1);
        }
      if (pipe && !wait_readable (fd, deadline))
        {
          g_autofree char *name = g_filename_display_name (path);

          g_set_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_TIMED_OUT,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Nothing more came from “%s” for %u second: a pipe that "
                                    "nobody writes to?",
                                    "Nothing more came from “%s” for %u seconds: a pipe that "
                                    "nobody writes to?",
                                    timeout_seconds),
                       name, timeout_seconds);
          goto fail;
        }
      n = read (fd, buffer + len, capacity - len);
      if (n > 0)
        len += (gsize) n;
      else if (n == 0)
        break;
      else if (errno != EINTR && errno != EAGAIN)
        {
          set_errno_error (error, errno, TRUE, path);
          goto fail;
        }
    }
  if (len > max_bytes)
    {
      set_too_large (error, path, max_bytes);
      goto fail;
    }
  close (fd);
  buffer[len] = '\0';
  if (length != NULL)
    *length = len;
  return buffer;

fail:
  close (fd);
  if (secret)
    explicit_bzero (buffer, capacity + 1);
  g_free (buffer);
  return NULL;
}

/**
 * postaci_input_file_read:
 * @path: a regular file, or a pipe (a FIFO, or /dev/fd/N from a shell's process substitution)
 * @max_bytes: the most that is read; a longer file is an error, and is not read to its end
 * @timeout_seconds: how long a pipe may take to reach its end of file
 * @length: (out) (optional): the number of bytes read
 *
 * Returns: (transfer full): the contents with a NUL after them, or %NULL with
 * a #PostaciInputFileError or a #GFileError whose message names the file.
 */
char *
postaci_input_file_read (const char *path, gsize max_bytes, guint timeout_seconds, gsize *length,
                         GError **error)
{
  return read_bounded (path, max_bytes, timeout_seconds, FALSE, length, error);
}

/**
 * postaci_input_file_read_password:
 *
 * Reads a secret: one line of at most %POSTACI_MAX_PASSWORD_BYTES bytes, its line end
 * dropped, no NUL. Every buffer that held it is wiped.
 *
 * Returns: (transfer full): the password, for the caller to wipe, or %NULL with an error.
 */
char *
postaci_input_file_read_password (const char *path, guint timeout_seconds, GError **error)
{
  gsize length = 0;
  char *contents =
    read_bounded (path, POSTACI_MAX_PASSWORD_BYTES, timeout_seconds, TRUE, &length, error);
  char *password;

  if (contents == NULL)
    return NULL;
  if (memchr (contents, '\0', length) != NULL)
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_NOT_TEXT,
                   _ ("The password file “%s” is not a single line of text."), name);
      explicit_bzero (contents, length);
      g_free (contents);
      return NULL;
    }
  contents[strcspn (contents, "\r\n")] = '\0';
  password = g_strdup (contents);
  explicit_bzero (contents, length);
  g_free (contents);
  return password;
}

/**
 * postaci_input_file_check_regular:
 *
 * For a file that another part opens later by its path (a CA file for GTlsFileDatabase):
 * it must exist, be a regular file that can be opened (a pipe could be read only once) and
 * hold at most @max_bytes.
 *
 * Returns: %TRUE, or %FALSE with an error whose message names the file.
 */
gboolean
postaci_input_file_check_regular (const char *path, gsize max_bytes, GError **error)
{
  struct stat st;
  int         fd;

  g_return_val_if_fail (path != NULL, FALSE);

  fd = open_checked (path, FALSE, &st, error);
  if (fd < 0)
    return FALSE;
  close (fd);
  if ((guint64) st.st_size > max_bytes)
    {
      set_too_large (error, path, max_bytes);
      return FALSE;
    }
  return TRUE;
}
