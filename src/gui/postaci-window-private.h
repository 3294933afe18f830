/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-window-private.h — what postaci-window.c and postaci-window-actions.c share. */
#pragma once

#include "postaci-local-server-page.h"
#include "postaci-profile-button.h"
#include "postaci-request-form.h"
#include "postaci-session.h"
#include "postaci-stage-bar.h"
#include "postaci-transcript-view.h"
#include "postaci-verdict-panel.h"
#include "postaci-window.h"

G_BEGIN_DECLS

struct _PostaciWindow {
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcher      *view_switcher;
  GtkMenuButton        *main_menu_button;
  GMenuModel           *primary_menu;
  GtkMenuButton        *report_button;
  GMenuModel           *report_menu;
  PostaciProfileButton *profile_button;
  GtkLabel             *run_label;
  AdwViewStack         *view_stack;
  AdwBin               *local_bin;     /* holds local_page once it is built */
  GtkPaned             *paned;
  GtkScrolledWindow    *form_scroller;
  PostaciRequestForm   *request_form;
  GtkButton            *test_button;
  GtkLabel             *stop_notice;
  PostaciStageBar      *stage_bar;
  PostaciTranscriptView *transcript_view;
  GtkWidget            *empty_page;
  PostaciVerdictPanel  *verdict_panel;

  GSettings            *settings;      /* NULL: nothing is remembered */
  PostaciSession       *session;       /* the run under way, or the last one */
  GCancellable         *cancellable;   /* set while a run goes on */
  PostaciOutcome       *outcome;       /* how the last run ended */
  GtkFileChooserNative *chooser;       /* the open Save or CA dialog */

  PostaciLocalServer   *local_server;  /* the Local Test Server, off until started */
  PostaciLocalServerPage *local_page;  /* its page: NULL until first shown (start-up is lighter) */
  GError               *local_error;   /* why the last start failed, for a page not built yet */

  GtkWidget            *focus_before_run; /* weak: the form field a run took the focus from */
  guint                 narrow_idle;   /* the layout follows the width after an allocation */
  int                   wide_position; /* the pane's position side by side, kept while narrow */

  PostaciSession       *cleared_session; /* Clear's undo: the run it took away, while its toast shows */
  PostaciOutcome       *cleared_outcome;
  AdwToast             *clear_toast;
};

/* postaci-window.c: starts the Local Test Server on the ports of its last run; a failure is
 * shown on its page. */
gboolean _postaci_window_start_local_server (PostaciWindow *self);

/* postaci-window.c: the run's lifecycle. */
void _postaci_window_start_run          (PostaciWindow      *self);
void _postaci_window_cancel_run         (PostaciWindow      *self);
/* Clears transcript, stages and verdict, with a toast whose Undo brings them back. */
void _postaci_window_clear_run          (PostaciWindow      *self);
void _postaci_window_undo_clear         (PostaciWindow      *self);
void _postaci_window_show_toast         (PostaciWindow      *self,
                                         const char         *title);

/* postaci-window-actions.c: the window's actions ("win.test", "win.copy-transcript"…). */
void _postaci_window_class_actions_init (PostaciWindowClass *klass);
/* Enables each action for the window's state: running or not, a run to copy or not. */
void _postaci_window_update_actions     (PostaciWindow      *self);
/* "win.show-help-overlay", which builds the shortcuts window when first activated. */
void _postaci_window_add_shortcuts_action (PostaciWindow    *self);

G_END_DECLS
