/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-stage-bar.c — Connect, Greeting, EHLO, TLS, AUTH, MAIL, RCPT, DATA, QUIT at a glance. */
#define G_LOG_DOMAIN "postaci-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "postaci-stage-bar.h"

typedef enum
{
  STATE_PENDING,
  STATE_RUNNING,
  STATE_PASSED,
  STATE_FAILED,
  STATE_SKIPPED,
  STATE_CANCELLED,
  N_STATES,
} StageState;

static const char *const state_names[N_STATES] = {
  "pending", "running", "passed", "failed", "skipped", "cancelled",
};

/* An icon for each state, so the bar reads without colour too. */
static const char *const state_icons[N_STATES] = {
  "media-record-symbolic",       NULL,
  "emblem-ok-symbolic",          "dialog-error-symbolic",
  "action-unavailable-symbolic", "process-stop-symbolic",
};

/* What a screen reader says after the stage's name. */
static const char *const state_descriptions[N_STATES] = {
  N_ ("not reached"),
  N_ ("under way"),
  N_ ("passed"),
  N_ ("failed"),
  N_ ("skipped"),
  /* Translators: a stage the person stopped the test in: neither passed nor failed */
  N_ ("cancelled"),
};

typedef struct
{
  GtkWidget *cell; /* the flow box's child: what a screen reader and a tooltip describe */
  GtkWidget *box;
  GtkWidget *icon;
  GtkWidget *spinner;
  StageState state;
} StageItem;

struct _PostaciStageBar
{
  GtkWidget parent_instance;

  GtkWidget *flow;
  StageItem  items[POSTACI_N_STAGES];
  gboolean   tls_first;
};

G_DEFINE_FINAL_TYPE (PostaciStageBar, postaci_stage_bar, GTK_TYPE_WIDGET)

static void
set_state (PostaciStageBar *self, PostaciStage stage, StageState state)
{
  StageItem       *item = &self->items[stage];
  g_autofree char *description = NULL;

  gtk_widget_remove_css_class (item->box, state_names[item->state]);
  item->state = state;
  gtk_widget_add_css_class (item->box, state_names[state]);

  gtk_widget_set_visible (item->spinner, state == STATE_RUNNING);
  gtk_spinner_set_spinning (GTK_SPINNER (item->spinner), state == STATE_RUNNING);
  gtk_widget_set_visible (item->icon, state != STATE_RUNNING);
  if (state_icons[state] != NULL)
    gtk_image_set_from_icon_name (GTK_IMAGE (item->icon), state_icons[state]);

  /* Translators: “EHLO: passed”, read by a screen reader for one stage of the run */
  description =
    g_strdup_printf (_ ("%s: %s"), postaci_stage_get_label (stage), _ (state_descriptions[state]));
  gtk_widget_set_tooltip_text (item->cell, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (item->cell), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);
}

static void
postaci_stage_bar_dispose (GObject *object)
{
  PostaciStageBar *self = POSTACI_STAGE_BAR (object);

  g_clear_pointer (&self->flow, gtk_widget_unparent);
  G_OBJECT_CLASS (postaci_stage_bar_parent_class)->dispose (object);
}

static void
postaci_stage_bar_class_init (PostaciStageBarClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postaci_stage_bar_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "stagebar");
}

static void
postaci_stage_bar_init (PostaciStageBar *self)
{
  /* A flow box: one row when there is room; in a narrow window the stages wrap onto a second
   * row instead of shrinking to "…". Not homogeneous: a long name (“Greeting”, “Karşılama”)
   * takes the room that “TLS” leaves. Nothing here is selectable or focusable: it only shows. */
  self->flow = g_object_new (GTK_TYPE_FLOW_BOX, "selection-mode", GTK_SELECTION_NONE, "homogeneous",
                             FALSE, "min-children-per-line", 1, "max-children-per-line",
                             POSTACI_N_STAGES, "column-spacing", 4, "row-spacing", 4, "can-focus",
                             FALSE, "accessible-role", GTK_ACCESSIBLE_ROLE_LIST, NULL);
  gtk_widget_set_parent (self->flow, GTK_WIDGET (self));

  for (guint i = 0; i < POSTACI_N_STAGES; i++)
    {
      StageItem *item = &self->items[i];
      GtkWidget *label = gtk_label_new (postaci_stage_get_label ((PostaciStage) i));

      item->box = g_object_new (GTK_TYPE_BOX, "orientation", GTK_ORIENTATION_HORIZONTAL, "spacing",
                                4, "halign", GTK_ALIGN_FILL, NULL);
      gtk_widget_add_css_class (item->box, "stage");
      item->icon = gtk_image_new ();
      item->spinner = gtk_spinner_new ();
      gtk_box_append (GTK_BOX (item->box), item->icon);
      gtk_box_append (GTK_BOX (item->box), item->spinner);
      gtk_box_append (GTK_BOX (item->box), label);
      item->cell =
        g_object_new (GTK_TYPE_FLOW_BOX_CHILD, "child", item->box, "can-focus", FALSE, "hexpand",
                      TRUE, "accessible-role", GTK_ACCESSIBLE_ROLE_LIST_ITEM, NULL);
      gtk_flow_box_append (GTK_FLOW_BOX (self->flow), item->cell);
      item->state = STATE_PENDING;
      set_state (self, (PostaciStage) i, STATE_PENDING);
    }
}

