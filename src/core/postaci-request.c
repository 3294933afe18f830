/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-request.c — the run's parameters and the checks that protect the wire. */
#define G_LOG_DOMAIN "postaci-request"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "postaci-input-file.h"
#include "postaci-request.h"

/* RFC 5321 §4.5.3.1: local part 64 octets, domain 255, path 256 with the brackets. */
#define MAX_LOCAL_PART 64
#define MAX_DOMAIN     255
#define MAX_PATH       256
/* RFC 5322 §2.1.1: a header line must stay under 998 octets. */
#define MAX_SUBJECT 900
/* How much of a refused value an error message quotes: a 100 KB argument must not come back
 * whole on the terminal. */
#define MAX_QUOTED_CHARS 80

/* clang-format off */
G_DEFINE_QUARK (postaci-request-error-quark, postaci_request_error)
/* clang-format on */
G_DEFINE_BOXED_TYPE (PostaciRequest, postaci_request, postaci_request_copy, postaci_request_free)

PostaciRequest *
postaci_request_new (void)
{
  PostaciRequest *self = g_new0 (PostaciRequest, 1);

  self->security = POSTACI_SECURITY_AUTO;
  self->mechanism = POSTACI_MECHANISM_AUTO;
  self->recipients = g_ptr_array_new_with_free_func (g_free);
  self->attachments = g_ptr_array_new_with_free_func (g_free);
  self->stop_after = POSTACI_STAGE_QUIT;
  return self;
}

PostaciRequest *
postaci_request_copy (const PostaciRequest *self)
{
  PostaciRequest *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->server = g_strdup (self->server);
  copy->username = g_strdup (self->username);
  copy->password = g_strdup (self->password);
  copy->ehlo_name = g_strdup (self->ehlo_name);
  copy->from = g_strdup (self->from);
  copy->recipients = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->recipients->len; i++)
    g_ptr_array_add (copy->recipients, g_strdup (g_ptr_array_index (self->recipients, i)));
  copy->subject = g_strdup (self->subject);
  copy->html = g_strdup (self->html);
  copy->html_file = g_strdup (self->html_file);
  copy->text = g_strdup (self->text);
  copy->attachments = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->attachments->len; i++)
    g_ptr_array_add (copy->attachments, g_strdup (g_ptr_array_index (self->attachments, i)));
  copy->ca_file = g_strdup (self->ca_file);
  copy->pinned_certificate =
    self->pinned_certificate ? g_object_ref (self->pinned_certificate) : NULL;
  return copy;
}

static void
wipe_string (char **str)
{
  if (*str != NULL)
    {
      /* volatile keeps the compiler from dropping a store to memory about to be freed */
      volatile char *p = *str;
      while (*p)
        *p++ = '\0';
      g_clear_pointer (str, g_free);
    }
}

void
postaci_request_free (PostaciRequest *self)
{
  if (self == NULL)
    return;
  g_free (self->server);
  g_free (self->username);
  wipe_string (&self->password);
  g_free (self->ehlo_name);
  g_free (self->from);
  g_ptr_array_unref (self->recipients);
  g_free (self->subject);
  g_free (self->html);
  g_free (self->html_file);
  g_free (self->text);
  g_ptr_array_unref (self->attachments);
  g_free (self->ca_file);
  g_clear_object (&self->pinned_certificate);
  g_free (self);
}

void
postaci_request_set_password (PostaciRequest *self, const char *password)
{
  g_return_if_fail (self != NULL);
  wipe_string (&self->password);
  self->password = g_strdup (password);
}

/* Trims spaces and tabs only: a CR or LF at either end must stay, so that validation refuses it. */
static char *
strip_blanks (char *text)
{
  gsize len = strlen (text);
  char *start = text;

  while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
    text[--len] = '\0';
  while (*start == ' ' || *start == '\t')
    start++;
  return start;
}

/* Adds each address of a comma- or semicolon-separated list, trimmed. */
void
postaci_request_add_recipients (PostaciRequest *self, const char *list)
{
  g_auto (GStrv) parts = NULL;

  g_return_if_fail (self != NULL);
  if (list == NULL)
    return;
  parts = g_strsplit_set (list, ",;", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *addr = strip_blanks (parts[i]);
      if (*addr != '\0')
        g_ptr_array_add (self->recipients, g_strdup (addr));
    }
}

