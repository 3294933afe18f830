/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-html-text.c — HTML to readable plain text, converted chunk by chunk. */
#define G_LOG_DOMAIN "postaci-html-text"

#include "config.h"

#include <string.h>

#include "postaci-html-text.h"

/*
 * One forward pass, as a state machine that survives chunk boundaries: a tag, a comment or
 * the contents of <script> may be megabytes long (an inline image in an attribute), so they
 * are states, never buffers. Only decisions that need a few bytes of look-ahead wait for the
 * next chunk: an entity is decided within 13 bytes ("&#x" and nine digits and ";"), the start
 * of markup within 4 ("<!--"), the end tag of raw text within 2 + 15 + 1. Text is only ever
 * cut at ASCII bytes or chunk ends, and entities are re-encoded with g_unichar_to_utf8(), so
 * valid UTF-8 in gives valid UTF-8 out.
 */
#define LOOKAHEAD        20
#define ENTITY_LOOKAHEAD 16
#define MARKUP_LOOKAHEAD 4
/* Trailing white space is held back so that the end of the text is trimmed; beyond this much
 * it is let through (only a run of nothing but white space in <pre> gets that far). */
#define MAX_HELD_SPACE (64 * 1024)

typedef enum
{
  IN_TEXT,
  IN_TAG_NAME,
  IN_TAG,        /* attributes, up to '>' */
  IN_TAG_EQUALS, /* after '=', before the value */
  IN_TAG_QUOTED, /* inside a quoted value, which may hold '>' */
  IN_COMMENT,
  IN_DECLARATION, /* <!DOCTYPE …>, <?xml …?> */
  IN_RAW_TEXT,    /* the contents of <script>, <style>, <title>, <template> */
  IN_RAW_END,     /* their end tag, up to '>' */
} Where;

struct _PostaciHtmlText
{
  Where    where;
  char     name[16]; /* the tag being read, lower case, at most 15 letters kept */
  gsize    name_len;
  gboolean closing;
  gboolean self_closing; /* "<br/>": the last non-space character before '>' is a slash */
  char     quote;
  guint    dashes;  /* in a comment: '-' seen in a row */
  char     raw[16]; /* the raw-text element whose end tag is awaited */

  guint    breaks;  /* line breaks owed before the next text; 2 = one blank line */
  gboolean space;   /* a space is owed before the next text */
  guint    pre;     /* depth of <pre>: white space is kept there */
  gboolean emitted; /* some text was given: owed breaks and spaces are paid from now on */
  gboolean started; /* a non-space byte went out: leading white space is trimmed before */
  GString *held;    /* trailing white space, given out only when more text follows */
  GString *carry;   /* input held back for look-ahead, fewer than LOOKAHEAD bytes */
};

PostaciHtmlText *
postaci_html_text_new (void)
{
  PostaciHtmlText *self = g_new0 (PostaciHtmlText, 1);

  self->held = g_string_new (NULL);
  self->carry = g_string_new (NULL);
  return self;
}

void
postaci_html_text_free (PostaciHtmlText *self)
{
  if (self == NULL)
    return;
  g_string_free (self->held, TRUE);
  g_string_free (self->carry, TRUE);
  g_free (self);
}

/* g_string_append_len() goes through g_string_insert_len() and its checks: this is the
 * converter's innermost step. */
static inline void
append (GString *out, const char *data, gsize len)
{
  gsize at = out->len;

  g_string_set_size (out, at + len);
  memcpy (out->str + at, data, len);
}

/* Gives text out, trimmed at both ends of the whole document. */
static void
put (PostaciHtmlText *self, GString *out, const char *text, gsize len)
{
  const char *end = text + len;
  const char *last = end;

  if (!self->started)
    {
      while (text < end && g_ascii_isspace (*text))
        text++;
      if (text == end)
        return;
      self->started = TRUE;
    }
  while (last > text && g_ascii_isspace (last[-1]))
    last--;
  if (last > text)
    {
      if (self->held->len > 0)
        {
          g_string_append_len (out, self->held->str, self->held->len);
          g_string_truncate (self->held, 0);
        }
      g_string_append_len (out, text, last - text);
    }
  if (last < end)
    {
      g_string_append_len (self->held, last, end - last);
      if (self->held->len > MAX_HELD_SPACE)
        {
          g_string_append_len (out, self->held->str, self->held->len);
          g_string_truncate (self->held, 0);
        }
    }
}

