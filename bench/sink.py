#!/usr/bin/python3
"""bench/sink.py — a fast SMTP sink for the benchmark: STARTTLS, AUTH PLAIN/LOGIN, 8BITMIME,
SIZE, and DATA read in large blocks and dropped, so that the time measured is the client's.

Usage: sink.py CERT KEY [--save FILE]
Prints "PORT <n>" on stdout when it listens on 127.0.0.1, then serves until killed.
With --save, the last message (dot-stuffing undone, CRLF kept) is written to FILE.
"""
import asyncio
import os
import ssl
import sys

MAX_SIZE = 4 * 1024 * 1024 * 1024
SAVE_AT_MOST = 256 * 1024 * 1024


class Session:
    def __init__(self, reader, writer, context, save):
        self.reader, self.writer = reader, writer
        self.context, self.save = context, save
        self.tls = False

    async def reply(self, text):
        self.writer.write(text.encode() + b"\r\n")
        await self.writer.drain()

    async def ehlo(self):
        lines = ["localhost", "SIZE %d" % MAX_SIZE, "8BITMIME", "PIPELINING"]
        lines.append("AUTH PLAIN LOGIN" if self.tls else "STARTTLS")
        await self.reply("\r\n".join("250-" + l for l in lines[:-1]) + "\r\n250 " + lines[-1])

    async def data(self):
        await self.reply("354 go ahead")
        out = open(self.save, "wb") if self.save else None
        tail = b""
        size = 0
        while True:
            block = await self.reader.read(1 << 20)
            if not block:
                return False
            size += len(block)
            joined = tail + block
            end = joined.find(b"\r\n.\r\n")
            if end >= 0:
                if out:
                    out.write(joined[:end + 2])
                break
            if out and size > SAVE_AT_MOST:
                # the memory benchmarks' huge messages are only counted
                out.close()
                os.unlink(self.save)
                out = None
            if out:
                out.write(joined[:-4])
            tail = joined[-4:]
        if out:
            out.close()
            # undo the dot-stuffing: the file holds what curl and swaks are given to send
            with open(self.save, "rb") as f:
                raw = f.read()
            raw = (b"\r\n" + raw).replace(b"\r\n..", b"\r\n.")[2:]
            with open(self.save, "wb") as f:
                f.write(raw)
        await self.reply("250 2.0.0 queued (%d bytes)" % size)
        return True

    async def run(self):
        await self.reply("220 localhost ESMTP bench sink")
        while True:
            line = await self.reader.readline()
            if not line:
                return
            verb = line.decode("latin-1").strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                await self.ehlo()
            elif verb == "STARTTLS":
                await self.reply("220 2.0.0 ready")
                await self.writer.start_tls(self.context)
                self.tls = True
            elif verb == "AUTH":
                parts = line.decode().split()
                if parts[1].upper() == "LOGIN":
                    await self.reply("334 VXNlcm5hbWU6")
                    await self.reader.readline()
                    await self.reply("334 UGFzc3dvcmQ6")
                    await self.reader.readline()
                elif len(parts) < 3:
                    await self.reply("334 ")
                    await self.reader.readline()
                await self.reply("235 2.7.0 ok")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                await self.reply("250 ok")
            elif verb == "DATA":
                if not await self.data():
                    return
            elif verb == "QUIT":
                await self.reply("221 bye")
                self.writer.close()
                return
            else:
                await self.reply("502 5.5.1 not here")


async def main():
    cert, key = sys.argv[1], sys.argv[2]
    save = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--save" else None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def serve(reader, writer):
        try:
            await Session(reader, writer, context, save).run()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, limit=1 << 20)
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
