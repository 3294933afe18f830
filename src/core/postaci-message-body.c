/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-message-body.c — a body read once, a chunk at a time, before anything is sent: UTF-8
 * checked, line lengths and 8-bit bytes counted, a pipe copied, the text derived from the HTML. */
#define G_LOG_DOMAIN "postaci-message"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "postaci-html-text.h"
#include "postaci-message-body-private.h"

/* How much of a body is read per step while it is checked. */
#define SCAN_CHUNK (64 * 1024)
/* A derived text up to this size stays in memory; a longer one goes to an unlinked file. */
#define DERIVED_IN_MEMORY (64 * 1024)
/* Input that is not a regular file (a pipe, process substitution) is copied to an unlinked
 * file as it is checked, so that it can be read again; this much at most. */
#define MAX_PIPED_INPUT (G_GUINT64_CONSTANT (1) << 30)

/* Whether any byte of @data has its high bit set, eight bytes at a time. */
static gboolean
has_high_bit (const char *data, gsize len)
{
  guint64 acc = 0;
  gsize   i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 word;

      memcpy (&word, data + i, 8);
      acc |= word;
    }
  for (; i < len; i++)
    acc |= (guchar) data[i];
  return (acc & G_GUINT64_CONSTANT (0x8080808080808080)) != 0;
}

static void
stats_feed (Stats *stats, const char *data, gsize len)
{
  const char *p = data;
  const char *end = data + len;

  if (len > 0 && memchr (data, '\0', len) != NULL)
    stats->nul = TRUE;
  if (has_high_bit (data, len))
    stats->high = 0x80;
  if (!stats->after_cr && memchr (data, '\r', len) == NULL)
    {
      /* LF line ends only, the usual case: one search per line. */
      while (p < end)
        {
          const char *lf = memchr (p, '\n', end - p);

          if (lf == NULL)
            {
              stats->bytes += end - p;
              stats->line += end - p;
              return;
            }
          stats->bytes += lf - p;
          stats->line += lf - p;
          stats->breaks++;
          stats->longest = MAX (stats->longest, stats->line);
          stats->line = 0;
          p = lf + 1;
        }
      return;
    }
  while (p < end)
    {
      const char *stop;
      const char *cr;

      if (*p == '\n' || *p == '\r')
        {
          if (!(*p == '\n' && stats->after_cr))
            {
              stats->breaks++;
              stats->longest = MAX (stats->longest, stats->line);
              stats->line = 0;
            }
          stats->after_cr = (*p == '\r');
          p++;
          continue;
        }
      stats->after_cr = FALSE;
      stop = memchr (p, '\n', end - p);
      if (stop == NULL)
        stop = end;
      cr = memchr (p, '\r', stop - p);
      if (cr != NULL)
        stop = cr;
      stats->bytes += stop - p;
      stats->line += stop - p;
      p = stop;
    }
}

gsize
_postaci_message_stats_longest (const Stats *stats)
{
  return MAX (stats->longest, stats->line);
}

/* An unlinked temporary file for bytes that are read again later. */
static int
open_unlinked_file (GError **error)
{
  g_autofree char *path = NULL;
  int              fd = g_file_open_tmp ("postaci-body-XXXXXX", &path, error);

  /* Unlinked at once: nothing is left behind, whatever happens next. */
  if (fd >= 0)
    g_unlink (path);
  return fd;
}

