/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-test-resolver.h — an in-process GResolver with made-up A, AAAA, SRV and MX records. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Set it with g_resolver_set_default() and every GIO name lookup of the process (GSocketClient,
 * libsoup) asks it instead of the system: names it does not know fail with
 * G_RESOLVER_ERROR_NOT_FOUND, so a test never reaches a real DNS server. "localhost" and IP
 * literals never reach a resolver (GLib answers them itself). In hanging mode no lookup ever
 * answers until it is cancelled, as with a dead DNS server.
 */
#define POSTACI_TYPE_TEST_RESOLVER (postaci_test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (PostaciTestResolver, postaci_test_resolver, POSTACI, TEST_RESOLVER, GResolver)

PostaciTestResolver *postaci_test_resolver_new      (void);
/* A new resolver, made the default of the process at once: the set-up of a test that looks
 * names up. postaci_test_resolver_uninstall() puts back the default it replaced and drops it. */
PostaciTestResolver *postaci_test_resolver_install  (void);
void                 postaci_test_resolver_uninstall (PostaciTestResolver *self);
/* @address: "127.0.0.1" or "::1" (tests use loopback only). */
void                 postaci_test_resolver_add_host (PostaciTestResolver *self,
                                                     const char          *name,
                                                     const char          *address);
/* @name is the whole owner name, e.g. "_submissions._tcp.example.test"; @target "." allowed. */
void                 postaci_test_resolver_add_srv  (PostaciTestResolver *self,
                                                     const char          *name,
                                                     guint16              priority,
                                                     guint16              weight,
                                                     guint16              port,
                                                     const char          *target);
void                 postaci_test_resolver_add_mx   (PostaciTestResolver *self,
                                                     const char          *domain,
                                                     guint16              preference,
                                                     const char          *exchange);
void                 postaci_test_resolver_set_hang (PostaciTestResolver *self,
                                                     gboolean             hang);
/* How many lookups were asked so far (names and records). */
guint                postaci_test_resolver_get_queries (PostaciTestResolver *self);

G_END_DECLS
