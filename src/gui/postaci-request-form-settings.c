/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-request-form-settings.c — what fills the form besides the person: the settings it
 * is bound to, and postaci-cli's options. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "postaci-option.h"
#include "postaci-request-form-private.h"

/* ---------------------------------------------------------------- */
/* postaci-cli's options                                            */
/* ---------------------------------------------------------------- */

/* Checks every value of @options, then (with @apply) fills the form with them. */
static gboolean
read_options (PostaciRequestForm *self, GVariantDict *options, gboolean apply, GError **error)
{
  const char *server = NULL, *port = NULL, *security = NULL, *user = NULL, *password = NULL;
  const char *auth = NULL, *from = NULL, *subject = NULL, *html = NULL, *ehlo = NULL;
  const char *stop_after = NULL, *ca_file = NULL, *timeout_text = NULL;
  g_autofree const char **to = NULL;
  guint                   timeout = 0;
  gboolean                insecure = FALSE, allow_plain_auth = FALSE;
  PostaciSecurity         security_value = POSTACI_SECURITY_AUTO;
  PostaciMechanism        mechanism_value = POSTACI_MECHANISM_AUTO;
  PostaciStage            stop_value = POSTACI_STAGE_QUIT;
  guint                   port_value = 0;

  g_variant_dict_lookup (options, "server", "&s", &server);
  g_variant_dict_lookup (options, "port", "&s", &port);
  g_variant_dict_lookup (options, "security", "&s", &security);
  g_variant_dict_lookup (options, "user", "&s", &user);
  g_variant_dict_lookup (options, "password", "&s", &password);
  g_variant_dict_lookup (options, "auth", "&s", &auth);
  g_variant_dict_lookup (options, "from", "&s", &from);
  g_variant_dict_lookup (options, "to", "^a&s", &to);
  g_variant_dict_lookup (options, "subject", "&s", &subject);
  g_variant_dict_lookup (options, "html", "&s", &html);
  g_variant_dict_lookup (options, "ehlo", "&s", &ehlo);
  g_variant_dict_lookup (options, "stop-after", "&s", &stop_after);
  g_variant_dict_lookup (options, "timeout", "&s", &timeout_text);
  g_variant_dict_lookup (options, "ca-file", "&s", &ca_file);
  g_variant_dict_lookup (options, "insecure", "b", &insecure);
  g_variant_dict_lookup (options, "allow-plain-auth", "b", &allow_plain_auth);

  /* Check everything before touching the form: core's option table, postaci-cli's words. */
  if ((port != NULL && !postaci_option_parse (POSTACI_OPTION_PORT, port, &port_value, error)) ||
      (security != NULL &&
       !postaci_option_parse (POSTACI_OPTION_SECURITY, security, &security_value, error)) ||
      (auth != NULL &&
       !postaci_option_parse (POSTACI_OPTION_AUTH, auth, &mechanism_value, error)) ||
      (stop_after != NULL &&
       !postaci_option_parse (POSTACI_OPTION_STOP_AFTER, stop_after, &stop_value, error)) ||
      (timeout_text != NULL &&
       !postaci_option_parse (POSTACI_OPTION_TIMEOUT, timeout_text, &timeout, error)))
    return FALSE;
  if (!apply)
    return TRUE;

  postaci_request_form_clear_invalid (self);
  /* A plain "postaci" (no options) leaves a form set up for the Local Test Server as it is. */
  if (server != NULL || port != NULL || security != NULL || user != NULL || password != NULL ||
      auth != NULL || from != NULL || to != NULL || subject != NULL || html != NULL ||
      ehlo != NULL || stop_after != NULL || ca_file != NULL || timeout > 0 || insecure ||
      allow_plain_auth)
    _postaci_request_form_forget_local_fill (self);
  if (server != NULL)
    set_text (self->server_row, server);
  /* The form's Automatic is postaci-cli's auto: SSL/TLS on 465, STARTTLS when offered elsewhere.
   * --security alone means its usual port (465 for tls), whatever was remembered. */
  if (security != NULL)
    _postaci_request_form_set_security_and_port (self, security_value, (guint) port_value);
  else if (port != NULL)
    _postaci_request_form_set_security_and_port (
      self, security_choices[_postaci_request_form_security_index (self)], (guint) port_value);

  if (user != NULL)
    {
      adw_expander_row_set_enable_expansion (self->auth_row, TRUE);
      set_text (self->user_row, user);
    }
  if (password != NULL)
    set_text (self->password_row, password);
  if (auth != NULL)
    adw_combo_row_set_selected (self->mechanism_row,
                                INDEX_OF (mechanism_choices, mechanism_value, 0));
  if (allow_plain_auth)
    gtk_switch_set_active (self->plain_auth_switch, TRUE);

  if (from != NULL)
    set_text (self->from_row, from);
  if (to != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", (char **) to);
      set_text (self->to_row, joined);
    }
  if (subject != NULL)
    set_text (self->subject_row, subject);
  if (html != NULL)
    _postaci_request_form_set_html (self, html);
  if (stop_after != NULL)
    {
      /* The form has no "stop after DATA": the message is sent either way. */
      if (stop_value == POSTACI_STAGE_DATA)
        stop_value = POSTACI_STAGE_QUIT;
      adw_combo_row_set_selected (self->stop_after_row,
                                  INDEX_OF (stop_after_choices, stop_value, 0));
    }

  if (ehlo != NULL)
    set_text (self->ehlo_row, ehlo);
  if (timeout > 0)
    gtk_spin_button_set_value (self->timeout_spin, timeout);
  if (ca_file != NULL)
    set_text (self->ca_row, ca_file);
  if (insecure)
    gtk_switch_set_active (self->insecure_switch, TRUE);
  if (ehlo != NULL || timeout > 0 || ca_file != NULL || insecure)
    adw_expander_row_set_expanded (self->advanced_row, TRUE);
  return TRUE;
}