guint
postaci_request_get_port (const PostaciRequest *self)
{
  g_return_val_if_fail (self != NULL, 0);
  if (self->port != 0)
    return self->port;
  return self->security == POSTACI_SECURITY_TLS ? 465 : 587;
}

/* `auto` on port 465 means implicit TLS; everything else stays as chosen
 * (the session decides STARTTLS from the server's capabilities). */
PostaciSecurity
postaci_request_get_effective_security (const PostaciRequest *self)
{
  g_return_val_if_fail (self != NULL, POSTACI_SECURITY_AUTO);
  if (self->security == POSTACI_SECURITY_AUTO && postaci_request_get_port (self) == 465)
    return POSTACI_SECURITY_TLS;
  return self->security;
}

guint
postaci_request_get_timeout (const PostaciRequest *self)
{
  g_return_val_if_fail (self != NULL, POSTACI_DEFAULT_TIMEOUT_SECONDS);
  return self->timeout_seconds ? self->timeout_seconds : POSTACI_DEFAULT_TIMEOUT_SECONDS;
}

/* The server name without IPv6 brackets: what we resolve and what SNI carries. */
char *
postaci_request_get_host_for_tls (const PostaciRequest *self)
{
  const char *s = self->server;
  gsize       len;

  if (s == NULL)
    return NULL;
  len = strlen (s);
  if (len > 2 && s[0] == '[' && s[len - 1] == ']')
    return g_strndup (s + 1, len - 2);
  return g_strdup (s);
}

