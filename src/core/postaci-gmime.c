/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-gmime.c — GMime, opened and set up when a message is first built or read. */
#define G_LOG_DOMAIN "postaci-gmime"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "postaci-gmime.h"
#include "postaci-library.h"

static PostaciGMime gmime;
static char        *load_error; /* why GMime could not be opened; NULL once it was */

static gpointer
open_gmime (gpointer data G_GNUC_UNUSED)
{
  static const PostaciLibrarySymbol symbols[] = {
#define SYMBOL(field) POSTACI_LIBRARY_SYMBOL (PostaciGMime, "g_mime_", field)
    SYMBOL (init),
    SYMBOL (object_get_type),
    SYMBOL (part_get_type),
    SYMBOL (text_part_get_type),
    SYMBOL (message_new),
    SYMBOL (message_add_mailbox),
    SYMBOL (message_set_subject),
    SYMBOL (message_set_date),
    SYMBOL (message_set_message_id),
    SYMBOL (message_set_mime_part),
    SYMBOL (utils_generate_message_id),
    SYMBOL (object_set_header),
    SYMBOL (object_set_content_type_parameter),
    SYMBOL (object_get_headers),
    SYMBOL (multipart_new_with_subtype),
    SYMBOL (multipart_add),
    SYMBOL (multipart_get_boundary),
    SYMBOL (text_part_new_with_subtype),
    SYMBOL (text_part_set_charset),
    SYMBOL (part_new_with_type),
    SYMBOL (part_set_filename),
    SYMBOL (part_set_content_encoding),
    SYMBOL (format_options_new),
    SYMBOL (format_options_set_newline_format),
    SYMBOL (format_options_free),
    SYMBOL (filter_basic_new),
    SYMBOL (filter_filter),
    SYMBOL (filter_complete),
    SYMBOL (stream_mem_new_with_buffer),
    SYMBOL (parser_new_with_stream),
    SYMBOL (parser_construct_message),
    SYMBOL (message_get_subject),
    SYMBOL (message_foreach),
    SYMBOL (object_get_content_type),
    SYMBOL (content_type_is_type),
    SYMBOL (part_is_attachment),
    SYMBOL (text_part_get_text),
#undef SYMBOL
  };

  if (!postaci_library_load (GMIME_LIBRARY, symbols, G_N_ELEMENTS (symbols), &gmime, &load_error))
    return NULL;
  /* GMime keeps global tables; it is set up once per process and never shut down, since
   * other code in the process (a test, a plug-in) may be using it too. */
  gmime.init ();
  return &gmime;
}

const PostaciGMime *
postaci_gmime_open (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  if (g_once (&once, open_gmime, NULL) != NULL)
    return &gmime;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               /* Translators: %s is the library's file name, then the system's reason */
               _ ("Building and reading messages needs the GMime library (%s), which could not "
                  "be loaded: %s"),
               GMIME_LIBRARY, load_error);
  return NULL;
}

const PostaciGMime *
postaci_gmime (void)
{
  g_return_val_if_fail (gmime.init != NULL && load_error == NULL, NULL);

  return &gmime;
}
