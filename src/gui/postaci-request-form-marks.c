/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-request-form-marks.c — the form's marks: the field a request error names gets the
 * reason right under it (a row of its own, or the label under the HTML editor), the .error
 * style and the accessible "invalid" state, the cursor, and a scroll into sight; the mark goes
 * as soon as the person edits that field. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include "postaci-request-form-private.h"

void
postaci_request_form_clear_invalid (PostaciRequestForm *self)
{
  GtkWidget *parent;

  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));

  parent = gtk_widget_get_parent (self->error_row);
  if (self->invalid_field != NULL)
    {
      gtk_widget_remove_css_class (self->invalid_field, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (self->invalid_field),
                                  GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->invalid_field),
                                     GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE);
    }
  if (self->invalid_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->invalid_label), FALSE);
  if (parent != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (parent), self->error_row);
  self->invalid_field = NULL;
  self->invalid_label = NULL;
}

static void
field_changed_cb (GtkWidget *field, PostaciRequestForm *self)
{
  if (field == self->invalid_field)
    postaci_request_form_clear_invalid (self);
}

static void
html_changed_cb (GtkTextBuffer *buffer, PostaciRequestForm *self)
{
  field_changed_cb (self->html_frame, self);
}

static void
mechanism_changed_cb (GObject *object, GParamSpec *pspec, PostaciRequestForm *self)
{
  field_changed_cb (GTK_WIDGET (self->mechanism_row), self);
}

/* The field a request error names, or NULL for an error of no one field. */
static GtkWidget *
field_for_error (PostaciRequestForm *self, const GError *error)
{
  if (error->domain != POSTACI_REQUEST_ERROR)
    return NULL;
  switch ((PostaciRequestError) error->code)
    {
    case POSTACI_REQUEST_ERROR_SERVER:
      return GTK_WIDGET (self->server_row);
    case POSTACI_REQUEST_ERROR_PORT:
      return GTK_WIDGET (self->port_row);
    case POSTACI_REQUEST_ERROR_USERNAME:
      return GTK_WIDGET (self->user_row);
    case POSTACI_REQUEST_ERROR_PASSWORD:
      return GTK_WIDGET (self->password_row);
    case POSTACI_REQUEST_ERROR_MECHANISM:
      return GTK_WIDGET (self->mechanism_row);
    case POSTACI_REQUEST_ERROR_FROM:
      return GTK_WIDGET (self->from_row);
    case POSTACI_REQUEST_ERROR_RECIPIENTS:
      return GTK_WIDGET (self->to_row);
    case POSTACI_REQUEST_ERROR_SUBJECT:
      return GTK_WIDGET (self->subject_row);
    case POSTACI_REQUEST_ERROR_BODY:
      return self->html_frame;
    case POSTACI_REQUEST_ERROR_EHLO_NAME:
      return GTK_WIDGET (self->ehlo_row);
    case POSTACI_REQUEST_ERROR_TIMEOUT:
      return GTK_WIDGET (self->timeout_spin);
    case POSTACI_REQUEST_ERROR_CA_FILE:
      return GTK_WIDGET (self->ca_row);
    case POSTACI_REQUEST_ERROR_ATTACHMENT:
      return _postaci_request_form_attachment_for_error (self, error);
    default:
      return NULL;
    }
}

/* Scrolls the form's scrolled window so that the field and the reason under it are both in
 * sight, once they are laid out (the reason's row was only just put in). */
static gboolean
scroll_to_invalid_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  PostaciRequestForm *self = POSTACI_REQUEST_FORM (widget);
  GtkWidget          *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget          *last =
    self->invalid_label != NULL ? GTK_WIDGET (self->invalid_label) : self->error_row;
  GtkWidget      *content;
  GtkAdjustment  *adjustment;
  graphene_rect_t top, bottom;
  double          value, page;

  if (scroller == NULL || self->invalid_field == NULL || gtk_widget_get_parent (last) == NULL)
    return G_SOURCE_REMOVE;
  /* Tick callbacks run before layout: the frame after the one that put the reason in. */
  if (gtk_widget_get_height (last) == 0 && ++self->scroll_frames < 10)
    return G_SOURCE_CONTINUE;
  content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  value = gtk_adjustment_get_value (adjustment);
  page = gtk_adjustment_get_page_size (adjustment);
  if (!gtk_widget_compute_bounds (self->invalid_field, content, &top) ||
      !gtk_widget_compute_bounds (last, content, &bottom))
    return G_SOURCE_REMOVE;
  if (bottom.origin.y + bottom.size.height > value + page)
    value = bottom.origin.y + bottom.size.height + 12 - page;
  if (top.origin.y < value)
    value = top.origin.y - 12;
  gtk_adjustment_set_value (adjustment, value);
  return G_SOURCE_REMOVE;
}

