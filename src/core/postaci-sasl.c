/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-sasl.c — choose the SMTP AUTH mechanism and speak it via GNU SASL (XOAUTH2 by hand). */
#define G_LOG_DOMAIN "postaci-sasl"

#include "config.h"

#include <string.h>
#include <gsasl.h>
#include <glib/gi18n-lib.h>

#include "postaci-library.h"
#include "postaci-sasl.h"

/* No mechanism we speak needs more than three rounds (DIGEST-MD5, SCRAM); ten leaves room for
 * chatty servers while a hostile one that answers every response with another 334 is cut off. */
#define MAX_STEPS 10

/* SCRAM's iteration count is the server's choice, and the client hashes that many rounds on
 * the main loop. RFC 7677 §4 asks for at least 4096 and servers use up to about 100 000; a
 * million rounds take about a second, 2^31 would take the better part of an hour. */
#define MAX_SCRAM_ITERATIONS 1000000

/* clang-format off */
G_DEFINE_QUARK (postaci-sasl-error-quark, postaci_sasl_error)
/* clang-format on */

struct _PostaciSasl
{
  PostaciMechanism mechanism;
  Gsasl_session   *session;  /* every mechanism but XOAUTH2 */
  char            *username; /* XOAUTH2 only */
  char            *token;    /* XOAUTH2 only: the password field carries the bearer token */
  guint            n_steps;
  gboolean         complete; /* GNU SASL said GSASL_OK: nothing more to say */
};

/* What AUTO tries, strongest first.
 *
 * SCRAM proves the password without revealing it and authenticates the server too.
 * CRAM-MD5 comes before DIGEST-MD5 although DIGEST-MD5 is nominally stronger (client nonce,
 * mutual authentication): RFC 6331 made DIGEST-MD5 historic because implementations disagree
 * on realms, digest-uri and character sets, so a tester that prefers it reports failures
 * that are the mechanism's, not the account's. Both rest on MD5 of a password-equivalent
 * secret, so CRAM-MD5 loses nothing that matters and works everywhere it is offered.
 * NTLM (v1 through libntlm) is weaker still; PLAIN and LOGIN send the password itself and
 * are only chosen on an encrypted link or when the user allowed it.
 * XOAUTH2 is never here: it needs a token, not a password, so only an explicit request
 * picks it. */
static const PostaciMechanism auto_order[] = {
  POSTACI_MECHANISM_SCRAM_SHA_256, POSTACI_MECHANISM_SCRAM_SHA_1, POSTACI_MECHANISM_CRAM_MD5,
  POSTACI_MECHANISM_DIGEST_MD5,    POSTACI_MECHANISM_NTLM,        POSTACI_MECHANISM_PLAIN,
  POSTACI_MECHANISM_LOGIN,
};

/* GNU SASL, opened when the first sign-in needs it: a run without AUTH, and the window's start,
 * never load it and the four libraries it brings (see README, "Benchmarks"). */
static struct
{
  __typeof__ (gsasl_init)             *init;
  __typeof__ (gsasl_strerror)         *strerror;
  __typeof__ (gsasl_client_support_p) *client_support_p;
  __typeof__ (gsasl_client_start)     *client_start;
  __typeof__ (gsasl_property_set)     *property_set;
  __typeof__ (gsasl_property_fast)    *property_fast;
  __typeof__ (gsasl_step)             *step;
  __typeof__ (gsasl_finish)           *finish;
  __typeof__ (gsasl_free)             *free;
} gsasl;
static char *load_error; /* why GNU SASL could not be opened */

static gboolean
load_gsasl (void)
{
  static const PostaciLibrarySymbol symbols[] = {
#define SYMBOL(field) POSTACI_LIBRARY_SYMBOL (__typeof__ (gsasl), "gsasl_", field)
    SYMBOL (init),         SYMBOL (strerror),     SYMBOL (client_support_p),
    SYMBOL (client_start), SYMBOL (property_set), SYMBOL (property_fast),
    SYMBOL (step),         SYMBOL (finish),       SYMBOL (free),
#undef SYMBOL
  };

  return postaci_library_load (GSASL_LIBRARY, symbols, G_N_ELEMENTS (symbols), &gsasl, &load_error);
}