static void
sink_text (PostaciHtmlText *self, GString *out, const char *text, gsize len)
{
  const char *separator = NULL;
  gsize       separator_len = 0;

  if (len == 0)
    return;
  /* Owed breaks and spaces are only paid between two pieces of text, which trims both ends
   * and drops spaces at line ends. */
  if (self->emitted)
    {
      if (self->breaks > 0)
        {
          separator = "\n\n";
          separator_len = MIN (self->breaks, 2);
        }
      else if (self->space)
        {
          separator = " ";
          separator_len = 1;
        }
    }
  self->breaks = 0;
  self->space = FALSE;
  self->emitted = TRUE;
  /* The common case, straight out: text that ends in a non-space byte after text already
   * given, so neither end needs trimming. */
  if (self->started && self->held->len == 0 && !g_ascii_isspace (text[len - 1]))
    {
      if (separator_len > 0)
        append (out, separator, separator_len);
      append (out, text, len);
      return;
    }
  if (separator_len > 0)
    put (self, out, separator, separator_len);
  put (self, out, text, len);
}

/* At least @n line breaks before the next text (block boundaries). */
static void
sink_block (PostaciHtmlText *self, guint n)
{
  self->breaks = MAX (self->breaks, n);
}

/* One more line break (<br>, a newline inside <pre>), never more than one blank line. */
static void
sink_newline (PostaciHtmlText *self)
{
  self->breaks = MIN (self->breaks + 1, 2);
}

static gboolean
is_html_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static const struct
{
  const char *name;
  const char *utf8;
} named_entities[] = {
  { "amp", "&" },    { "lt", "<" },     { "gt", ">" },    { "quot", "\"" }, { "apos", "'" },
  { "nbsp", " " },   { "shy", "" },     { "copy", "©" },  { "reg", "®" },   { "trade", "™" },
  { "deg", "°" },    { "hellip", "…" }, { "mdash", "—" }, { "ndash", "–" }, { "bull", "•" },
  { "middot", "·" }, { "laquo", "«" },  { "raquo", "»" }, { "lsquo", "‘" }, { "rsquo", "’" },
  { "ldquo", "“" },  { "rdquo", "”" },  { "euro", "€" },
};

/* Decodes the entity at @p (which points at '&') into @buf.
 * Returns the bytes consumed, or 0 when @p does not start a known, complete
 * entity: the '&' is then ordinary text. *is_space is set for &#9; &#10; &#13;.
 * It never looks further than 13 bytes past @p. */
static gsize
decode_entity (const char *p, const char *end, char buf[8], gsize *buf_len, gboolean *is_space)
{
  const char *q = p + 1;

  *is_space = FALSE;
  if (q < end && *q == '#')
    {
      gboolean hex;
      guint32  value = 0;
      guint    digits = 0;

      q++;
      hex = q < end && (*q == 'x' || *q == 'X');
      if (hex)
        q++;
      for (; q < end && (hex ? g_ascii_isxdigit (*q) : g_ascii_isdigit (*q)); q++)
        {
          /* more than 8 digits is out of range anyway; stop before overflow */
          if (++digits > 8)
            return 0;
          value = value * (hex ? 16 : 10) + (hex ? g_ascii_xdigit_value (*q) : *q - '0');
        }
      if (digits == 0 || q >= end || *q != ';')
        return 0;
      if (value == '\t' || value == '\n' || value == '\r')
        {
          *is_space = TRUE;
          *buf_len = 0;
          return q + 1 - p;
        }
      /* Control characters, surrogates and out-of-range values stay as written. */
      if (value < 0x20 || (value >= 0x7f && value < 0xa0) || !g_unichar_validate (value))
        return 0;
      *buf_len = g_unichar_to_utf8 (value, buf);
      return q + 1 - p;
    }

  for (; q < end && g_ascii_isalnum (*q) && q - p <= 8; q++)
    ;
  if (q == p + 1 || q >= end || *q != ';')
    return 0;
  for (gsize i = 0; i < G_N_ELEMENTS (named_entities); i++)
    {
      gsize len = strlen (named_entities[i].name);

      if ((gsize) (q - p - 1) == len && memcmp (p + 1, named_entities[i].name, len) == 0)
        {
          *buf_len = strlen (named_entities[i].utf8);
          memcpy (buf, named_entities[i].utf8, *buf_len);
          return q + 1 - p;
        }
    }
  return 0;
}

