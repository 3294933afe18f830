/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-serve.h — postaci-cli --serve: the Local Test Server in a terminal. */
#pragma once

#include "postaci-cli-options.h"

G_BEGIN_DECLS

/* Runs the Local Test Server that @options describe until SIGINT or SIGTERM, a line for each
 * message it takes; returns the exit status. */
int postaci_cli_serve (const PostaciCliOptions *options);

G_END_DECLS
