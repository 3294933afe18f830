/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-request.h — the options of a test run as a request. */
#pragma once

#include "postaci-cli-options.h"
#include "postaci-profile.h"
#include "postaci-request.h"

G_BEGIN_DECLS

/* Turns @options into @request, over the saved server's settings when @profile is given (each
 * option given overrides its field); @for_a_run adds the default subject and message a saved
 * server does not keep. Returns 0, or the exit status of bad usage (said already). */
int postaci_cli_request_from_options (const PostaciCliOptions *options,
                                      PostaciProfile          *profile,
                                      PostaciRequest          *request,
                                      gboolean                 for_a_run);

G_END_DECLS
