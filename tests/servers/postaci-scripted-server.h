/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-scripted-server.h — a scripted, in-process SMTP server that tests drive and that
 * misbehaves on cue: a fake for tests, not the product's Local Test Server (src/server). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * A script is an array of steps ending with POSTACI_SCRIPT_STEP_END. The server accepts exactly one
 * connection and runs the steps in order on the thread-default GMainContext of the thread that
 * called postaci_scripted_server_new(); it never uses threads of its own and has no timeouts: a
 * stalled script stalls until the client (which must bring its own deadlines) gives up, or until
 * postaci_scripted_server_free().
 *
 * Steps are numbered from 0 (the array index) in error messages.
 *
 * Lines. EXPECT and EXPECT_PREFIX read one line up to LF; the line must end in CRLF (a bare LF is
 * reported as a mismatch) and is compared without the CRLF. READ_LINE takes any line. READ_DATA
 * reads lines until one is exactly ".\r\n" and keeps everything before it, raw (still
 * dot-stuffed), for postaci_scripted_server_get_data().
 *
 * Ending. END and CLOSE both end the script: the server first takes whatever the client has
 * already sent (so that closing never turns into a TCP reset that could destroy the last reply on
 * its way), then closes the stream — over TLS with a close_notify. Steps after CLOSE are ignored.
 *
 * The client going away. If the client closes (EOF, reset) or the TLS handshake fails, the
 * script stops quietly unless the script still wanted something from the client: when the
 * current step or any later step is EXPECT, EXPECT_PREFIX, READ_LINE or READ_DATA, that is
 * recorded as the error ("client closed at step 4 (expected 'QUIT')", "step 2: TLS handshake
 * failed: …"). EXPECT_CLOSE and STALL are satisfied by the client closing. So a test whose
 * client must refuse the server's certificate writes { …, TS_STARTTLS, TS_END } (or
 * TS_EXPECT_CLOSE) and expects get_error() == NULL; the reason is in get_tls_error().
 *
 * STARTTLS. Before the handshake the server waits until the client sends something and peeks at
 * it: bytes in front of the TLS ClientHello (the client talking plain text after "STARTTLS",
 * the response-injection mistake) are taken off the socket and appended to `received` — as are
 * plain bytes that were already buffered behind the STARTTLS line — so a test can assert they
 * never happen. The server name the client sent (SNI) is read from the same peek, best effort.
 * In IMPLICIT_TLS mode the same handshake (without taking plain bytes) happens before step 0.
 * CLOSE_IN_HANDSHAKE waits the same way for the client's first TLS bytes and then closes without
 * answering them: a server that dies mid-handshake. In PLAIN mode as step 0 it does that to a
 * client that starts with implicit TLS. Like CLOSE, it ends the script.
 *
 * Reads. EXPECT_READ starts with nothing unread and takes the bytes of the next single read
 * from the client; they must be exactly data. On loopback one read is one write of the client:
 * a pipelined batch (RFC 2920) that came in one write passes, commands written one by one
 * (or bytes left over from an earlier write) fail.
 *
 * Echo. SEND_ECHO writes data followed by every line that EXPECT, EXPECT_PREFIX and READ_LINE took
 * since the previous echo (each without its CRLF, joined by spaces) and CRLF: the server that
 * repeats what it did not like ("535 rejected: AUTH PLAIN AGFsaQ…"), as Sendmail does.
 *
 * Generated data. SEND with repeat > 1 (TS_SEND_REPEAT) writes repeat copies of data in one go:
 * a megabyte without a newline, or a hundred thousand continuation lines, without a table of
 * literals.
 */

