/* SPDX-License-Identifier: GPL-3.0-or-later */
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

/* @root and every descendant of @type get the accessible description @description: what a
 * screen reader reads after the name of the field that has the focus (its text part). */
void postaci_accessible_describe_parts  (GtkWidget          *root,
                                         GType               type,
                                         const char         *description);

/* The same, named after the row's own title (without its access key's underline). */
void postaci_accessible_label_row_parts (AdwPreferencesRow  *row,
                                         GType               type);

/* Buttons under @root with an access key (use-underline) are read by their label's text: GTK 4.8
 * gives them the label with its underline as their name ("_Test SMTP Test SMTP" to Orca). Their
 * name follows when the label changes (Test SMTP becomes Cancel). */
void postaci_accessible_name_buttons_by_label (GtkWidget       *root);

G_END_DECLS
