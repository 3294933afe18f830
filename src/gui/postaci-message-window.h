/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-message-window.h — one message the Local Test Server caught: headers, text, HTML
 * source, Save as .eml. */
#pragma once

#include <adwaita.h>

#include "postaci-captured-message.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_MESSAGE_WINDOW (postaci_message_window_get_type ())
G_DECLARE_FINAL_TYPE (PostaciMessageWindow, postaci_message_window, POSTACI, MESSAGE_WINDOW, AdwWindow)

/* A window over @parent (may be NULL) that shows @message read-only. */
PostaciMessageWindow   *postaci_message_window_new         (GtkWindow              *parent,
                                                            PostaciCapturedMessage *message);
PostaciCapturedMessage *postaci_message_window_get_message (PostaciMessageWindow   *self);
/* Writes the .eml bytes to @file in the background; a toast says where, or why it failed.
 * "Save as .eml…" calls it with the file the person chose. */
void                    postaci_message_window_save        (PostaciMessageWindow   *self,
                                                            GFile                  *file);

G_END_DECLS
