/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-hostile.c — the real PostaciSession against servers that misbehave on purpose.
 *
 * One table of scenarios: a script for the scripted server, what the request asks, and what
 * must come of it. Every scenario also holds the invariants below the table: no
 * credential crosses a plain-text link, STARTTLS goes out at most once, every text a person
 * sees is printable, and a failure comes with an explanation from the catalog. */
#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "postaci-catalog.h"
#include "postaci-transcript.h"
#include "postaci-line-reader.h"
#include "postaci-sasl.h"
#include "session-fixture.h"

/* A script for the scripted server; it always ends with TS_END. */
#define SCRIPT(...) ((const PostaciScriptStep[]){ __VA_ARGS__, TS_END })

/* Up to the STARTTLS command, and the handshake after it with the second EHLO. */
#define TO_STARTTLS TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"), \
  TS_SEND (EHLO_PLAIN), TS_EXPECT ("STARTTLS")
#define TLS_UP TS_SEND ("220 2.0.0 go ahead\r\n"), TS_STARTTLS, TS_EXPECT ("EHLO client.example")
/* Implicit TLS (or security none) up to the first command after EHLO: TS_HELLO (caps). */
#define QUIT_BYE TS_EXPECT ("QUIT"), TS_SEND ("221 2.0.0 bye\r\n")
#define MAIL_RCPT_DATA TS_EXPECT ("MAIL FROM:<ali@example.com>"), TS_SEND ("250 ok\r\n"), \
  TS_EXPECT ("RCPT TO:<veli@example.com>"), TS_SEND ("250 ok\r\n"), TS_EXPECT ("DATA")

/* A request with a login, over implicit TLS to a server with the test certificate. */
#define AUTH_OVER_TLS                                                    \
  .mode = POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, .certificate = "server", \
  .security = POSTACI_SECURITY_TLS, .auth = TRUE

#define C_EHLO "EHLO client.example\r\n"
#define C_STARTTLS "STARTTLS\r\n"
#define C_QUIT "QUIT\r\n"
#define C_ENVELOPE "MAIL FROM:<ali@example.com>\r\nRCPT TO:<veli@example.com>\r\n"

/* Error domains by name: quarks are not constants. */
#define SESSION_ERROR(c) .error_domain = "postaci-session-error-quark", \
  .error_code = POSTACI_SESSION_ERROR_ ## c
#define REPLY_ERROR(c) .error_domain = "postaci-reply-error-quark", \
  .error_code = POSTACI_REPLY_ERROR_ ## c
#define LINE_ERROR(c) .error_domain = "postaci-line-reader-error-quark", \
  .error_code = POSTACI_LINE_READER_ERROR_ ## c

#define FAILED(v, st, ex) .verdict = POSTACI_VERDICT_ ## v, .stage = POSTACI_STAGE_ ## st, \
  .exit_status = POSTACI_EXIT_ ## ex
#define PASSED(st) .verdict = POSTACI_VERDICT_SUCCESS, .stage = POSTACI_STAGE_ ## st, \
  .exit_status = POSTACI_EXIT_SUCCESS, .stop_after = POSTACI_STAGE_ ## st

#define X50 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define X100 X50 X50
/* 1100 octets without a line break. */
#define LONG_LINE X100 X100 X100 X100 X100 X100 X100 X100 X100 X100 X100

/* reply_code: the outcome must carry no reply at all. */
#define NO_REPLY 1

typedef struct {
  const char            *name;
  const PostaciScriptStep *script;
  PostaciScriptedServerMode mode;
  const char            *certificate;  /* the server's, from tests/certs; NULL: none */

  /* The request: base_request() with these changes. */
  PostaciSecurity        security;
  gboolean               auth;         /* as ali with PASSWORD */
  PostaciMechanism       mechanism;    /* skipped when this build's GNU SASL lacks it */
  gboolean               allow_plain_auth;
  PostaciStage           stop_after;   /* POSTACI_STAGE_CONNECT (0) means the whole session */
  guint                  timeout;      /* seconds; 0: the fixture's 5 */
  const char            *server_name;  /* NULL: localhost */
  guint                  port;         /* 0: the server's */
  const char            *ehlo_name;    /* NULL: client.example */
  const char            *from;         /* NULL: ali@example.com */
  const char            *to;           /* NULL: veli@example.com */
  const char            *username;     /* NULL: ali */
  const char            *password;     /* NULL: PASSWORD */
  const char            *subject;      /* NULL: the fixture's */
  const char            *html;         /* NULL: the fixture's body */
  const char            *text;         /* NULL: derived from the HTML */
  guint                  html_mib;     /* > 0: an HTML body of that many MiB instead */

  /* What must come of it. */
  PostaciVerdict         verdict;
  PostaciStage           stage;
  PostaciExitStatus      exit_status;
  const char            *error_domain; /* NULL: none on success, not checked on a failure */
  gint                   error_code;
  guint                  reply_code;   /* of the outcome's reply; 0: not checked */
  const char            *received;     /* every byte the server got; NULL: not checked */
  const char            *shown;        /* a person sees this text; NULL: not checked */
  const char            *data_contains; /* the DATA payload holds these bytes; NULL: no check */
} Scenario;

