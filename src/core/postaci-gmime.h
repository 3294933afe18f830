/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-gmime.h — GMime, opened and set up when a message is first built or read. */
#pragma once

#include <gmime/gmime.h>

G_BEGIN_DECLS

/*
 * GMime is not linked: the window's start shows no message, and linked, GMime and the three
 * libraries it brings (GPGME, libassuan, libgpg-error) would be mapped by every start (README,
 * "Benchmarks"). Its callers reach it through this table, typed from GMime's own header.
 * GMime's cast and type-check macros call its _get_type() functions, so the ones below take
 * the table's instead.
 */
typedef struct
{
  __typeof__ (g_mime_init)               *init;
  __typeof__ (g_mime_object_get_type)    *object_get_type;
  __typeof__ (g_mime_part_get_type)      *part_get_type;
  __typeof__ (g_mime_text_part_get_type) *text_part_get_type;
  /* Composing (postaci-message.c) */
  __typeof__ (g_mime_message_new)                       *message_new;
  __typeof__ (g_mime_message_add_mailbox)               *message_add_mailbox;
  __typeof__ (g_mime_message_set_subject)               *message_set_subject;
  __typeof__ (g_mime_message_set_date)                  *message_set_date;
  __typeof__ (g_mime_message_set_message_id)            *message_set_message_id;
  __typeof__ (g_mime_message_set_mime_part)             *message_set_mime_part;
  __typeof__ (g_mime_utils_generate_message_id)         *utils_generate_message_id;
  __typeof__ (g_mime_object_set_header)                 *object_set_header;
  __typeof__ (g_mime_object_set_content_type_parameter) *object_set_content_type_parameter;
  __typeof__ (g_mime_object_get_headers)                *object_get_headers;
  __typeof__ (g_mime_multipart_new_with_subtype)        *multipart_new_with_subtype;
  __typeof__ (g_mime_multipart_add)                     *multipart_add;
  __typeof__ (g_mime_multipart_get_boundary)            *multipart_get_boundary;
  __typeof__ (g_mime_text_part_new_with_subtype)        *text_part_new_with_subtype;
  __typeof__ (g_mime_text_part_set_charset)             *text_part_set_charset;
  __typeof__ (g_mime_part_new_with_type)                *part_new_with_type;
  __typeof__ (g_mime_part_set_filename)                 *part_set_filename;
  __typeof__ (g_mime_part_set_content_encoding)         *part_set_content_encoding;
  __typeof__ (g_mime_format_options_new)                *format_options_new;
  __typeof__ (g_mime_format_options_set_newline_format) *format_options_set_newline_format;
  __typeof__ (g_mime_format_options_free)               *format_options_free;
  /* Encoding while sending (postaci-data-stream.c) */
  __typeof__ (g_mime_filter_basic_new) *filter_basic_new;
  __typeof__ (g_mime_filter_filter)    *filter_filter;
  __typeof__ (g_mime_filter_complete)  *filter_complete;
  /* Reading what the Local Test Server captured (postaci-captured-message.c) */
  __typeof__ (g_mime_stream_mem_new_with_buffer) *stream_mem_new_with_buffer;
  __typeof__ (g_mime_parser_new_with_stream)     *parser_new_with_stream;
  __typeof__ (g_mime_parser_construct_message)   *parser_construct_message;
  __typeof__ (g_mime_message_get_subject)        *message_get_subject;
  __typeof__ (g_mime_message_foreach)            *message_foreach;
  __typeof__ (g_mime_object_get_content_type)    *object_get_content_type;
  __typeof__ (g_mime_content_type_is_type)       *content_type_is_type;
  __typeof__ (g_mime_part_is_attachment)         *part_is_attachment;
  __typeof__ (g_mime_text_part_get_text)         *text_part_get_text;
} PostaciGMime;

#define POSTACI_GMIME_OBJECT(gmime, object) \
  G_TYPE_CHECK_INSTANCE_CAST ((object), (gmime)->object_get_type (), GMimeObject)
#define POSTACI_GMIME_PART(gmime, object) \
  G_TYPE_CHECK_INSTANCE_CAST ((object), (gmime)->part_get_type (), GMimePart)
#define POSTACI_GMIME_TEXT_PART(gmime, object) \
  G_TYPE_CHECK_INSTANCE_CAST ((object), (gmime)->text_part_get_type (), GMimeTextPart)
#define POSTACI_GMIME_IS_TEXT_PART(gmime, object) \
  G_TYPE_CHECK_INSTANCE_TYPE ((object), (gmime)->text_part_get_type ())

/* Opens GMime and sets it up (g_mime_init()), once per process; later calls return the same
 * table. NULL when it cannot be opened, with an error that names the library and the system's
 * reason (G_IO_ERROR_NOT_FOUND). */
const PostaciGMime *postaci_gmime_open (GError **error);

/* The table, for code that only runs after postaci_gmime_open() succeeded: a message that was
 * built, a captured message that was read. */
const PostaciGMime *postaci_gmime (void);

G_END_DECLS