gboolean
postaci_request_form_check_options (PostaciRequestForm *self, GVariantDict *options, GError **error)
{
  g_return_val_if_fail (POSTACI_IS_REQUEST_FORM (self), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  return read_options (self, options, FALSE, error);
}

gboolean
postaci_request_form_apply_options (PostaciRequestForm *self, GVariantDict *options, GError **error)
{
  g_return_val_if_fail (POSTACI_IS_REQUEST_FORM (self), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  return read_options (self, options, TRUE, error);
}

/* ---------------------------------------------------------------- */
/* Remembering the form (everything but the password)               */
/* ---------------------------------------------------------------- */

/* The server fields of a form set up for the Local Test Server are not written (a NULL mapping
 * leaves the key as it is). */
static GVariant *
local_text_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  PostaciRequestForm *self = user_data;

  if (self->filling_local || postaci_request_form_names_local_server (self))
    return NULL;
  return g_variant_new_string (g_value_get_string (value));
}

static gboolean
port_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  PostaciRequestForm *self = user_data;
  int                 port = g_variant_get_int32 (variant);

  /* 0: the usual port of the security remembered (bound before the port). */
  if (port <= 0)
    port = (int) security_ports[_postaci_request_form_security_index (self)];
  g_value_take_string (value, g_strdup_printf ("%d", port));
  return TRUE;
}

static GVariant *
port_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  PostaciRequestForm *self = user_data;
  guint64             port = 0;

  if (self->filling_local || postaci_request_form_names_local_server (self))
    return NULL;
  /* A port that is no port is remembered as "the usual one". */
  g_ascii_string_to_unsigned (g_value_get_string (value), 10, 1, 65535, &port, NULL);
  return g_variant_new_int32 ((gint32) port);
}

static GVariant *
local_boolean_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  PostaciRequestForm *self = user_data;

  if (self->filling_local || postaci_request_form_names_local_server (self))
    return NULL;
  return g_variant_new_boolean (g_value_get_boolean (value));
}

