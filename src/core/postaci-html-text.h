/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-html-text.h — HTML to readable plain text, in a stream of chunks of any size. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PostaciHtmlText PostaciHtmlText;

/* The converter keeps only a few bytes of look-ahead (an entity, the start of a tag) and its
 * state between chunks, so a body of any size is converted in bounded memory. The input must
 * be valid UTF-8 as a whole; a chunk may end in the middle of a character. */
PostaciHtmlText *postaci_html_text_new    (void);
void             postaci_html_text_free   (PostaciHtmlText *self);
/* Converts @data and appends the text it gives to @out (the caller drains @out as it likes). */
void             postaci_html_text_feed   (PostaciHtmlText *self,
                                           const char      *data,
                                           gsize            length,
                                           GString         *out);
/* The end of the input: what was held back is converted and appended to @out. */
void             postaci_html_text_finish (PostaciHtmlText *self,
                                           GString         *out);

/* A readable plain-text rendering of @html (tags dropped, entities decoded, paragraphs and
 * line breaks kept), in one call; invalid UTF-8 is replaced first. */
char            *postaci_html_to_text     (const char      *html);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostaciHtmlText, postaci_html_text_free)

G_END_DECLS
