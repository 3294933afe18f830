/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-data-stream.h — the DATA payload, composed while it is read. */
#pragma once

#include <gio/gio.h>

#include "postaci-message-private.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_DATA_STREAM (postaci_data_stream_get_type ())
G_DECLARE_FINAL_TYPE (PostaciDataStream, postaci_data_stream, POSTACI, DATA_STREAM, GInputStream)

/* A stream over @segments (an array of PostaciSegment, taken over with their texts) written in
 * @mode. @owner keeps the bodies' sources alive while the stream lives. Each read composes
 * the next bytes: a body is read from its source 64 KiB at a time, encoded, given CRLF line
 * ends and dot-stuffed on the way, so memory stays the same whatever the message's size.
 * Reads never block on anything but local files, so read_async() completes them in place. */
/* An empty array of PostaciSegment that frees their texts. */
GArray       *postaci_segments_new    (void);
GInputStream *postaci_data_stream_new (GObject          *owner,
                                       GArray           *segments,
                                       PostaciWriteMode  mode);

/* The bytes @segments give in POSTACI_WRITE_COUNT mode, by composing them once (used for
 * quoted-printable bodies, whose size cannot be known otherwise). */
gboolean      postaci_data_stream_measure (GObject  *owner,
                                           GArray   *segments,
                                           guint64  *size,
                                           GError  **error);

G_END_DECLS
