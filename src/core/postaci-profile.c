/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-profile.c — a saved server and its key-file form (never the password). */
#define G_LOG_DOMAIN "postaci-profile"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-profile.h"

struct _PostaciProfile
{
  GObject         parent_instance;
  char           *id; /* stable across renames: the keyring's entry is found by it */
  char           *name;
  gboolean        remember_password;
  PostaciRequest *request; /* password, certificate exception and pin always empty */
};

enum
{
  PROP_0,
  PROP_NAME,
  PROP_REMEMBER_PASSWORD,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

/* clang-format off */
G_DEFINE_QUARK (postaci-profile-error-quark, postaci_profile_error)
/* clang-format on */
G_DEFINE_FINAL_TYPE (PostaciProfile, postaci_profile, G_TYPE_OBJECT)

/* What a profile may keep of a request: everything a person typed, nothing secret and
 * nothing that must be chosen again for each run (an invalid certificate, a pin). */
static PostaciRequest *
copy_without_secrets (const PostaciRequest *request)
{
  PostaciRequest *copy = request ? postaci_request_copy (request) : postaci_request_new ();

  postaci_request_set_password (copy, NULL);
  copy->accept_invalid_certificate = FALSE;
  g_clear_object (&copy->pinned_certificate);
  return copy;
}

static void
postaci_profile_finalize (GObject *object)
{
  PostaciProfile *self = POSTACI_PROFILE (object);

  g_free (self->id);
  g_free (self->name);
  g_clear_pointer (&self->request, postaci_request_free);
  G_OBJECT_CLASS (postaci_profile_parent_class)->finalize (object);
}

static void
postaci_profile_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PostaciProfile *self = POSTACI_PROFILE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_REMEMBER_PASSWORD:
      g_value_set_boolean (value, self->remember_password);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postaci_profile_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  PostaciProfile *self = POSTACI_PROFILE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      postaci_profile_set_name (self, g_value_get_string (value));
      break;
    case PROP_REMEMBER_PASSWORD:
      postaci_profile_set_remember_password (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postaci_profile_class_init (PostaciProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = postaci_profile_finalize;
  object_class->get_property = postaci_profile_get_property;
  object_class->set_property = postaci_profile_set_property;

  properties[PROP_NAME] = g_param_spec_string (
    "name", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REMEMBER_PASSWORD] =
    g_param_spec_boolean ("remember-password", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
postaci_profile_init (PostaciProfile *self)
{
  self->id = g_uuid_string_random ();
  self->name = g_strdup ("");
  self->request = postaci_request_new ();
}

PostaciProfile *
postaci_profile_new (const char *name, const PostaciRequest *request)
{
  PostaciProfile *self = g_object_new (POSTACI_TYPE_PROFILE, "name", name, NULL);

  postaci_profile_set_request (self, request);
  return self;
}

/* A copy under a new name and a new id: the copy has no password in the keyring yet. */
PostaciProfile *
postaci_profile_duplicate (PostaciProfile *self, const char *name)
{
  g_return_val_if_fail (POSTACI_IS_PROFILE (self), NULL);
  return postaci_profile_new (name, self->request);
}

const char *
postaci_profile_get_id (PostaciProfile *self)
{
  g_return_val_if_fail (POSTACI_IS_PROFILE (self), NULL);
  return self->id;
}

const char *
postaci_profile_get_name (PostaciProfile *self)
{
  g_return_val_if_fail (POSTACI_IS_PROFILE (self), NULL);
  return self->name;
}

void
postaci_profile_set_name (PostaciProfile *self, const char *name)
{
  g_return_if_fail (POSTACI_IS_PROFILE (self));
  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name ? name : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

gboolean
postaci_profile_get_remember_password (PostaciProfile *self)
{
  g_return_val_if_fail (POSTACI_IS_PROFILE (self), FALSE);
  return self->remember_password;
}

void
postaci_profile_set_remember_password (PostaciProfile *self, gboolean remember)
{
  g_return_if_fail (POSTACI_IS_PROFILE (self));
  remember = !!remember;
  if (self->remember_password == remember)
    return;
  self->remember_password = remember;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMEMBER_PASSWORD]);
}

const PostaciRequest *
postaci_profile_get_request (PostaciProfile *self)
{
  g_return_val_if_fail (POSTACI_IS_PROFILE (self), NULL);
  return self->request;
}

void
postaci_profile_set_request (PostaciProfile *self, const PostaciRequest *request)
{
  g_return_if_fail (POSTACI_IS_PROFILE (self));
  g_clear_pointer (&self->request, postaci_request_free);
  self->request = copy_without_secrets (request);
}

/* A fresh request to run or to fill a form with; the caller adds the password. */
PostaciRequest *
postaci_profile_to_request (PostaciProfile *self)
{
  g_return_val_if_fail (POSTACI_IS_PROFILE (self), NULL);
  return postaci_request_copy (self->request);
}

gboolean
postaci_profile_name_is_valid (const char *name, GError **error)
{
  const char *p;

  if (name == NULL || *name == '\0' || g_utf8_strlen (name, -1) == 0)
    {
      g_set_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_NAME,
                   _ ("A saved server needs a name."));
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > POSTACI_PROFILE_MAX_NAME)
    {
      g_set_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_NAME,
                   _ ("The name of a saved server can be at most %d characters long."),
                   POSTACI_PROFILE_MAX_NAME);
      return FALSE;
    }
  for (p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        {
          g_set_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_NAME,
                       _ ("The name of a saved server cannot contain a line break or a "
                          "control character."));
          return FALSE;
        }
    }
  return TRUE;
}