static const Scenario scenarios[] = {
  /* ---- STARTTLS stripping with security starttls: all fail closed ---- */
  { "starttls/not-offered",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH PLAIN LOGIN\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, FAILED (PROTOCOL, TLS, FAILURE),
    SESSION_ERROR (STARTTLS_UNAVAILABLE), .received = C_EHLO C_QUIT },
  { "starttls/502", SCRIPT (TO_STARTTLS, TS_SEND ("502 5.5.1 not implemented\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, FAILED (REFUSED, TLS, REFUSED),
    SESSION_ERROR (REFUSED), .reply_code = 502, .received = C_EHLO C_STARTTLS C_QUIT },
  { "starttls/454",
    SCRIPT (TO_STARTTLS, TS_SEND ("454 4.7.0 TLS not available due to local problem\r\n"),
            QUIT_BYE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, FAILED (REFUSED, TLS, REFUSED),
    SESSION_ERROR (REFUSED), .reply_code = 454, .received = C_EHLO C_STARTTLS C_QUIT },
  { "starttls/501", SCRIPT (TO_STARTTLS, TS_SEND ("501 5.5.4 syntax error\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, FAILED (REFUSED, TLS, REFUSED),
    SESSION_ERROR (REFUSED), .reply_code = 501, .received = C_EHLO C_STARTTLS C_QUIT },
  /* 354 and 221 make no sense here: not a refusal, and not even QUIT is sent. */
  { "starttls/354", SCRIPT (TO_STARTTLS, TS_SEND ("354 go ahead\r\n"), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, FAILED (PROTOCOL, TLS, FAILURE),
    SESSION_ERROR (PROTOCOL), .reply_code = NO_REPLY, .received = C_EHLO C_STARTTLS },
  { "starttls/221", SCRIPT (TO_STARTTLS, TS_SEND ("221 2.0.0 bye\r\n"), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, FAILED (PROTOCOL, TLS, FAILURE),
    SESSION_ERROR (PROTOCOL), .received = C_EHLO C_STARTTLS },
  { "starttls/421", SCRIPT (TO_STARTTLS, TS_SEND ("421 4.3.2 shutting down\r\n"), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, FAILED (REFUSED, TLS, REFUSED),
    SESSION_ERROR (REFUSED), .reply_code = 421, .received = C_EHLO C_STARTTLS },
  /* With security auto, STARTTLS offered and then refused is no reason to go on in plain text. */
  { "starttls/auto-refused-no-downgrade",
    SCRIPT (TO_STARTTLS, TS_SEND ("454 4.7.0 TLS not available\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_AUTO, .auth = TRUE, FAILED (REFUSED, TLS, REFUSED),
    SESSION_ERROR (REFUSED), .reply_code = 454, .received = C_EHLO C_STARTTLS C_QUIT },
  { "starttls/auto-bad-certificate-no-downgrade",
    SCRIPT (TO_STARTTLS, TS_SEND ("220 go ahead\r\n"), TS_STARTTLS), .certificate = "self-signed",
    .security = POSTACI_SECURITY_AUTO, .auth = TRUE, FAILED (TLS, TLS, FAILURE),
    SESSION_ERROR (CERTIFICATE), .received = C_EHLO C_STARTTLS },
  /* No HELO fallback when encryption is required. */
  { "starttls/ehlo-refused",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("502 5.5.1 EHLO not implemented\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, FAILED (REFUSED, EHLO, REFUSED),
    SESSION_ERROR (REFUSED), .reply_code = 502, .received = C_EHLO C_QUIT },

  /* ---- Response injection ---- */
  { "injection/lines-after-220",
    SCRIPT (TO_STARTTLS, TS_SEND ("220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n"),
            TS_EXPECT_CLOSE),
    .mode = POSTACI_SCRIPTED_SERVER_PLAIN, .certificate = "server",
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, FAILED (PROTOCOL, TLS, FAILURE),
    SESSION_ERROR (STARTTLS_INJECTION), .received = C_EHLO C_STARTTLS },
  { "injection/fragment-after-220",
    SCRIPT (TO_STARTTLS, TS_SEND ("220 go ahead\r\n250 AUTH PL"), TS_EXPECT_CLOSE),
    .certificate = "server", .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (PROTOCOL, TLS, FAILURE), SESSION_ERROR (STARTTLS_INJECTION),
    .received = C_EHLO C_STARTTLS },
  /* After TLS the server never answers EHLO: nothing said before TLS stands in for it. */
  { "injection/silent-after-tls", SCRIPT (TO_STARTTLS, TLS_UP, TS_STALL), .certificate = "server",
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, .timeout = 1,
    FAILED (TIMEOUT, TLS, TIMEOUT), SESSION_ERROR (TIMEOUT), .reply_code = NO_REPLY,
    .received = C_EHLO C_STARTTLS C_EHLO },
  /* "queued" pipelined behind the 354 would be read as the verdict on the message. */
  { "injection/250-behind-354",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), MAIL_RCPT_DATA,
            TS_SEND ("354 go ahead\r\n250 2.0.0 queued as FAKE\r\n"), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE, FAILED (PROTOCOL, DATA, FAILURE), SESSION_ERROR (PROTOCOL),
    .received = C_EHLO C_ENVELOPE "DATA\r\n" },
  /* A fake EHLO reply pipelined behind the greeting would be read as the answer to EHLO. */
  { "injection/lines-after-greeting",
    SCRIPT (TS_SEND (GREETING "250-mx.test\r\n250 AUTH PLAIN\r\n"), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_AUTO, .auth = TRUE, FAILED (PROTOCOL, GREETING, FAILURE),
    SESSION_ERROR (PROTOCOL), .received = "" },

  /* ---- PIPELINING (RFC 2920): nothing beyond the replies waited for ---- */
#define PIPE_CAPS "250-mx.test\r\n250 PIPELINING\r\n"
#define C_BATCH C_ENVELOPE "DATA\r\n"
  /* One reply more than commands: the one behind DATA's 354 would be read as the verdict. */
  { "pipelining/extra-reply",
    SCRIPT (TS_HELLO (PIPE_CAPS), TS_EXPECT_READ (C_BATCH),
            TS_SEND ("250 ok\r\n250 ok\r\n354 go ahead\r\n250 2.0.0 queued as FAKE\r\n"),
            TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE,
    FAILED (PROTOCOL, DATA, FAILURE), SESSION_ERROR (PROTOCOL), .received = C_EHLO C_BATCH },
  /* The answers to the batch stuffed behind the EHLO reply, before a command was sent. */
  { "pipelining/replies-before-batch",
    SCRIPT (TS_HELLO (PIPE_CAPS "250 ok\r\n250 ok\r\n354 go ahead\r\n"), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE,
    FAILED (PROTOCOL, EHLO, FAILURE), SESSION_ERROR (PROTOCOL), .received = C_EHLO },
  /* A reply sent ahead of the batch, later: every answer shifts by one, and DATA's comes with
   * the 354 still behind it. */
  { "pipelining/reply-ahead-of-batch",
    SCRIPT (TS_HELLO (PIPE_CAPS), TS_SLEEP (200), TS_SEND ("250 2.1.0 early\r\n"),
            TS_EXPECT ("MAIL FROM:<ali@example.com>"), TS_EXPECT ("RCPT TO:<veli@example.com>"),
            TS_EXPECT ("DATA"), TS_SEND ("250 ok\r\n250 ok\r\n354 go ahead\r\n"),
            TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE,
    FAILED (PROTOCOL, DATA, FAILURE), SESSION_ERROR (PROTOCOL), .received = C_EHLO C_BATCH },
  /* After a refusal the rest of the batch is read under the same rule: an extra reply ends
   * the run without QUIT, and the verdict stays the refusal's. */
  { "pipelining/extra-reply-after-refusal",
    SCRIPT (TS_HELLO (PIPE_CAPS), TS_EXPECT_READ (C_BATCH),
            TS_SEND ("550 5.7.1 not owned by user\r\n503 5.5.1 need MAIL\r\n"
                     "354 go ahead\r\n250 2.0.0 queued as FAKE\r\n"),
            TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE,
    FAILED (REFUSED, MAIL, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 550,
    .received = C_EHLO C_BATCH },
  /* STARTTLS is never pipelined, and PIPELINING changes nothing of the injection check. */
  { "pipelining/starttls-injection",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n"),
            TS_EXPECT_READ (C_STARTTLS),
            TS_SEND ("220 go ahead\r\n250 ok\r\n250 ok\r\n354 go ahead\r\n"), TS_EXPECT_CLOSE),
    .certificate = "server", .security = POSTACI_SECURITY_STARTTLS,
    FAILED (PROTOCOL, TLS, FAILURE), SESSION_ERROR (STARTTLS_INJECTION),
    .received = C_EHLO C_STARTTLS },
#undef PIPE_CAPS
#undef C_BATCH

  /* ---- Tampering with capabilities ---- */
  /* PLAIN before TLS, only LOGIN after it: the post-TLS list counts. */
  { "tamper/auth-differs-after-tls",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("250-mx.test\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n"), TS_EXPECT ("STARTTLS"),
            TLS_UP, TS_SEND ("250-mx.test\r\n250 AUTH LOGIN\r\n"), TS_EXPECT ("AUTH LOGIN"),
            TS_SEND ("334 VXNlcm5hbWU6\r\n"), TS_EXPECT ("YWxp"), TS_SEND ("334 UGFzc3dvcmQ6\r\n"),
            TS_EXPECT ("Z2l6bGktxZ9pZnJl"), TS_SEND ("235 2.7.0 ok\r\n"), QUIT_BYE),
    .certificate = "server", .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, PASSED (AUTH),
    .received = C_EHLO C_STARTTLS C_EHLO "AUTH LOGIN\r\nYWxp\r\nZ2l6bGktxZ9pZnJl\r\n" C_QUIT },
  { "tamper/auth-gone-after-tls",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("250-mx.test\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n"), TS_EXPECT ("STARTTLS"),
            TLS_UP, TS_SEND ("250 mx.test\r\n"), QUIT_BYE),
    .certificate = "server", .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (PROTOCOL, AUTH, FAILURE), SESSION_ERROR (AUTH_UNAVAILABLE),
    .received = C_EHLO C_STARTTLS C_EHLO C_QUIT },
  { "tamper/starttls-offered-again",
    SCRIPT (TO_STARTTLS, TLS_UP, TS_SEND ("250-mx.test\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"),
            TS_EXPECT ("AUTH PLAIN " PLAIN_IR), TS_SEND ("235 ok\r\n"), QUIT_BYE),
    .certificate = "server", .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, PASSED (AUTH),
    .received = C_EHLO C_STARTTLS C_EHLO "AUTH PLAIN " PLAIN_IR "\r\n" C_QUIT },

/* ---- Certificates, on STARTTLS and on implicit TLS ---- */
#define CERT_STARTTLS(cert, host) \
  { "certificate/" cert "-starttls", \
    SCRIPT (TO_STARTTLS, TS_SEND ("220 go ahead\r\n"), TS_STARTTLS), \
    .certificate = cert, .server_name = host, .security = POSTACI_SECURITY_STARTTLS, \
    .auth = TRUE, FAILED (TLS, TLS, FAILURE), SESSION_ERROR (CERTIFICATE), \
    .received = C_EHLO C_STARTTLS }
#define CERT_TLS(cert, host)                                                                  \
  {                                                                                           \
    "certificate/" cert "-tls", SCRIPT (TS_END),                                              \
      .mode = POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, .certificate = cert, .server_name = host, \
      .security = POSTACI_SECURITY_TLS, .auth = TRUE, FAILED (TLS, TLS, FAILURE),             \
      SESSION_ERROR (CERTIFICATE), .received = ""                                             \
  }
  CERT_STARTTLS ("self-signed", NULL),
  CERT_TLS ("self-signed", NULL),
  CERT_STARTTLS ("unknown-ca", NULL),
  CERT_TLS ("unknown-ca", NULL),
  CERT_STARTTLS ("wrong-name", NULL),
  CERT_TLS ("wrong-name", NULL),
  CERT_STARTTLS ("ip-no-san", "127.0.0.1"),
  CERT_TLS ("ip-no-san", "127.0.0.1"),
  CERT_STARTTLS ("expired", NULL),
  CERT_TLS ("expired", NULL),
  CERT_STARTTLS ("future", NULL),
  CERT_TLS ("future", NULL),
#undef CERT_STARTTLS
#undef CERT_TLS
  /* A valid certificate whose names carry escape sequences: shown, but escaped. */
  { "certificate/escape-sequences-in-names", SCRIPT (TS_SEND (GREETING), QUIT_BYE),
    .mode = POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, .certificate = "escape-name",
    .security = POSTACI_SECURITY_TLS, PASSED (GREETING), .received = C_QUIT,
    .shown = "O=Postaci \\x1b[2J\\x1b]0\\;pwned\\x07" },

  /* ---- The wrong kind of link ---- */
  { "link/plain-greeting-when-tls-expected", SCRIPT (TS_SEND (GREETING), TS_STALL),
    .security = POSTACI_SECURITY_TLS, .auth = TRUE, FAILED (TLS, TLS, FAILURE),
    .error_domain = "g-tls-error-quark", .error_code = G_TLS_ERROR_MISC, .shown = "plain text" },
  { "link/tls-server-when-plain-expected", SCRIPT (TS_SEND (GREETING)),
    .mode = POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, .certificate = "server",
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, .timeout = 1,
    FAILED (TIMEOUT, GREETING, TIMEOUT), SESSION_ERROR (NO_GREETING), .received = "" },
  { "link/closed-mid-handshake-starttls",
    SCRIPT (TO_STARTTLS, TS_SEND ("220 go ahead\r\n"), TS_CLOSE_IN_HANDSHAKE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, FAILED (TLS, TLS, FAILURE),
    .error_domain = "g-tls-error-quark", .error_code = G_TLS_ERROR_NOT_TLS,
    .received = C_EHLO C_STARTTLS, .shown = "closed the connection during the TLS handshake" },
  { "link/closed-mid-handshake-tls", SCRIPT (TS_CLOSE_IN_HANDSHAKE),
    .security = POSTACI_SECURITY_TLS, .auth = TRUE, FAILED (TLS, TLS, FAILURE),
    .error_domain = "g-tls-error-quark", .error_code = G_TLS_ERROR_NOT_TLS, .received = "",
    .shown = "closed the connection during the TLS handshake" },

  /* ---- Reply parsing ---- */
  { "reply/over-long-line",
    SCRIPT (TS_SEND ("220 "), TS_SEND_REPEAT ("a", 5000), TS_SEND ("\r\n"), TS_STALL),
    FAILED (PROTOCOL, GREETING, FAILURE), LINE_ERROR (TOO_LONG), .received = "" },
  /* Read in pieces of at most twice the line cap; the run stops at the cap. */
  { "reply/megabyte-without-newline",
    SCRIPT (TS_SEND ("220 "), TS_SEND_REPEAT ("x", 1024 * 1024), TS_STALL),
    FAILED (PROTOCOL, GREETING, FAILURE), LINE_ERROR (TOO_LONG), .received = "" },
  { "reply/bare-lf",
    SCRIPT (TS_SEND ("220 mx.test ready\n"), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("250-mx.test\n250 SIZE 1000\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_NONE, PASSED (EHLO), .received = C_EHLO C_QUIT },
  { "reply/bare-code",
    SCRIPT (TS_SEND ("220\r\n"), TS_EXPECT ("EHLO client.example"), TS_SEND ("250\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_NONE, PASSED (EHLO), .received = C_EHLO C_QUIT },
  { "reply/empty-line", SCRIPT (TS_SEND ("\r\n"), TS_EXPECT_CLOSE),
    FAILED (PROTOCOL, GREETING, FAILURE), REPLY_ERROR (EMPTY), .received = "" },
  { "reply/two-digit-code", SCRIPT (TS_SEND ("22 mx.test\r\n"), TS_EXPECT_CLOSE),
    FAILED (PROTOCOL, GREETING, FAILURE), REPLY_ERROR (MALFORMED), .received = "" },
  { "reply/four-digit-code", SCRIPT (TS_SEND ("2200 mx.test\r\n"), TS_EXPECT_CLOSE),
    FAILED (PROTOCOL, GREETING, FAILURE), REPLY_ERROR (MALFORMED), .received = "" },
  { "reply/first-digit-1", SCRIPT (TS_SEND ("120 wait\r\n"), TS_EXPECT_CLOSE),
    FAILED (PROTOCOL, GREETING, FAILURE), REPLY_ERROR (MALFORMED), .received = "" },
  { "reply/first-digit-6",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"), TS_SEND ("650 what\r\n"),
            TS_EXPECT_CLOSE),
    FAILED (PROTOCOL, EHLO, FAILURE), REPLY_ERROR (MALFORMED), .received = C_EHLO },
  /* RFC 5321 §4.2: the second digit is 0 to 5. */
  { "reply/second-digit-9", SCRIPT (TS_SEND ("290 mx.test\r\n"), TS_EXPECT_CLOSE),
    FAILED (PROTOCOL, GREETING, FAILURE), REPLY_ERROR (MALFORMED), .received = "" },
  { "reply/nul", SCRIPT (TS_SEND_LEN ("220 mx\0.test\r\n", 14), TS_EXPECT_CLOSE),
    FAILED (PROTOCOL, GREETING, FAILURE), REPLY_ERROR (NUL), .received = "" },
  { "reply/invalid-utf8", SCRIPT (TS_SEND ("220 mx.test \xff\xfe\xc3 ready\r\n"), QUIT_BYE),
    PASSED (GREETING), .received = C_QUIT, .shown = "220 mx.test \\xFF\\xFE\\xC3 ready" },
  /* Escape sequences: clear the screen, set the window title, recolour; shown escaped. */
  { "reply/terminal-escapes",
    SCRIPT (TS_SEND ("220 \x1b[2J\x1b]0;pwned\x07\x1b[31mmx.test\r\n"), QUIT_BYE),
    PASSED (GREETING), .received = C_QUIT, .shown = "220 \\x1B[2J\\x1B]0;pwned\\x07\\x1B[31mmx" },
  { "reply/terminal-escapes-in-refusal",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), TS_EXPECT ("MAIL FROM:<ali@example.com>"),
            TS_SEND ("550 \x1b[2J\x1b[1;1Hdenied\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_NONE, FAILED (REFUSED, MAIL, REFUSED), SESSION_ERROR (REFUSED),
    .reply_code = 550, .received = C_EHLO "MAIL FROM:<ali@example.com>\r\n" C_QUIT,
    .shown = "\\x1B[2J\\x1B[1;1Hdenied" },
  /* The AUTH list ends up in the reason when the wanted mechanism is missing. */
  { "reply/terminal-escapes-in-auth-list",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH \x1b]0;pwned\x07X-EVIL\r\n"), QUIT_BYE),
    AUTH_OVER_TLS, .mechanism = POSTACI_MECHANISM_PLAIN,
    FAILED (PROTOCOL, AUTH, FAILURE), SESSION_ERROR (AUTH_UNAVAILABLE), .received = C_EHLO C_QUIT,
    .shown = "\\X1B]0;PWNED\\X07X-EVIL" },
  /* A hundred lines of a kilobyte: the reason quotes the start, the transcript has it all. */
  { "reply/huge-refusal",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), TS_EXPECT ("MAIL FROM:<ali@example.com>"),
            TS_SEND_REPEAT ("550-" LONG_LINE "\r\n", 99), TS_SEND ("550 5.7.1 the end\r\n"),
            QUIT_BYE),
    .security = POSTACI_SECURITY_NONE, FAILED (REFUSED, MAIL, REFUSED), SESSION_ERROR (REFUSED),
    .reply_code = 550, .received = C_EHLO "MAIL FROM:<ali@example.com>\r\n" C_QUIT,
    .shown = "5.7.1 the end" },
  { "reply/mixed-codes", SCRIPT (TS_HELLO ("250-mx.test\r\n251 AUTH PLAIN\r\n"), TS_EXPECT_CLOSE),
    FAILED (PROTOCOL, EHLO, FAILURE), REPLY_ERROR (MIXED_CODES), .received = C_EHLO },
  { "reply/endless-continuation",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND_REPEAT ("250-still going\r\n", 100000), TS_STALL),
    FAILED (PROTOCOL, EHLO, FAILURE), REPLY_ERROR (TOO_MANY_LINES), .received = C_EHLO },
  { "reply/eof-mid-line",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("250-mx.test\r\n250-SIZE 10"), TS_CLOSE),
    FAILED (NETWORK, EHLO, FAILURE), LINE_ERROR (PARTIAL), .received = C_EHLO },
  { "reply/eof-between-lines",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"), TS_SEND ("250-mx.test\r\n"),
            TS_CLOSE),
    FAILED (NETWORK, EHLO, FAILURE), LINE_ERROR (CLOSED), .received = C_EHLO },
  { "reply/unsolicited-after-ehlo",
    SCRIPT (TS_HELLO ("250 mx.test\r\n250 2.1.0 sender ok\r\n"), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE, FAILED (PROTOCOL, EHLO, FAILURE), SESSION_ERROR (PROTOCOL),
    .received = C_EHLO },
  { "reply/positive-nonsense-to-ehlo",
    SCRIPT (TS_HELLO ("354 send the message\r\n"), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE, FAILED (PROTOCOL, EHLO, FAILURE), SESSION_ERROR (PROTOCOL),
    .received = C_EHLO },

  /* 250 to DATA: sending the message now would be sending it into a void. */
  { "reply/250-to-data",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND ("250 ok\r\n"),
            TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE, FAILED (PROTOCOL, DATA, FAILURE), SESSION_ERROR (PROTOCOL),
    .received = C_EHLO C_ENVELOPE "DATA\r\n" },
  { "reply/354-to-rcpt",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), TS_EXPECT ("MAIL FROM:<ali@example.com>"),
            TS_SEND ("250 ok\r\n"), TS_EXPECT ("RCPT TO:<veli@example.com>"),
            TS_SEND ("354 go ahead\r\n"), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE, FAILED (PROTOCOL, RCPT, FAILURE), SESSION_ERROR (PROTOCOL),
    .received = C_EHLO C_ENVELOPE },
  /* Bidirectional overrides would reorder what a person reads. */
  { "reply/bidi-override", SCRIPT (TS_SEND ("220 mx.test \xe2\x80\xae ydaer\r\n"), QUIT_BYE),
    PASSED (GREETING), .received = C_QUIT, .shown = "220 mx.test \\u202E ydaer" },
  /* SIZE in EHLO: the message's size is declared with MAIL FROM (RFC 1870)... */
  { "reply/size-declared",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 SIZE 10240000\r\n"),
            TS_EXPECT_PREFIX ("MAIL FROM:<ali@example.com> SIZE="), TS_SEND ("250 ok\r\n"),
            TS_EXPECT ("RCPT TO:<veli@example.com>"), TS_SEND ("250 ok\r\n"), TS_EXPECT ("DATA"),
            TS_SEND ("354 go ahead\r\n"), TS_READ_DATA, TS_SEND ("250 queued\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_NONE, .verdict = POSTACI_VERDICT_SUCCESS,
    .stage = POSTACI_STAGE_DATA, .exit_status = POSTACI_EXIT_SUCCESS },
  /* ...and a message over the limit is not uploaded at all. */
  { "reply/size-limit", SCRIPT (TS_HELLO ("250-mx.test\r\n250 SIZE 100\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_NONE, FAILED (PROTOCOL, MAIL, FAILURE), SESSION_ERROR (TOO_LARGE),
    .received = C_EHLO C_QUIT },

  /* ---- Timing: short deadlines keep the suite fast ---- */
  { "timing/no-greeting", SCRIPT (TS_STALL), .timeout = 1, FAILED (TIMEOUT, GREETING, TIMEOUT),
    SESSION_ERROR (NO_GREETING), .received = "" },
  { "timing/greeting-dribbled", SCRIPT (TS_SEND_SLOWLY (GREETING, 5), QUIT_BYE), .timeout = 2,
    PASSED (GREETING), .received = C_QUIT },
  /* One deadline for the whole reply: dribbling cannot stretch it. */
  { "timing/greeting-dribbled-past-deadline",
    SCRIPT (TS_SEND_SLOWLY ("220 mx.test ESMTP at a snail's pace\r\n", 100)), .timeout = 1,
    FAILED (TIMEOUT, GREETING, TIMEOUT), SESSION_ERROR (TIMEOUT), .received = "" },
  /* STARTTLS accepted, then the ClientHello is never answered. */
  { "timing/handshake-never-answered", SCRIPT (TO_STARTTLS, TS_SEND ("220 go ahead\r\n"), TS_STALL),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, .timeout = 1,
    FAILED (TIMEOUT, TLS, TIMEOUT), SESSION_ERROR (TIMEOUT) },
  { "timing/no-greeting-after-tls", SCRIPT (TS_STALL), .mode = POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS,
    .certificate = "server", .security = POSTACI_SECURITY_TLS, .auth = TRUE, .timeout = 1,
    FAILED (TIMEOUT, GREETING, TIMEOUT), SESSION_ERROR (NO_GREETING), .received = "" },
  /* The server hangs up while the message streams: a network failure, not a hang. */
  { "timing/closed-during-data",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND ("354 go ahead\r\n"), TS_CLOSE),
    .security = POSTACI_SECURITY_NONE, .html_mib = 16, FAILED (NETWORK, DATA, FAILURE) },
  /* The server stops reading after 354 and never answers. */
  { "timing/stall-after-354",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND ("354 go ahead\r\n"),
            TS_SLEEP (2500)),
    .security = POSTACI_SECURITY_NONE, .timeout = 1, FAILED (TIMEOUT, DATA, TIMEOUT),
    SESSION_ERROR (TIMEOUT) },
  { "timing/no-reply-to-dot",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND ("354 go ahead\r\n"),
            TS_READ_DATA, TS_STALL),
    .security = POSTACI_SECURITY_NONE, .timeout = 1, FAILED (TIMEOUT, DATA, TIMEOUT),
    SESSION_ERROR (TIMEOUT) },

  /* The message was accepted: what the server does with QUIT cannot undo that. */
  { "timing/closed-instead-of-221",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND ("354 go ahead\r\n"),
            TS_READ_DATA, TS_SEND ("250 2.0.0 queued\r\n"), TS_EXPECT ("QUIT"), TS_CLOSE),
    .security = POSTACI_SECURITY_NONE, .verdict = POSTACI_VERDICT_SUCCESS,
    .stage = POSTACI_STAGE_DATA, .exit_status = POSTACI_EXIT_SUCCESS, .reply_code = 250 },
  { "timing/no-reply-to-quit",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND ("354 go ahead\r\n"),
            TS_READ_DATA, TS_SEND ("250 2.0.0 queued\r\n"), TS_EXPECT ("QUIT"), TS_STALL),
    .security = POSTACI_SECURITY_NONE, .timeout = 1, .verdict = POSTACI_VERDICT_SUCCESS,
    .stage = POSTACI_STAGE_DATA, .exit_status = POSTACI_EXIT_SUCCESS, .reply_code = 250 },

  /* After a refusal only QUIT is left: a server that never answers it holds the run a few
   * seconds, not a whole (here one-minute) reply deadline. */
  { "timing/refused-then-mute-quit",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), TS_EXPECT ("MAIL FROM:<ali@example.com>"),
            TS_SEND ("550 5.7.1 sender rejected\r\n"), TS_EXPECT ("QUIT"), TS_STALL),
    .security = POSTACI_SECURITY_NONE, .timeout = 60, FAILED (REFUSED, MAIL, REFUSED),
    SESSION_ERROR (REFUSED), .reply_code = 550 },

  /* ---- 421 at each stage: the server is closing; no QUIT, no RSET ---- */
#define CLOSING "421 4.3.2 mx.test closing connection\r\n"
  { "421/greeting", SCRIPT (TS_SEND (CLOSING), TS_EXPECT_CLOSE),
    FAILED (REFUSED, GREETING, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 421,
    .received = "" },
  { "421/ehlo",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"), TS_SEND (CLOSING),
            TS_EXPECT_CLOSE),
    FAILED (REFUSED, EHLO, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 421,
    .received = C_EHLO },
  { "421/auth",
    SCRIPT (TS_HELLO (EHLO_TLS), TS_EXPECT ("AUTH PLAIN " PLAIN_IR), TS_SEND (CLOSING),
            TS_EXPECT_CLOSE),
    AUTH_OVER_TLS, FAILED (REFUSED, AUTH, REFUSED),
    SESSION_ERROR (REFUSED), .reply_code = 421, .received = C_EHLO "AUTH PLAIN " PLAIN_IR "\r\n" },
  { "421/mail",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), TS_EXPECT ("MAIL FROM:<ali@example.com>"),
            TS_SEND (CLOSING), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE, FAILED (REFUSED, MAIL, REFUSED), SESSION_ERROR (REFUSED),
    .reply_code = 421, .received = C_EHLO "MAIL FROM:<ali@example.com>\r\n" },
  { "421/rcpt",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), TS_EXPECT ("MAIL FROM:<ali@example.com>"),
            TS_SEND ("250 ok\r\n"), TS_EXPECT ("RCPT TO:<veli@example.com>"), TS_SEND (CLOSING),
            TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE, FAILED (REFUSED, RCPT, REFUSED), SESSION_ERROR (REFUSED),
    .reply_code = 421, .received = C_EHLO C_ENVELOPE },
  { "421/data",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND (CLOSING), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE, FAILED (REFUSED, DATA, REFUSED), SESSION_ERROR (REFUSED),
    .reply_code = 421, .received = C_EHLO C_ENVELOPE "DATA\r\n" },
  { "421/final-dot",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND ("354 go ahead\r\n"),
            TS_READ_DATA, TS_SEND (CLOSING), TS_EXPECT_CLOSE),
    .security = POSTACI_SECURITY_NONE, FAILED (REFUSED, DATA, REFUSED), SESSION_ERROR (REFUSED),
    .reply_code = 421 },
#undef CLOSING

  /* ---- AUTH abuse (over implicit TLS) ---- */
  { "auth/invalid-base64-challenge",
    SCRIPT (TS_HELLO (EHLO_TLS), TS_EXPECT ("AUTH LOGIN"), TS_SEND ("334 VXNlc*m5hbWU6!\r\n"),
            TS_EXPECT ("*"), TS_SEND ("501 5.7.0 cancelled\r\n"), QUIT_BYE),
    AUTH_OVER_TLS, .mechanism = POSTACI_MECHANISM_LOGIN,
    FAILED (PROTOCOL, AUTH, FAILURE), SESSION_ERROR (SASL), .reply_code = 501,
    .received = C_EHLO "AUTH LOGIN\r\n*\r\n" C_QUIT },
  /* More challenges after the exchange is complete: abandoned with "*", never looped. */
  { "auth/endless-334",
    SCRIPT (TS_HELLO (EHLO_TLS), TS_EXPECT ("AUTH PLAIN " PLAIN_IR), TS_SEND ("334 \r\n"),
            TS_EXPECT ("*"), TS_SEND ("334 \r\n"), QUIT_BYE),
    AUTH_OVER_TLS, FAILED (PROTOCOL, AUTH, FAILURE),
    SESSION_ERROR (SASL), .received = C_EHLO "AUTH PLAIN " PLAIN_IR "\r\n*\r\n" C_QUIT },
  /* A success after "*" does not make a broken exchange a login. */
  { "auth/235-after-cancel",
    SCRIPT (TS_HELLO (EHLO_TLS), TS_EXPECT ("AUTH LOGIN"), TS_SEND ("334 %%%\r\n"),
            TS_EXPECT ("*"), TS_SEND ("235 2.7.0 fine, come in\r\n"), QUIT_BYE),
    AUTH_OVER_TLS, .mechanism = POSTACI_MECHANISM_LOGIN,
    FAILED (PROTOCOL, AUTH, FAILURE), SESSION_ERROR (SASL),
    .received = C_EHLO "AUTH LOGIN\r\n*\r\n" C_QUIT },
  { "auth/535",
    SCRIPT (TS_HELLO (EHLO_TLS), TS_EXPECT ("AUTH PLAIN " PLAIN_IR),
            TS_SEND ("535 5.7.8 Authentication credentials invalid\r\n"), QUIT_BYE),
    AUTH_OVER_TLS, FAILED (REFUSED, AUTH, REFUSED),
    SESSION_ERROR (REFUSED), .reply_code = 535,
    .received = C_EHLO "AUTH PLAIN " PLAIN_IR "\r\n" C_QUIT },
  { "auth/454",
    SCRIPT (TS_HELLO (EHLO_TLS), TS_EXPECT ("AUTH PLAIN " PLAIN_IR),
            TS_SEND ("454 4.7.0 Temporary authentication failure\r\n"), QUIT_BYE),
    AUTH_OVER_TLS, FAILED (REFUSED, AUTH, REFUSED),
    SESSION_ERROR (REFUSED), .reply_code = 454,
    .received = C_EHLO "AUTH PLAIN " PLAIN_IR "\r\n" C_QUIT },
  { "auth/not-offered", SCRIPT (TS_HELLO ("250-mx.test\r\n250 8BITMIME\r\n"), QUIT_BYE),
    AUTH_OVER_TLS, FAILED (PROTOCOL, AUTH, FAILURE),
    SESSION_ERROR (AUTH_UNAVAILABLE), .received = C_EHLO C_QUIT },
  /* Offered only without TLS, and the user did not allow a plain-text password. */
  { "auth/plain-only-unencrypted",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH PLAIN LOGIN\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_AUTO, .auth = TRUE, FAILED (PROTOCOL, AUTH, FAILURE),
    SESSION_ERROR (PLAINTEXT_AUTH), .received = C_EHLO C_QUIT },

  /* ---- A server that echoes the credentials: every form is masked before anyone sees it.
   * TS_SEND_ECHO repeats every line since EHLO, the AUTH lines with them. ---- */
#define ECHO_REFUSED FAILED (REFUSED, AUTH, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 535
  { "echo/plain",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH PLAIN\r\n"), TS_EXPECT ("AUTH PLAIN " PLAIN_IR),
            TS_SEND_ECHO ("535 5.7.8 rejected: "), QUIT_BYE),
    AUTH_OVER_TLS, .mechanism = POSTACI_MECHANISM_PLAIN, ECHO_REFUSED,
    .shown = "rejected: EHLO client.example AUTH PLAIN ****" },
  { "echo/login",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH LOGIN\r\n"), TS_EXPECT ("AUTH LOGIN"),
            TS_SEND ("334 VXNlcm5hbWU6\r\n"), TS_EXPECT ("YWxp"), TS_SEND ("334 UGFzc3dvcmQ6\r\n"),
            TS_EXPECT ("Z2l6bGktxZ9pZnJl"), TS_SEND_ECHO ("535 5.7.8 rejected credentials "),
            QUIT_BYE),
    AUTH_OVER_TLS, .mechanism = POSTACI_MECHANISM_LOGIN, ECHO_REFUSED,
    .shown = "rejected credentials EHLO client.example AUTH LOGIN **** ****" },
  /* The password itself, raw, in a reply: masked too. */
  { "echo/raw-password",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH PLAIN\r\n"), TS_EXPECT ("AUTH PLAIN " PLAIN_IR),
            TS_SEND ("535 5.7.8 password " PASSWORD " is wrong\r\n"), QUIT_BYE),
    AUTH_OVER_TLS, .mechanism = POSTACI_MECHANISM_PLAIN, ECHO_REFUSED,
    .shown = "password **** is wrong" },
  { "echo/cram-md5",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH CRAM-MD5\r\n"), TS_EXPECT ("AUTH CRAM-MD5"),
            TS_SEND ("334 PDEyMzQuNTY3OEBteC50ZXN0Pg==\r\n"), TS_READ_LINE,
            TS_SEND_ECHO ("535 5.7.8 bad: "), QUIT_BYE),
    AUTH_OVER_TLS, .mechanism = POSTACI_MECHANISM_CRAM_MD5, ECHO_REFUSED,
    .shown = "bad: EHLO client.example AUTH CRAM-MD5 ****" },
  { "echo/digest-md5",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH DIGEST-MD5\r\n"), TS_EXPECT ("AUTH DIGEST-MD5"),
            TS_SEND ("334 cmVhbG09Im14LnRlc3QiLG5vbmNlPSJPQTZNRzl0RVFHbTJoaCIscW9wPSJhdXRoIixjaGF"
                     "yc2V0PXV0Zi04LGFsZ29yaXRobT1tZDUtc2Vzcw==\r\n"),
            TS_READ_LINE, TS_SEND_ECHO ("535 5.7.8 bad: "), QUIT_BYE),
    AUTH_OVER_TLS, .mechanism = POSTACI_MECHANISM_DIGEST_MD5, ECHO_REFUSED,
    .shown = "bad: EHLO client.example AUTH DIGEST-MD5 ****" },
  { "echo/ntlm",
    SCRIPT (
      TS_HELLO ("250-mx.test\r\n250 AUTH NTLM\r\n"), TS_EXPECT_PREFIX ("AUTH NTLM "),
      TS_SEND ("334 TlRMTVNTUAACAAAADAAMADAAAAABAoEAASNFZ4mrze8AAAAAAAAAAGIAYgA8AAAARABPAE0AQQB"
               "JAE4AAgAMAEQATwBNAEEASQBOAAEADABTAEUAUgBWAEUAUgAEABQAZABvAG0AYQBpAG4ALgBjAG8"
               "AbQADACIAcwBlAHIAdgBlAHIALgBkAG8AbQBhAGkAbgAuAGMAbwBtAAAAAAA=\r\n"),
      TS_READ_LINE, TS_SEND_ECHO ("535 5.7.8 bad: "), QUIT_BYE),
    AUTH_OVER_TLS, .mechanism = POSTACI_MECHANISM_NTLM, ECHO_REFUSED,
    .shown = "bad: EHLO client.example AUTH NTLM **** ****" },
  { "echo/xoauth2",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH XOAUTH2\r\n"), TS_EXPECT_PREFIX ("AUTH XOAUTH2 "),
            TS_SEND_ECHO ("535 5.7.8 bad token: "), QUIT_BYE),
    AUTH_OVER_TLS, .mechanism = POSTACI_MECHANISM_XOAUTH2, ECHO_REFUSED,
    .shown = "bad token: EHLO client.example AUTH XOAUTH2 ****" },
  /* A server-first message without our nonce: the client abandons with "*", and the
   * server echoes the client-first message back in its 501. */
  { "echo/scram-sha-256",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH SCRAM-SHA-256\r\n"),
            TS_EXPECT_PREFIX ("AUTH SCRAM-SHA-256 "),
            TS_SEND ("334 cj1ub3R5b3Vybm9uY2Uscz1RU1hDUitRNnNlazhiZjkyLGk9NDA5Ng==\r\n"),
            TS_EXPECT ("*"), TS_SEND_ECHO ("501 5.7.0 cancelled: "), QUIT_BYE),
    AUTH_OVER_TLS, .mechanism = POSTACI_MECHANISM_SCRAM_SHA_256, FAILED (PROTOCOL, AUTH, FAILURE),
    SESSION_ERROR (SASL), .shown = "cancelled: EHLO client.example AUTH SCRAM-SHA-256 **** *" },
#undef ECHO_REFUSED

  /* ---- STARTTLS stripped in "auto" (the default): whatever the mechanism, nothing of the
   * password crosses the plain link without --allow-plain-auth; the run stops before AUTH. ---- */
#define STRIPPED(name, mech) \
  { "stripped/" name, \
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH " mech "\r\n"), QUIT_BYE), \
    .security = POSTACI_SECURITY_AUTO, .auth = TRUE, \
    FAILED (PROTOCOL, AUTH, FAILURE), SESSION_ERROR (PLAINTEXT_AUTH), \
    .received = C_EHLO C_QUIT, .shown = "cracked offline" }
  STRIPPED ("plain", "PLAIN"),
  STRIPPED ("login", "LOGIN"),
  STRIPPED ("cram-md5", "CRAM-MD5"),
  STRIPPED ("digest-md5", "DIGEST-MD5"),
  STRIPPED ("ntlm", "NTLM"),
  STRIPPED ("scram-sha-1", "SCRAM-SHA-1"),
  STRIPPED ("scram-sha-256", "SCRAM-SHA-256"),
  STRIPPED ("xoauth2", "XOAUTH2"),
  STRIPPED ("everything", "CRAM-MD5 DIGEST-MD5 NTLM PLAIN"),
#undef STRIPPED
  /* Consent given for this run: CRAM-MD5 goes ahead over the plain link. */
  { "stripped/cram-md5-allowed",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 AUTH CRAM-MD5\r\n"), TS_EXPECT ("AUTH CRAM-MD5"),
            TS_SEND ("334 PDEyMzQuNTY3OEBteC50ZXN0Pg==\r\n"), TS_READ_LINE,
            TS_SEND ("235 2.7.0 ok\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_AUTO, .auth = TRUE, .allow_plain_auth = TRUE, PASSED (AUTH) },

  /* ---- Bad input: refused before connecting, nothing sent (exit 2) ----
   * A NUL cannot be part of a C string, an argv word or a GTK entry: a field ends there. */
#define REFUSED_INPUT(field) .script = SCRIPT (TS_EXPECT_CLOSE), \
  FAILED (USAGE, CONNECT, USAGE), .error_domain = "postaci-request-error-quark", \
  .error_code = POSTACI_REQUEST_ERROR_ ## field
  { "input/server-crlf", .server_name = "mx.test\r\nHELO evil.test", REFUSED_INPUT (SERVER) },
  { "input/server-empty", .server_name = "", REFUSED_INPUT (SERVER) },
  { "input/server-blank", .server_name = "  ", REFUSED_INPUT (SERVER) },
  { "input/port-70000", .port = 70000, REFUSED_INPUT (PORT) },
  { "input/ehlo-crlf", .ehlo_name = "client.example\r\nMAIL FROM:<x@evil.test>",
    REFUSED_INPUT (EHLO_NAME) },
  { "input/ehlo-lf", .ehlo_name = "client.example\nRSET", REFUSED_INPUT (EHLO_NAME) },
  { "input/from-crlf", .from = "ali@example.com>\r\nRCPT TO:<x@evil.test", REFUSED_INPUT (FROM) },
  { "input/from-lf", .from = "ali@example.com\nDATA", REFUSED_INPUT (FROM) },
  { "input/from-cr", .from = "ali@example.com\rDATA", REFUSED_INPUT (FROM) },
  { "input/from-escape", .from = "ali\x1b[2J@example.com", REFUSED_INPUT (FROM) },
  { "input/to-crlf", .to = "veli@example.com>\r\nDATA\r\n", REFUSED_INPUT (RECIPIENTS) },
  { "input/to-lf", .to = "veli@example.com\nRSET", REFUSED_INPUT (RECIPIENTS) },
  { "input/username-crlf", .auth = TRUE, .username = "ali\r\nMAIL FROM:<x@evil.test>",
    REFUSED_INPUT (USERNAME) },
  { "input/password-lf", .auth = TRUE, .password = "gizli\nQUIT", REFUSED_INPUT (PASSWORD) },
  { "input/subject-crlf", .subject = "Hello\r\nBcc: victim@example.com", REFUSED_INPUT (SUBJECT) },
  { "input/subject-lf", .subject = "Hello\nBcc: victim@example.com", REFUSED_INPUT (SUBJECT) },
#define A16 "aaaaaaaaaaaaaaaa"
#define LABEL50 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij."
  /* RFC 5321 §4.5.3.1: local part 64, domain 255, path 256 octets. */
  { "input/local-part-65", .from = A16 A16 A16 A16 "a@example.com", REFUSED_INPUT (FROM) },
  { "input/domain-258", .to = "veli@" LABEL50 LABEL50 LABEL50 LABEL50 LABEL50 "com",
    REFUSED_INPUT (RECIPIENTS) },
  { "input/path-272", .from = A16 A16 A16 A16 "@" LABEL50 LABEL50 LABEL50 LABEL50 "com",
    REFUSED_INPUT (FROM) },
#undef A16
#undef LABEL50
#undef REFUSED_INPUT
  /* An empty EHLO name is no name: the session uses the address literal. */
  { "input/ehlo-empty-means-automatic",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO [127.0.0.1]"), TS_SEND ("250 mx.test\r\n"),
            QUIT_BYE),
    .ehlo_name = "", .server_name = "127.0.0.1", .security = POSTACI_SECURITY_NONE, PASSED (EHLO),
    .received = "EHLO [127.0.0.1]\r\n" C_QUIT },

  /* ---- International names ---- */
  { "input/ehlo-idn-punycode",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO posta.xn--irket-idb.com.tr"),
            TS_SEND ("250 mx.test\r\n"), QUIT_BYE),
    .ehlo_name = "posta.şirket.com.tr", .security = POSTACI_SECURITY_NONE, PASSED (EHLO),
    .received = "EHLO posta.xn--irket-idb.com.tr\r\n" C_QUIT },
  { "input/ehlo-address-literal",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO [IPv6:2001:db8::1]"), TS_SEND ("250 mx.test\r\n"),
            QUIT_BYE),
    .ehlo_name = "[IPv6:2001:db8::1]", .security = POSTACI_SECURITY_NONE, PASSED (EHLO),
    .received = "EHLO [IPv6:2001:db8::1]\r\n" C_QUIT },
  { "input/idn-punycode-envelope",
    SCRIPT (TS_HELLO ("250 mx.test\r\n"), TS_EXPECT ("MAIL FROM:<ali@xn--irket-idb.com.tr>"),
            TS_SEND ("250 ok\r\n"), TS_EXPECT ("RCPT TO:<veli@xn--rnek-4qa.com.tr>"),
            TS_SEND ("250 ok\r\n"), QUIT_BYE),
    .from = "ali@şirket.com.tr", .to = "veli@örnek.com.tr", .security = POSTACI_SECURITY_NONE,
    PASSED (RCPT) },
  { "input/smtputf8-offered",
    SCRIPT (TS_HELLO ("250-mx.test\r\n250 SMTPUTF8\r\n"),
            TS_EXPECT ("MAIL FROM:<gönül@xn--irket-idb.com.tr> SMTPUTF8"), TS_SEND ("250 ok\r\n"),
            TS_EXPECT ("RCPT TO:<şükrü@example.com>"), TS_SEND ("250 ok\r\n"), QUIT_BYE),
    .from = "gönül@şirket.com.tr", .to = "şükrü@example.com", .security = POSTACI_SECURITY_NONE,
    PASSED (RCPT) },
  { "input/smtputf8-missing", SCRIPT (TS_HELLO ("250-mx.test\r\n250 8BITMIME\r\n"), QUIT_BYE),
    .from = "gönül@example.com", .security = POSTACI_SECURITY_NONE,
    FAILED (PROTOCOL, MAIL, FAILURE), SESSION_ERROR (SMTPUTF8_UNAVAILABLE),
    .received = C_EHLO C_QUIT },

  /* ---- Bodies: CRLF only, dot-stuffed, nothing smuggled (see check_data ()) ---- */
#define DELIVER SCRIPT (TS_HELLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, \
  TS_SEND ("354 go ahead\r\n"), TS_READ_DATA, TS_SEND ("250 2.0.0 queued\r\n"), QUIT_BYE), \
  .security = POSTACI_SECURITY_NONE, .verdict = POSTACI_VERDICT_SUCCESS, \
  .stage = POSTACI_STAGE_DATA, .exit_status = POSTACI_EXIT_SUCCESS
  { "body/lone-dots", DELIVER, .html = "<p>a</p>\n.\n..\n.x\n", .text = "a\n.\n..\n.x\n",
    .data_contains = "\r\n..\r\n...\r\n..x\r\n" },
  { "body/crlf-dot-crlf-inside", DELIVER,
    .html = "<p>one</p>\r\n.\r\nMAIL FROM:<mallory@evil.test>\r\n",
    .text = "one\r\n.\r\nMAIL FROM:<mallory@evil.test>\r\n",
    .data_contains = "\r\n..\r\nMAIL FROM:<mallory@evil.test>\r\n" },
  /* The "SMTP smuggling" spellings of an end of data: bare LF and bare CR around the dot. */
  { "body/lf-dot-lf", DELIVER, .html = "<p>x</p>\n.\nRCPT TO:<mallory@evil.test>\n",
    .text = "x\n.\nDATA\n", .data_contains = "\r\n..\r\nRCPT TO:<mallory@evil.test>\r\n" },
  { "body/lf-dot-crlf", DELIVER, .html = "<p>x</p>\n.\r\nQUIT\r\n", .text = "x\r\n.\nQUIT\n",
    .data_contains = "\r\n..\r\nQUIT\r\n" },
  { "body/cr-dot-cr", DELIVER, .html = "<p>x</p>\r.\rNOOP\r", .text = "x\r.\r\nNOOP",
    .data_contains = "\r\n..\r\nNOOP\r\n" },
  { "body/bare-cr-and-lf", DELIVER, .html = "one\rtwo\nthree\r\n", .text = "one\rtwo\nthree",
    .data_contains = "one\r\ntwo\r\nthree\r\n" },
  /* Lines over 998 octets are quoted-printable with soft breaks (RFC 5322 §2.1.1). */
  { "body/line-over-998", DELIVER, .html = "<p>" LONG_LINE "</p>", .text = LONG_LINE,
    .data_contains = "=\r\n" },
#undef DELIVER
};