typedef enum {
  POSTACI_SCRIPT_STEP_SEND,          /* write data (len bytes, or strlen when len < 0), repeated */
  POSTACI_SCRIPT_STEP_SEND_SLOWLY,   /* write data one byte at a time, delay_ms between bytes */
  POSTACI_SCRIPT_STEP_SEND_ECHO,     /* write data, then the lines read since the last echo, CRLF */
  POSTACI_SCRIPT_STEP_EXPECT,        /* read one line and compare it, without CRLF, to data exactly */
  POSTACI_SCRIPT_STEP_EXPECT_PREFIX, /* read one line; it must start with data */
  POSTACI_SCRIPT_STEP_READ_LINE,     /* read one line, whatever it is */
  POSTACI_SCRIPT_STEP_READ_DATA,     /* read until a line "." (the DATA terminator); keeps the payload */
  POSTACI_SCRIPT_STEP_EXPECT_READ,   /* one read returns exactly data, CRLFs and all (see Reads) */
  POSTACI_SCRIPT_STEP_STARTTLS,      /* server-side TLS handshake now (GTlsServerConnection) */
  POSTACI_SCRIPT_STEP_CLOSE_IN_HANDSHAKE, /* wait for the client's TLS hello, then close unanswered */
  POSTACI_SCRIPT_STEP_STALL,         /* stop answering: keep reading (and recording) until EOF */
  POSTACI_SCRIPT_STEP_SLEEP,         /* wait delay_ms without reading */
  POSTACI_SCRIPT_STEP_CLOSE,         /* close the connection now; the script ends here */
  POSTACI_SCRIPT_STEP_EXPECT_CLOSE,  /* the client must close (EOF) with no further bytes */
  POSTACI_SCRIPT_STEP_END,           /* end of script: then close */
} PostaciScriptStepKind;

typedef struct {
  PostaciScriptStepKind  kind;
  const char          *data;
  gssize               len;
  guint                delay_ms;
  guint                repeat;    /* SEND: how many copies of data in one write; 0 means 1 */
} PostaciScriptStep;

#define TS_SEND(s)               { POSTACI_SCRIPT_STEP_SEND, (s), -1, 0 }
#define TS_SEND_LEN(s, n)        { POSTACI_SCRIPT_STEP_SEND, (s), (n), 0 }
#define TS_SEND_REPEAT(s, n)     { POSTACI_SCRIPT_STEP_SEND, (s), -1, 0, (n) }
#define TS_SEND_SLOWLY(s, ms)    { POSTACI_SCRIPT_STEP_SEND_SLOWLY, (s), -1, (ms) }
#define TS_SEND_ECHO(s)          { POSTACI_SCRIPT_STEP_SEND_ECHO, (s), -1, 0 }
#define TS_EXPECT(s)             { POSTACI_SCRIPT_STEP_EXPECT, (s), -1, 0 }
#define TS_EXPECT_PREFIX(s)      { POSTACI_SCRIPT_STEP_EXPECT_PREFIX, (s), -1, 0 }
#define TS_READ_LINE             { POSTACI_SCRIPT_STEP_READ_LINE, NULL, 0, 0 }
#define TS_READ_DATA             { POSTACI_SCRIPT_STEP_READ_DATA, NULL, 0, 0 }
#define TS_EXPECT_READ(s)        { POSTACI_SCRIPT_STEP_EXPECT_READ, (s), -1, 0 }
#define TS_STARTTLS              { POSTACI_SCRIPT_STEP_STARTTLS, NULL, 0, 0 }
#define TS_CLOSE_IN_HANDSHAKE    { POSTACI_SCRIPT_STEP_CLOSE_IN_HANDSHAKE, NULL, 0, 0 }
#define TS_STALL                 { POSTACI_SCRIPT_STEP_STALL, NULL, 0, 0 }
#define TS_SLEEP(ms)             { POSTACI_SCRIPT_STEP_SLEEP, NULL, 0, (ms) }
#define TS_CLOSE                 { POSTACI_SCRIPT_STEP_CLOSE, NULL, 0, 0 }
#define TS_EXPECT_CLOSE          { POSTACI_SCRIPT_STEP_EXPECT_CLOSE, NULL, 0, 0 }
#define TS_END                   { POSTACI_SCRIPT_STEP_END, NULL, 0, 0 }

