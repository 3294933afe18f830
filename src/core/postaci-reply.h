/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-reply.h — one SMTP reply, and the strict parser that assembles it line by line. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define POSTACI_REPLY_ERROR (postaci_reply_error_quark ())

typedef enum {
  POSTACI_REPLY_ERROR_EMPTY,          /* an empty line where a reply was due */
  POSTACI_REPLY_ERROR_MALFORMED,      /* not three digits and a separator */
  POSTACI_REPLY_ERROR_MIXED_CODES,    /* a continuation line with another code */
  POSTACI_REPLY_ERROR_TOO_MANY_LINES, /* more than POSTACI_REPLY_MAX_LINES */
  POSTACI_REPLY_ERROR_NUL,            /* a NUL byte inside a line */
} PostaciReplyError;

/* RFC 5321 §4.5.3.1.5 gives a reply line 512 octets; real servers exceed it
 * (long EHLO lists, Microsoft's diagnostics), so we allow 4 KiB and no more. */
#define POSTACI_REPLY_MAX_LINE  4096
/* No real reply is longer than a few dozen lines; a hundred means abuse. */
#define POSTACI_REPLY_MAX_LINES 100

typedef struct {
  guint   code;          /* 200..599 */
  guint   enhanced[3];   /* RFC 3463 class.subject.detail; all 0 when absent */
  GStrv   lines;         /* the text of each line, after the code and separator */
} PostaciReply;

#define POSTACI_TYPE_REPLY (postaci_reply_get_type ())

GType         postaci_reply_get_type        (void) G_GNUC_CONST;
GQuark        postaci_reply_error_quark     (void);
PostaciReply *postaci_reply_copy            (const PostaciReply *reply);
void          postaci_reply_free            (PostaciReply       *reply);
gboolean      postaci_reply_has_enhanced    (const PostaciReply *reply);
char         *postaci_reply_get_enhanced_string (const PostaciReply *reply);
char         *postaci_reply_get_text        (const PostaciReply *reply);
gboolean      postaci_reply_is_positive     (const PostaciReply *reply);
gboolean      postaci_reply_text_contains   (const PostaciReply *reply,
                                             const char         *needle);

typedef struct _PostaciReplyParser PostaciReplyParser;

typedef enum {
  POSTACI_REPLY_PARSER_MORE,  /* a continuation line: feed the next one */
  POSTACI_REPLY_PARSER_DONE,  /* the last line: *out_reply is set */
  POSTACI_REPLY_PARSER_ERROR, /* the reply is broken: error is set */
} PostaciReplyParserStatus;

PostaciReplyParser      *postaci_reply_parser_new   (void);
void                     postaci_reply_parser_free  (PostaciReplyParser *parser);
void                     postaci_reply_parser_reset (PostaciReplyParser *parser);
PostaciReplyParserStatus postaci_reply_parser_feed  (PostaciReplyParser *parser,
                                                     const char         *line,
                                                     gsize               length,
                                                     PostaciReply      **out_reply,
                                                     GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciReply, postaci_reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciReplyParser, postaci_reply_parser_free)

G_END_DECLS
