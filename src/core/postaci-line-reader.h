/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-line-reader.h — read lines asynchronously with a hard cap on their length. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define POSTACI_LINE_READER_ERROR (postaci_line_reader_error_quark ())

typedef enum {
  POSTACI_LINE_READER_ERROR_TOO_LONG, /* no line end within the cap */
  POSTACI_LINE_READER_ERROR_CLOSED,   /* end of stream before a line began */
  POSTACI_LINE_READER_ERROR_PARTIAL,  /* end of stream in the middle of a line */
} PostaciLineReaderError;

#define POSTACI_TYPE_LINE_READER (postaci_line_reader_get_type ())
G_DECLARE_FINAL_TYPE (PostaciLineReader, postaci_line_reader, POSTACI, LINE_READER, GObject)

GQuark             postaci_line_reader_error_quark     (void);
PostaciLineReader *postaci_line_reader_new             (GInputStream        *base,
                                                        gsize                max_line);
void               postaci_line_reader_read_line_async (PostaciLineReader   *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
char              *postaci_line_reader_read_line_finish (PostaciLineReader  *self,
                                                         GAsyncResult       *result,
                                                         gsize              *length,
                                                         GError            **error);
gsize              postaci_line_reader_get_buffered    (PostaciLineReader   *self);
gboolean           postaci_line_reader_get_last_crlf   (PostaciLineReader   *self);

G_END_DECLS