/* ------------------------------------------------------------------ */
/* Invariants                                                          */
/* ------------------------------------------------------------------ */

/* Printable for a terminal and a text view: UTF-8, no control bytes but tab. */
static void
assert_printable (const char *what, const char *text)
{
  if (text == NULL)
    return;
  if (!g_utf8_validate (text, -1, NULL))
    g_error ("%s is not UTF-8: %s", what, text);
  for (const char *p = text; *p; p++)
    if (((guchar) *p < 0x20 && *p != '\t') || *p == 0x7f)
      g_error ("%s holds the control byte 0x%02x: %s", what, (guchar) *p, text);
}

static void
assert_everything_printable (Fixture *fixture)
{
  GPtrArray *events = postaci_session_get_events (fixture->session);

  for (guint i = 0; i < events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i);

      assert_printable ("event text", event->text);
      assert_printable ("event explanation", event->explanation);
      assert_printable ("event hint", event->hint);
    }
  assert_printable ("reason", fixture->outcome->reason);
  assert_printable ("explanation", fixture->outcome->explanation);
  assert_printable ("hint", fixture->outcome->hint);
}

/* Whether a person sees @needle: in an event, its explanation, or the verdict. */
static gboolean
shows (Fixture *fixture, const char *needle)
{
  GPtrArray *events = postaci_session_get_events (fixture->session);

  for (guint i = 0; i < events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i);

      if (strstr (event->text, needle) != NULL ||
          (event->explanation != NULL && strstr (event->explanation, needle) != NULL))
        return TRUE;
    }
  return strstr (fixture->outcome->reason, needle) != NULL ||
         (fixture->outcome->explanation != NULL &&
          strstr (fixture->outcome->explanation, needle) != NULL);
}