static gboolean
write_all (int fd, const char *data, gsize len, GError **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       /* Translators: %s is the system's reason */
                       _ ("Could not write a temporary file: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Opens @path as the source of @part. A regular file is read where it is; anything else (a
 * pipe) is copied into an unlinked file while it is checked, see
 * _postaci_message_scan_body(). */
gboolean
_postaci_message_open_file_source (Part *part, const char *path, PostaciRequestError code,
                                   gboolean *piped, GError **error)
{
  struct stat st;
  int         fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 || fstat (fd, &st) != 0 || S_ISDIR (st.st_mode))
    {
      int saved_errno = fd < 0 ? errno : S_ISDIR (st.st_mode) ? EISDIR : errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, POSTACI_REQUEST_ERROR, code,
                   /* Translators: a file name, then the system's reason */
                   _ ("Could not open “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  part->source.kind = POSTACI_SOURCE_FILE;
  part->source.fd = fd;
  part->source.name = g_strdup (path);
  part->source.length = S_ISREG (st.st_mode) ? (guint64) st.st_size : 0;
  *piped = !S_ISREG (st.st_mode);
  return TRUE;
}

/* Reads the next chunk of a source being checked: a regular file or memory at @offset, a
 * pipe as it comes (copied to @copy_fd so that it can be read again). */
static gssize
scan_read (Part *part, gboolean piped, int copy_fd, guint64 offset, char *buffer, GError **error)
{
  gssize n;

  if (!piped)
    return postaci_body_source_read (&part->source, offset, buffer, SCAN_CHUNK, error);

  do
    n = read (part->source.fd, buffer, SCAN_CHUNK);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _ ("Could not read “%s”: %s"), part->source.name, g_strerror (saved_errno));
      return -1;
    }
  if (offset + (guint64) n > MAX_PIPED_INPUT)
    {
      g_set_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY,
                   _ ("“%s” gives more than %" PRIu64 " MiB; give a regular file."),
                   part->source.name, (uint64_t) (MAX_PIPED_INPUT >> 20));
      return -1;
    }
  if (n > 0 && !write_all (copy_fd, buffer, (gsize) n, error))
    return -1;
  return n;
}

/* g_utf8_validate() with a fast path for runs of ASCII, eight bytes at a time: most of an
 * HTML body is ASCII. Sets @end where validation stopped, as g_utf8_validate() does. */
static gboolean
validate_utf8 (const char *data, gsize len, const char **end)
{
  const char *p = data;
  const char *limit = data + len;

  while (p < limit)
    {
      gunichar c;

      while (limit - p >= 8)
        {
          guint64 word;

          memcpy (&word, p, 8);
          if (word & G_GUINT64_CONSTANT (0x8080808080808080))
            break;
          p += 8;
        }
      if (p >= limit)
        break;
      if (!((guchar) *p & 0x80))
        {
          p++;
          continue;
        }
      /* The sequences text is made of, checked in place: two bytes (Latin, Turkish, Greek,
       * Cyrillic…), and three bytes led by E1–EC or EE, which can be no surrogate and no
       * noncharacter. Anything else, or a sequence cut by the chunk's end, is GLib's to judge. */
      if ((guchar) p[0] >= 0xc2 && (guchar) p[0] <= 0xdf && limit - p >= 2 &&
          ((guchar) p[1] & 0xc0) == 0x80)
        {
          p += 2;
          continue;
        }
      if ((((guchar) p[0] >= 0xe1 && (guchar) p[0] <= 0xec) || (guchar) p[0] == 0xee) &&
          limit - p >= 3 && ((guchar) p[1] & 0xc0) == 0x80 && ((guchar) p[2] & 0xc0) == 0x80)
        {
          p += 3;
          continue;
        }
      c = g_utf8_get_char_validated (p, limit - p);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          *end = p;
          return FALSE;
        }
      p = g_utf8_next_char (p);
    }
  *end = limit;
  return TRUE;
}

/* Where the derived text goes: memory while it is short, then an unlinked file. */
typedef struct
{
  GString *out;
  int      fd;
  guint64  length;
} DerivedSink;

static gboolean
derived_flush (DerivedSink *sink, Part *text, gboolean last, GError **error)
{
  stats_feed (&text->stats, sink->out->str, sink->out->len);
  if (sink->fd < 0 && (last || sink->length + sink->out->len <= DERIVED_IN_MEMORY))
    {
      /* still short: kept in memory, in sink->out */
      return TRUE;
    }
  if (sink->fd < 0)
    {
      sink->fd = open_unlinked_file (error);
      if (sink->fd < 0)
        return FALSE;
    }
  if (!write_all (sink->fd, sink->out->str, sink->out->len, error))
    return FALSE;
  sink->length += sink->out->len;
  g_string_truncate (sink->out, 0);
  return TRUE;
}

/*
 * One pass over a text body (the HTML, or the plain text given): UTF-8 checked across chunk
 * boundaries, a NUL refused, line lengths and 8-bit bytes counted; for the HTML, the text
 * alternative is derived on the way into @text (when not NULL).
 */