/* Key-file keys; a missing key means the request's default. */
#define KEY_NAME              "Name"
#define KEY_ID                "Id"
#define KEY_REMEMBER_PASSWORD "RememberPassword"
#define KEY_SERVER            "Server"
#define KEY_PORT              "Port"
#define KEY_SECURITY          "Security"
#define KEY_AUTH              "Auth"
#define KEY_MECHANISM         "Mechanism"
#define KEY_USERNAME          "Username"
#define KEY_ALLOW_PLAIN_AUTH  "AllowPlainAuth"
#define KEY_EHLO_NAME         "EhloName"
#define KEY_FROM              "From"
#define KEY_TO                "To"
#define KEY_SUBJECT           "Subject"
#define KEY_HTML              "Html"
#define KEY_TEXT              "Text"
#define KEY_STOP_AFTER        "StopAfter"
#define KEY_TIMEOUT           "Timeout"
#define KEY_CA_FILE           "CaFile"
#define KEY_ATTACHMENTS       "Attachments"

static void
set_optional_string (GKeyFile *key_file, const char *group, const char *key, const char *value)
{
  if (value != NULL)
    g_key_file_set_string (key_file, group, key, value);
}

void
postaci_profile_save_to_key_file (PostaciProfile *self, GKeyFile *key_file, const char *group,
                                  gboolean with_identity)
{
  const PostaciRequest *r;

  g_return_if_fail (POSTACI_IS_PROFILE (self));
  g_return_if_fail (key_file != NULL && group != NULL);

  r = self->request;
  g_key_file_set_string (key_file, group, KEY_NAME, self->name);
  if (with_identity)
    {
      g_key_file_set_string (key_file, group, KEY_ID, self->id);
      g_key_file_set_boolean (key_file, group, KEY_REMEMBER_PASSWORD, self->remember_password);
    }
  set_optional_string (key_file, group, KEY_SERVER, r->server);
  g_key_file_set_integer (key_file, group, KEY_PORT, (int) r->port);
  g_key_file_set_string (key_file, group, KEY_SECURITY, postaci_security_to_string (r->security));
  g_key_file_set_boolean (key_file, group, KEY_AUTH, r->auth);
  g_key_file_set_string (key_file, group, KEY_MECHANISM,
                         postaci_mechanism_to_string (r->mechanism));
  set_optional_string (key_file, group, KEY_USERNAME, r->username);
  g_key_file_set_boolean (key_file, group, KEY_ALLOW_PLAIN_AUTH, r->allow_plain_auth);
  set_optional_string (key_file, group, KEY_EHLO_NAME, r->ehlo_name);
  set_optional_string (key_file, group, KEY_FROM, r->from);
  g_key_file_set_string_list (key_file, group, KEY_TO, (const char *const *) r->recipients->pdata,
                              r->recipients->len);
  set_optional_string (key_file, group, KEY_SUBJECT, r->subject);
  set_optional_string (key_file, group, KEY_HTML, r->html);
  set_optional_string (key_file, group, KEY_TEXT, r->text);
  g_key_file_set_string (key_file, group, KEY_STOP_AFTER, postaci_stage_to_string (r->stop_after));
  g_key_file_set_integer (key_file, group, KEY_TIMEOUT, (int) r->timeout_seconds);
  set_optional_string (key_file, group, KEY_CA_FILE, r->ca_file);
  /* Paths on this computer: an export for a team leaves them out, as it does the id. */
  if (with_identity && r->attachments->len > 0)
    {
      g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();
      g_auto(GStrv) list = NULL;

      /* A key file is UTF-8 throughout: a name in another encoding goes as a file: URI. */
      for (guint i = 0; i < r->attachments->len; i++)
        {
          const char *path = g_ptr_array_index (r->attachments, i);

          g_autofree char *uri =
            g_utf8_validate (path, -1, NULL) ? NULL : g_filename_to_uri (path, NULL, NULL);

          if (uri != NULL || g_utf8_validate (path, -1, NULL))
            g_strv_builder_add (paths, uri != NULL ? uri : path);
        }
      list = g_strv_builder_end (paths);
      g_key_file_set_string_list (key_file, group, KEY_ATTACHMENTS, (const char *const *) list,
                                  g_strv_length (list));
    }
}

static gboolean
invalid_value (GError **error, const char *name, const char *key)
{
  g_set_error (error, POSTACI_PROFILE_ERROR, POSTACI_PROFILE_ERROR_INVALID,
               _ ("The saved server “%s” has an invalid value for “%s”."), name, key);
  return FALSE;
}

static char *
get_optional_string (GKeyFile *key_file, const char *group, const char *key)
{
  return g_key_file_get_string (key_file, group, key, NULL);
}

