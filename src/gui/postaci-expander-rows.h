/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-expander-rows.h — the rows of an expander row, laid out only once it has expanded. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows @first_row and the rows after it (NULL-terminated), hidden in the template, the first
 * time @expander expands, or at once when it already has.
 *
 * A collapsed AdwExpanderRow still has its rows measured at every layout: its GtkRevealer sizes
 * the child whatever the transition's progress. Hidden until then, the rows of the form's
 * collapsed expanders cost the window's first frame nothing (README, "Benchmarks"). They are
 * never hidden again: once shown, their cost is paid, and collapsing animates as usual. */
void postaci_expander_rows_show_when_expanded (AdwExpanderRow *expander, GtkWidget *first_row,
                                               ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