static gboolean
name_in (const char *name, const char *const *names)
{
  for (; *names != NULL; names++)
    if (strcmp (name, *names) == 0)
      return TRUE;
  return FALSE;
}

static void
handle_tag (PostaciHtmlText *self, GString *out)
{
  static const char *const paragraphs[] = { "p", "h1", "h2", "h3", "h4", "h5", "h6", NULL };
  static const char *const blocks[] = { "div",        "ul",      "ol",       "dl",         "dt",
                                        "dd",         "table",   "tr",       "blockquote", "pre",
                                        "hr",         "section", "article",  "header",     "footer",
                                        "nav",        "aside",   "main",     "address",    "figure",
                                        "figcaption", "form",    "fieldset", "li",         NULL };
  const char              *name = self->name;

  /* <p> and </p> are most of the tags of a long message: decided without a search. */
  if (name[0] == 'p' && name[1] == '\0')
    {
      sink_block (self, 2);
      return;
    }
  if (strcmp (name, "br") == 0)
    {
      sink_newline (self);
      return;
    }
  if (name_in (name, paragraphs))
    sink_block (self, 2);
  else if (name_in (name, blocks))
    sink_block (self, 1);
  else if (self->closing && (strcmp (name, "td") == 0 || strcmp (name, "th") == 0))
    self->space = TRUE;

  if (strcmp (name, "pre") == 0)
    {
      if (!self->closing)
        self->pre++;
      else if (self->pre > 0)
        self->pre--;
    }
  else if (strcmp (name, "li") == 0 && !self->closing)
    {
      sink_text (self, out, "•", strlen ("•"));
      self->space = TRUE;
    }
}

/* A tag ended, at its '>' or at the end of the input. */
static void
end_tag (PostaciHtmlText *self, GString *out)
{
  static const char *const raw_text[] = { "script", "style", "title", "template", NULL };

  self->name[self->name_len] = '\0';
  self->where = IN_TEXT;
  /* Every raw-text element starts with 's' or 't': most tags ("p", "div") need no search. */
  if (!self->closing && !self->self_closing && (self->name[0] == 's' || self->name[0] == 't') &&
      name_in (self->name, raw_text))
    {
      memcpy (self->raw, self->name, sizeof self->raw);
      self->where = IN_RAW_TEXT;
      return;
    }
  handle_tag (self, out);
}

/* Markup at @p ('<') with the look-ahead it needs: returns where to go on. */
static const char *
start_markup (PostaciHtmlText *self, GString *out, const char *p, const char *end)
{
  const char *q = p + 1;
  gboolean    closing = FALSE;

  if (q >= end)
    {
      sink_text (self, out, "<", 1);
      return q;
    }
  if (*q == '!' || *q == '?')
    {
      if (end - q >= 3 && memcmp (q, "!--", 3) == 0)
        {
          self->where = IN_COMMENT;
          self->dashes = 0;
          return q + 3;
        }
      self->where = IN_DECLARATION;
      return q + 1;
    }
  if (*q == '/')
    {
      closing = TRUE;
      q++;
    }
  if (q >= end || !g_ascii_isalpha (*q))
    {
      /* not a tag: the '<' is text, and what follows is read as text */
      sink_text (self, out, "<", 1);
      return p + 1;
    }
  self->closing = closing;
  self->self_closing = FALSE;
  self->name_len = 0;
  self->where = IN_TAG_NAME;
  return q;
}

#define BYTES(b)  (G_GUINT64_CONSTANT (0x0101010101010101) * (guint8) (b))
#define HIGH_BITS BYTES (0x80)

/* The high bit of each byte of @word that is below 0x21, '<' or '&'. Each test may also flag
 * bytes above one it rightly flagged (a borrow runs on), never below: the lowest flag is
 * always right, and it is the only one used. */