/* What crossed the link before encryption: everything on a plain server, the part up to
 * STARTTLS when TLS came up after it, nothing on an implicit-TLS server. */
static char *
plain_text_part (Fixture *fixture, PostaciScriptedServerMode mode)
{
  g_autofree char *got = received (fixture);
  const char *starttls = strstr (got, C_STARTTLS);

  if (mode == POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS)
    return g_strdup ("");
  if (starttls != NULL && postaci_scripted_server_get_tls_active (fixture->server))
    return g_strndup (got, (gsize) (starttls - got) + strlen (C_STARTTLS));
  return g_steal_pointer (&got);
}

static void
assert_no_plain_text_credentials (Fixture *fixture, PostaciScriptedServerMode mode)
{
  g_autofree char *plain = plain_text_part (fixture, mode);
  g_autofree char *b64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));

  g_assert_null (strstr (plain, "AUTH"));
  g_assert_null (strstr (plain, PASSWORD));
  g_assert_null (strstr (plain, b64));
  g_assert_null (strstr (plain, PLAIN_IR));
}

/* Every SASL response the client sent — the initial response on the AUTH line and each line
 * after it until the next command — appears nowhere a person reads: not in an event, not in
 * the JSON Lines, not in the verdict. */
static void
assert_no_sent_response_shown (Fixture *fixture, const char *got)
{
  g_autofree char *text = run_text (fixture);
  g_auto(GStrv) lines = g_strsplit (got, "\r\n", -1);
  gboolean in_auth = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *response = NULL;

      if (g_str_has_prefix (line, "AUTH "))
        {
          g_auto(GStrv) words = g_strsplit (line, " ", 3);

          in_auth = TRUE;
          if (words[1] != NULL && words[2] != NULL && strlen (words[2]) >= 2)
            {
              g_autofree char *initial = g_strdup (words[2]);

              g_assert_null (strstr (text, initial));
              g_assert_null (strstr (fixture->transcript->str, initial));
            }
          continue;
        }
      if (!in_auth || g_regex_match_simple ("^(MAIL|RCPT|DATA|QUIT|EHLO|HELO|RSET) ?", line, 0, 0))
        {
          in_auth = FALSE;
          continue;
        }
      response = line;
      if (strlen (response) < 2)
        continue;
      g_assert_null (strstr (text, response));
      g_assert_null (strstr (fixture->transcript->str, response));
    }
}

