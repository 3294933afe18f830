/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-profile.c — saved servers: the key file, the store, export/import and the keyring. */
#define G_LOG_DOMAIN "test-profile"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "postaci-keyring.h"
#include "postaci-profile-store.h"

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("postaci-profile-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->path = g_build_filename (f->dir, "config", "postaci", "profiles.ini", NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* A request with every field a profile keeps set to something other than its default. */
static PostaciRequest *
full_request (void)
{
  PostaciRequest *r = postaci_request_new ();

  r->server = g_strdup ("smtp.acme.example");
  r->port = 465;
  r->security = POSTACI_SECURITY_TLS;
  r->auth = TRUE;
  r->mechanism = POSTACI_MECHANISM_SCRAM_SHA_256;
  r->username = g_strdup ("ayşe@acme.example");
  postaci_request_set_password (r, "gizli-parola-42");
  r->allow_plain_auth = TRUE;
  r->ehlo_name = g_strdup ("helpdesk.acme.example");
  r->from = g_strdup ("ayşe@acme.example");
  postaci_request_add_recipients (r, "veli@acme.example, can@acme.example");
  r->subject = g_strdup ("Deneme: ığüşöç");
  r->html = g_strdup ("<p>Merhaba\nikinci satır = [grup]</p>");
  r->text = g_strdup ("Merhaba");
  r->stop_after = POSTACI_STAGE_RCPT;
  r->timeout_seconds = 45;
  r->ca_file = g_strdup ("/etc/ssl/acme-ca.pem");
  r->accept_invalid_certificate = TRUE;
  /* A key file's list separator in a name, and a name that is no UTF-8. */
  g_ptr_array_add (r->attachments, g_strdup ("/home/ayşe/rapor;son hâli.pdf"));
  g_ptr_array_add (r->attachments, g_strdup ("/tmp/eski-\xfe\xff.bin"));
  return r;
}

static char *
read_file (const char *path)
{
  char *contents = NULL;
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static void
assert_same_request (const PostaciRequest *a, const PostaciRequest *b)
{
  g_assert_cmpstr (a->server, ==, b->server);
  g_assert_cmpuint (a->port, ==, b->port);
  g_assert_cmpint (a->security, ==, b->security);
  g_assert_cmpint (a->auth, ==, b->auth);
  g_assert_cmpint (a->mechanism, ==, b->mechanism);
  g_assert_cmpstr (a->username, ==, b->username);
  g_assert_cmpint (a->allow_plain_auth, ==, b->allow_plain_auth);
  g_assert_cmpstr (a->ehlo_name, ==, b->ehlo_name);
  g_assert_cmpstr (a->from, ==, b->from);
  g_assert_cmpuint (a->recipients->len, ==, b->recipients->len);
  for (guint i = 0; i < a->recipients->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a->recipients, i), ==,
                     g_ptr_array_index (b->recipients, i));
  g_assert_cmpstr (a->subject, ==, b->subject);
  g_assert_cmpstr (a->html, ==, b->html);
  g_assert_cmpstr (a->text, ==, b->text);
  g_assert_cmpint (a->stop_after, ==, b->stop_after);
  g_assert_cmpuint (a->timeout_seconds, ==, b->timeout_seconds);
  g_assert_cmpstr (a->ca_file, ==, b->ca_file);
  g_assert_cmpuint (a->attachments->len, ==, b->attachments->len);
  for (guint i = 0; i < a->attachments->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a->attachments, i), ==,
                     g_ptr_array_index (b->attachments, i));
}

/* Every field comes back as it was saved (the attached files' paths too, whatever their
 * encoding); the password and the per-run certificate exception never reach the file. */
