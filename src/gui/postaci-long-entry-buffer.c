/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-long-entry-buffer.c — a GtkEntryBuffer for text of any length: GTK's own keeps at most
 * 65,535 bytes (GTK_ENTRY_BUFFER_MAX_SIZE) and drops the rest without a word, which a long list
 * of recipients outgrows. The text is one GString; positions are in characters, as GtkText
 * counts them. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include "postaci-long-entry-buffer.h"

struct _PostaciLongEntryBuffer
{
  GtkEntryBuffer parent_instance;

  GString *text;
  guint    n_chars;
};

G_DEFINE_FINAL_TYPE (PostaciLongEntryBuffer, postaci_long_entry_buffer, GTK_TYPE_ENTRY_BUFFER)

/* The byte offset of character @position (at most the end). */
static gsize
byte_offset (PostaciLongEntryBuffer *self, guint position)
{
  return (gsize) (g_utf8_offset_to_pointer (self->text->str, MIN (position, self->n_chars)) -
                  self->text->str);
}

static const char *
postaci_long_entry_buffer_get_text (GtkEntryBuffer *buffer, gsize *n_bytes)
{
  PostaciLongEntryBuffer *self = POSTACI_LONG_ENTRY_BUFFER (buffer);

  if (n_bytes != NULL)
    *n_bytes = self->text->len;
  return self->text->str;
}

static guint
postaci_long_entry_buffer_get_length (GtkEntryBuffer *buffer)
{
  return POSTACI_LONG_ENTRY_BUFFER (buffer)->n_chars;
}

/* GtkEntryBuffer has checked @position and counted @n_chars; all of them go in. */
static guint
postaci_long_entry_buffer_insert_text (GtkEntryBuffer *buffer, guint position, const char *chars,
                                       guint n_chars)
{
  PostaciLongEntryBuffer *self = POSTACI_LONG_ENTRY_BUFFER (buffer);
  gsize                   n_bytes = (gsize) (g_utf8_offset_to_pointer (chars, n_chars) - chars);

  g_string_insert_len (self->text, (gssize) byte_offset (self, position), chars, (gssize) n_bytes);
  self->n_chars += n_chars;
  gtk_entry_buffer_emit_inserted_text (buffer, position, chars, n_chars);
  return n_chars;
}

static guint
postaci_long_entry_buffer_delete_text (GtkEntryBuffer *buffer, guint position, guint n_chars)
{
  PostaciLongEntryBuffer *self = POSTACI_LONG_ENTRY_BUFFER (buffer);

  position = MIN (position, self->n_chars);
  n_chars = MIN (n_chars, self->n_chars - position);
  /* The text goes in the signal's handler below, after the handlers that run first have seen it. */
  if (n_chars > 0)
    gtk_entry_buffer_emit_deleted_text (buffer, position, n_chars);
  return n_chars;
}

static void
postaci_long_entry_buffer_deleted_text (GtkEntryBuffer *buffer, guint position, guint n_chars)
{
  PostaciLongEntryBuffer *self = POSTACI_LONG_ENTRY_BUFFER (buffer);
  gsize                   start = byte_offset (self, position);
  gsize                   end = byte_offset (self, position + n_chars);

  g_string_erase (self->text, (gssize) start, (gssize) (end - start));
  self->n_chars -= n_chars;
  g_object_notify (G_OBJECT (buffer), "text");
  g_object_notify (G_OBJECT (buffer), "length");
}

static void
postaci_long_entry_buffer_finalize (GObject *object)
{
  PostaciLongEntryBuffer *self = POSTACI_LONG_ENTRY_BUFFER (object);

  g_string_free (self->text, TRUE);
  G_OBJECT_CLASS (postaci_long_entry_buffer_parent_class)->finalize (object);
}

static void
postaci_long_entry_buffer_class_init (PostaciLongEntryBufferClass *klass)
{
  GObjectClass        *object_class = G_OBJECT_CLASS (klass);
  GtkEntryBufferClass *buffer_class = GTK_ENTRY_BUFFER_CLASS (klass);

  object_class->finalize = postaci_long_entry_buffer_finalize;
  buffer_class->get_text = postaci_long_entry_buffer_get_text;
  buffer_class->get_length = postaci_long_entry_buffer_get_length;
  buffer_class->insert_text = postaci_long_entry_buffer_insert_text;
  buffer_class->delete_text = postaci_long_entry_buffer_delete_text;
  buffer_class->deleted_text = postaci_long_entry_buffer_deleted_text;
}

static void
postaci_long_entry_buffer_init (PostaciLongEntryBuffer *self)
{
  self->text = g_string_new (NULL);
}

GtkEntryBuffer *
postaci_long_entry_buffer_new (void)
{
  return g_object_new (POSTACI_TYPE_LONG_ENTRY_BUFFER, NULL);
}

void
postaci_long_entry_buffer_install (GtkEditable *editable)
{
  GtkEditable *delegate;
  g_autoptr(GtkEntryBuffer) buffer = postaci_long_entry_buffer_new ();

  g_return_if_fail (GTK_IS_EDITABLE (editable));

  /* AdwEntryRow and GtkEntry hand their editing to a GtkText, which holds the buffer. */
  delegate = editable;
  while (!GTK_IS_TEXT (delegate) && gtk_editable_get_delegate (delegate) != NULL)
    delegate = gtk_editable_get_delegate (delegate);
  g_return_if_fail (GTK_IS_TEXT (delegate));

  gtk_entry_buffer_set_text (buffer, gtk_editable_get_text (delegate), -1);
  gtk_text_set_buffer (GTK_TEXT (delegate), buffer);
}