/* One context for the whole process, made on first use. It holds no per-run state and no
 * callback (every property is set on the session), so runs may share it. It is never freed:
 * it is a few hundred bytes, like GLib's own once-initialised globals, and freeing it at exit
 * would race with sessions that a front end still holds at that point. */
static Gsasl *
get_context (void)
{
  static gsize  initialized = 0;
  static Gsasl *context = NULL;

  if (g_once_init_enter (&initialized))
    {
      int rc = load_gsasl () ? gsasl.init (&context) : GSASL_OK;

      if (load_error != NULL)
        g_debug ("GNU SASL could not be opened: %s", load_error);
      else if (rc != GSASL_OK)
        {
          g_warning ("GNU SASL could not start: %s", gsasl.strerror (rc));
          context = NULL;
        }
      g_once_init_leave (&initialized, 1);
    }
  return context;
}

static void
wipe_and_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/* gsasl_finish() frees its copies without clearing them; overwrite the ones that can stand in
 * for the password (the password itself, and SCRAM's salted password, which the client side
 * stores back into the session) while the session still owns them. The contents of the strings
 * are ours to clobber: gsasl frees them right after and never reads them again. */
static void
wipe_session_secrets (Gsasl_session *session)
{
  static const Gsasl_property secrets[] = {
    GSASL_PASSWORD,
    GSASL_SCRAM_SALTED_PASSWORD,
    GSASL_DIGEST_MD5_HASHED_PASSWORD,
  };

  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      char *value = (char *) gsasl.property_fast (session, secrets[i]);

      if (value != NULL)
        explicit_bzero (value, strlen (value));
    }
}

static gboolean
is_plaintext_mechanism (PostaciMechanism mechanism)
{
  /* XOAUTH2's bearer token is replayable exactly like a password, so it counts too. */
  return mechanism == POSTACI_MECHANISM_PLAIN || mechanism == POSTACI_MECHANISM_LOGIN ||
         mechanism == POSTACI_MECHANISM_XOAUTH2;
}

static gboolean
offered_contains (const char *const *offered, const char *name)
{
  if (offered == NULL)
    return FALSE;
  for (guint i = 0; offered[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (offered[i], name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The list goes into a message a person reads; the names come from the server, so nothing
 * but printable ASCII (all that RFC 4422 §3.1 allows in a mechanism name) gets through. */
static char *
format_offered (const char *const *offered)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; offered != NULL && offered[i] != NULL; i++)
    {
      /* a doubled space in the EHLO line splits into an empty name */
      if (offered[i][0] == '\0')
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      for (const char *p = offered[i]; *p != '\0'; p++)
        g_string_append_c (out, g_ascii_isgraph (*p) ? *p : '?');
    }
  return g_string_free (out, FALSE);
}

static void
set_plaintext_error (GError **error, PostaciMechanism mechanism)
{
  g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_PLAINTEXT,
               _ ("%s would send the credentials across the network unencrypted; enable "
                  "STARTTLS or SSL/TLS, or allow plain-text authentication explicitly"),
               postaci_mechanism_get_sasl_name (mechanism));
}

gboolean
postaci_sasl_mechanism_available (PostaciMechanism mechanism)
{
  Gsasl *context;

  g_return_val_if_fail (mechanism < POSTACI_N_MECHANISMS, FALSE);

  if (mechanism == POSTACI_MECHANISM_AUTO)
    return FALSE;
  if (mechanism == POSTACI_MECHANISM_XOAUTH2)
    return TRUE;
  context = get_context ();
  if (context == NULL)
    return FALSE;
  return gsasl.client_support_p (context, postaci_mechanism_get_sasl_name (mechanism)) != 0;
}

gboolean
postaci_sasl_choose (const char *const *offered, PostaciMechanism requested,
                     gboolean link_encrypted, gboolean allow_plaintext, PostaciMechanism *chosen,
                     GError **error)
{
  gboolean         plaintext_ok = link_encrypted || allow_plaintext;
  PostaciMechanism refused_plaintext = POSTACI_MECHANISM_AUTO;
  g_autofree char *offered_list = NULL;

  g_return_val_if_fail (requested < POSTACI_N_MECHANISMS, FALSE);
  g_return_val_if_fail (chosen != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (offered == NULL || offered[0] == NULL)
    {
      if (link_encrypted)
        g_set_error_literal (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_NO_MECHANISM,
                             _ ("The server offers no authentication mechanism"));
      else
        g_set_error_literal (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_NO_MECHANISM,
                             _ ("The server offers no authentication mechanism on this "
                                "unencrypted connection; many servers offer them only after "
                                "STARTTLS"));
      return FALSE;
    }

  if (requested != POSTACI_MECHANISM_AUTO)
    {
      const char *name = postaci_mechanism_get_sasl_name (requested);

      if (!offered_contains (offered, name))
        {
          offered_list = format_offered (offered);
          g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_NO_MECHANISM,
                       _ ("The server does not offer %s; it offers: %s"), name, offered_list);
          return FALSE;
        }
      if (is_plaintext_mechanism (requested) && !plaintext_ok)
        {
          set_plaintext_error (error, requested);
          return FALSE;
        }
      if (!postaci_sasl_mechanism_available (requested))
        {
          g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_UNSUPPORTED,
                       _ ("%s is not supported by the GNU SASL library on this system"), name);
          return FALSE;
        }
      *chosen = requested;
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (auto_order); i++)
    {
      PostaciMechanism mechanism = auto_order[i];

      if (!offered_contains (offered, postaci_mechanism_get_sasl_name (mechanism)))
        continue;
      if (is_plaintext_mechanism (mechanism) && !plaintext_ok)
        {
          if (refused_plaintext == POSTACI_MECHANISM_AUTO)
            refused_plaintext = mechanism;
          continue;
        }
      if (!postaci_sasl_mechanism_available (mechanism))
        continue;
      *chosen = mechanism;
      return TRUE;
    }

  /* Say why when it is the unencrypted link, not the server, that stands in the way:
   * turning on TLS is then the whole fix. */
  if (refused_plaintext != POSTACI_MECHANISM_AUTO)
    {
      set_plaintext_error (error, refused_plaintext);
      return FALSE;
    }

  offered_list = format_offered (offered);
  g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_NO_MECHANISM,
               _ ("No authentication mechanism that Postacı can use automatically is offered "
                  "by the server (it offers: %s)"),
               offered_list);
  return FALSE;
}