static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr(PostaciRequest) request = full_request ();
  g_autoptr(PostaciProfileStore) store = postaci_profile_store_new (f->path);
  g_autoptr(PostaciProfileStore) again = postaci_profile_store_new (f->path);
  g_autoptr(PostaciProfile) profile = postaci_profile_new ("Acme – Exchange Online", request);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(PostaciRequest) loaded = NULL;
  PostaciProfile *back;

  postaci_profile_set_remember_password (profile, TRUE);
  g_assert_true (postaci_profile_store_add (store, profile, &error));
  g_assert_no_error (error);
  g_assert_true (postaci_profile_store_save (store, &error));
  g_assert_no_error (error);

  contents = read_file (f->path);
  g_assert_null (strstr (contents, "gizli-parola-42"));
  g_assert_null (strstr (contents, "\nPassword="));
  g_assert_nonnull (strstr (contents, "Name=Acme – Exchange Online"));
  g_assert_true (g_utf8_validate (contents, -1, NULL));

  g_assert_true (postaci_profile_store_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 1);
  back = postaci_profile_store_lookup (again, "Acme – Exchange Online");
  g_assert_nonnull (back);
  g_assert_cmpstr (postaci_profile_get_id (back), ==, postaci_profile_get_id (profile));
  g_assert_true (postaci_profile_get_remember_password (back));

  loaded = postaci_profile_to_request (back);
  g_assert_null (loaded->password);
  g_assert_false (loaded->accept_invalid_certificate);
  request->accept_invalid_certificate = FALSE;
  assert_same_request (request, loaded);
}

/* The file names customers' servers and accounts: only its owner may read it. */
static void
test_file_mode (Fixture *f, gconstpointer data)
{
  g_autoptr(PostaciProfileStore) store = postaci_profile_store_new (f->path);
  g_autoptr(PostaciProfile) profile = postaci_profile_new ("Şube 3 – Postfix", NULL);
  g_autofree char *folder = g_path_get_dirname (f->path);
  GStatBuf st;

  g_assert_true (postaci_profile_store_add (store, profile, NULL));
  g_assert_true (postaci_profile_store_save (store, NULL));
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (folder, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
}

static void
count_changes (GListModel *model, guint position, guint removed, guint added, guint *count)
{
  (*count)++;
}

/* Sorted as a person reads the names; one name per profile whatever its case. */
static void
test_names (Fixture *f, gconstpointer data)
{
  g_autoptr(PostaciProfileStore) store = postaci_profile_store_new (f->path);
  g_autoptr(PostaciProfile) zeta = postaci_profile_new ("Zeta", NULL);
  g_autoptr(PostaciProfile) acme = postaci_profile_new ("acme", NULL);
  g_autoptr(PostaciProfile) sube = postaci_profile_new ("Şube 3", NULL);
  g_autoptr(PostaciProfile) shout = postaci_profile_new ("ACME", NULL);
  g_autoptr(PostaciProfile) empty = postaci_profile_new ("", NULL);
  g_autoptr(PostaciProfile) newline = postaci_profile_new ("a\nb", NULL);
  g_autoptr(PostaciProfile) first = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *unique = NULL;
  guint changes = 0;

  g_signal_connect (store, "items-changed", G_CALLBACK (count_changes), &changes);
  g_assert_true (postaci_profile_store_add (store, zeta, NULL));
  g_assert_true (postaci_profile_store_add (store, acme, NULL));
  g_assert_true (postaci_profile_store_add (store, sube, NULL));
  g_assert_cmpuint (changes, ==, 3);

  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (first == acme);

  g_assert_false (postaci_profile_store_add (store, shout, &error));
  g_assert_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_NAME_TAKEN);
  g_clear_error (&error);
  g_assert_false (postaci_profile_store_add (store, empty, &error));
  g_assert_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_NAME);
  g_clear_error (&error);
  g_assert_false (postaci_profile_store_add (store, newline, &error));
  g_assert_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_NAME);
  g_clear_error (&error);

  /* Case does not matter when only one profile has the name. */
  g_assert_true (postaci_profile_store_lookup (store, "ACME") == acme);
  g_assert_null (postaci_profile_store_lookup (store, "nobody"));

  unique = postaci_profile_store_unique_name (store, "Acme");
  g_assert_cmpstr (unique, ==, "Acme (2)");

  g_assert_false (postaci_profile_store_rename (store, zeta, "Şube 3", &error));
  g_assert_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_NAME_TAKEN);
  g_clear_error (&error);
  g_assert_true (postaci_profile_store_rename (store, zeta, "Ankara", &error));
  g_assert_no_error (error);
  g_clear_object (&first);
  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (first == acme);
  g_clear_object (&first);
  first = g_list_model_get_item (G_LIST_MODEL (store), 1);
  g_assert_true (first == zeta);

  postaci_profile_store_remove (store, acme);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_null (postaci_profile_store_lookup (store, "acme"));
}

