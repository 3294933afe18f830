/* test-hostile.c — the real PostaciSession against servers that misbehave on purpose.
 *
 * One table of scenarios: a script for the scripted server, what the request asks, and what
 * must come of it. Every scenario also holds the invariants at the bottom of this file: no
 * credential crosses a plain-text link, STARTTLS goes out at most once, every text a person
 * sees is printable, and a failure comes with an explanation from the catalog. */
#include "config.h"

#include <string.h>

#include "postaci-catalog.h"
#include "postaci-line-reader.h"
#include "postaci-transcript.h"
#include "session-fixture.h"

#define SCRIPT(...) ((const PostaciTestStep[]) { __VA_ARGS__ })

/* Up to the STARTTLS command, and the handshake after it with the second EHLO. */
#define TO_STARTTLS TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"), \
  TS_SEND (EHLO_PLAIN), TS_EXPECT ("STARTTLS")
#define TLS_UP TS_SEND ("220 2.0.0 go ahead\r\n"), TS_STARTTLS, TS_EXPECT ("EHLO client.example")
/* Implicit TLS (or security none) up to the first command after EHLO. */
#define GREET_EHLO(caps) TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"), TS_SEND (caps)
#define QUIT_BYE TS_EXPECT ("QUIT"), TS_SEND ("221 2.0.0 bye\r\n"), TS_END
#define MAIL_RCPT_DATA TS_EXPECT ("MAIL FROM:<ali@example.com>"), TS_SEND ("250 ok\r\n"), \
  TS_EXPECT ("RCPT TO:<veli@example.com>"), TS_SEND ("250 ok\r\n"), TS_EXPECT ("DATA")

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

/* reply_code: the outcome must carry no reply at all. */
#define NO_REPLY 1

typedef struct {
  const char            *name;
  const PostaciTestStep *script;
  PostaciTestServerMode  mode;
  const char            *certificate;  /* the server's, from tests/certs; NULL: none */

  /* The request: base_request() with these changes. */
  PostaciSecurity        security;
  gboolean               auth;         /* as ali with PASSWORD */
  PostaciMechanism       mechanism;
  PostaciStage           stop_after;   /* POSTACI_STAGE_CONNECT (0) means the whole session */
  guint                  timeout;      /* seconds; 0: the fixture's 5 */
  const char            *server_name;  /* NULL: localhost */
  const char            *html;         /* NULL: the fixture's body */

  /* What must come of it. */
  PostaciVerdict         verdict;
  PostaciStage           stage;
  PostaciExitStatus      exit_status;
  const char            *error_domain; /* NULL: the run succeeded */
  gint                   error_code;
  guint                  reply_code;   /* of the outcome's reply; 0: not checked */
  const char            *received;     /* every byte the server got; NULL: not checked */
  const char            *shown;        /* a person sees this text; NULL: not checked */
} Scenario;

