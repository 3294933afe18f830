/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-cli-discover.h — postaci-cli --discover: sources as they come, the table, the advice. */
#pragma once

#include "postaci-cli-options.h"
#include "postaci-transcript.h"

G_BEGIN_DECLS

typedef struct {
  const char              *query;        /* address, domain or host */
  const char              *user;         /* NULL: no login is tried */
  const char              *password;
  guint                    step_seconds; /* each lookup and probe step; all of it 3× this */
  const char              *ca_file;
  PostaciTranscriptFormat  format;
} PostaciCliDiscover;

/* Runs the discovery on a main loop until it ends or SIGINT/SIGTERM; returns the exit status:
 * 0 usable endpoint, 1 none usable, 2 bad input, 3 nothing reachable, 4 deadline, 130 cancel. */
int postaci_cli_discover (const PostaciCliDiscover *run);
/* --discover as @options ask: checks that they go with it, finds the password of --user, runs
 * postaci_cli_discover(); returns the exit status. */
int postaci_cli_discover_from_options (const PostaciCliOptions *options);

G_END_DECLS