static inline guint64
may_stop (guint64 word)
{
  guint64 low = (word - BYTES (0x21)) & ~word;
  guint64 lt = word ^ BYTES ('<');
  guint64 amp = word ^ BYTES ('&');

  return (low | ((lt - BYTES (1)) & ~lt) | ((amp - BYTES (1)) & ~amp)) & HIGH_BITS;
}

/* Where the lowest flagged byte of @found (not 0) is: the word was read little-endian, so
 * the lowest byte is the first in memory. */
static inline gsize
first_flagged_byte (guint64 found)
{
  return (gsize) __builtin_ctzll (found) / 8;
}

/* Text at @p, which is not '<': returns where to go on, or NULL to wait for more input. */
static const char *
read_text (PostaciHtmlText *self, GString *out, const char *p, const char *end, gboolean last)
{
  if (*p == '&')
    {
      char     buf[8];
      gsize    buf_len = 0;
      gboolean is_space;
      gsize    used;

      if (!last && end - p < ENTITY_LOOKAHEAD)
        return NULL;
      used = decode_entity (p, end, buf, &buf_len, &is_space);
      if (used == 0)
        {
          sink_text (self, out, "&", 1);
          return p + 1;
        }
      if (is_space)
        self->space = TRUE;
      else
        sink_text (self, out, buf, buf_len);
      return p + used;
    }
  if (is_html_space (*p))
    {
      if (self->pre == 0)
        self->space = TRUE;
      else if (*p == '\r' || *p == '\n')
        {
          /* CRLF is one line break */
          if (*p == '\r' && p + 1 == end && !last)
            return NULL;
          if (*p == '\r' && p + 1 < end && p[1] == '\n')
            p++;
          sink_newline (self);
        }
      else
        sink_text (self, out, p, 1);
      return p + 1;
    }

  {
    /* The bytes that end a run of text: '<', '&' and HTML white space. */
    static const gboolean stops[256] = {
      ['<'] = TRUE,  ['&'] = TRUE,  [' '] = TRUE,  ['\t'] = TRUE,
      ['\n'] = TRUE, ['\r'] = TRUE, ['\f'] = TRUE,
    };
    const char *q = p;

    while (q < end)
      {
        if (end - q >= 8)
          {
            guint64 word;
            guint64 found;

            /* Eight bytes at a time over the letters of a word: only a byte that may stop
             * the run (below 0x21, '<' or '&') is looked at one by one. */
            memcpy (&word, q, 8);
            found = may_stop (GUINT64_FROM_LE (word));
            if (found == 0)
              {
                q += 8;
                continue;
              }
            q += first_flagged_byte (found);
          }
        if (!stops[(guchar) *q])
          q++;
        /* One space between two words is given out as one space either way: the run goes
         * on over it, so a line of words is one piece of text, not one per word. */
        else if (*q == ' ' && self->pre == 0 && q + 1 < end && !stops[(guchar) q[1]])
          q += 2;
        else
          break;
      }
    sink_text (self, out, p, q - p);
    return q;
  }
}

/* Converts [start, end): returns how much was used. Unless @last, what is left is shorter
 * than LOOKAHEAD and waits for the next chunk. */