/* A failure is explained by the catalog in its own words, not by its last-resort text. */
static void
assert_explained (Fixture *fixture)
{
  const PostaciOutcome *outcome = fixture->outcome;
  GQuark nobody = g_quark_from_static_string ("postaci-test-unknown");
  g_autoptr(GError) unknown = g_error_new_literal (nobody, 1, "");
  g_autofree char *fallback = postaci_catalog_explain_error (unknown, NULL, NULL);

  g_assert_nonnull (outcome->reason);
  g_assert_cmpstr (outcome->reason, !=, "");
  /* One line a person reads at a glance, whatever the server sent. */
  g_assert_cmpuint (strlen (outcome->reason), <=, 1000);
  /* Bad input: the reason names the field and says what to write instead. */
  if (outcome->verdict == POSTACI_VERDICT_SUCCESS || outcome->verdict == POSTACI_VERDICT_USAGE)
    return;
  g_assert_nonnull (outcome->explanation);
  g_assert_cmpstr (outcome->explanation, !=, "");
  g_assert_false (g_str_has_prefix (outcome->explanation, fallback));
  g_assert_nonnull (outcome->hint);
  g_assert_cmpstr (outcome->hint, !=, "");
}

/* At least @size bytes of HTML in short, numbered, Turkish lines. */
static char *
big_html (gsize size)
{
  GString *html = g_string_sized_new (size + 64);

  g_string_append (html, "<html><body>\n");
  for (guint i = 0; html->len < size; i++)
    g_string_append_printf (html, "<p>Satır %08u: ığüşöç ÇĞİÖŞÜ</p>\n", i);
  g_string_append (html, "</body></html>\n");
  return g_string_free (html, FALSE);
}

