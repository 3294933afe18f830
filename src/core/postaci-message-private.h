/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-message-private.h — the plan a message is sent by: shared by the message and its
 * data stream only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where a body's bytes come from. None of them is ever read whole into memory. */
typedef enum {
  POSTACI_SOURCE_MEMORY,  /* a buffer that lives as long as the message (the form's text) */
  POSTACI_SOURCE_FILE,    /* a file opened once, read with pread() at offsets */
  POSTACI_SOURCE_FILLER,  /* generated lines of ASCII text (the size test) */
} PostaciSourceKind;

typedef struct {
  PostaciSourceKind  kind;
  const char        *data;       /* MEMORY */
  int                fd;         /* FILE, owned by the message */
  char              *name;       /* FILE: the path, for messages */
  guint64            length;     /* the bytes it gives */
  guint64            full_lines; /* FILLER: lines of 76 characters and a line end, then the
                                  * rest of @length on a last line without one */
} PostaciBodySource;

typedef enum {
  POSTACI_BODY_7BIT,
  POSTACI_BODY_8BIT,              /* RFC 6152: only when the server offers 8BITMIME */
  POSTACI_BODY_QUOTED_PRINTABLE,
  POSTACI_BODY_BASE64,
} PostaciBodyEncoding;

/* One piece of the payload: literal text (headers, boundaries; LF line ends) or a body. */
typedef struct {
  char                    *text;
  const PostaciBodySource *body;
  PostaciBodyEncoding      encoding;
} PostaciSegment;

/* How the produced bytes are written out. */
typedef enum {
  POSTACI_WRITE_WIRE,   /* CRLF, dot-stuffed, ".\r\n" at the end: the bytes after 354 */
  POSTACI_WRITE_COUNT,  /* CRLF, not stuffed, no final dot: the size of RFC 1870 */
  POSTACI_WRITE_LOCAL,  /* LF line ends, not stuffed: the message as a file */
} PostaciWriteMode;

/* Reads up to @count bytes of @source at @offset into @buffer; a file that became shorter is
 * an error. Returns the bytes read, 0 at the end, -1 with @error set. */
gssize postaci_body_source_read (const PostaciBodySource *source,
                                 guint64                  offset,
                                 char                    *buffer,
                                 gsize                    count,
                                 GError                 **error);

G_END_DECLS