static gsize
process (PostaciHtmlText *self, const char *start, const char *end, gboolean last, GString *out)
{
  const char *p = start;

  while (p < end)
    {
      char c = *p;

      switch (self->where)
        {
        case IN_TEXT:
          if (c == '<')
            {
              if (!last && end - p < MARKUP_LOOKAHEAD)
                return p - start;
              p = start_markup (self, out, p, end);
            }
          else
            {
              const char *next = read_text (self, out, p, end, last);

              if (next == NULL)
                return p - start;
              p = next;
            }
          break;

        case IN_TAG_NAME:
          if (g_ascii_isalnum (c))
            {
              if (self->name_len < sizeof self->name - 1)
                self->name[self->name_len++] = g_ascii_tolower (c);
              p++;
            }
          else
            self->where = IN_TAG; /* the same byte again, as an attribute byte */
          break;

        case IN_TAG:
          p++;
          if (c == '>')
            end_tag (self, out);
          else if (c == '=')
            self->where = IN_TAG_EQUALS;
          else if (!is_html_space (c))
            self->self_closing = (c == '/');
          break;

        case IN_TAG_EQUALS:
          if (is_html_space (c))
            p++;
          else if (c == '"' || c == '\'')
            {
              self->quote = c;
              self->where = IN_TAG_QUOTED;
              p++;
            }
          else
            self->where = IN_TAG; /* an unquoted value is read as attribute bytes */
          break;

        case IN_TAG_QUOTED:
          {
            const char *close = memchr (p, self->quote, end - p);

            if (close == NULL)
              p = end;
            else
              {
                self->where = IN_TAG;
                p = close + 1;
              }
          }
          break;

        case IN_COMMENT:
          if (c == '>' && self->dashes >= 2)
            self->where = IN_TEXT;
          else if (c == '-')
            self->dashes++;
          else
            self->dashes = 0;
          p++;
          break;

        case IN_DECLARATION:
        case IN_RAW_END:
          {
            const char *gt = memchr (p, '>', end - p);

            if (gt == NULL)
              p = end;
            else
              {
                self->where = IN_TEXT;
                p = gt + 1;
              }
          }
          break;

        case IN_RAW_TEXT:
          {
            gsize       len = strlen (self->raw);
            const char *lt = memchr (p, '<', end - p);
            const char *after;

            if (lt == NULL)
              {
                p = end;
                break;
              }
            if (!last && (gsize) (end - lt) < 2 + len + 1)
              return lt - start;
            after = lt + 2 + len;
            if (after <= end && lt[1] == '/' && g_ascii_strncasecmp (lt + 2, self->raw, len) == 0 &&
                (after == end || *after == '>' || *after == '/' || is_html_space (*after)))
              {
                self->where = IN_RAW_END;
                p = after;
              }
            else
              p = lt + 1;
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }
  return p - start;
}

void
postaci_html_text_feed (PostaciHtmlText *self, const char *data, gsize length, GString *out)
{
  gsize used;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || length == 0);
  g_return_if_fail (out != NULL);

  if (self->carry->len == 0)
    {
      used = process (self, data, data + length, FALSE, out);
      g_string_append_len (self->carry, data + used, length - used);
    }
  else
    {
      g_string_append_len (self->carry, data, length);
      used = process (self, self->carry->str, self->carry->str + self->carry->len, FALSE, out);
      g_string_erase (self->carry, 0, used);
    }
  g_assert (self->carry->len < LOOKAHEAD);
}

void
postaci_html_text_finish (PostaciHtmlText *self, GString *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  process (self, self->carry->str, self->carry->str + self->carry->len, TRUE, out);
  g_string_truncate (self->carry, 0);
  /* An unterminated tag still counts, as if it ended with the input. */
  if (self->where == IN_TAG_NAME || self->where == IN_TAG || self->where == IN_TAG_EQUALS ||
      self->where == IN_TAG_QUOTED)
    end_tag (self, out);
  /* trailing white space is dropped */
  g_string_truncate (self->held, 0);
}

/**
 * postaci_html_to_text:
 * @html: (nullable): HTML, UTF-8
 *
 * Tags are dropped and <script>, <style>, <title> and <template> lose their
 * contents; <br> and block ends become line breaks, <li> a bullet; entities
 * (&amp; &lt; &gt; &quot; &#39; &nbsp;, a few common named ones, &#NNN; and
 * &#xHH;) are decoded and unknown ones kept as written; runs of white space
 * collapse to one space, there is at most one blank line in a row, and the
 * result is trimmed.
 *
 * Returns: (transfer full): the text, valid UTF-8
 */
char *
postaci_html_to_text (const char *html)
{
  g_autofree char *valid = NULL;
  g_autoptr (PostaciHtmlText) converter = NULL;
  GString *out;
  gsize    length;

  if (html == NULL)
    return g_strdup ("");
  if (!g_utf8_validate (html, -1, NULL))
    html = valid = g_utf8_make_valid (html, -1);

  length = strlen (html);
  out = g_string_sized_new (MIN (length, 4096));
  converter = postaci_html_text_new ();
  postaci_html_text_feed (converter, html, length, out);
  postaci_html_text_finish (converter, out);
  return g_string_free (out, FALSE);
}
