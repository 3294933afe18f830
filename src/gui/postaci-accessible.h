/* postaci-accessible.h — names for the parts GTK 4.8 and libadwaita 1.2 build inside their
 * widgets and leave nameless: a screen reader would read their type name ("GtkSwitch"). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Gives every descendant of @root of @type (the toolkit's own parts: the list in a combo row's
 * popover, the switch of an expander row, the list inside a column view) the accessible
 * name @label. */
void postaci_accessible_label_parts     (GtkWidget          *root,
                                         GType               type,
                                         const char         *label);

/* The same, named after the row's own title (without its access key's underline). */
void postaci_accessible_label_row_parts (AdwPreferencesRow  *row,
                                         GType               type);

G_END_DECLS
