#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# aiosmtpd-server.py — a real SMTP server (aiosmtpd 1.4) for Postacı's integration tests.
#
# Binds HOST:PORT (port 0 picks a free one), prints "READY <port>" on stdout, and serves until
# SIGTERM/SIGINT or --lifetime seconds, so that a test can never leave it running.
#
#   --mode starttls  plain greeting, STARTTLS offered; AUTH only after STARTTLS
#   --mode tls       implicit TLS from the first byte (port 465 style)
#   --mode plain     no TLS at all; AUTH is offered in the clear (to test clients that refuse)
#
# AUTH PLAIN and LOGIN accept exactly --user/--password (a throwaway test account).
# Every accepted message is stored as MAILDIR/<n>.eml (the message as received, dot-stuffing
# removed, CRLF line ends) with MAILDIR/<n>.json next to it:
#   {"mail_from", "rcpt_tos", "mail_options", "rcpt_options", "ehlo", "tls", "authenticated",
#    "auth_user", "size"}
# The JSON is written first and each file appears atomically (rename), so a test may wait for
# <n>.eml and then read both. Passwords are never logged or stored.
#
# On 127.0.0.1 with a free port, the same port on ::1 is held (bound, not listening) while the
# server runs: a client of "localhost" tries [::1] first and is refused there, never served by
# another test's server that got that port on ::1 (the suites run in parallel).

import argparse
import asyncio
import errno
import hmac
import json
import logging
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def parse_args():
    parser = argparse.ArgumentParser(description="aiosmtpd server for Postacı's tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=("starttls", "tls", "plain"), default="starttls")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--require-auth", action="store_true",
                        help="refuse MAIL before a successful AUTH (530)")
    parser.add_argument("--require-starttls", action="store_true",
                        help="starttls mode: refuse everything but EHLO/STARTTLS/QUIT first")
    parser.add_argument("--hostname", default="localhost",
                        help="the name in the greeting (no DNS lookup)")
    parser.add_argument("--lifetime", type=float, default=120.0,
                        help="exit by itself after this many seconds")
    args = parser.parse_args()
    if args.mode != "plain" and not (args.cert and args.key):
        parser.error("--cert and --key are needed for --mode starttls and tls")
    return args


class Handler:
    def __init__(self, maildir):
        self.maildir = maildir
        os.makedirs(maildir, exist_ok=True)
        existing = [int(name[:-4]) for name in os.listdir(maildir)
                    if name.endswith(".eml") and name[:-4].isdigit()]
        self.next_number = max(existing, default=0) + 1

    def _write_atomically(self, path, data):
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)

    async def handle_DATA(self, server, session, envelope):
        number = self.next_number
        self.next_number += 1
        content = envelope.original_content or b""
        auth_user = session.auth_data
        if isinstance(auth_user, bytes):
            auth_user = auth_user.decode("utf-8", "replace")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "mail_options": list(envelope.mail_options),
            "rcpt_options": list(envelope.rcpt_options),
            "ehlo": session.host_name,
            # aiosmtpd 1.4 sets session.ssl only after STARTTLS; the transport knows both cases.
            "tls": server.transport is not None
                   and server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
            "auth_user": auth_user if session.authenticated else None,
            "size": len(content),
        }
        base = os.path.join(self.maildir, str(number))
        self._write_atomically(base + ".json",
                               (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode())
        self._write_atomically(base + ".eml", content)
        return "250 2.0.0 Message accepted for delivery as %d" % number


def make_authenticator(user, password):
    user_b = user.encode("utf-8")
    password_b = password.encode("utf-8")

    def authenticator(server, session, envelope, mechanism, auth_data):
        if mechanism not in ("PLAIN", "LOGIN") or not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        # Both comparisons always run: no early exit that tells which part was wrong.
        ok_user = hmac.compare_digest(auth_data.login, user_b)
        ok_password = hmac.compare_digest(auth_data.password, password_b)
        if ok_user and ok_password:
            return AuthResult(success=True, auth_data=auth_data.login)
        return AuthResult(success=False, handled=False)

    return authenticator


def hold_twin(port):
    """[::1]:port bound without SO_REUSEADDR and never listening; None where the machine has no
    ::1, False when another socket has that port there."""
    try:
        twin = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        twin.bind(("::1", port))
    except OSError as exc:
        twin.close()
        return False if exc.errno == errno.EADDRINUSE else None
    return twin


def main():
    args = parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="aiosmtpd-server: %(levelname)s %(message)s")
    # aiosmtpd warns about its own deprecated login_data on every AUTH; not our concern.
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    tls_context = None
    if args.mode != "plain":
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)

    handler = Handler(args.maildir)
    smtp_kwargs = dict(
        hostname=args.hostname,
        authenticator=make_authenticator(args.user, args.password),
        auth_required=args.require_auth,
        # Implicit TLS: aiosmtpd 1.4 does not notice the TLS transport and would answer AUTH
        # with "538 Encryption required"; the link is encrypted, so lift that check.
        # Plain: AUTH is offered in the clear on purpose (clients must refuse to use it).
        auth_require_tls=(args.mode == "starttls"),
        enable_SMTPUTF8=True,
    )
    if args.mode == "starttls":
        smtp_kwargs["tls_context"] = tls_context
        smtp_kwargs["require_starttls"] = args.require_starttls

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(handler, loop=loop, **smtp_kwargs)

    twin = None
    for _ in range(16):
        server = loop.run_until_complete(loop.create_server(
            factory, host=args.host, port=args.port,
            ssl=tls_context if args.mode == "tls" else None))
        if args.host != "127.0.0.1" or args.port != 0 or not socket.has_ipv6:
            break
        twin = hold_twin(server.sockets[0].getsockname()[1])
        if twin is not False:
            break
        server.close()
        loop.run_until_complete(server.wait_closed())

    stop = loop.stop
    loop.add_signal_handler(signal.SIGTERM, stop)
    loop.add_signal_handler(signal.SIGINT, stop)
    loop.call_later(args.lifetime, stop)

    port = server.sockets[0].getsockname()[1]
    print("READY %d" % port, flush=True)

    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        # Connections still open when we stop are simply dropped.
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