/* Reads an unsigned number in [0, max]; a missing key leaves *out as it is. */
static gboolean
get_bounded_uint (GKeyFile *key_file, const char *group, const char *key, guint max, guint *out,
                  const char *name, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  int value;

  if (!g_key_file_has_key (key_file, group, key, NULL))
    return TRUE;
  value = g_key_file_get_integer (key_file, group, key, &local_error);
  if (local_error != NULL || value < 0 || (guint) value > max)
    return invalid_value (error, name, key);
  *out = (guint) value;
  return TRUE;
}

static gboolean
get_boolean (GKeyFile *key_file, const char *group, const char *key, gboolean *out,
             const char *name, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean value;

  if (!g_key_file_has_key (key_file, group, key, NULL))
    return TRUE;
  value = g_key_file_get_boolean (key_file, group, key, &local_error);
  if (local_error != NULL)
    return invalid_value (error, name, key);
  *out = value;
  return TRUE;
}

PostaciProfile *
postaci_profile_load_from_key_file (GKeyFile *key_file, const char *group, gboolean with_identity,
                                    GError **error)
{
  g_autoptr(PostaciProfile) self = NULL;
  g_autoptr(PostaciRequest) r = postaci_request_new ();
  g_autofree char *name = NULL;
  g_autofree char *security = NULL;
  g_autofree char *mechanism = NULL;
  g_autofree char *stop_after = NULL;
  g_auto(GStrv) to = NULL;

  g_return_val_if_fail (key_file != NULL && group != NULL, NULL);

  name = g_key_file_get_string (key_file, group, KEY_NAME, NULL);
  if (!postaci_profile_name_is_valid (name, error))
    return NULL;

  r->server = get_optional_string (key_file, group, KEY_SERVER);
  if (!get_bounded_uint (key_file, group, KEY_PORT, 65535, &r->port, name, error))
    return NULL;
  security = get_optional_string (key_file, group, KEY_SECURITY);
  if (security != NULL && !postaci_security_from_string (security, &r->security))
    {
      invalid_value (error, name, KEY_SECURITY);
      return NULL;
    }
  if (!get_boolean (key_file, group, KEY_AUTH, &r->auth, name, error))
    return NULL;
  mechanism = get_optional_string (key_file, group, KEY_MECHANISM);
  if (mechanism != NULL && !postaci_mechanism_from_string (mechanism, &r->mechanism))
    {
      invalid_value (error, name, KEY_MECHANISM);
      return NULL;
    }
  r->username = get_optional_string (key_file, group, KEY_USERNAME);
  if (!get_boolean (key_file, group, KEY_ALLOW_PLAIN_AUTH, &r->allow_plain_auth, name, error))
    return NULL;
  r->ehlo_name = get_optional_string (key_file, group, KEY_EHLO_NAME);
  r->from = get_optional_string (key_file, group, KEY_FROM);
  to = g_key_file_get_string_list (key_file, group, KEY_TO, NULL, NULL);
  for (guint i = 0; to != NULL && to[i] != NULL; i++)
    if (*to[i] != '\0')
      g_ptr_array_add (r->recipients, g_strdup (to[i]));
  r->subject = get_optional_string (key_file, group, KEY_SUBJECT);
  r->html = get_optional_string (key_file, group, KEY_HTML);
  r->text = get_optional_string (key_file, group, KEY_TEXT);
  stop_after = get_optional_string (key_file, group, KEY_STOP_AFTER);
  if (stop_after != NULL && !postaci_stage_from_string (stop_after, &r->stop_after))
    {
      invalid_value (error, name, KEY_STOP_AFTER);
      return NULL;
    }
  if (!get_bounded_uint (key_file, group, KEY_TIMEOUT, POSTACI_MAX_TIMEOUT_SECONDS,
                         &r->timeout_seconds, name, error))
    return NULL;
  r->ca_file = get_optional_string (key_file, group, KEY_CA_FILE);
  if (with_identity)
    {
      g_auto(GStrv) attachments =
                g_key_file_get_string_list (key_file, group, KEY_ATTACHMENTS, NULL, NULL);

      for (guint i = 0; attachments != NULL && attachments[i] != NULL; i++)
        {
          char *path = g_str_has_prefix (attachments[i], "file:")
                         ? g_filename_from_uri (attachments[i], NULL, NULL)
                         : g_strdup (attachments[i]);

          if (path != NULL && *path != '\0')
            g_ptr_array_add (r->attachments, path);
          else
            g_free (path);
        }
    }

  self = postaci_profile_new (name, r);
  if (with_identity)
    {
      g_autofree char *id = g_key_file_get_string (key_file, group, KEY_ID, NULL);
      gboolean         remember = FALSE;

      if (id != NULL && g_uuid_string_is_valid (id))
        {
          g_free (self->id);
          self->id = g_steal_pointer (&id);
        }
      if (!get_boolean (key_file, group, KEY_REMEMBER_PASSWORD, &remember, name, error))
        return NULL;
      self->remember_password = remember;
    }
  return g_steal_pointer (&self);
}