void
postaci_request_form_mark_invalid (PostaciRequestForm *self, const GError *error)
{
  GtkWidget *field;
  GtkWidget *message;

  g_return_if_fail (POSTACI_IS_REQUEST_FORM (self));
  g_return_if_fail (error != NULL);

  field = field_for_error (self, error);
  postaci_request_form_clear_invalid (self);
  if (field == NULL)
    {
      gtk_label_set_text (self->test_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->test_error), TRUE);
      self->invalid_label = self->test_error;
      return;
    }

  if (gtk_widget_is_ancestor (field, GTK_WIDGET (self->auth_row)))
    adw_expander_row_set_expanded (self->auth_row, TRUE);
  if (gtk_widget_is_ancestor (field, GTK_WIDGET (self->advanced_row)))
    adw_expander_row_set_expanded (self->advanced_row, TRUE);
  if (field == self->html_frame)
    {
      /* The HTML editor is no row: its reason is the label right under it. */
      gtk_label_set_text (self->mail_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->mail_error), TRUE);
      self->invalid_label = self->mail_error;
      message = GTK_WIDGET (self->mail_error);
    }
  else
    {
      GtkWidget *row = GTK_IS_LIST_BOX_ROW (field)
                         ? field
                         : gtk_widget_get_ancestor (field, GTK_TYPE_LIST_BOX_ROW);
      GtkWidget *list = gtk_widget_get_parent (row);

      gtk_label_set_text (self->error_row_label, error->message);
      gtk_list_box_insert (GTK_LIST_BOX (list), self->error_row,
                           gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) + 1);
      message = GTK_WIDGET (self->error_row_label);
    }
  gtk_widget_add_css_class (field, "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID,
                               GTK_ACCESSIBLE_INVALID_TRUE, -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE,
                                  message, NULL, -1);
  gtk_widget_grab_focus (field == self->html_frame ? GTK_WIDGET (self->html_view) : field);
  self->invalid_field = field;
  self->scroll_frames = 0;
  gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_to_invalid_cb, NULL, NULL);
}

void
_postaci_request_form_init_marks (PostaciRequestForm *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->html_view));

  /* Marks go away as soon as the person edits the field they are on. */
  {
    gpointer editables[] = {
      self->server_row, self->port_row,    self->user_row, self->password_row, self->from_row,
      self->to_row,     self->subject_row, self->ehlo_row, self->ca_row,
    };

    for (guint i = 0; i < G_N_ELEMENTS (editables); i++)
      g_signal_connect (editables[i], "changed", G_CALLBACK (field_changed_cb), self);
  }
  g_signal_connect (buffer, "changed", G_CALLBACK (html_changed_cb), self);
  g_signal_connect (self->timeout_spin, "value-changed", G_CALLBACK (field_changed_cb), self);
  g_signal_connect (self->mechanism_row, "notify::selected", G_CALLBACK (mechanism_changed_cb),
                    self);

  /* The reason a field is wrong, as a row of its own put right under the field's row. */
  self->error_row_label =
    GTK_LABEL (g_object_new (GTK_TYPE_LABEL, "wrap", TRUE, "xalign", 0.0f, "margin-top", 6,
                             "margin-bottom", 6, "margin-start", 12, "margin-end", 12, NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->error_row_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->error_row_label), "field-error");
  self->error_row = g_object_ref_sink (g_object_new (ADW_TYPE_PREFERENCES_ROW, "activatable", FALSE,
                                                     "selectable", FALSE, "focusable", FALSE,
                                                     "child", self->error_row_label, NULL));
  gtk_widget_add_css_class (self->error_row, "field-error-row");
}