/* A combo row's choice as the nick of an enum key: which table, whether it is a server field. */
typedef struct
{
  const int *choices;
  guint      n_choices;
  const char *(*to_string) (int value);
  gboolean (*from_string) (const char *text, int *value);
  guint    fallback; /* the choice for a nick the table lacks */
  gboolean local;
} ChoiceKey;

static const char *
security_to_string (int value)
{
  return postaci_security_to_string ((PostaciSecurity) value);
}

static gboolean
security_from_string (const char *text, int *value)
{
  return postaci_security_from_string (text, (PostaciSecurity *) value);
}

static const char *
mechanism_to_string (int value)
{
  return postaci_mechanism_to_string ((PostaciMechanism) value);
}

static gboolean
mechanism_from_string (const char *text, int *value)
{
  return postaci_mechanism_from_string (text, (PostaciMechanism *) value);
}

static const char *
stage_to_string (int value)
{
  return postaci_stage_to_string ((PostaciStage) value);
}

static gboolean
stage_from_string (const char *text, int *value)
{
  return postaci_stage_from_string (text, (PostaciStage *) value);
}

static const ChoiceKey security_key = {
  (const int *) security_choices, G_N_ELEMENTS (security_choices), security_to_string,
  security_from_string,           DEFAULT_SECURITY_INDEX,          TRUE,
};
static const ChoiceKey mechanism_key = {
  (const int *) mechanism_choices,
  G_N_ELEMENTS (mechanism_choices),
  mechanism_to_string,
  mechanism_from_string,
  0,
  TRUE,
};
static const ChoiceKey stop_after_key = {
  (const int *) stop_after_choices,
  G_N_ELEMENTS (stop_after_choices),
  stage_to_string,
  stage_from_string,
  0,
  FALSE,
};

typedef struct
{
  PostaciRequestForm *self;
  const ChoiceKey    *key;
} ChoiceBinding;

static gboolean
choice_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  const ChoiceKey *key = ((ChoiceBinding *) user_data)->key;
  int              choice = key->choices[key->fallback];

  key->from_string (g_variant_get_string (variant, NULL), &choice);
  g_value_set_uint (value, index_of (key->choices, key->n_choices, choice, key->fallback));
  return TRUE;
}

static GVariant *
choice_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  ChoiceBinding *binding = user_data;
  guint          index = g_value_get_uint (value);

  if (binding->key->local &&
      (binding->self->filling_local || postaci_request_form_names_local_server (binding->self)))
    return NULL;
  if (index >= binding->key->n_choices)
    return NULL;
  return g_variant_new_string (binding->key->to_string (binding->key->choices[index]));
}

static void
bind_choice (PostaciRequestForm *self, const char *key, AdwComboRow *row, const ChoiceKey *choice)
{
  ChoiceBinding *binding = g_new (ChoiceBinding, 1);

  binding->self = self;
  binding->key = choice;
  g_settings_bind_with_mapping (self->settings, key, row, "selected",
                                G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_GET_NO_CHANGES,
                                choice_get_mapping, choice_set_mapping, binding, g_free);
}

/* What the bindings of the server fields would have written, had the form not named the
 * local server meanwhile. */
void
_postaci_request_form_write_server_fields (PostaciRequestForm *self)
{
  g_autofree char *port = get_stripped (self->port_row);
  guint64          port_value = 0;
  guint            mechanism = adw_combo_row_get_selected (self->mechanism_row);

  if (self->settings == NULL)
    return;
  g_ascii_string_to_unsigned (port, 10, 1, 65535, &port_value, NULL);
  g_settings_set_string (self->settings, "server",
                         gtk_editable_get_text (GTK_EDITABLE (self->server_row)));
  g_settings_set_int (self->settings, "port", (int) port_value);
  g_settings_set_string (
    self->settings, "security",
    postaci_security_to_string (security_choices[_postaci_request_form_security_index (self)]));
  g_settings_set_boolean (self->settings, "auth",
                          adw_expander_row_get_enable_expansion (self->auth_row));
  g_settings_set_string (self->settings, "username",
                         gtk_editable_get_text (GTK_EDITABLE (self->user_row)));
  g_settings_set_string (self->settings, "mechanism",
                         postaci_mechanism_to_string (mechanism < G_N_ELEMENTS (mechanism_choices)
                                                        ? mechanism_choices[mechanism]
                                                        : POSTACI_MECHANISM_AUTO));
}