static void
replace (char **field, const char *value)
{
  if (value == NULL)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

/* Bad input stops the run before the first byte: no connection, no command. */
static void
assert_nothing_sent (Fixture *fixture)
{
  GPtrArray *events = postaci_session_get_events (fixture->session);

  g_assert_false (postaci_scripted_server_is_connected (fixture->server));
  for (guint i = 0; i < events->len; i++)
    {
      const PostaciEvent *event = g_ptr_array_index (events, i);

      g_assert_cmpint (event->kind, !=, POSTACI_EVENT_CLIENT);
      g_assert_cmpint (event->kind, !=, POSTACI_EVENT_STAGE);
    }
}

/* The DATA payload as the server read it: CRLF line ends only, no line longer than 998
 * octets, no line that is a lone dot; and the real terminator is the only end of data
 * the server ever saw, followed by QUIT. */
static void
check_data (Fixture *fixture, const char *got, const char *contains)
{
  g_autoptr(GBytes) payload = postaci_scripted_server_get_data (fixture->server);
  gsize size;
  const char *data = g_bytes_get_data (payload, &size);
  gsize line_start = 0;

  g_assert_nonnull (payload);
  g_assert_null (memchr (data, '\0', size));
  for (gsize i = 0; i < size; i++)
    {
      if (data[i] == '\r')
        g_assert_true (i + 1 < size && data[i + 1] == '\n');
      if (data[i] != '\n')
        continue;
      g_assert_true (i > 0 && data[i - 1] == '\r');
      g_assert_cmpuint (i - 1 - line_start, <=, 998);
      g_assert_false (i - 1 - line_start == 1 && data[line_start] == '.');
      line_start = i + 1;
    }
  g_assert_cmpuint (line_start, ==, size);
  if (contains != NULL)
    g_assert_nonnull (g_strstr_len (data, (gssize) size, contains));

  g_assert_true (g_str_has_prefix (got, C_EHLO C_ENVELOPE "DATA\r\n"));
  g_assert_cmpmem (got + strlen (C_EHLO C_ENVELOPE "DATA\r\n"), size, data, size);
  g_assert_cmpstr (got + strlen (C_EHLO C_ENVELOPE "DATA\r\n") + size, ==, ".\r\n" C_QUIT);
}

static void
test_scenario (Fixture *fixture, gconstpointer data)
{
  const Scenario *sc = data;
  PostaciRequest *request;
  g_autofree char *got = NULL;

  if (sc->mechanism != POSTACI_MECHANISM_AUTO && !postaci_sasl_mechanism_available (sc->mechanism))
    {
      g_test_skip ("GNU SASL was built without this mechanism");
      return;
    }
  request = serve (fixture, sc->script, sc->mode, sc->certificate, sc->security);
  if (sc->auth)
    with_auth (request);
  request->mechanism = sc->mechanism;
  request->allow_plain_auth = sc->allow_plain_auth;
  if (sc->stop_after != POSTACI_STAGE_CONNECT)
    request->stop_after = sc->stop_after;
  if (sc->timeout != 0)
    request->timeout_seconds = sc->timeout;
  replace (&request->server, sc->server_name);
  if (sc->port != 0)
    request->port = sc->port;
  replace (&request->ehlo_name, sc->ehlo_name);
  replace (&request->from, sc->from);
  replace (&request->username, sc->username);
  replace (&request->subject, sc->subject);
  replace (&request->html, sc->html);
  replace (&request->text, sc->text);
  if (sc->password != NULL)
    postaci_request_set_password (request, sc->password);
  if (sc->to != NULL)
    {
      g_ptr_array_set_size (request->recipients, 0);
      g_ptr_array_add (request->recipients, g_strdup (sc->to));
    }
  if (sc->html_mib > 0)
    {
      g_free (request->html);
      request->html = big_html (sc->html_mib * 1024 * 1024);
    }
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, sc->verdict, sc->stage, sc->exit_status);
  g_test_message ("reason: %s", fixture->outcome->reason);
  if (sc->error_domain != NULL)
    {
      g_assert_cmpstr (g_quark_to_string (fixture->outcome->error_domain), ==, sc->error_domain);
      g_assert_cmpint (fixture->outcome->error_code, ==, sc->error_code);
    }
  else if (sc->verdict == POSTACI_VERDICT_SUCCESS)
    g_assert_cmpuint (fixture->outcome->error_domain, ==, 0);
  if (sc->reply_code == NO_REPLY)
    g_assert_null (fixture->outcome->reply);
  else if (sc->reply_code != 0)
    {
      g_assert_nonnull (fixture->outcome->reply);
      g_assert_cmpuint (fixture->outcome->reply->code, ==, sc->reply_code);
    }

  got = received (fixture);
  if (sc->received != NULL)
    g_assert_cmpstr (got, ==, sc->received);
  if (sc->shown != NULL && !shows (fixture, sc->shown))
    {
      g_test_message ("%s", fixture->transcript->str);
      g_error ("nothing shows “%s”", sc->shown);
    }
  if (sc->verdict == POSTACI_VERDICT_USAGE)
    assert_nothing_sent (fixture);
  if (sc->data_contains != NULL)
    check_data (fixture, got, sc->data_contains);

  /* Whatever the scenario */
  g_assert_cmpuint (count (got, C_STARTTLS), <=, 1);
  g_assert_null (strstr (got, "RSET"));
  /* Consent for this run is the one exception. */
  if (!sc->allow_plain_auth)
    assert_no_plain_text_credentials (fixture, sc->mode);
  assert_no_secret (fixture);
  assert_no_sent_response_shown (fixture, got);
  assert_everything_printable (fixture);
  assert_explained (fixture);
}

