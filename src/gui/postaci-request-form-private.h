/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-request-form-private.h — what postaci-request-form.c and its -attachments.c,
 * -marks.c and -settings.c share. */
#pragma once

#include <gtksourceview/gtksource.h>

#include "postaci-request-form.h"

G_BEGIN_DECLS

/* The choices of the combo rows, in the order the .ui lists them. */
static const PostaciSecurity security_choices[] = {
  POSTACI_SECURITY_NONE, POSTACI_SECURITY_STARTTLS, POSTACI_SECURITY_TLS, POSTACI_SECURITY_AUTO,
};
/* Where each security usually listens: plain SMTP, submission, submissions (RFC 8314); auto as
 * in postaci-cli: 587, where it means STARTTLS when offered (on 465 it means SSL/TLS). */
static const guint security_ports[] = { 25, 587, 465, 587 };

static const PostaciMechanism mechanism_choices[] = {
  POSTACI_MECHANISM_AUTO, POSTACI_MECHANISM_PLAIN, POSTACI_MECHANISM_LOGIN,
  POSTACI_MECHANISM_CRAM_MD5, POSTACI_MECHANISM_DIGEST_MD5, POSTACI_MECHANISM_SCRAM_SHA_1,
  POSTACI_MECHANISM_SCRAM_SHA_256, POSTACI_MECHANISM_NTLM, POSTACI_MECHANISM_XOAUTH2,
};

/* POSTACI_STAGE_QUIT means the whole session: the message is sent. */
static const PostaciStage stop_after_choices[] = {
  POSTACI_STAGE_QUIT, POSTACI_STAGE_RCPT, POSTACI_STAGE_MAIL, POSTACI_STAGE_AUTH,
  POSTACI_STAGE_TLS, POSTACI_STAGE_EHLO, POSTACI_STAGE_GREETING, POSTACI_STAGE_CONNECT,
};

/* INDEX_OF () reads these tables as int arrays. */
G_STATIC_ASSERT (sizeof (PostaciSecurity) == sizeof (int));
G_STATIC_ASSERT (sizeof (PostaciMechanism) == sizeof (int));
G_STATIC_ASSERT (sizeof (PostaciStage) == sizeof (int));

#define DEFAULT_SECURITY_INDEX 1 /* STARTTLS on 587: what providers document today */

/* The addresses a form set up for the Local Test Server gets when it has none. */
#define LOCAL_FROM "postaci@localhost"
#define LOCAL_TO   "inbox@localhost"

struct _PostaciRequestForm {
  AdwBin               parent_instance;

  GtkWidget           *notice_box;
  GtkLabel            *notice_label;
  GtkLabel            *failure_notice;
  GtkWidget           *notice_button;
  AdwEntryRow         *server_row;
  AdwEntryRow         *port_row;
  AdwComboRow         *security_row;
  AdwExpanderRow      *auth_row;
  AdwEntryRow         *user_row;
  AdwPasswordEntryRow *password_row;
  AdwActionRow        *remember_row;
  GtkSwitch           *remember_switch;
  AdwComboRow         *mechanism_row;
  AdwEntryRow         *from_row;
  AdwEntryRow         *to_row;
  AdwEntryRow         *subject_row;
  AdwActionRow        *attach_row;
  GtkWidget           *attach_button;
  GtkWidget           *html_frame;
  GtkSourceView       *html_view;
  GtkLabel            *mail_error;
  AdwComboRow         *stop_after_row;
  AdwExpanderRow      *advanced_row;
  AdwEntryRow         *ehlo_row;
  AdwActionRow        *timeout_row;
  GtkSpinButton       *timeout_spin;
  AdwEntryRow         *ca_row;
  AdwActionRow        *insecure_row;
  GtkSwitch           *insecure_switch;
  AdwActionRow        *plain_auth_row;
  GtkSwitch           *plain_auth_switch;
  GtkLabel            *test_error;

  PostaciLocalServer  *local;
  char                *local_failure;  /* the Local Test Server's "Fail on purpose", or NULL */
  GSettings           *settings;
  char                *stop_notice;
  GPtrArray           *attachment_rows; /* AdwActionRow *, one per file, right under attach_row */

  GtkWidget           *invalid_field;  /* marked with .error until it changes */
  GtkLabel            *invalid_label;
  GtkWidget           *error_row;      /* the reason, as a row right under the field's row */
  GtkLabel            *error_row_label;
  guint                scroll_frames;

  gboolean             port_edited;    /* the person typed a port: security leaves it alone */
  gboolean             setting_port;
  gboolean             filling_local;  /* set up for the Local Test Server: nothing remembered */
  gboolean             named_local;    /* the form named the Local Test Server at the last change */
};

static inline guint
index_of (const int *choices, guint n_choices, int value, guint fallback)
{
  for (guint i = 0; i < n_choices; i++)
    if (choices[i] == value)
      return i;
  return fallback;
}

#define INDEX_OF(choices, value, fallback) \
  index_of ((const int *) (choices), G_N_ELEMENTS (choices), (int) (value), (fallback))

static inline void
set_text (gpointer editable, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text != NULL ? text : "");
}

static inline char *
get_stripped (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

/* postaci-request-form.c */
guint _postaci_request_form_security_index        (PostaciRequestForm *self);
void  _postaci_request_form_set_port              (PostaciRequestForm *self,
                                                   guint               port);
void  _postaci_request_form_set_security_and_port (PostaciRequestForm *self,
                                                   PostaciSecurity     security,
                                                   guint               port);
char *_postaci_request_form_get_html              (PostaciRequestForm *self);
void  _postaci_request_form_set_html              (PostaciRequestForm *self,
                                                   const char         *html);
void  _postaci_request_form_update_notices        (PostaciRequestForm *self);
/* Options over a form set up for the Local Test Server: its server, port and account go. */
void  _postaci_request_form_forget_local_fill     (PostaciRequestForm *self);

void  _postaci_request_form_show_toast             (PostaciRequestForm *self,
                                                   const char         *title);

/* postaci-request-form-attachments.c: the files' paths into @paths (char *, taken). */
void       _postaci_request_form_init_attachments     (PostaciRequestForm *self);
void       _postaci_request_form_read_attachments     (PostaciRequestForm *self,
                                                       GPtrArray          *paths);
/* The list becomes @paths (NULL: empty); returns how many of them cannot be sent as they are. */
guint      _postaci_request_form_set_attachments      (PostaciRequestForm *self,
                                                       GPtrArray          *paths);
GtkWidget *_postaci_request_form_attachment_for_error (PostaciRequestForm *self,
                                                       const GError       *error);

/* postaci-request-form-marks.c: connects what takes a mark away, and makes the row that says
 * why a field is wrong. */
void  _postaci_request_form_init_marks            (PostaciRequestForm *self);

/* postaci-request-form-settings.c: the server fields, written once the form no longer names
 * the Local Test Server. */
void  _postaci_request_form_write_server_fields   (PostaciRequestForm *self);

G_END_DECLS