static gboolean
subject_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *subject = g_variant_get_string (variant, NULL);

  g_value_set_string (value, *subject != '\0' ? subject : _ ("Postacı SMTP test"));
  return TRUE;
}

/* An empty message remembered is the default one the form opened with. */
static gboolean
html_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *html = g_variant_get_string (variant, NULL);

  g_value_take_string (value, *html != '\0' ? g_strdup (html)
                                            : _postaci_request_form_get_html (user_data));
  return TRUE;
}

void
postaci_request_form_bind_settings (PostaciRequestForm *self, GSettings *settings)
{
  /* Written as the person types, read once: two windows do not type into each other. */
  const GSettingsBindFlags flags = G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_GET_NO_CHANGES;
  const struct
  {
    const char *key;
    gpointer    row;
    gboolean    local;
  } texts[] = {
    { "server", self->server_row, TRUE },   { "username", self->user_row, TRUE },
    { "from", self->from_row, FALSE },      { "to", self->to_row, FALSE },
    { "ehlo-name", self->ehlo_row, FALSE }, { "ca-file", self->ca_row, FALSE },
  };

  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));
  g_return_if_fail (self->settings == NULL);

  if (settings == NULL)
    return;
  /* A delayed copy of its own: what is typed is written when a run starts or the window
   * closes (postaci_request_form_save()), as one change, never half a form. On the default
   * backend: @settings' own may be its delayed one. */
  g_object_get (settings, "settings-schema", &schema, "path", &path, NULL);
  self->settings = g_settings_new_full (schema, NULL, path);
  g_settings_delay (self->settings);
  settings = self->settings;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (texts[i].local)
      g_settings_bind_with_mapping (settings, texts[i].key, texts[i].row, "text", flags, NULL,
                                    local_text_set_mapping, self, NULL);
    else
      g_settings_bind (settings, texts[i].key, texts[i].row, "text", flags);
  /* The security before the port: a port of 0 is the security's usual one. */
  self->port_edited = TRUE;
  bind_choice (self, "security", self->security_row, &security_key);
  g_settings_bind_with_mapping (settings, "port", self->port_row, "text", flags, port_get_mapping,
                                port_set_mapping, self, NULL);
  self->port_edited = (guint) g_settings_get_int (settings, "port") !=
                        security_ports[_postaci_request_form_security_index (self)] &&
                      g_settings_get_int (settings, "port") > 0;
  g_settings_bind_with_mapping (settings, "auth", self->auth_row, "enable-expansion", flags, NULL,
                                local_boolean_set_mapping, self, NULL);
  adw_expander_row_set_expanded (self->auth_row,
                                 adw_expander_row_get_enable_expansion (self->auth_row));
  bind_choice (self, "mechanism", self->mechanism_row, &mechanism_key);
  g_settings_bind_with_mapping (settings, "subject", self->subject_row, "text", flags,
                                subject_get_mapping, NULL, NULL, NULL);
  g_settings_bind_with_mapping (settings, "html",
                                gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->html_view)), "text",
                                flags, html_get_mapping, NULL, self, NULL);
  bind_choice (self, "stop-after", self->stop_after_row, &stop_after_key);
  g_settings_bind (settings, "timeout", gtk_spin_button_get_adjustment (self->timeout_spin),
                   "value", flags);
  self->named_local = postaci_request_form_names_local_server (self);
  _postaci_request_form_update_notices (self);
}
