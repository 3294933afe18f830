/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-long-entry-buffer.h — a GtkEntryBuffer for text of any length: GTK's own keeps at most
 * 65,535 bytes and drops the rest without a word, which a long list of recipients outgrows. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define POSTACI_TYPE_LONG_ENTRY_BUFFER (postaci_long_entry_buffer_get_type ())
G_DECLARE_FINAL_TYPE (PostaciLongEntryBuffer, postaci_long_entry_buffer, POSTACI, LONG_ENTRY_BUFFER,
                      GtkEntryBuffer)

GtkEntryBuffer *postaci_long_entry_buffer_new (void);

/* Gives the text field inside @editable (an AdwEntryRow, a GtkEntry: anything whose editing is
 * delegated to a GtkText) a PostaciLongEntryBuffer, keeping the text it has. */
void            postaci_long_entry_buffer_install (GtkEditable *editable);

G_END_DECLS
