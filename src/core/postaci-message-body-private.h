/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-message-body-private.h — a message's parts and the one pass that checks a body: shared
 * by postaci-message.c (the MIME structure and the plan) and postaci-message-body.c only. */
#pragma once

#include <gmime/gmime.h>

#include "postaci-message-private.h"
#include "postaci-request.h"

G_BEGIN_DECLS

/* What a body holds, learnt in one pass: enough to choose its encoding and know its size. */
typedef struct {
  guint64  bytes;     /* bytes that are not line ends */
  guint64  breaks;    /* line breaks; CRLF, a bare CR and a bare LF each count once */
  gsize    line;      /* length of the current line */
  gsize    longest;
  gboolean after_cr;
  guchar   high;      /* every byte OR-ed together: bit 7 means 8-bit data */
  gboolean nul;
} Stats;

typedef enum {
  PART_TEXT,
  PART_HTML,
  PART_ATTACHMENT,
  PART_FILLER,        /* the generated lines of a size test */
} PartKind;

typedef struct {
  PartKind            kind;
  GMimeObject        *mime;    /* headers only: the content streams from the source */
  PostaciBodySource   source;
  Stats               stats;
  char               *owned;   /* a MEMORY source that belongs to the message */
  PostaciBodyEncoding encoding;
} Part;

/* The longest line seen, the current one included. */
gsize    _postaci_message_stats_longest    (const Stats          *stats);

/* Opens @path as the source of @part. A regular file is read where it is; anything else (a
 * pipe) sets @piped, and is copied while it is checked (_postaci_message_scan_body()) or by
 * _postaci_message_copy_pipe(). Errors: @code of POSTACI_REQUEST_ERROR. */
gboolean _postaci_message_open_file_source (Part                 *part,
                                            const char           *path,
                                            PostaciRequestError   code,
                                            gboolean             *piped,
                                            GError              **error);

/* One pass over a text body (the HTML, or the plain text given): UTF-8 checked, a NUL refused,
 * line lengths and 8-bit bytes counted into @part's stats; for the HTML, the text alternative
 * is derived into @text (when not NULL). A piped source is replaced by its copy. */
gboolean _postaci_message_scan_body        (Part                 *part,
                                            gboolean              piped,
                                            Part                 *text,
                                            GError              **error);

/* Copies a piped attachment to an unlinked file, which becomes its source. */
gboolean _postaci_message_copy_pipe        (Part                 *part,
                                            GError              **error);

G_END_DECLS