PostaciSasl *
postaci_sasl_new (PostaciMechanism mechanism, const char *username, const char *password,
                  const char *hostname, GError **error)
{
  g_autoptr(PostaciSasl) sasl = NULL;
  const char *name;
  Gsasl      *context;
  int         rc;

  g_return_val_if_fail (mechanism > POSTACI_MECHANISM_AUTO, NULL);
  g_return_val_if_fail (mechanism < POSTACI_N_MECHANISMS, NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = postaci_mechanism_get_sasl_name (mechanism);
  sasl = g_new0 (PostaciSasl, 1);
  sasl->mechanism = mechanism;

  if (mechanism == POSTACI_MECHANISM_XOAUTH2)
    {
      /* \x01 separates the fields of the XOAUTH2 string: one inside a field would let it
       * forge the next one. */
      if (strchr (username, '\x01') != NULL || strchr (password, '\x01') != NULL)
        {
          g_set_error_literal (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_FAILED,
                               _ ("The user name or the access token contains a control "
                                  "character that XOAUTH2 cannot carry"));
          return NULL;
        }
      sasl->username = g_strdup (username);
      sasl->token = g_strdup (password);
      return g_steal_pointer (&sasl);
    }

  context = get_context ();
  if (context == NULL && load_error != NULL)
    {
      g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_UNSUPPORTED,
                   /* Translators: %s is the library's file name, then the system's reason */
                   _ ("Signing in needs the GNU SASL library (%s), which could not be loaded: "
                      "%s"),
                   GSASL_LIBRARY, load_error);
      return NULL;
    }
  if (context == NULL || !gsasl.client_support_p (context, name))
    {
      g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_UNSUPPORTED,
                   _ ("%s is not supported by the GNU SASL library on this system"), name);
      return NULL;
    }

  rc = gsasl.client_start (context, name, &sasl->session);
  if (rc != GSASL_OK)
    {
      sasl->session = NULL;
      g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_FAILED,
                   _ ("%s authentication could not start: %s"), name, gsasl.strerror (rc));
      return NULL;
    }

  /* No authorization identity: we log in as the user, never on behalf of another. No
   * channel binding either (SCRAM, never SCRAM-*-PLUS): tls-unique does not exist in TLS 1.3
   * (RFC 9266) and TLS-terminating proxies in front of mail servers break binding, so it would
   * make a tester report failures the user's mail client never sees. With GSASL_CB_TLS_UNIQUE
   * left unset, gsasl's SCRAM client sends the "n" GS2 flag. */
  gsasl.property_set (sasl->session, GSASL_AUTHID, username);
  gsasl.property_set (sasl->session, GSASL_PASSWORD, password);
  gsasl.property_set (sasl->session, GSASL_SERVICE, "smtp");
  if (hostname != NULL)
    gsasl.property_set (sasl->session, GSASL_HOSTNAME, hostname);
  /* DIGEST-MD5 could negotiate integrity protection, which would require wrapping every
   * later SMTP byte; we only authenticate. */
  if (mechanism == POSTACI_MECHANISM_DIGEST_MD5)
    gsasl.property_set (sasl->session, GSASL_QOP, "qop-auth");

  return g_steal_pointer (&sasl);
}

