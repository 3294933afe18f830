/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-event.c — events and the escaping that makes server bytes safe to display. */
#define G_LOG_DOMAIN "postaci-event"

#include "config.h"

#include <string.h>

#include "postaci-enum-types.h"
#include "postaci-event.h"

G_DEFINE_BOXED_TYPE (PostaciEvent, postaci_event, postaci_event_copy, postaci_event_free)

PostaciEvent *
postaci_event_new (PostaciEventKind kind, PostaciStage stage, const char *text)
{
  PostaciEvent *event = g_new0 (PostaciEvent, 1);

  event->kind = kind;
  event->stage = stage;
  event->text = g_strdup (text ? text : "");
  return event;
}

PostaciEvent *
postaci_event_copy (const PostaciEvent *event)
{
  PostaciEvent *copy;

  g_return_val_if_fail (event != NULL, NULL);
  copy = g_memdup2 (event, sizeof *event);
  copy->text = g_strdup (event->text);
  copy->reply = event->reply ? postaci_reply_copy (event->reply) : NULL;
  copy->explanation = g_strdup (event->explanation);
  copy->hint = g_strdup (event->hint);
  copy->detail = g_strdup (event->detail);
  return copy;
}

void
postaci_event_free (PostaciEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->text);
  g_clear_pointer (&event->reply, postaci_reply_free);
  g_free (event->explanation);
  g_free (event->hint);
  g_free (event->detail);
  g_free (event);
}

const char *
postaci_event_kind_to_string (PostaciEventKind kind)
{
  return postaci_enum_get_nick (POSTACI_TYPE_EVENT_KIND, (int) kind);
}

const char *
postaci_stage_status_to_string (PostaciStageStatus status)
{
  return postaci_enum_get_nick (POSTACI_TYPE_STAGE_STATUS, (int) status);
}

/**
 * postaci_escape_text:
 * @bytes: raw bytes from the network or a file
 * @length: their length, or -1 when NUL-terminated
 *
 * Makes bytes safe for a terminal or a text view: valid UTF-8 passes,
 * control bytes (ESC, CR, NUL…) and invalid sequences become \xNN, so a
 * server can neither move the cursor nor recolour the screen.
 */
char *
postaci_escape_text (const char *bytes, gssize length)
{
  GString    *out;
  const char *p, *end;

  if (bytes == NULL)
    return g_strdup ("");
  if (length < 0)
    length = (gssize) strlen (bytes);
  out = g_string_sized_new ((gsize) length + 8);
  p = bytes;
  end = bytes + length;
  while (p < end)
    {
      guchar c = (guchar) *p;
      if (c < 0x80)
        {
          if (c < 0x20 || c == 0x7f)
            {
              if (c == '\t')
                g_string_append_c (out, '\t');
              else
                g_string_append_printf (out, "\\x%02X", c);
            }
          else if (c == '\\')
            g_string_append (out, "\\\\");
          else
            g_string_append_c (out, (char) c);
          p++;
        }
      else
        {
          gunichar ch = g_utf8_get_char_validated (p, end - p);
          if (ch == (gunichar) -1 || ch == (gunichar) -2 ||
              (ch >= 0x80 && ch < 0xa0) /* C1 controls: CSI and friends */ || ch == 0x2028 ||
              ch == 0x2029 || (ch >= 0x202a && ch <= 0x202e) ||
              (ch >= 0x2066 && ch <= 0x2069) /* bidi overrides that reorder what is shown */)
            {
              if (ch == (gunichar) -1 || ch == (gunichar) -2)
                {
                  g_string_append_printf (out, "\\x%02X", c);
                  p++;
                }
              else
                {
                  g_string_append_printf (out, "\\u%04X", ch);
                  p = g_utf8_next_char (p);
                }
            }
          else
            {
              const char *next = g_utf8_next_char (p);
              g_string_append_len (out, p, next - p);
              p = next;
            }
        }
    }
  return g_string_free (out, FALSE);
}
