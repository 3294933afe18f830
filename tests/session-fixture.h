/* SPDX-License-Identifier: GPL-3.0-or-later */
/* session-fixture.h — what session tests share: scripted server, real session, outcome. */
#pragma once

#include "postaci-session.h"
#include "postaci-scripted-server.h"

G_BEGIN_DECLS

#define GREETING "220 mx.test ESMTP ready\r\n"
#define EHLO_PLAIN "250-mx.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
#define EHLO_TLS "250-mx.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
/* base64 ("\0ali\0gizli-şifre") */
#define PLAIN_IR "AGFsaQBnaXpsaS3Fn2lmcmU="
#define PASSWORD "gizli-şifre"
/* The opening most scripts share: the greeting, the client's EHLO, then @ehlo_reply. */
#define TS_HELLO(ehlo_reply) \
  TS_SEND (GREETING), TS_EXPECT ("EHLO client.example"), TS_SEND (ehlo_reply)
/* The end of a script where the client says goodbye: QUIT, and 221. */
#define TS_BYE TS_EXPECT ("QUIT"), TS_SEND ("221 bye\r\n")
/* STARTTLS accepted, the handshake, and the client's second EHLO answered with @ehlo_reply. */
#define TS_STARTTLS_OK(ehlo_reply)                                             \
  TS_EXPECT ("STARTTLS"), TS_SEND ("220 go ahead\r\n"), TS_STARTTLS,          \
    TS_EXPECT ("EHLO client.example"), TS_SEND (ehlo_reply)
/* MAIL FROM for ali accepted. */
#define TS_MAIL_OK TS_EXPECT ("MAIL FROM:<ali@example.com>"), TS_SEND ("250 ok\r\n")
/* The envelope of base_request() accepted: MAIL FROM for ali, with @params (such as
 * " BODY=8BITMIME", or ""), and RCPT TO for veli. */
#define TS_ENVELOPE_OK(params)                                                            \
  TS_EXPECT ("MAIL FROM:<ali@example.com>" params), TS_SEND ("250 ok\r\n"),           \
    TS_EXPECT ("RCPT TO:<veli@example.com>"), TS_SEND ("250 ok\r\n")
/* DATA accepted, the message read, and @reply to its end. */
#define TS_DATA_OK(reply) TS_EXPECT ("DATA"), TS_SEND ("354 go\r\n"), TS_READ_DATA, TS_SEND (reply)

/* The whole session that succeeds: STARTTLS, EHLO again, AUTH PLAIN as ali, MAIL FROM with
 * BODY=8BITMIME, RCPT TO veli, DATA, QUIT — for base_request (STARTTLS) with with_auth(). */
extern const PostaciScriptStep full_session_script[];

typedef struct {
  PostaciScriptedServer *server;
  PostaciSession    *session;
  PostaciOutcome    *outcome;
  GString           *transcript;  /* every event as JSON Lines, as the signal delivered it */
} Fixture;

void            fixture_setup        (Fixture *fixture, gconstpointer data);
void            fixture_teardown     (Fixture *fixture, gconstpointer data);
void start_server (Fixture *fixture, const PostaciScriptStep *script,
                   PostaciScriptedServerMode mode, const char *certificate);
/* localhost at the server's port, ali@example.com → veli@example.com, the test CA, 5 s. */
PostaciRequest *base_request         (Fixture *fixture, PostaciSecurity security);
/* The set-up of a session test: start_server(), then base_request() for it. */
PostaciRequest *serve                (Fixture *fixture, const PostaciScriptStep *script,
                                      PostaciScriptedServerMode mode, const char *certificate,
                                      PostaciSecurity security);
void            with_auth            (PostaciRequest *request);
/* Runs the session to its outcome (and the server to its end); takes @request. */
void            run_with_cancellable (Fixture *fixture, PostaciRequest *request,
                                      GCancellable *cancellable);
void            run                  (Fixture *fixture, PostaciRequest *request);
/* The whole run as text, as Save Transcript writes it (and in the test's log). */
char           *run_text             (Fixture *fixture);
/* Every byte the server received, as a string. */
char           *received             (Fixture *fixture);
/* How many times @needle stands in @haystack (overlapping ones too). */
guint           count                (const char *haystack, const char *needle);
void            assert_server_ok     (Fixture *fixture);
void            assert_no_secret     (Fixture *fixture);
void            assert_outcome       (Fixture *fixture, PostaciVerdict verdict, PostaciStage stage,
                                      PostaciExitStatus status);
/* For tests that drive the session themselves (cancellation). */
void            event_cb             (PostaciSession *session, const PostaciEvent *event,
                                      gpointer user_data);
void            run_cb               (GObject *object, GAsyncResult *result, gpointer user_data);
gboolean        outcome_ready        (gpointer data);
void            assert_error         (Fixture *fixture, GQuark domain, gint code);

/* The run's language from POSTACI_TEST_LANGUAGE ("tr": Turkish, which needs the tr_TR.UTF-8
 * locale of tools/install-deps.sh; otherwise English), with the build tree's catalogs bound.
 * Returns whether it is Turkish. */
gboolean        test_setup_language  (const char *program);

G_END_DECLS
