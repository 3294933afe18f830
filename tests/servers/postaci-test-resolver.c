/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-test-resolver.c — an in-process GResolver with made-up A, AAAA, SRV and MX records. */
#define G_LOG_DOMAIN "postaci-test-resolver"

#include "config.h"

#include "postaci-test-resolver.h"

struct _PostaciTestResolver {
  GResolver   parent_instance;
  GHashTable *hosts;   /* lower-case name → GPtrArray of GInetAddress */
  GHashTable *records; /* "SRV name" / "MX name" → GPtrArray of GVariant */
  gboolean    hang;
  guint       queries;
  GResolver  *previous; /* install(): the default it replaced, put back by uninstall() */
};

G_DEFINE_FINAL_TYPE (PostaciTestResolver, postaci_test_resolver, G_TYPE_RESOLVER)

static GPtrArray *
bucket (GHashTable *table, char *key, GDestroyNotify free_func)
{
  GPtrArray *array = g_hash_table_lookup (table, key);

  if (array == NULL)
    {
      array = g_ptr_array_new_with_free_func (free_func);
      g_hash_table_insert (table, key, array);
    }
  else
    g_free (key);
  return array;
}

static GList *
find_addresses (PostaciTestResolver *self, const char *name, GResolverNameLookupFlags flags,
                GError **error)
{
  g_autofree char *key = g_ascii_strdown (name, -1);
  GPtrArray *addresses = g_hash_table_lookup (self->hosts, key);
  GList *out = NULL;

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      GInetAddress *address = g_ptr_array_index (addresses, i);
      GSocketFamily family = g_inet_address_get_family (address);

      if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY) && family != G_SOCKET_FAMILY_IPV4)
        continue;
      if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY) && family != G_SOCKET_FAMILY_IPV6)
        continue;
      out = g_list_append (out, g_object_ref (address));
    }
  if (out == NULL)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "No test address for “%s”", name);
  return out;
}

static GList *
find_records (PostaciTestResolver *self, const char *name, GResolverRecordType type,
              GError **error)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  g_autofree char *key = g_strdup_printf ("%s %s", type == G_RESOLVER_RECORD_SRV ? "SRV" : "MX",
                                          lower);
  GPtrArray *records = g_hash_table_lookup (self->records, key);
  GList *out = NULL;

  for (guint i = 0; records != NULL && i < records->len; i++)
    out = g_list_append (out, g_variant_ref (g_ptr_array_index (records, i)));
  if (out == NULL)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "No test record of that type for “%s”", name);
  return out;
}

static void
free_addresses (gpointer list)
{
  g_resolver_free_addresses (list);
}

static void
free_records (gpointer list)
{
  g_list_free_full (list, (GDestroyNotify) g_variant_unref);
}

static gboolean
return_cancelled_cb (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  return G_SOURCE_REMOVE;
}

static void
hang_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  /* Not from inside the cancel signal: the task answers on the next iteration. */
  g_idle_add (return_cancelled_cb, g_object_ref (user_data));
}

/* A hanging lookup keeps its task until the caller cancels; without a cancellable, forever
 * (the task is let go when the resolver is). */
static void
hang (PostaciTestResolver *self, GTask *task)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (cancellable != NULL)
    g_cancellable_connect (cancellable, G_CALLBACK (hang_cancelled_cb), g_object_ref (task),
                           g_object_unref);
  else
    g_object_set_data_full (G_OBJECT (self), "hung", g_object_ref (task), g_object_unref);
}

static GList *
lookup_by_name_with_flags (GResolver *resolver, const char *name, GResolverNameLookupFlags flags,
                           GCancellable *cancellable, GError **error)
{
  PostaciTestResolver *self = POSTACI_TEST_RESOLVER (resolver);

  self->queries++;
  return find_addresses (self, name, flags, error);
}

static GList *
lookup_by_name (GResolver *resolver, const char *name, GCancellable *cancellable, GError **error)
{
  return lookup_by_name_with_flags (resolver, name, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                    cancellable, error);
}

static void
lookup_by_name_with_flags_async (GResolver *resolver, const char *name,
                                 GResolverNameLookupFlags flags, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  PostaciTestResolver *self = POSTACI_TEST_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *addresses;

  self->queries++;
  if (self->hang)
    {
      hang (self, task);
      return;
    }
  addresses = find_addresses (self, name, flags, &error);
  if (addresses == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, free_addresses);
}