static const Scenario scenarios[] = {
  /* ---- STARTTLS stripping with security starttls: all fail closed ---- */
  { "starttls/not-offered",
    SCRIPT (GREET_EHLO ("250-mx.test\r\n250 AUTH PLAIN LOGIN\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (PROTOCOL, TLS, FAILURE), SESSION_ERROR (STARTTLS_UNAVAILABLE),
    .received = C_EHLO C_QUIT },
  { "starttls/502",
    SCRIPT (TO_STARTTLS, TS_SEND ("502 5.5.1 not implemented\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (REFUSED, TLS, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 502,
    .received = C_EHLO C_STARTTLS C_QUIT },
  { "starttls/454",
    SCRIPT (TO_STARTTLS, TS_SEND ("454 4.7.0 TLS not available due to local problem\r\n"),
            QUIT_BYE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (REFUSED, TLS, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 454,
    .received = C_EHLO C_STARTTLS C_QUIT },
  { "starttls/501",
    SCRIPT (TO_STARTTLS, TS_SEND ("501 5.5.4 syntax error\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (REFUSED, TLS, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 501,
    .received = C_EHLO C_STARTTLS C_QUIT },
  /* 354 and 221 make no sense here: not a refusal, and not even QUIT is sent. */
  { "starttls/354",
    SCRIPT (TO_STARTTLS, TS_SEND ("354 go ahead\r\n"), TS_EXPECT_CLOSE, TS_END),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (PROTOCOL, TLS, FAILURE), SESSION_ERROR (PROTOCOL), .reply_code = NO_REPLY,
    .received = C_EHLO C_STARTTLS },
  { "starttls/221",
    SCRIPT (TO_STARTTLS, TS_SEND ("221 2.0.0 bye\r\n"), TS_EXPECT_CLOSE, TS_END),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (PROTOCOL, TLS, FAILURE), SESSION_ERROR (PROTOCOL),
    .received = C_EHLO C_STARTTLS },
  { "starttls/421",
    SCRIPT (TO_STARTTLS, TS_SEND ("421 4.3.2 shutting down\r\n"), TS_EXPECT_CLOSE, TS_END),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (REFUSED, TLS, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 421,
    .received = C_EHLO C_STARTTLS },
  /* No HELO fallback when encryption is required. */
  { "starttls/ehlo-refused",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("502 5.5.1 EHLO not implemented\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (REFUSED, EHLO, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 502,
    .received = C_EHLO C_QUIT },

  /* ---- Response injection ---- */
  { "injection/lines-after-220",
    SCRIPT (TO_STARTTLS, TS_SEND ("220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n"),
            TS_EXPECT_CLOSE, TS_END),
    .mode = POSTACI_TEST_SERVER_PLAIN, .certificate = "server",
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (PROTOCOL, TLS, FAILURE), SESSION_ERROR (STARTTLS_INJECTION),
    .received = C_EHLO C_STARTTLS },
  { "injection/fragment-after-220",
    SCRIPT (TO_STARTTLS, TS_SEND ("220 go ahead\r\n250 AUTH PL"), TS_EXPECT_CLOSE, TS_END),
    .certificate = "server", .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (PROTOCOL, TLS, FAILURE), SESSION_ERROR (STARTTLS_INJECTION),
    .received = C_EHLO C_STARTTLS },
  /* After TLS the server never answers EHLO: nothing said before TLS stands in for it. */
  { "injection/silent-after-tls",
    SCRIPT (TO_STARTTLS, TLS_UP, TS_STALL, TS_END),
    .certificate = "server", .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, .timeout = 1,
    FAILED (TIMEOUT, TLS, TIMEOUT), SESSION_ERROR (TIMEOUT), .reply_code = NO_REPLY,
    .received = C_EHLO C_STARTTLS C_EHLO },
  /* A fake EHLO reply pipelined behind the greeting would be read as the answer to EHLO. */
  { "injection/lines-after-greeting",
    SCRIPT (TS_SEND (GREETING "250-mx.test\r\n250 AUTH PLAIN\r\n"), TS_EXPECT_CLOSE, TS_END),
    .security = POSTACI_SECURITY_AUTO, .auth = TRUE,
    FAILED (PROTOCOL, GREETING, FAILURE), SESSION_ERROR (PROTOCOL), .received = "" },

  /* ---- Tampering with capabilities ---- */
  /* PLAIN before TLS, only LOGIN after it: the post-TLS list counts. */
  { "tamper/auth-differs-after-tls",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("250-mx.test\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n"), TS_EXPECT ("STARTTLS"),
            TLS_UP, TS_SEND ("250-mx.test\r\n250 AUTH LOGIN\r\n"),
            TS_EXPECT ("AUTH LOGIN"), TS_SEND ("334 VXNlcm5hbWU6\r\n"),
            TS_EXPECT ("YWxp"), TS_SEND ("334 UGFzc3dvcmQ6\r\n"),
            TS_EXPECT ("Z2l6bGktxZ9pZnJl"), TS_SEND ("235 2.7.0 ok\r\n"), QUIT_BYE),
    .certificate = "server", .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    PASSED (AUTH),
    .received = C_EHLO C_STARTTLS C_EHLO "AUTH LOGIN\r\nYWxp\r\nZ2l6bGktxZ9pZnJl\r\n" C_QUIT },
  { "tamper/auth-gone-after-tls",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("250-mx.test\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n"), TS_EXPECT ("STARTTLS"),
            TLS_UP, TS_SEND ("250 mx.test\r\n"), QUIT_BYE),
    .certificate = "server", .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (PROTOCOL, AUTH, FAILURE), SESSION_ERROR (AUTH_UNAVAILABLE),
    .received = C_EHLO C_STARTTLS C_EHLO C_QUIT },
  { "tamper/starttls-offered-again",
    SCRIPT (TO_STARTTLS, TLS_UP,
            TS_SEND ("250-mx.test\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"),
            TS_EXPECT ("AUTH PLAIN " PLAIN_IR), TS_SEND ("235 ok\r\n"), QUIT_BYE),
    .certificate = "server", .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    PASSED (AUTH),
    .received = C_EHLO C_STARTTLS C_EHLO "AUTH PLAIN " PLAIN_IR "\r\n" C_QUIT },

  /* ---- Certificates, on STARTTLS and on implicit TLS ---- */
#define CERT_STARTTLS(cert, host) \
  { "certificate/" cert "-starttls", \
    SCRIPT (TO_STARTTLS, TS_SEND ("220 go ahead\r\n"), TS_STARTTLS, TS_END), \
    .certificate = cert, .server_name = host, .security = POSTACI_SECURITY_STARTTLS, \
    .auth = TRUE, FAILED (TLS, TLS, FAILURE), SESSION_ERROR (CERTIFICATE), \
    .received = C_EHLO C_STARTTLS }
#define CERT_TLS(cert, host) \
  { "certificate/" cert "-tls", SCRIPT (TS_END), .mode = POSTACI_TEST_SERVER_IMPLICIT_TLS, \
    .certificate = cert, .server_name = host, .security = POSTACI_SECURITY_TLS, \
    .auth = TRUE, FAILED (TLS, TLS, FAILURE), SESSION_ERROR (CERTIFICATE), .received = "" }
  CERT_STARTTLS ("self-signed", NULL), CERT_TLS ("self-signed", NULL),
  CERT_STARTTLS ("unknown-ca", NULL), CERT_TLS ("unknown-ca", NULL),
  CERT_STARTTLS ("wrong-name", NULL), CERT_TLS ("wrong-name", NULL),
  CERT_STARTTLS ("ip-no-san", "127.0.0.1"), CERT_TLS ("ip-no-san", "127.0.0.1"),
  CERT_STARTTLS ("expired", NULL), CERT_TLS ("expired", NULL),
  CERT_STARTTLS ("future", NULL), CERT_TLS ("future", NULL),
#undef CERT_STARTTLS
#undef CERT_TLS

  /* ---- The wrong kind of link ---- */
  { "link/plain-greeting-when-tls-expected",
    SCRIPT (TS_SEND (GREETING), TS_STALL, TS_END),
    .security = POSTACI_SECURITY_TLS, .auth = TRUE,
    FAILED (TLS, TLS, FAILURE), .error_domain = "g-tls-error-quark",
    .error_code = G_TLS_ERROR_MISC, .shown = "plain text" },
  { "link/tls-server-when-plain-expected",
    SCRIPT (TS_SEND (GREETING), TS_END), .mode = POSTACI_TEST_SERVER_IMPLICIT_TLS,
    .certificate = "server", .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE, .timeout = 1,
    FAILED (TIMEOUT, GREETING, TIMEOUT), SESSION_ERROR (NO_GREETING), .received = "" },
  { "link/closed-mid-handshake-starttls",
    SCRIPT (TO_STARTTLS, TS_SEND ("220 go ahead\r\n"), TS_CLOSE_IN_HANDSHAKE, TS_END),
    .security = POSTACI_SECURITY_STARTTLS, .auth = TRUE,
    FAILED (TLS, TLS, FAILURE), .error_domain = "g-tls-error-quark",
    .error_code = G_TLS_ERROR_NOT_TLS, .received = C_EHLO C_STARTTLS,
    .shown = "closed the connection during the TLS handshake" },
  { "link/closed-mid-handshake-tls",
    SCRIPT (TS_CLOSE_IN_HANDSHAKE, TS_END),
    .security = POSTACI_SECURITY_TLS, .auth = TRUE,
    FAILED (TLS, TLS, FAILURE), .error_domain = "g-tls-error-quark",
    .error_code = G_TLS_ERROR_NOT_TLS, .received = "",
    .shown = "closed the connection during the TLS handshake" },

  /* ---- Reply parsing ---- */
  { "reply/over-long-line",
    SCRIPT (TS_SEND ("220 "), TS_SEND_REPEAT ("a", 5000), TS_SEND ("\r\n"), TS_STALL, TS_END),
    FAILED (PROTOCOL, GREETING, FAILURE), LINE_ERROR (TOO_LONG), .received = "" },
  /* Read in pieces of at most twice the line cap; the run stops at the cap. */
  { "reply/megabyte-without-newline",
    SCRIPT (TS_SEND ("220 "), TS_SEND_REPEAT ("x", 1024 * 1024), TS_STALL, TS_END),
    FAILED (PROTOCOL, GREETING, FAILURE), LINE_ERROR (TOO_LONG), .received = "" },
  { "reply/bare-lf",
    SCRIPT (TS_SEND ("220 mx.test ready\n"), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("250-mx.test\n250 SIZE 1000\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_NONE, PASSED (EHLO), .received = C_EHLO C_QUIT },
  { "reply/bare-code",
    SCRIPT (TS_SEND ("220\r\n"), TS_EXPECT ("EHLO client.example"), TS_SEND ("250\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_NONE, PASSED (EHLO), .received = C_EHLO C_QUIT },
  { "reply/empty-line",
    SCRIPT (TS_SEND ("\r\n"), TS_EXPECT_CLOSE, TS_END),
    FAILED (PROTOCOL, GREETING, FAILURE), REPLY_ERROR (EMPTY), .received = "" },
  { "reply/two-digit-code",
    SCRIPT (TS_SEND ("22 mx.test\r\n"), TS_EXPECT_CLOSE, TS_END),
    FAILED (PROTOCOL, GREETING, FAILURE), REPLY_ERROR (MALFORMED), .received = "" },
  { "reply/four-digit-code",
    SCRIPT (TS_SEND ("2200 mx.test\r\n"), TS_EXPECT_CLOSE, TS_END),
    FAILED (PROTOCOL, GREETING, FAILURE), REPLY_ERROR (MALFORMED), .received = "" },
  { "reply/first-digit-1",
    SCRIPT (TS_SEND ("120 wait\r\n"), TS_EXPECT_CLOSE, TS_END),
    FAILED (PROTOCOL, GREETING, FAILURE), REPLY_ERROR (MALFORMED), .received = "" },
  { "reply/first-digit-6",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"), TS_SEND ("650 what\r\n"),
            TS_EXPECT_CLOSE, TS_END),
    FAILED (PROTOCOL, EHLO, FAILURE), REPLY_ERROR (MALFORMED), .received = C_EHLO },
  { "reply/nul",
    SCRIPT (TS_SEND_LEN ("220 mx\0.test\r\n", 14), TS_EXPECT_CLOSE, TS_END),
    FAILED (PROTOCOL, GREETING, FAILURE), REPLY_ERROR (NUL), .received = "" },
  { "reply/invalid-utf8",
    SCRIPT (TS_SEND ("220 mx.test \xff\xfe\xc3 ready\r\n"), QUIT_BYE),
    PASSED (GREETING), .received = C_QUIT, .shown = "220 mx.test \\xFF\\xFE\\xC3 ready" },
  /* Escape sequences: clear the screen, set the window title, recolour; shown escaped. */
  { "reply/terminal-escapes",
    SCRIPT (TS_SEND ("220 \x1b[2J\x1b]0;pwned\x07\x1b[31mmx.test\r\n"), QUIT_BYE),
    PASSED (GREETING), .received = C_QUIT, .shown = "220 \\x1B[2J\\x1B]0;pwned\\x07\\x1B[31mmx" },
  { "reply/terminal-escapes-in-refusal",
    SCRIPT (GREET_EHLO ("250 mx.test\r\n"), TS_EXPECT ("MAIL FROM:<ali@example.com>"),
            TS_SEND ("550 \x1b[2J\x1b[1;1Hdenied\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_NONE,
    FAILED (REFUSED, MAIL, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 550,
    .received = C_EHLO "MAIL FROM:<ali@example.com>\r\n" C_QUIT, .shown = "\\x1B[2J\\x1B[1;1Hdenied" },
  /* The AUTH list ends up in the reason when the wanted mechanism is missing. */
  { "reply/terminal-escapes-in-auth-list",
    SCRIPT (GREET_EHLO ("250-mx.test\r\n250 AUTH \x1b]0;pwned\x07X-EVIL\r\n"), QUIT_BYE),
    .mode = POSTACI_TEST_SERVER_IMPLICIT_TLS, .certificate = "server",
    .security = POSTACI_SECURITY_TLS, .auth = TRUE, .mechanism = POSTACI_MECHANISM_PLAIN,
    FAILED (PROTOCOL, AUTH, FAILURE), SESSION_ERROR (AUTH_UNAVAILABLE),
    .received = C_EHLO C_QUIT, .shown = "\\X1B]0;PWNED\\X07X-EVIL" },
  { "reply/mixed-codes",
    SCRIPT (GREET_EHLO ("250-mx.test\r\n251 AUTH PLAIN\r\n"), TS_EXPECT_CLOSE, TS_END),
    FAILED (PROTOCOL, EHLO, FAILURE), REPLY_ERROR (MIXED_CODES), .received = C_EHLO },
  { "reply/endless-continuation",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND_REPEAT ("250-still going\r\n", 100000), TS_STALL, TS_END),
    FAILED (PROTOCOL, EHLO, FAILURE), REPLY_ERROR (TOO_MANY_LINES), .received = C_EHLO },
  { "reply/eof-mid-line",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("250-mx.test\r\n250-SIZE 10"), TS_CLOSE),
    FAILED (NETWORK, EHLO, FAILURE), LINE_ERROR (PARTIAL), .received = C_EHLO },
  { "reply/eof-between-lines",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"),
            TS_SEND ("250-mx.test\r\n"), TS_CLOSE),
    FAILED (NETWORK, EHLO, FAILURE), LINE_ERROR (CLOSED), .received = C_EHLO },
  { "reply/unsolicited-after-ehlo",
    SCRIPT (GREET_EHLO ("250 mx.test\r\n250 2.1.0 sender ok\r\n"), TS_EXPECT_CLOSE, TS_END),
    .security = POSTACI_SECURITY_NONE,
    FAILED (PROTOCOL, EHLO, FAILURE), SESSION_ERROR (PROTOCOL), .received = C_EHLO },
  { "reply/positive-nonsense-to-ehlo",
    SCRIPT (GREET_EHLO ("354 send the message\r\n"), TS_EXPECT_CLOSE, TS_END),
    .security = POSTACI_SECURITY_NONE,
    FAILED (PROTOCOL, EHLO, FAILURE), SESSION_ERROR (PROTOCOL), .received = C_EHLO },

  /* ---- Timing: short deadlines keep the suite fast ---- */
  { "timing/no-greeting", SCRIPT (TS_STALL, TS_END), .timeout = 1,
    FAILED (TIMEOUT, GREETING, TIMEOUT), SESSION_ERROR (NO_GREETING), .received = "" },
  { "timing/greeting-dribbled",
    SCRIPT (TS_SEND_SLOWLY (GREETING, 5), QUIT_BYE), .timeout = 2,
    PASSED (GREETING), .received = C_QUIT },
  /* One deadline for the whole reply: dribbling cannot stretch it. */
  { "timing/greeting-dribbled-past-deadline",
    SCRIPT (TS_SEND_SLOWLY ("220 mx.test ESMTP at a snail's pace\r\n", 100), TS_END),
    .timeout = 1, FAILED (TIMEOUT, GREETING, TIMEOUT), SESSION_ERROR (TIMEOUT), .received = "" },
  /* The server stops reading after 354 and never answers. */
  { "timing/stall-after-354",
    SCRIPT (GREET_EHLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND ("354 go ahead\r\n"),
            TS_SLEEP (2500), TS_END),
    .security = POSTACI_SECURITY_NONE, .timeout = 1,
    FAILED (TIMEOUT, DATA, TIMEOUT), SESSION_ERROR (TIMEOUT) },
  { "timing/no-reply-to-dot",
    SCRIPT (GREET_EHLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND ("354 go ahead\r\n"),
            TS_READ_DATA, TS_STALL, TS_END),
    .security = POSTACI_SECURITY_NONE, .timeout = 1,
    FAILED (TIMEOUT, DATA, TIMEOUT), SESSION_ERROR (TIMEOUT) },

  /* ---- 421 at each stage: the server is closing; no QUIT, no RSET ---- */
#define CLOSING "421 4.3.2 mx.test closing connection\r\n"
  { "421/greeting", SCRIPT (TS_SEND (CLOSING), TS_EXPECT_CLOSE, TS_END),
    FAILED (REFUSED, GREETING, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 421,
    .received = "" },
  { "421/ehlo",
    SCRIPT (TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"), TS_SEND (CLOSING),
            TS_EXPECT_CLOSE, TS_END),
    FAILED (REFUSED, EHLO, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 421,
    .received = C_EHLO },
  { "421/auth",
    SCRIPT (GREET_EHLO (EHLO_TLS), TS_EXPECT ("AUTH PLAIN " PLAIN_IR), TS_SEND (CLOSING),
            TS_EXPECT_CLOSE, TS_END),
    .mode = POSTACI_TEST_SERVER_IMPLICIT_TLS, .certificate = "server",
    .security = POSTACI_SECURITY_TLS, .auth = TRUE,
    FAILED (REFUSED, AUTH, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 421,
    .received = C_EHLO "AUTH PLAIN " PLAIN_IR "\r\n" },
  { "421/mail",
    SCRIPT (GREET_EHLO ("250 mx.test\r\n"), TS_EXPECT ("MAIL FROM:<ali@example.com>"),
            TS_SEND (CLOSING), TS_EXPECT_CLOSE, TS_END),
    .security = POSTACI_SECURITY_NONE,
    FAILED (REFUSED, MAIL, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 421,
    .received = C_EHLO "MAIL FROM:<ali@example.com>\r\n" },
  { "421/rcpt",
    SCRIPT (GREET_EHLO ("250 mx.test\r\n"), TS_EXPECT ("MAIL FROM:<ali@example.com>"),
            TS_SEND ("250 ok\r\n"), TS_EXPECT ("RCPT TO:<veli@example.com>"), TS_SEND (CLOSING),
            TS_EXPECT_CLOSE, TS_END),
    .security = POSTACI_SECURITY_NONE,
    FAILED (REFUSED, RCPT, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 421,
    .received = C_EHLO C_ENVELOPE },
  { "421/data",
    SCRIPT (GREET_EHLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND (CLOSING),
            TS_EXPECT_CLOSE, TS_END),
    .security = POSTACI_SECURITY_NONE,
    FAILED (REFUSED, DATA, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 421,
    .received = C_EHLO C_ENVELOPE "DATA\r\n" },
  { "421/final-dot",
    SCRIPT (GREET_EHLO ("250 mx.test\r\n"), MAIL_RCPT_DATA, TS_SEND ("354 go ahead\r\n"),
            TS_READ_DATA, TS_SEND (CLOSING), TS_EXPECT_CLOSE, TS_END),
    .security = POSTACI_SECURITY_NONE,
    FAILED (REFUSED, DATA, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 421 },
#undef CLOSING

  /* ---- AUTH abuse (over implicit TLS) ---- */
  { "auth/invalid-base64-challenge",
    SCRIPT (GREET_EHLO (EHLO_TLS), TS_EXPECT ("AUTH LOGIN"), TS_SEND ("334 VXNlc*m5hbWU6!\r\n"),
            TS_EXPECT ("*"), TS_SEND ("501 5.7.0 cancelled\r\n"), QUIT_BYE),
    .mode = POSTACI_TEST_SERVER_IMPLICIT_TLS, .certificate = "server",
    .security = POSTACI_SECURITY_TLS, .auth = TRUE, .mechanism = POSTACI_MECHANISM_LOGIN,
    FAILED (PROTOCOL, AUTH, FAILURE), SESSION_ERROR (SASL), .reply_code = 501,
    .received = C_EHLO "AUTH LOGIN\r\n*\r\n" C_QUIT },
  /* More challenges after the exchange is complete: abandoned with "*", never looped. */
  { "auth/endless-334",
    SCRIPT (GREET_EHLO (EHLO_TLS), TS_EXPECT ("AUTH PLAIN " PLAIN_IR), TS_SEND ("334 \r\n"),
            TS_EXPECT ("*"), TS_SEND ("334 \r\n"), QUIT_BYE),
    .mode = POSTACI_TEST_SERVER_IMPLICIT_TLS, .certificate = "server",
    .security = POSTACI_SECURITY_TLS, .auth = TRUE,
    FAILED (PROTOCOL, AUTH, FAILURE), SESSION_ERROR (SASL),
    .received = C_EHLO "AUTH PLAIN " PLAIN_IR "\r\n*\r\n" C_QUIT },
  { "auth/535",
    SCRIPT (GREET_EHLO (EHLO_TLS), TS_EXPECT ("AUTH PLAIN " PLAIN_IR),
            TS_SEND ("535 5.7.8 Authentication credentials invalid\r\n"), QUIT_BYE),
    .mode = POSTACI_TEST_SERVER_IMPLICIT_TLS, .certificate = "server",
    .security = POSTACI_SECURITY_TLS, .auth = TRUE,
    FAILED (REFUSED, AUTH, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 535,
    .received = C_EHLO "AUTH PLAIN " PLAIN_IR "\r\n" C_QUIT },
  { "auth/454",
    SCRIPT (GREET_EHLO (EHLO_TLS), TS_EXPECT ("AUTH PLAIN " PLAIN_IR),
            TS_SEND ("454 4.7.0 Temporary authentication failure\r\n"), QUIT_BYE),
    .mode = POSTACI_TEST_SERVER_IMPLICIT_TLS, .certificate = "server",
    .security = POSTACI_SECURITY_TLS, .auth = TRUE,
    FAILED (REFUSED, AUTH, REFUSED), SESSION_ERROR (REFUSED), .reply_code = 454,
    .received = C_EHLO "AUTH PLAIN " PLAIN_IR "\r\n" C_QUIT },
  { "auth/not-offered",
    SCRIPT (GREET_EHLO ("250-mx.test\r\n250 8BITMIME\r\n"), QUIT_BYE),
    .mode = POSTACI_TEST_SERVER_IMPLICIT_TLS, .certificate = "server",
    .security = POSTACI_SECURITY_TLS, .auth = TRUE,
    FAILED (PROTOCOL, AUTH, FAILURE), SESSION_ERROR (AUTH_UNAVAILABLE),
    .received = C_EHLO C_QUIT },
  /* Offered only without TLS, and the user did not allow a plain-text password. */
  { "auth/plain-only-unencrypted",
    SCRIPT (GREET_EHLO ("250-mx.test\r\n250 AUTH PLAIN LOGIN\r\n"), QUIT_BYE),
    .security = POSTACI_SECURITY_AUTO, .auth = TRUE,
    FAILED (PROTOCOL, AUTH, FAILURE), SESSION_ERROR (PLAINTEXT_AUTH),
    .received = C_EHLO C_QUIT },
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

static guint
count (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* What crossed the link before encryption: everything on a plain server, the part up to
 * STARTTLS when TLS came up after it, nothing on an implicit-TLS server. */
static char *
plain_text_part (Fixture *fixture, PostaciTestServerMode mode)
{
  g_autofree char *got = received (fixture);
  const char *starttls = strstr (got, C_STARTTLS);

  if (mode == POSTACI_TEST_SERVER_IMPLICIT_TLS)
    return g_strdup ("");
  if (starttls != NULL && postaci_test_server_get_tls_active (fixture->server))
    return g_strndup (got, (gsize) (starttls - got) + strlen (C_STARTTLS));
  return g_steal_pointer (&got);
}

static void
assert_no_plain_text_credentials (Fixture *fixture, PostaciTestServerMode mode)
{
  g_autofree char *plain = plain_text_part (fixture, mode);
  g_autofree char *b64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));

  g_assert_null (strstr (plain, "AUTH"));
  g_assert_null (strstr (plain, PASSWORD));
  g_assert_null (strstr (plain, b64));
  g_assert_null (strstr (plain, PLAIN_IR));
}

/* A failure is explained by the catalog in its own words, not by its last-resort text. */
static void
assert_explained (Fixture *fixture)
{
  const PostaciOutcome *outcome = fixture->outcome;
  g_autoptr(GError) unknown = g_error_new_literal (g_quark_from_static_string ("postaci-test-unknown"),
                                                   1, "");
  g_autofree char *fallback = postaci_catalog_explain_error (unknown, NULL, NULL);

  g_assert_nonnull (outcome->reason);
  g_assert_cmpstr (outcome->reason, !=, "");
  if (outcome->verdict == POSTACI_VERDICT_SUCCESS)
    return;
  g_assert_nonnull (outcome->explanation);
  g_assert_cmpstr (outcome->explanation, !=, "");
  g_assert_false (g_str_has_prefix (outcome->explanation, fallback));
  g_assert_nonnull (outcome->hint);
  g_assert_cmpstr (outcome->hint, !=, "");
}

static void
test_scenario (Fixture *fixture, gconstpointer data)
{
  const Scenario *sc = data;
  PostaciRequest *request;
  g_autofree char *got = NULL;

  start_server (fixture, sc->script, sc->mode, sc->certificate);
  request = base_request (fixture, sc->security);
  if (sc->auth)
    with_auth (request);
  request->mechanism = sc->mechanism;
  if (sc->stop_after != POSTACI_STAGE_CONNECT)
    request->stop_after = sc->stop_after;
  if (sc->timeout != 0)
    request->timeout_seconds = sc->timeout;
  if (sc->server_name != NULL)
    {
      g_free (request->server);
      request->server = g_strdup (sc->server_name);
    }
  if (sc->html != NULL)
    {
      g_free (request->html);
      request->html = g_strdup (sc->html);
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
  else
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
    g_error ("no event shows “%s”", sc->shown);

  /* Whatever the scenario */
  g_assert_cmpuint (count (got, C_STARTTLS), <=, 1);
  g_assert_null (strstr (got, "RSET"));
  assert_no_plain_text_credentials (fixture, sc->mode);
  assert_no_secret (fixture);
  assert_everything_printable (fixture);
  assert_explained (fixture);
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

  return g_test_run ();
}