/* The HTML part of a DATA payload as a reader gets it: dot-stuffing undone, the MIME
 * message parsed by GMime, the part's transfer encoding decoded, line ends as LF. */
static GString *
html_part_of (GBytes *payload)
{
  gsize size;
  const char *data = g_bytes_get_data (payload, &size);
  GByteArray *unstuffed = g_byte_array_sized_new ((guint) size);
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;
  GMimeObject *html_part = NULL;
  GMimeStream *decoded;
  GByteArray *bytes;
  GString *html = g_string_new (NULL);
  gsize line_start = 0;

  for (gsize i = 0; i < size; i++)
    if (data[i] == '\n' || i + 1 == size)
      {
        gsize skip = data[line_start] == '.' ? 1 : 0;

        g_byte_array_append (unstuffed, (const guint8 *) data + line_start + skip,
                             (guint) (i + 1 - line_start - skip));
        line_start = i + 1;
      }
  stream = g_mime_stream_mem_new_with_byte_array (unstuffed);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (message);
  g_assert_true (GMIME_IS_MULTIPART (message->mime_part));
  for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (message->mime_part)); i++)
    {
      GMimeObject *part = g_mime_multipart_get_part (GMIME_MULTIPART (message->mime_part), i);

      if (g_mime_content_type_is_type (g_mime_object_get_content_type (part), "text", "html"))
        html_part = part;
    }
  g_assert_nonnull (html_part);
  decoded = g_mime_stream_mem_new ();
  g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (GMIME_PART (html_part)), decoded);
  bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (decoded));
  for (guint i = 0; i < bytes->len; i++)
    if (bytes->data[i] != '\r')
      g_string_append_c (html, (char) bytes->data[i]);

  g_object_unref (decoded);
  g_object_unref (message);
  g_object_unref (parser);
  g_object_unref (stream);
  return html;
}