static void
lookup_by_name_async (GResolver *resolver, const char *name, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  lookup_by_name_with_flags_async (resolver, name, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                   cancellable, callback, user_data);
}

static GList *
lookup_finish (GResolver *resolver, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
lookup_records (GResolver *resolver, const char *name, GResolverRecordType type,
                GCancellable *cancellable, GError **error)
{
  PostaciTestResolver *self = POSTACI_TEST_RESOLVER (resolver);

  self->queries++;
  return find_records (self, name, type, error);
}

static void
lookup_records_async (GResolver *resolver, const char *name, GResolverRecordType type,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  PostaciTestResolver *self = POSTACI_TEST_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *records;

  self->queries++;
  if (self->hang)
    {
      hang (self, task);
      return;
    }
  records = find_records (self, name, type, &error);
  if (records == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, free_records);
}

static GList *
lookup_by_address_unsupported (GResolver *resolver, GInetAddress *address,
                               GCancellable *cancellable, GError **error)
{
  g_set_error_literal (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                       "No reverse lookups in tests");
  return NULL;
}

static void
postaci_test_resolver_finalize (GObject *object)
{
  PostaciTestResolver *self = POSTACI_TEST_RESOLVER (object);

  g_hash_table_unref (self->hosts);
  g_hash_table_unref (self->records);
  g_clear_object (&self->previous);
  G_OBJECT_CLASS (postaci_test_resolver_parent_class)->finalize (object);
}

static void
postaci_test_resolver_class_init (PostaciTestResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = postaci_test_resolver_finalize;
  resolver_class->lookup_by_name = lookup_by_name;
  resolver_class->lookup_by_name_async = lookup_by_name_async;
  resolver_class->lookup_by_name_finish = lookup_finish;
  resolver_class->lookup_by_name_with_flags = lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = lookup_finish;
  resolver_class->lookup_records = lookup_records;
  resolver_class->lookup_records_async = lookup_records_async;
  resolver_class->lookup_records_finish = lookup_finish;
  resolver_class->lookup_by_address = (gpointer) lookup_by_address_unsupported;
}

static void
postaci_test_resolver_init (PostaciTestResolver *self)
{
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
  self->records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
}

PostaciTestResolver *
postaci_test_resolver_new (void)
{
  return g_object_new (POSTACI_TYPE_TEST_RESOLVER, NULL);
}

PostaciTestResolver *
postaci_test_resolver_install (void)
{
  PostaciTestResolver *self = postaci_test_resolver_new ();

  self->previous = g_resolver_get_default ();
  g_resolver_set_default (G_RESOLVER (self));
  return self;
}

void
postaci_test_resolver_uninstall (PostaciTestResolver *self)
{
  g_assert (self->previous != NULL);
  g_resolver_set_default (self->previous);
  g_object_unref (self);
}

void
postaci_test_resolver_add_host (PostaciTestResolver *self, const char *name, const char *address)
{
  GInetAddress *inet = g_inet_address_new_from_string (address);

  g_assert (inet != NULL && g_inet_address_get_is_loopback (inet));
  g_ptr_array_add (bucket (self->hosts, g_ascii_strdown (name, -1), g_object_unref), inet);
}

void
postaci_test_resolver_add_srv (PostaciTestResolver *self, const char *name, guint16 priority,
                               guint16 weight, guint16 port, const char *target)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  g_ptr_array_add (bucket (self->records, g_strdup_printf ("SRV %s", lower),
                           (GDestroyNotify) g_variant_unref),
                   g_variant_ref_sink (g_variant_new ("(qqqs)", priority, weight, port, target)));
}

void
postaci_test_resolver_add_mx (PostaciTestResolver *self, const char *domain, guint16 preference,
                              const char *exchange)
{
  g_autofree char *lower = g_ascii_strdown (domain, -1);

  g_ptr_array_add (bucket (self->records, g_strdup_printf ("MX %s", lower),
                           (GDestroyNotify) g_variant_unref),
                   g_variant_ref_sink (g_variant_new ("(qs)", preference, exchange)));
}

void
postaci_test_resolver_set_hang (PostaciTestResolver *self, gboolean hang)
{
  self->hang = hang;
}

guint
postaci_test_resolver_get_queries (PostaciTestResolver *self)
{
  return self->queries;
}
