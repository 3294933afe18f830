/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-library.h — a shared library opened on first use, its functions found by name. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Libraries that a start does not need are not linked: linked, each is mapped and relocated
 * by every start of postaci-cli and of the window, with the libraries it needs in turn (README,
 * "Benchmarks"). Their callers keep a struct of function pointers, typed with __typeof__ from
 * the library's own header, and a table of its symbols.
 */
typedef struct {
  const char *name;   /* the symbol, "soup_message_new" */
  gsize       offset; /* where its address goes in the caller's struct */
} PostaciLibrarySymbol;

#define POSTACI_LIBRARY_SYMBOL(Struct, prefix, field) \
  { prefix #field, G_STRUCT_OFFSET (Struct, field) }

/* Opens @file (never closed: its types stay registered with GObject) and stores the address
 * of each of @symbols in @functions. FALSE with the system's reason in @reason (free it) when
 * the library or one of the symbols cannot be found; @functions is then left incomplete. */
gboolean postaci_library_load (const char                 *file,
                               const PostaciLibrarySymbol *symbols,
                               gsize                       n_symbols,
                               gpointer                    functions,
                               char                      **reason);

G_END_DECLS
