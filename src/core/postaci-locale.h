/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-locale.h — where the catalogs are, and the language a program speaks. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *postaci_locale_find_lang_option (int argc, char **argv);

void        postaci_locale_init             (const char *program,
                                             const char *lang);

G_END_DECLS