gboolean
_postaci_message_scan_body (Part *part, gboolean piped, Part *text, GError **error)
{
  g_autofree char *buffer = g_malloc (SCAN_CHUNK + 4);
  g_autoptr (PostaciHtmlText) converter = NULL;
  DerivedSink sink = { NULL, -1, 0 };
  int         copy_fd = -1;
  gsize       carried = 0; /* the start of a UTF-8 character cut by the previous chunk */
  guint64     offset = 0;
  gboolean    ok = FALSE;
  const char *name = part->source.kind == POSTACI_SOURCE_FILE ? part->source.name : NULL;

  if (text != NULL)
    {
      converter = postaci_html_text_new ();
      sink.out = g_string_sized_new (2 * SCAN_CHUNK);
    }
  if (piped)
    {
      copy_fd = open_unlinked_file (error);
      if (copy_fd < 0)
        goto out;
    }

  for (;;)
    {
      gssize      n = scan_read (part, piped, copy_fd, offset, buffer + carried, error);
      const char *invalid;
      gsize       total;

      if (n < 0)
        goto out;
      if (n == 0)
        break;
      offset += (guint64) n;
      /* The statistics look for a NUL byte too: one search for both. */
      stats_feed (&part->stats, buffer + carried, (gsize) n);
      if (part->stats.nul)
        {
          if (name != NULL)
            g_set_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY,
                         _ ("“%s” contains a NUL byte; give a UTF-8 text file."), name);
          else
            g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY,
                                 _ ("The subject and message must be UTF-8 text."));
          goto out;
        }
      if (converter != NULL)
        {
          postaci_html_text_feed (converter, buffer + carried, (gsize) n, sink.out);
          if (sink.out->len >= SCAN_CHUNK && !derived_flush (&sink, text, FALSE, error))
            goto out;
        }

      total = carried + (gsize) n;
      if (!validate_utf8 (buffer, total, &invalid))
        {
          gsize rest = total - (gsize) (invalid - buffer);

          /* A character cut by the chunk's end waits for the next chunk. */
          if (rest >= 4 || g_utf8_get_char_validated (invalid, (gssize) rest) != (gunichar) -2)
            goto not_utf8;
          memmove (buffer, invalid, rest);
          carried = rest;
        }
      else
        carried = 0;
    }
  if (carried > 0)
    goto not_utf8;

  if (piped)
    {
      /* From now on the copy is the source. */
      close (part->source.fd);
      part->source.fd = g_steal_fd (&copy_fd);
    }
  part->source.length = offset;

  if (converter != NULL)
    {
      postaci_html_text_finish (converter, sink.out);
      if (!derived_flush (&sink, text, TRUE, error))
        goto out;
      if (sink.fd >= 0)
        {
          text->source.kind = POSTACI_SOURCE_FILE;
          text->source.fd = g_steal_fd (&sink.fd);
          text->source.name = g_strdup (_ ("the text derived from the HTML"));
          text->source.length = sink.length;
        }
      else
        {
          text->source.length = sink.out->len;
          text->owned = g_string_free (g_steal_pointer (&sink.out), FALSE);
          text->source.data = text->owned;
        }
    }
  ok = TRUE;
  goto out;

not_utf8:
  if (name != NULL)
    g_set_error (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY,
                 _ ("“%s” is not UTF-8 text."), name);
  else
    g_set_error_literal (error, POSTACI_REQUEST_ERROR, POSTACI_REQUEST_ERROR_BODY,
                         _ ("The subject and message must be UTF-8 text."));
out:
  if (sink.out != NULL)
    g_string_free (sink.out, TRUE);
  if (sink.fd >= 0)
    close (sink.fd);
  if (copy_fd >= 0)
    close (copy_fd);
  return ok;
}

/* A pipe given as an attachment is copied once, so that it can be sent (and measured) like a
 * file. */
gboolean
_postaci_message_copy_pipe (Part *part, GError **error)
{
  g_autofree char *buffer = g_malloc (SCAN_CHUNK);
  int              copy_fd = open_unlinked_file (error);
  guint64          offset = 0;
  gssize           n;

  if (copy_fd < 0)
    return FALSE;
  while ((n = scan_read (part, TRUE, copy_fd, offset, buffer, error)) > 0)
    offset += (guint64) n;
  close (part->source.fd);
  part->source.fd = copy_fd;
  if (n < 0)
    return FALSE;
  part->source.length = offset;
  return TRUE;
}
