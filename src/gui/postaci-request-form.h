/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-request-form.h — the test form: builds a request, fills itself from one, marks the
 * field at fault, and remembers itself (all but the password) through GSettings. */
#pragma once

#include <adwaita.h>

#include "postaci-local-server.h"
#include "postaci-request.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_REQUEST_FORM (postaci_request_form_get_type ())
G_DECLARE_FINAL_TYPE (PostaciRequestForm, postaci_request_form, POSTACI, REQUEST_FORM, AdwBin)

/* The Local Test Server the form can point at: its ports, account and certificate. */
void            postaci_request_form_set_local_server  (PostaciRequestForm   *self,
                                                        PostaciLocalServer   *local);
/*
 * Fills the form from @settings and binds every field but the password to it; what changed
 * is written by postaci_request_form_save(). While the form names the Local Test Server, its
 * server, port, security and account are not written: the server remembered stays the
 * person's own. NULL: nothing is remembered, the fields keep their defaults.
 */
void            postaci_request_form_bind_settings     (PostaciRequestForm   *self,
                                                        GSettings            *settings);
/* Takes a number typed in the spin button but not committed with Enter or Tab. */
void            postaci_request_form_commit            (PostaciRequestForm   *self);
/* Commits, and writes the form's changes to the settings (a run starts, the window closes). */
void            postaci_request_form_save              (PostaciRequestForm   *self);

/* The request the form describes, validated; the Local Test Server's certificate pinned while
 * the form points at it. Errors: POSTACI_REQUEST_ERROR, naming the field at fault. */
PostaciRequest *postaci_request_form_build_request     (PostaciRequestForm   *self,
                                                        GError              **error);
/* The form as it stands, not validated and without the password: what a saved server keeps.
 * Fails only on a port that is no port (POSTACI_REQUEST_ERROR_PORT). */
PostaciRequest *postaci_request_form_get_settings      (PostaciRequestForm   *self,
                                                        GError              **error);
/* Every field from @request (a saved server): the password when it has one, else empty. */
void            postaci_request_form_set_request       (PostaciRequestForm   *self,
                                                        const PostaciRequest *request);
void            postaci_request_form_set_password      (PostaciRequestForm   *self,
                                                        const char           *password);
/* The saved server the form holds, or NULL: "Remember password" names it, and says so while
 * the password typed is not yet the one in the keyring (@password_unsaved: "Save Changes"
 * keeps it). The switch is the property "remember-password"; the signal "password-changed"
 * tells of every change of the password field. */
void            postaci_request_form_set_saved_server  (PostaciRequestForm   *self,
                                                        const char           *name,
                                                        gboolean              password_unsaved);
/* The password field's text, or NULL while login is off or the field is empty. */
const char     *postaci_request_form_get_password      (PostaciRequestForm   *self);

/*
 * postaci-cli's options over the form (see postaci_window_prefill()): fields not in @options
 * keep their value. Checks every value first and changes nothing when one is wrong
 * (G_OPTION_ERROR_BAD_VALUE).
 */
/* Only the checks of postaci_request_form_apply_options(): nothing changes. */
gboolean        postaci_request_form_check_options     (PostaciRequestForm   *self,
                                                        GVariantDict         *options,
                                                        GError              **error);
gboolean        postaci_request_form_apply_options     (PostaciRequestForm   *self,
                                                        GVariantDict         *options,
                                                        GError              **error);
/* The form set up for the running Local Test Server: 127.0.0.1, its STARTTLS port, its account. */
void            postaci_request_form_fill_for_local_server (PostaciRequestForm *self);
/* Whether @server and @port name the Local Test Server (either of its ports, the last ones it
 * used when it is off), running or not. */
gboolean        postaci_request_form_is_local_address  (PostaciRequestForm   *self,
                                                        const char           *server,
                                                        guint                 port);
/* Whether the server and port typed name the Local Test Server, running or not. */
gboolean        postaci_request_form_names_local_server (PostaciRequestForm  *self);
/* The local server started, stopped or changes its failure (@failure_label, or NULL): the
 * notices at the top follow, and a form still on its account gets the new password. */
void            postaci_request_form_local_server_changed (PostaciRequestForm *self,
                                                           const char         *failure_label);
/* Find Settings…: the discovery dialog for the server, or the From address's domain. */
void            postaci_request_form_find_settings     (PostaciRequestForm   *self);
void            postaci_request_form_set_ca_file       (PostaciRequestForm   *self,
                                                        const char           *path);
/* What the "Attach files" chooser answers: @files (GFile) join the list, each once; a file
 * with no local path is refused with a toast. The message reads them as it is sent. */
void            postaci_request_form_attach_files      (PostaciRequestForm   *self,
                                                        GListModel           *files);

/* Says why under the field @error names (or at the form's end), brings it into sight and
 * puts the cursor there; the mark goes when the field changes. */
void            postaci_request_form_mark_invalid      (PostaciRequestForm   *self,
                                                        const GError         *error);
void            postaci_request_form_clear_invalid     (PostaciRequestForm   *self);
/* "Stop after …: no message is sent." while the run stops early, else NULL (the property
 * "stop-notice" follows it). */
const char     *postaci_request_form_get_stop_notice   (PostaciRequestForm   *self);

G_END_DECLS