GtkWidget *
postaci_stage_bar_new (void)
{
  return g_object_new (POSTACI_TYPE_STAGE_BAR, NULL);
}

void
postaci_stage_bar_reset (PostaciStageBar *self)
{
  g_return_if_fail (POSTACI_IS_STAGE_BAR (self));

  for (guint i = 0; i < POSTACI_N_STAGES; i++)
    set_state (self, (PostaciStage) i, STATE_PENDING);
}

void
postaci_stage_bar_set_status (PostaciStageBar *self, PostaciStage stage, PostaciStageStatus status)
{
  StageState state = STATE_PENDING;

  g_return_if_fail (POSTACI_IS_STAGE_BAR (self));
  g_return_if_fail (stage < POSTACI_N_STAGES);

  switch (status)
    {
    case POSTACI_STAGE_STATUS_STARTED:
      state = STATE_RUNNING;
      break;
    case POSTACI_STAGE_STATUS_PASSED:
      state = STATE_PASSED;
      break;
    case POSTACI_STAGE_STATUS_FAILED:
      state = STATE_FAILED;
      break;
    case POSTACI_STAGE_STATUS_SKIPPED:
      state = STATE_SKIPPED;
      break;
    case POSTACI_STAGE_STATUS_CANCELLED:
      state = STATE_CANCELLED;
      break;
    default:
      g_assert_not_reached ();
    }
  set_state (self, stage, state);
}

void
postaci_stage_bar_finish (PostaciStageBar *self, PostaciVerdict verdict, PostaciStage stage)
{
  gboolean cancelled = verdict == POSTACI_VERDICT_CANCELLED;

  g_return_if_fail (POSTACI_IS_STAGE_BAR (self));

  for (guint i = 0; i < POSTACI_N_STAGES; i++)
    if (self->items[i].state == STATE_RUNNING)
      set_state (self, (PostaciStage) i, cancelled ? STATE_CANCELLED : STATE_FAILED);
  /* Stopped by the person: the stage it was in did not fail, whatever the last event said. */
  if (cancelled && stage < POSTACI_N_STAGES && self->items[stage].state == STATE_FAILED)
    set_state (self, stage, STATE_CANCELLED);
}

void
postaci_stage_bar_set_tls_first (PostaciStageBar *self, gboolean tls_first)
{
  StageItem *tls;

  g_return_if_fail (POSTACI_IS_STAGE_BAR (self));

  if (self->tls_first == tls_first)
    return;
  self->tls_first = tls_first;
  /* Implicit TLS (port 465) shakes hands before the greeting: shown where it happens, right
   * after Connect, the bar does not look as if it skipped two stages. */
  tls = &self->items[POSTACI_STAGE_TLS];
  g_object_ref (tls->cell);
  gtk_flow_box_remove (GTK_FLOW_BOX (self->flow), tls->cell);
  gtk_flow_box_insert (GTK_FLOW_BOX (self->flow), tls->cell,
                       tls_first ? POSTACI_STAGE_CONNECT + 1 : POSTACI_STAGE_TLS);
  g_object_unref (tls->cell);
}

guint
postaci_stage_bar_get_position (PostaciStageBar *self, PostaciStage stage)
{
  g_return_val_if_fail (POSTACI_IS_STAGE_BAR (self), 0);
  g_return_val_if_fail (stage < POSTACI_N_STAGES, 0);

  return (guint) gtk_flow_box_child_get_index (GTK_FLOW_BOX_CHILD (self->items[stage].cell));
}

const char *
postaci_stage_bar_get_state (PostaciStageBar *self, PostaciStage stage)
{
  g_return_val_if_fail (POSTACI_IS_STAGE_BAR (self), NULL);
  g_return_val_if_fail (stage < POSTACI_N_STAGES, NULL);

  return state_names[self->items[stage].state];
}