/* A 50 MB HTML body goes through a real session, streamed from its temporary file, and
 * arrives whole: decoded, the HTML part is the body that was typed, byte for byte. */
static void
test_large_body (Fixture *fixture, gconstpointer data)
{
  g_autofree char *sent = big_html (50 * 1024 * 1024);
  PostaciRequest *request;
  g_autoptr(GBytes) payload = NULL;
  g_autofree char *got = NULL;
  GString *arrived;

  request = serve (fixture,
                   SCRIPT (TS_HELLO ("250-mx.test\r\n250 8BITMIME\r\n"),
                           TS_ENVELOPE_OK (" BODY=8BITMIME"), TS_DATA_OK ("250 2.0.0 queued\r\n"),
                           QUIT_BYE),
                   POSTACI_SCRIPTED_SERVER_PLAIN, NULL, POSTACI_SECURITY_NONE);
  request->timeout_seconds = 60;
  g_free (request->html);
  request->html = g_strdup (sent);
  run (fixture, request);

  assert_server_ok (fixture);
  assert_outcome (fixture, POSTACI_VERDICT_SUCCESS, POSTACI_STAGE_DATA, POSTACI_EXIT_SUCCESS);
  got = received (fixture);
  g_assert_true (g_str_has_suffix (got, "\r\n.\r\n" C_QUIT));
  payload = postaci_scripted_server_get_data (fixture->server);
  g_assert_nonnull (payload);
  arrived = html_part_of (payload);
  g_assert_cmpuint (arrived->len, ==, strlen (sent));
  g_assert_true (memcmp (arrived->str, sent, arrived->len) == 0);
  g_string_free (arrived, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      g_autofree char *path = g_strdup_printf ("/postaci/hostile/%s", scenarios[i].name);
      g_test_add (path, Fixture, &scenarios[i], fixture_setup, test_scenario, fixture_teardown);
    }

  g_test_add ("/postaci/hostile/body/50-megabytes", Fixture, NULL, fixture_setup, test_large_body,
              fixture_teardown);

  return g_test_run ();
}
