/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-verdict-panel.c — how a run ended, in words a helpdesk reads: the verdict card. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "postaci-verdict-panel.h"
#include "postaci-transcript.h"

struct _PostaciVerdictPanel
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkRevealer *verdict_revealer;
  GtkWidget   *verdict_box;
  GtkImage    *verdict_icon;
  GtkLabel    *verdict_title;
  GtkLabel    *verdict_reason;
  GtkLabel    *verdict_reply;
  GtkLabel    *verdict_explanation;
  GtkLabel    *verdict_hint;
  GtkWidget   *verdict_details;
  GtkLabel    *verdict_detail;
  GtkWidget   *verdict_button;
};

G_DEFINE_FINAL_TYPE (PostaciVerdictPanel, postaci_verdict_panel, GTK_TYPE_WIDGET)

static void
set_optional_label (GtkLabel *label, const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

void
postaci_verdict_panel_show (PostaciVerdictPanel *self, const PostaciOutcome *outcome,
                            gboolean local_server_off)
{
  static const char *const classes[] = {
    [POSTACI_VERDICT_TONE_SUCCESS] = "success",
    [POSTACI_VERDICT_TONE_WARNING] = "warning",
    [POSTACI_VERDICT_TONE_FAILURE] = "error",
  };
  PostaciVerdictTone tone;
  const char        *icon;
  g_autofree char   *title = NULL;
  g_autofree char   *reply = NULL;
  g_autofree char   *hint = NULL;

  g_return_if_fail (POSTACI_IS_VERDICT_PANEL (self));
  g_return_if_fail (outcome != NULL);

  tone = postaci_verdict_get_tone (outcome->verdict);
  icon = outcome->verdict == POSTACI_VERDICT_CANCELLED ? "process-stop-symbolic"
         : tone == POSTACI_VERDICT_TONE_SUCCESS        ? "emblem-ok-symbolic"
         : tone == POSTACI_VERDICT_TONE_WARNING        ? "dialog-warning-symbolic"
                                                       : "dialog-error-symbolic";
  title = postaci_outcome_get_verdict_title (outcome);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (self->verdict_box, classes[i]);
  gtk_widget_add_css_class (self->verdict_box, classes[tone]);
  gtk_image_set_from_icon_name (self->verdict_icon, icon);
  gtk_label_set_text (self->verdict_title, title);
  /* Stopped by the person: no error to report, only what that means. A refusal with a reply:
   * the title names the step and the reply line shows the code, so the reason ("refused at
   * MAIL with reply 530") would say both again. */
  set_optional_label (self->verdict_reason,
                      outcome->verdict == POSTACI_VERDICT_CANCELLED ||
                          (outcome->verdict == POSTACI_VERDICT_REFUSED && outcome->reply != NULL)
                        ? NULL
                        : outcome->reason);

  if (outcome->reply != NULL)
    {
      g_autofree char *text = postaci_reply_get_text (outcome->reply);
      g_autofree char *shown = postaci_escape_text (text, -1);

      reply = g_strdup_printf ("%u %s", outcome->reply->code, shown);
    }
  set_optional_label (self->verdict_reply, reply);
  set_optional_label (self->verdict_explanation, outcome->explanation);
  if (local_server_off)
    /* The generic advice (another port) does not apply: the server meant is ours, and off. */
    hint = g_strdup (_ ("The Local Test Server is off: turn it on, then test again."));
  else if (outcome->hint != NULL && *outcome->hint != '\0')
    hint = g_strdup_printf ("%s %s", _ ("Try:"), outcome->hint);
  set_optional_label (self->verdict_hint, hint);
  /* Our words lead; the library's own text, for the admin who searches for it, waits folded. */
  gtk_label_set_text (self->verdict_detail, outcome->detail != NULL ? outcome->detail : "");
  gtk_expander_set_expanded (GTK_EXPANDER (self->verdict_details), FALSE);
  gtk_widget_set_visible (self->verdict_details,
                          outcome->detail != NULL && *outcome->detail != '\0');
  gtk_widget_set_visible (self->verdict_button, local_server_off);
  gtk_revealer_set_reveal_child (self->verdict_revealer, TRUE);
}

void
postaci_verdict_panel_hide (PostaciVerdictPanel *self)
{
  g_return_if_fail (POSTACI_IS_VERDICT_PANEL (self));
  gtk_revealer_set_reveal_child (self->verdict_revealer, FALSE);
}

gboolean
postaci_verdict_panel_get_shown (PostaciVerdictPanel *self)
{
  g_return_val_if_fail (POSTACI_IS_VERDICT_PANEL (self), FALSE);
  return gtk_revealer_get_reveal_child (self->verdict_revealer);
}

void
postaci_verdict_panel_local_server_started (PostaciVerdictPanel *self)
{
  g_return_if_fail (POSTACI_IS_VERDICT_PANEL (self));
  gtk_widget_set_visible (self->verdict_button, FALSE);
}

static void
postaci_verdict_panel_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), POSTACI_TYPE_VERDICT_PANEL);
  G_OBJECT_CLASS (postaci_verdict_panel_parent_class)->dispose (object);
}

static void
postaci_verdict_panel_class_init (PostaciVerdictPanelClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postaci_verdict_panel_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/postaci/Postaci/postaci-verdict-panel.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, PostaciVerdictPanel, name)
  BIND (verdict_revealer);
  BIND (verdict_box);
  BIND (verdict_icon);
  BIND (verdict_title);
  BIND (verdict_reason);
  BIND (verdict_reply);
  BIND (verdict_explanation);
  BIND (verdict_hint);
  BIND (verdict_details);
  BIND (verdict_detail);
  BIND (verdict_button);
#undef BIND
}

static void
postaci_verdict_panel_init (PostaciVerdictPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