void
postaci_sasl_free (PostaciSasl *sasl)
{
  if (sasl == NULL)
    return;
  if (sasl->session != NULL)
    {
      wipe_session_secrets (sasl->session);
      gsasl.finish (sasl->session);
    }
  g_free (sasl->username);
  wipe_and_free (sasl->token);
  g_free (sasl);
}

PostaciMechanism
postaci_sasl_get_mechanism (PostaciSasl *sasl)
{
  g_return_val_if_fail (sasl != NULL, POSTACI_MECHANISM_AUTO);
  return sasl->mechanism;
}

gboolean
postaci_sasl_has_initial_response (PostaciSasl *sasl)
{
  g_return_val_if_fail (sasl != NULL, FALSE);

  switch (sasl->mechanism)
    {
    case POSTACI_MECHANISM_PLAIN:
    case POSTACI_MECHANISM_XOAUTH2:
    case POSTACI_MECHANISM_SCRAM_SHA_1:
    case POSTACI_MECHANISM_SCRAM_SHA_256:
    case POSTACI_MECHANISM_NTLM:
      return TRUE;
    case POSTACI_MECHANISM_LOGIN:
    case POSTACI_MECHANISM_CRAM_MD5:
    case POSTACI_MECHANISM_DIGEST_MD5:
    case POSTACI_MECHANISM_AUTO:
    case POSTACI_N_MECHANISMS:
    default:
      return FALSE;
    }
}

/* g_base64_decode() skips anything outside the alphabet and tolerates missing padding; a
 * challenge that is not exactly base64 (RFC 4648 §4, which RFC 4954 requires) means the server
 * or something between us is broken, and guessing what it meant is worse than stopping.
 * The unused low bits of the last group are not checked: they never change the decoded bytes,
 * so rejecting them would only turn away a sloppy but harmless encoder. */
static gboolean
is_strict_base64 (const char *text)
{
  gsize length = strlen (text);
  guint padding = 0;

  if (length % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '=')
        {
          if (i + 2 < length)
            return FALSE;
          padding++;
        }
      else if (padding > 0)
        return FALSE;
      else if (!g_ascii_isalnum (c) && c != '+' && c != '/')
        return FALSE;
    }
  return TRUE;
}

static char *
xoauth2_step (PostaciSasl *sasl, gboolean first)
{
  g_autofree char *raw = NULL;
  char            *response;

  /* After the initial response the only thing Google's and Microsoft's servers send is a
   * 334 carrying a JSON error; the client must answer it with an empty line to get the
   * final 535. Anything further is bounded by MAX_STEPS. */
  if (!first)
    return g_strdup ("");

  raw = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", sasl->username, sasl->token);
  response = g_base64_encode ((const guchar *) raw, strlen (raw));
  explicit_bzero (raw, strlen (raw));
  return response;
}

/* In a SCRAM server-first message ("r=…,s=…,i=4096"), an iteration count we can afford.
 * Messages without "i=" (server-final) pass. */
