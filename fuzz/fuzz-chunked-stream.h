/* fuzz-chunked-stream.h — an input stream over memory that hands out at most N bytes a read. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define POSTACI_TYPE_FUZZ_CHUNKED_STREAM (postaci_fuzz_chunked_stream_get_type ())
G_DECLARE_FINAL_TYPE (PostaciFuzzChunkedStream, postaci_fuzz_chunked_stream,
                      POSTACI, FUZZ_CHUNKED_STREAM, GInputStream)

/* @data must outlive the stream; reads (sync or async, completed on the main context without
 * threads) return at most @chunk bytes, so lines arrive in pieces as they do from a network. */
GInputStream *postaci_fuzz_chunked_stream_new (const guint8 *data, gsize size, gsize chunk);

G_END_DECLS