/* A copy has the same settings, its own name and its own id (no password of its own yet). */
static void
test_duplicate (Fixture *f, gconstpointer data)
{
  g_autoptr(PostaciRequest) request = full_request ();
  g_autoptr(PostaciProfile) profile = postaci_profile_new ("Acme", request);
  g_autoptr(PostaciProfile) copy = postaci_profile_duplicate (profile, "Acme (2)");

  g_assert_cmpstr (postaci_profile_get_name (copy), ==, "Acme (2)");
  g_assert_cmpstr (postaci_profile_get_id (copy), !=, postaci_profile_get_id (profile));
  assert_same_request (postaci_profile_get_request (profile), postaci_profile_get_request (copy));
}

/* An export carries no password, no keyring id and no “remember” choice; importing it
 * twice gives numbered names instead of overwriting anything. */
static void
test_export_import (Fixture *f, gconstpointer data)
{
  g_autoptr(PostaciRequest) request = full_request ();
  g_autoptr(PostaciProfileStore) store = postaci_profile_store_new (f->path);
  g_autoptr(PostaciProfile) acme = postaci_profile_new ("Acme", request);
  g_autoptr(PostaciProfile) sube = postaci_profile_new ("Şube 3", NULL);
  g_autofree char *export_path = g_build_filename (f->dir, "team.ini", NULL);
  g_autofree char *other_path = g_build_filename (f->dir, "other.ini", NULL);
  g_autoptr(PostaciProfileStore) other = postaci_profile_store_new (other_path);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  PostaciProfile *imported;

  postaci_profile_set_remember_password (acme, TRUE);
  g_assert_true (postaci_profile_store_add (store, acme, NULL));
  g_assert_true (postaci_profile_store_add (store, sube, NULL));
  g_assert_true (postaci_profile_store_export (store, export_path, &error));
  g_assert_no_error (error);

  contents = read_file (export_path);
  g_assert_null (strstr (contents, "gizli-parola-42"));
  g_assert_null (strstr (contents, "Id="));
  g_assert_null (strstr (contents, "RememberPassword"));
  g_assert_null (strstr (contents, postaci_profile_get_id (acme)));
  /* Paths on the exporter's computer mean nothing on a colleague's. */
  g_assert_null (strstr (contents, "Attachments"));

  g_assert_cmpint (postaci_profile_store_import (other, export_path, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (postaci_profile_store_import (other, export_path, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (other)), ==, 4);
  imported = postaci_profile_store_lookup (other, "Acme (2)");
  g_assert_nonnull (imported);
  g_assert_nonnull (postaci_profile_store_lookup (other, "Şube 3 (2)"));
  g_assert_cmpstr (postaci_profile_get_id (imported), !=, postaci_profile_get_id (acme));
  g_assert_false (postaci_profile_get_remember_password (imported));
  request->accept_invalid_certificate = FALSE;
  g_ptr_array_set_size (request->attachments, 0);
  assert_same_request (request, postaci_profile_get_request (imported));
}

/* A file that is not ours, a damaged value or a FIFO is refused with a clear error and
 * adds nothing. */
static void
test_bad_files (Fixture *f, gconstpointer data)
{
  g_autoptr(PostaciProfileStore) store = postaci_profile_store_new (f->path);
  g_autofree char *foreign = g_build_filename (f->dir, "foreign.ini", NULL);
  g_autofree char *bad_port = g_build_filename (f->dir, "bad-port.ini", NULL);
  g_autofree char *fifo = g_build_filename (f->dir, "fifo", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.ini", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (foreign, "[Desktop Entry]\nName=x\n", -1, NULL));
  g_assert_cmpint (postaci_profile_store_import (store, foreign, &error), ==, -1);
  g_assert_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (bad_port,
                                      "[Postaci]\nFormat=1\n\n[Profile 1]\nName=Good\n\n"
                                      "[Profile 2]\nName=Bad\nPort=70000\n", -1, NULL));
  g_assert_cmpint (postaci_profile_store_import (store, bad_port, &error), ==, -1);
  g_assert_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“Bad”"));
  g_assert_nonnull (strstr (error->message, "Port"));
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (postaci_profile_store_import (store, fifo, &error), ==, -1);
  g_assert_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (postaci_profile_store_import (store, missing, &error), ==, -1);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  /* The user's own file may be missing: that is an empty list, not an error. */
  g_assert_true (postaci_profile_store_load (store, &error));
  g_assert_no_error (error);
}

typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;
  w->result = g_object_ref (result);
  g_main_loop_quit (w->loop);
}

static GAsyncResult *
wait_for (Wait *w)
{
  g_main_loop_run (w->loop);
  return w->result;
}

static gboolean
keyring_expected (void)
{
  return g_strcmp0 (g_getenv ("POSTACI_TEST_KEYRING"), "session") == 0;
}

/* With a keyring (a private GNOME Keyring on a private session bus): the password is kept
 * there, found again after a rename, and forgotten on request. */
static void
test_keyring (Fixture *f, gconstpointer data)
{
  g_autoptr(PostaciProfile) profile = postaci_profile_new ("Acme", NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Wait w = { loop, NULL };
  char *password;

  if (!keyring_expected ())
    {
      g_test_skip ("runs in the keyring suite (POSTACI_TEST_KEYRING=session)");
      return;
    }

  postaci_keyring_store_async (profile, "gizli-parola-42", NULL, done_cb, &w);
  g_assert_true (postaci_keyring_store_finish (wait_for (&w), &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);

  postaci_profile_set_name (profile, "Acme – renamed");
  postaci_keyring_lookup_async (profile, NULL, done_cb, &w);
  password = postaci_keyring_lookup_finish (wait_for (&w), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "gizli-parola-42");
  postaci_keyring_password_free (password);
  g_clear_object (&w.result);

  postaci_keyring_clear_async (profile, NULL, done_cb, &w);
  g_assert_true (postaci_keyring_clear_finish (wait_for (&w), &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);

  postaci_keyring_lookup_async (profile, NULL, done_cb, &w);
  password = postaci_keyring_lookup_finish (wait_for (&w), &error);
  g_assert_no_error (error);
  g_assert_null (password);
  g_clear_object (&w.result);
}

/* Without any keyring the answer is a clear “unavailable”, never a hang or a crash. */
static void
test_keyring_unavailable (Fixture *f, gconstpointer data)
{
  g_autoptr(PostaciProfile) profile = postaci_profile_new ("Acme", NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Wait w = { loop, NULL };

  if (keyring_expected ())
    {
      g_test_skip ("runs without a session bus");
      return;
    }

  postaci_keyring_store_async (profile, "gizli-parola-42", NULL, done_cb, &w);
  g_assert_false (postaci_keyring_store_finish (wait_for (&w), &error));
  g_assert_error (error, POSTACI_KEYRING_ERROR, POSTACI_KEYRING_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "keyring"));
  g_clear_object (&w.result);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/postaci/profile/round-trip", Fixture, NULL, fixture_setup, test_round_trip,
              fixture_teardown);
  g_test_add ("/postaci/profile/file-mode", Fixture, NULL, fixture_setup, test_file_mode,
              fixture_teardown);
  g_test_add ("/postaci/profile/names", Fixture, NULL, fixture_setup, test_names,
              fixture_teardown);
  g_test_add ("/postaci/profile/duplicate", Fixture, NULL, fixture_setup, test_duplicate,
              fixture_teardown);
  g_test_add ("/postaci/profile/export-import", Fixture, NULL, fixture_setup,
              test_export_import, fixture_teardown);
  g_test_add ("/postaci/profile/bad-files", Fixture, NULL, fixture_setup, test_bad_files,
              fixture_teardown);
  g_test_add ("/postaci/profile/keyring/store-lookup-clear", Fixture, NULL, fixture_setup,
              test_keyring, fixture_teardown);
  g_test_add ("/postaci/profile/keyring/unavailable", Fixture, NULL, fixture_setup,
              test_keyring_unavailable, fixture_teardown);
  status = g_test_run ();
  /* libsecret keeps its connection to the service for the life of the process: drop it, so
   * that the sanitizer build sees every allocation freed. */
  secret_service_disconnect ();
  if (keyring_expected ())
    {
      g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
      if (bus != NULL)
        g_dbus_connection_close_sync (bus, NULL, NULL);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return status;
}
