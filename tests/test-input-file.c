/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-input-file.c — files named on the command line are read with a cap on size and time. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "postaci-input-file.h"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("postaci-input-file-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static char *
write_file (Fixture *fixture, const char *name, const char *contents, gssize length)
{
  char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

/* A pipe as a shell's process substitution gives it: /dev/fd/N, with @contents written and
 * the writing end closed (or left open when @contents is NULL: a writer that never writes). */
static char *
pipe_path (const char *contents, int fds[2])
{
  g_autoptr(GError) error = NULL;

  g_unix_open_pipe (fds, FD_CLOEXEC, &error);
  g_assert_no_error (error);
  if (contents != NULL)
    {
      g_assert_cmpint (write (fds[1], contents, strlen (contents)), ==, (gssize) strlen (contents));
      close (fds[1]);
      fds[1] = -1;
    }
  return g_strdup_printf ("/dev/fd/%d", fds[0]);
}

static void
test_regular (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "page.html", "<p>Merhaba</p>", -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *at_limit = NULL;
  gsize length = 0;

  contents = postaci_input_file_read (path, 1024, 1, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "<p>Merhaba</p>");
  g_assert_cmpuint (length, ==, strlen ("<p>Merhaba</p>"));
  /* Exactly at the limit is allowed; one byte more is not. */
  at_limit = postaci_input_file_read (path, strlen ("<p>Merhaba</p>"), 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (at_limit);
  g_assert_null (postaci_input_file_read (path, strlen ("<p>Merhaba</p>") - 1, 1, NULL, &error));
  g_assert_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_TOO_LARGE);
  g_assert_cmpstr (strstr (error->message, "is larger than 13 bytes"), !=, NULL);
}

/* /dev/zero never ends: it is refused at once, before a byte is read. */
static void
test_devices_and_folders (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_assert_null (postaci_input_file_read ("/dev/zero", 1024, 1, NULL, &error));
  g_assert_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_NOT_A_FILE);
  g_assert_cmpstr (error->message, ==, "“/dev/zero” is a device or a socket, not a file: give a "
                                       "regular file, or a pipe such as <(command).");
  g_clear_error (&error);
  g_assert_null (postaci_input_file_read_password ("/dev/urandom", 1, &error));
  g_assert_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_NOT_A_FILE);
  g_clear_error (&error);
  g_assert_null (postaci_input_file_read (fixture->dir, 1024, 1, NULL, &error));
  g_assert_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_NOT_A_FILE);
  message = g_strdup_printf ("“%s” is a folder, not a file.", fixture->dir);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);
  g_assert_null (postaci_input_file_read ("/nonexistent/pw", 1024, 1, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_cmpstr (error->message, ==, "“/nonexistent/pw” does not exist.");
}

/* Process substitution: the pipe is read to its end, and still only up to the cap. */
static void
test_pipe (Fixture *fixture, gconstpointer data)
{
  int fds[2], long_fds[2];
  g_autofree char *path = pipe_path ("gizli şifre\nsecond line\n", fds);
  g_autofree char *long_path = NULL;
  g_autofree char *long_text = g_strnfill (POSTACI_MAX_PASSWORD_BYTES + 1, 'p');
  g_autofree char *password = NULL;
  g_autoptr(GError) error = NULL;

  password = postaci_input_file_read_password (path, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "gizli şifre");
  close (fds[0]);

  /* The pipe buffer holds 64 KiB: the whole over-long text is there, and only the cap is read. */
  long_path = pipe_path (long_text, long_fds);
  g_assert_null (postaci_input_file_read_password (long_path, 5, &error));
  g_assert_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_TOO_LARGE);
  /* GLib writes the size with a no-break space. */
  g_assert_cmpstr (strstr (error->message, "is larger than 16.0\u00a0KiB."), !=, NULL);
  close (long_fds[0]);
}

/* A FIFO that nobody opens for writing, and a pipe whose writer never writes: both end at the
 * deadline with an error that says so, instead of waiting forever. */
static void
test_silent_pipes (Fixture *fixture, gconstpointer data)
{
  g_autofree char *fifo = g_build_filename (fixture->dir, "fifo", NULL);
  g_autofree char *open_path = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  int fds[2];

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  start = g_get_monotonic_time ();
  g_assert_null (postaci_input_file_read (fifo, 1024, 1, NULL, &error));
  g_assert_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_TIMED_OUT);
  g_assert_cmpstr (strstr (error->message, "for 1 second: a pipe that nobody writes to?"), !=,
                   NULL);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&error);

  open_path = pipe_path (NULL, fds);
  g_assert_null (postaci_input_file_read_password (open_path, 1, &error));
  g_assert_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_TIMED_OUT);
  close (fds[0]);
  close (fds[1]);
}

static void
test_password_text (Fixture *fixture, gconstpointer data)
{
  g_autofree char *crlf = write_file (fixture, "crlf", "token\r\n", -1);
  g_autofree char *nul = write_file (fixture, "nul", "tok\0en\n", 7);
  g_autofree char *empty = write_file (fixture, "empty", "", 0);
  g_autofree char *password = NULL;
  g_autofree char *nothing = NULL;
  g_autoptr(GError) error = NULL;

  password = postaci_input_file_read_password (crlf, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "token");
  nothing = postaci_input_file_read_password (empty, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nothing, ==, "");
  g_assert_null (postaci_input_file_read_password (nul, 1, &error));
  g_assert_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_NOT_TEXT);
}

/* A CA file is opened later by its name: a regular file only, and not over its cap. */
static void
test_check_regular (Fixture *fixture, gconstpointer data)
{
  g_autofree char *pem = write_file (fixture, "ca.pem", "-----BEGIN CERTIFICATE-----\n", -1);
  g_autofree char *fifo = g_build_filename (fixture->dir, "ca-fifo", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (postaci_input_file_check_regular (pem, 1024, &error));
  g_assert_no_error (error);
  g_assert_false (postaci_input_file_check_regular (pem, 10, &error));
  g_assert_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_false (postaci_input_file_check_regular (fifo, 1024, &error));
  g_assert_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_NOT_A_FILE);
  g_clear_error (&error);
  g_assert_false (postaci_input_file_check_regular ("/dev/zero", 1024, &error));
  g_assert_error (error, POSTACI_INPUT_FILE_ERROR, POSTACI_INPUT_FILE_ERROR_NOT_A_FILE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/postaci/input-file/regular", test_regular);
  ADD ("/postaci/input-file/devices-and-folders", test_devices_and_folders);
  ADD ("/postaci/input-file/pipe", test_pipe);
  ADD ("/postaci/input-file/silent-pipes", test_silent_pipes);
  ADD ("/postaci/input-file/password-text", test_password_text);
  ADD ("/postaci/input-file/check-regular", test_check_regular);
#undef ADD
  return g_test_run ();
}
