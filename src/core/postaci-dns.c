/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-dns.c — the SRV and MX records discovery asks for, through GResolver. */
#define G_LOG_DOMAIN "postaci-dns"

#include "config.h"

#include <string.h>

#include "postaci-dns.h"

gboolean
postaci_dns_is_host_name (const char *name)
{
  gsize length;
  gsize label = 0;

  if (name == NULL || *name == '\0')
    return FALSE;
  if (g_hostname_is_ip_address (name))
    return TRUE;
  length = strlen (name);
  if (name[length - 1] == '.')
    length--;
  if (length == 0 || length > 253)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char c = name[i];

      if (c == '.')
        {
          if (label == 0 || name[i - 1] == '-')
            return FALSE;
          label = 0;
          continue;
        }
      if (!g_ascii_isalnum (c) && !(c == '-' && label > 0))
        return FALSE;
      if (++label > 63)
        return FALSE;
    }
  return name[length - 1] != '-';
}

gboolean
postaci_dns_is_root (const char *name)
{
  return name != NULL && (*name == '\0' || g_str_equal (name, "."));
}

gboolean
postaci_dns_names_host (const char *name)
{
  return !postaci_dns_is_root (name) && postaci_dns_is_host_name (name);
}

void
postaci_srv_record_free (PostaciSrvRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->target);
  g_free (record);
}

void
postaci_mx_record_free (PostaciMxRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->exchange);
  g_free (record);
}

/* "mail.example.com." and "mail.example.com" are the same host; the root stays ".". */
static char *
strip_final_dot (const char *name)
{
  gsize length = strlen (name);

  if (length > 1 && name[length - 1] == '.')
    return g_strndup (name, length - 1);
  return g_strdup (*name == '\0' ? "." : name);
}

static gint
compare_srv (gconstpointer a, gconstpointer b)
{
  const PostaciSrvRecord *x = *(PostaciSrvRecord *const *) a;
  const PostaciSrvRecord *y = *(PostaciSrvRecord *const *) b;

  if (x->priority != y->priority)
    return x->priority < y->priority ? -1 : 1;
  if (x->weight != y->weight)
    return x->weight > y->weight ? -1 : 1;
  return g_ascii_strcasecmp (x->target, y->target);
}

static gint
compare_mx (gconstpointer a, gconstpointer b)
{
  const PostaciMxRecord *x = *(PostaciMxRecord *const *) a;
  const PostaciMxRecord *y = *(PostaciMxRecord *const *) b;

  if (x->preference != y->preference)
    return x->preference < y->preference ? -1 : 1;
  return g_ascii_strcasecmp (x->exchange, y->exchange);
}

static gpointer
parse_srv (GVariant *variant)
{
  PostaciSrvRecord *record = g_new0 (PostaciSrvRecord, 1);
  const char       *target = NULL;

  g_variant_get (variant, "(qqq&s)", &record->priority, &record->weight, &record->port, &target);
  record->target = strip_final_dot (target);
  return record;
}

static gpointer
parse_mx (GVariant *variant)
{
  PostaciMxRecord *record = g_new0 (PostaciMxRecord, 1);
  const char      *exchange = NULL;

  g_variant_get (variant, "(q&s)", &record->preference, &exchange);
  record->exchange = strip_final_dot (exchange);
  return record;
}

/* What differs between a look-up of SRV and one of MX records. */
typedef struct
{
  GResolverRecordType type;
  gpointer (*parse) (GVariant *variant);
  GDestroyNotify free;
  GCompareFunc   compare;
} RecordKind;

static const RecordKind srv_kind = {
  G_RESOLVER_RECORD_SRV,
  parse_srv,
  (GDestroyNotify) postaci_srv_record_free,
  compare_srv,
};
static const RecordKind mx_kind = {
  G_RESOLVER_RECORD_MX,
  parse_mx,
  (GDestroyNotify) postaci_mx_record_free,
  compare_mx,
};

static void
records_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  const RecordKind *kind = g_task_get_task_data (task);
  GError           *error = NULL;
  GList     *records = g_resolver_lookup_records_finish (G_RESOLVER (object), result, &error);
  GPtrArray *out;

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  out = g_ptr_array_new_with_free_func (kind->free);
  for (GList *l = records; l != NULL; l = l->next)
    g_ptr_array_add (out, kind->parse (l->data));
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  g_ptr_array_sort (out, kind->compare);
  g_task_return_pointer (task, out, (GDestroyNotify) g_ptr_array_unref);
}

/* The records of @name, parsed and in the order a client tries them. */
static void
lookup_records (GResolver *resolver, const char *name, const RecordKind *kind, gpointer source_tag,
                GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, (gpointer) kind, NULL);
  g_resolver_lookup_records_async (resolver, name, kind->type, cancellable, records_cb, task);
}

/* The records of a look-up that lookup_records() began with @source_tag. */
static GPtrArray *
finish_records (GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
postaci_dns_lookup_srv_async (GResolver *resolver, const char *service, const char *domain,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autofree char *name = g_strdup_printf ("_%s._tcp.%s", service, domain);

  /* lookup_records rather than lookup_service: GLib's service lookup turns a lone "." target
   * into "not found", and a tester must tell "no record" from "no service here". */
  lookup_records (resolver, name, &srv_kind, postaci_dns_lookup_srv_async, cancellable, callback,
                  user_data);
}

GPtrArray *
postaci_dns_lookup_srv_finish (GAsyncResult *result, GError **error)
{
  return finish_records (result, postaci_dns_lookup_srv_async, error);
}

void
postaci_dns_lookup_mx_async (GResolver *resolver, const char *domain, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  lookup_records (resolver, domain, &mx_kind, postaci_dns_lookup_mx_async, cancellable, callback,
                  user_data);
}

GPtrArray *
postaci_dns_lookup_mx_finish (GAsyncResult *result, GError **error)
{
  return finish_records (result, postaci_dns_lookup_mx_async, error);
}