static gboolean
scram_iterations_acceptable (PostaciSasl *sasl, const guchar *input, gsize length)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) attributes = NULL;

  if (sasl->mechanism != POSTACI_MECHANISM_SCRAM_SHA_1 &&
      sasl->mechanism != POSTACI_MECHANISM_SCRAM_SHA_256)
    return TRUE;
  text = g_strndup ((const char *) input, length);
  attributes = g_strsplit (text, ",", -1);
  for (guint i = 0; attributes[i] != NULL; i++)
    if (g_str_has_prefix (attributes[i], "i="))
      {
        guint64 iterations = 0;

        return g_ascii_string_to_unsigned (attributes[i] + 2, 10, 1, MAX_SCRAM_ITERATIONS,
                                           &iterations, NULL);
      }
  return TRUE;
}

gboolean
postaci_sasl_step (PostaciSasl *sasl, const char *challenge, char **response, GError **error)
{
  const char *name;
  gboolean    first;
  guchar     *input = NULL;
  gsize       input_length = 0;
  char       *output = NULL;
  size_t      output_length = 0;
  int         rc;

  g_return_val_if_fail (sasl != NULL, FALSE);
  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  /* Only a client-first mechanism has something to say before the server's first 334. */
  g_return_val_if_fail (
    challenge != NULL || (sasl->n_steps == 0 && postaci_sasl_has_initial_response (sasl)), FALSE);

  name = postaci_mechanism_get_sasl_name (sasl->mechanism);

  if (sasl->n_steps >= MAX_STEPS)
    {
      g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_FAILED,
                   _ ("The server kept asking for more %s authentication data after %u "
                      "rounds; giving up"),
                   name, (guint) MAX_STEPS);
      return FALSE;
    }

  if (challenge != NULL && !is_strict_base64 (challenge))
    {
      g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_BAD_CHALLENGE,
                   _ ("The server's %s challenge is not valid base64"), name);
      return FALSE;
    }

  /* An empty 334 before anything was sent is the server asking for the initial response
   * that we did not put on the AUTH line (RFC 4954 §4), the same as no challenge at all. */
  first = sasl->n_steps == 0;
  sasl->n_steps++;

  if (sasl->mechanism == POSTACI_MECHANISM_XOAUTH2)
    {
      *response = xoauth2_step (sasl, first);
      return TRUE;
    }

  /* Not every gsasl mechanism notices being called again (CRAM-MD5 would answer a second
   * challenge with a second digest), so a server that asks for more after the end is
   * stopped here. */
  if (sasl->complete)
    {
      g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_BAD_CHALLENGE,
                   _ ("The server sent another %s challenge after the exchange was complete"),
                   name);
      return FALSE;
    }

  if (challenge != NULL && challenge[0] != '\0')
    input = g_base64_decode (challenge, &input_length);

  if (input != NULL && !scram_iterations_acceptable (sasl, input, input_length))
    {
      g_free (input);
      g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_BAD_CHALLENGE,
                   /* Translators: %s is a mechanism such as SCRAM-SHA-256 */
                   _ ("The server's %s challenge asks for an iteration count that is not a "
                      "number from 1 to %d; giving up rather than hashing for minutes"),
                   name, MAX_SCRAM_ITERATIONS);
      return FALSE;
    }

  rc = gsasl.step (sasl->session, (const char *) input, input_length, &output, &output_length);

  if (input != NULL)
    {
      explicit_bzero (input, input_length);
      g_free (input);
    }

  if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
    {
      /* The outcome of a step that failed is unspecified; gsasl does not hand it over. */
      if (rc == GSASL_MECHANISM_PARSE_ERROR)
        g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_BAD_CHALLENGE,
                     _ ("The server's %s challenge is malformed: %s"), name, gsasl.strerror (rc));
      else
        g_set_error (error, POSTACI_SASL_ERROR, POSTACI_SASL_ERROR_FAILED,
                     _ ("%s authentication failed on our side: %s"), name, gsasl.strerror (rc));
      return FALSE;
    }

  sasl->complete = rc == GSASL_OK;
  *response = g_base64_encode ((const guchar *) output, output_length);
  if (output != NULL)
    {
      /* PLAIN, LOGIN and NTLM responses hold the password or a hash as good as it. */
      explicit_bzero (output, output_length);
      gsasl.free (output);
    }
  return TRUE;
}