typedef struct _PostaciScriptedServer PostaciScriptedServer;

typedef enum {
  POSTACI_SCRIPTED_SERVER_PLAIN,        /* plain TCP; STARTTLS steps upgrade it */
  POSTACI_SCRIPTED_SERVER_IMPLICIT_TLS, /* TLS handshake right after accept, before step 0 */
} PostaciScriptedServerMode;

/* Copies the script (and every step's data), listens on bind_address ("127.0.0.1" or "::1") at
 * a free port and waits for one connection; later connections are refused (the listening socket
 * is closed after the first accept). The same port on the other loopback address is held without
 * listening until the server is freed: a client of "localhost" is refused there, never served by
 * another process that listens on that port. certificate is needed for STARTTLS steps and
 * IMPLICIT_TLS. */
PostaciScriptedServer *postaci_scripted_server_new          (const PostaciScriptStep  *script,
                                                     PostaciScriptedServerMode   mode,
                                                     GTlsCertificate        *certificate,
                                                     const char             *bind_address);
guint16            postaci_scripted_server_get_port     (PostaciScriptedServer      *server);
/* TRUE once a client connected (the script then runs). */
gboolean           postaci_scripted_server_is_connected (PostaciScriptedServer      *server);
/* TRUE once the script ended or stopped and the connection is closed. */
gboolean           postaci_scripted_server_is_finished  (PostaciScriptedServer      *server);
/* NULL while every expectation held; otherwise the first failure. */
const char        *postaci_scripted_server_get_error    (PostaciScriptedServer      *server);
/* Every byte the client sent (decrypted once TLS is up), in order. Free with g_bytes_unref(). */
GBytes            *postaci_scripted_server_get_received (PostaciScriptedServer      *server);
/* The payload of the last completed READ_DATA, raw as received, without the ".\r\n" line;
 * NULL before. Free with g_bytes_unref(). */
GBytes            *postaci_scripted_server_get_data     (PostaciScriptedServer      *server);
/* TRUE once a TLS handshake completed (it stays TRUE after the connection closed). */
gboolean           postaci_scripted_server_get_tls_active (PostaciScriptedServer    *server);
/* The TLS handshake failure seen by the server, or NULL. */
const char        *postaci_scripted_server_get_tls_error (PostaciScriptedServer     *server);
/* The server name (SNI) from the client's ClientHello, or NULL when it sent none (as for an IP
 * address) or the hello could not be read in one piece. */
const char        *postaci_scripted_server_get_sni      (PostaciScriptedServer      *server);
/* Stops listening, cancels whatever is pending, shuts the connection down (the client sees EOF
 * at once) and drops the caller's hold. Safe at any time; never waits. Memory still referenced
 * by cancelled operations is released when their callbacks run on the main context. */
void               postaci_scripted_server_free         (PostaciScriptedServer      *server);

/* How many servers are not yet released (freed and all their callbacks run); lets a test wait
 * for 0 after postaci_scripted_server_free() to prove nothing is left behind. */
guint              postaci_scripted_server_count_alive  (void);
/* Waits until that count is 0 (see postaci_test_wait_until()). */
void               postaci_scripted_server_wait_all_released (guint          timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciScriptedServer, postaci_scripted_server_free)

/* Loads TEST_SRCDIR "/certs/<name>.pem" and ".key"; aborts the test when they do not load. */
GTlsCertificate   *postaci_test_load_certificate    (const char             *name);

/* A port on 127.0.0.1 that nothing listens on (bound once, then closed): a connection to it is
 * refused at once. */
guint16            postaci_test_closed_port         (void);

/* Iterates the thread-default main context until predicate (data) returns TRUE; aborts the test
 * with g_error() after timeout_ms so that a test never hangs. */
void               postaci_test_wait_until          (gboolean              (*predicate) (gpointer),
                                                     gpointer                data,
                                                     guint                   timeout_ms);

G_END_DECLS