static gboolean
has_control_char (const char *str)
{
  for (const char *p = str; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* The value as an error message quotes it: valid UTF-8, and cut with “…” when long. */
static char *
quoted_excerpt (const char *value)
{
  g_autofree char *valid = g_utf8_make_valid (value, -1);
  g_autofree char *head = NULL;

  if (g_utf8_strlen (valid, -1) <= MAX_QUOTED_CHARS)
    return g_steal_pointer (&valid);
  head = g_utf8_substring (valid, 0, MAX_QUOTED_CHARS - 1);
  return g_strconcat (head, "…", NULL);
}

static gboolean
check_line_field (const char *value, PostaciRequestError code, const char *field, GError **error)
{
  if (value != NULL && has_control_char (value))
    {
      g_set_error (
        error, POSTACI_REQUEST_ERROR, code,
        /* Translators: %s is a form field such as “Subject” */
        _ ("%s must be a single line: line breaks and control characters are not allowed."), field);
      return FALSE;
    }
  return TRUE;
}

gboolean
postaci_address_needs_smtputf8 (const char *address)
{
  const char *at = strrchr (address, '@');
  gsize       local_len = at ? (gsize) (at - address) : strlen (address);

  for (gsize i = 0; i < local_len; i++)
    if ((guchar) address[i] >= 0x80)
      return TRUE;
  return FALSE;
}

/* The envelope form: an internationalised domain becomes punycode (IDNA);
 * a non-ASCII local part stays, and needs SMTPUTF8. */
char *
postaci_address_to_ascii (const char *address)
{
  const char      *at = strrchr (address, '@');
  g_autofree char *domain = NULL;

  if (at == NULL)
    return g_strdup (address);
  domain = g_hostname_to_ascii (at + 1);
  if (domain == NULL)
    return NULL;
  return g_strdup_printf ("%.*s@%s", (int) (at - address), address, domain);
}

static gboolean
check_domain (const char *domain)
{
  g_autofree char *ascii = NULL;
  gsize            len = strlen (domain);

  /* An address literal, RFC 5321 §4.1.3: [192.0.2.1] or [IPv6:…] */
  if (len > 2 && domain[0] == '[' && domain[len - 1] == ']')
    {
      g_autofree char *inner = g_strndup (domain + 1, len - 2);
      if (g_str_has_prefix (inner, "IPv6:"))
        return g_hostname_is_ip_address (inner + 5) && strchr (inner + 5, ':') != NULL;
      return g_hostname_is_ip_address (inner) && strchr (inner, ':') == NULL;
    }
  ascii = g_hostname_to_ascii (domain);
  if (ascii == NULL || *ascii == '\0' || strlen (ascii) > MAX_DOMAIN)
    return FALSE;
  for (const char *p = ascii; *p; p++)
    if (!(g_ascii_isalnum (*p) || *p == '-' || *p == '.'))
      return FALSE;
  return ascii[0] != '.' && ascii[0] != '-' && strstr (ascii, "..") == NULL;
}

static gboolean
check_address (const char *address, PostaciRequestError code, const char *field, GError **error)
{
  const char      *at;
  g_autofree char *ascii = NULL;

  if (!check_line_field (address, code, field, error))
    return FALSE;
  if (strpbrk (address, "<> \t\"") != NULL)
    {
      g_set_error (error, POSTACI_REQUEST_ERROR, code,
                   _ ("%s: write the address alone, like name@example.com (no display name, angle "
                      "brackets or spaces)."),
                   field);
      return FALSE;
    }
  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0')
    {
      g_autofree char *quoted = quoted_excerpt (address);

      g_set_error (error, POSTACI_REQUEST_ERROR, code,
                   _ ("%s: “%s” is not an e-mail address; it needs a name, an @ and a domain."),
                   field, quoted);
      return FALSE;
    }
  if (!g_utf8_validate (address, -1, NULL))
    {
      g_set_error (error, POSTACI_REQUEST_ERROR, code,
                   _ ("%s: the address is not valid UTF-8 text."), field);
      return FALSE;
    }
  if ((gsize) (at - address) > MAX_LOCAL_PART)
    {
      g_set_error (error, POSTACI_REQUEST_ERROR, code,
                   _ ("%s: the part before the @ is longer than %d characters."), field,
                   MAX_LOCAL_PART);
      return FALSE;
    }
  if (!check_domain (at + 1))
    {
      g_autofree char *quoted = quoted_excerpt (at + 1);

      g_set_error (error, POSTACI_REQUEST_ERROR, code, _ ("%s: “%s” is not a valid domain name."),
                   field, quoted);
      return FALSE;
    }
  ascii = postaci_address_to_ascii (address);
  if (ascii == NULL || strlen (ascii) + 2 > MAX_PATH)
    {
      g_set_error (error, POSTACI_REQUEST_ERROR, code,
                   _ ("%s: the address is longer than %d characters."), field, MAX_PATH - 2);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_server (const PostaciRequest *self, GError **error)
{
  g_autofree char *host = postaci_request_get_host_for_tls (self);

  if (host == NULL || *g_strstrip (host) == '\0')
    {
      g_set_error_literal (
        error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_SERVER,
        _ ("Enter the SMTP server: a host name such as smtp.example.com, or an IP address."));
      return FALSE;
    }
  if (!check_line_field (self->server, POSTACI_REQUEST_ERROR_SERVER, _ ("SMTP server"), error))
    return FALSE;
  if (g_hostname_is_ip_address (host))
    return TRUE;
  if (strchr (host, ' ') != NULL || strchr (host, '/') != NULL || !check_domain (host))
    {
      g_autofree char *quoted = quoted_excerpt (self->server);

      g_set_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_SERVER,
                   _ ("“%s” is not a valid host name or IP address."), quoted);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_ehlo_name (const char *name, GError **error)
{
  /* Empty is unset, as for the session: it then uses this machine's address. */
  if (name == NULL || *name == '\0')
    return TRUE;
  if (!check_line_field (name, POSTACI_REQUEST_ERROR_EHLO_NAME, _ ("EHLO name"), error))
    return FALSE;
  if (strchr (name, ' ') != NULL || !check_domain (name))
    {
      g_set_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_EHLO_NAME,
                   _ ("The EHLO name must be a fully qualified host name (mail.example.com) "
                      "or an address literal such as [192.0.2.1]."));
      return FALSE;
    }
  return TRUE;
}

/**
 * postaci_request_validate:
 * Checks every field before anything is sent. On failure the error's code
 * (a #PostaciRequestError) names the field and its message says what to do.
 */
gboolean
postaci_request_validate (const PostaciRequest *self, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!check_server (self, error))
    return FALSE;
  if (self->port > 65535)
    {
      g_set_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_PORT,
                   _ ("The port must be a number from 1 to 65535."));
      return FALSE;
    }
  if (self->auth && self->stop_after > POSTACI_STAGE_TLS)
    {
      if (self->username == NULL || *self->username == '\0')
        {
          g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_USERNAME,
                               _ ("Authentication is on: enter the user name."));
          return FALSE;
        }
      if (!check_line_field (self->username, POSTACI_REQUEST_ERROR_USERNAME, _ ("User name"),
                             error))
        return FALSE;
      if (self->password == NULL || *self->password == '\0')
        {
          g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_PASSWORD,
                               _ ("Authentication is on: enter the password."));
          return FALSE;
        }
      if (!check_line_field (self->password, POSTACI_REQUEST_ERROR_PASSWORD, _ ("Password"), error))
        return FALSE;
      if (strlen (self->username) + strlen (self->password) > POSTACI_MAX_CREDENTIALS_BYTES)
        {
          gboolean user_alone = strlen (self->username) > POSTACI_MAX_CREDENTIALS_BYTES / 2;

          g_set_error (error, POSTACI_REQUEST_ERROR,
                       user_alone ? POSTACI_REQUEST_ERROR_USERNAME : POSTACI_REQUEST_ERROR_PASSWORD,
                       _ ("The user name and password together are longer than %d bytes: more "
                          "than a login command may carry (RFC 4954)."),
                       POSTACI_MAX_CREDENTIALS_BYTES);
          return FALSE;
        }
    }
  if (self->mechanism >= POSTACI_N_MECHANISMS)
    {
      g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_MECHANISM,
                           _ ("Unknown authentication mechanism."));
      return FALSE;
    }
  if (!check_ehlo_name (self->ehlo_name, error))
    return FALSE;
  if (self->stop_after >= POSTACI_STAGE_MAIL)
    {
      if (self->from == NULL || *self->from == '\0')
        {
          g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_FROM,
                               _ ("Enter the sender address (From)."));
          return FALSE;
        }
      if (!check_address (self->from, POSTACI_REQUEST_ERROR_FROM, _ ("From"), error))
        return FALSE;
    }
  else if (self->from != NULL && *self->from != '\0' &&
           !check_address (self->from, POSTACI_REQUEST_ERROR_FROM, _ ("From"), error))
    return FALSE;

  if (self->stop_after >= POSTACI_STAGE_RCPT && self->recipients->len == 0)
    {
      g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_RECIPIENTS,
                           _ ("Enter at least one recipient address (To)."));
      return FALSE;
    }
  for (guint i = 0; i < self->recipients->len; i++)
    if (!check_address (g_ptr_array_index (self->recipients, i), POSTACI_REQUEST_ERROR_RECIPIENTS,
                        _ ("To"), error))
      return FALSE;

  if (!check_line_field (self->subject, POSTACI_REQUEST_ERROR_SUBJECT, _ ("Subject"), error))
    return FALSE;
  if (self->subject != NULL && strlen (self->subject) > MAX_SUBJECT)
    {
      g_set_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_SUBJECT,
                   _ ("The subject is longer than %d bytes."), MAX_SUBJECT);
      return FALSE;
    }
  if ((self->subject != NULL && !g_utf8_validate (self->subject, -1, NULL)) ||
      (self->html != NULL && !g_utf8_validate (self->html, -1, NULL)) ||
      (self->text != NULL && !g_utf8_validate (self->text, -1, NULL)))
    {
      g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY,
                           _ ("The subject and message must be UTF-8 text."));
      return FALSE;
    }
  if (self->timeout_seconds > POSTACI_MAX_TIMEOUT_SECONDS)
    {
      g_set_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_TIMEOUT,
                   _ ("“Seconds to wait for each reply” must be between 1 and "
                      "%d."),
                   POSTACI_MAX_TIMEOUT_SECONDS);
      return FALSE;
    }
  /* GTlsFileDatabase reads it later by its name, without a limit: a regular file, checked here. */
  if (self->ca_file != NULL && *self->ca_file != '\0')
    {
      g_autoptr(GError) file_error = NULL;

      if (!postaci_input_file_check_regular (self->ca_file, POSTACI_MAX_CERTIFICATE_FILE_BYTES,
                                             &file_error))
        {
          g_set_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_CA_FILE,
                       /* Translators: %s says what is wrong with the file and names it */
                       _ ("CA file: %s"), file_error->message);
          return FALSE;
        }
    }
  return TRUE;
}
