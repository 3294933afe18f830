/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-run.h — a test run of postaci-cli: the session on a main loop, its output. */
#pragma once

#include "postaci-cli-options.h"

G_BEGIN_DECLS

/* Tests the server @options describe (over --profile's settings), or keeps them with
 * --save-profile; prints the transcript and the verdict in the format asked. Returns the exit
 * status. */
int postaci_cli_run_test (const PostaciCliOptions *options);

G_END_DECLS
