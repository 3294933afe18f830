/* SPDX-License-Identifier: GPL-3.0-or-later */
/* probe-scripts.h — what a probe says (EHLO [127.0.0.1], STARTTLS, QUIT) as scripted-server
 * steps, for the probe, discovery and Find Settings tests. */
#pragma once

#include "postaci-scripted-server.h"

/* The probe's EHLO: it names itself by the address it connected from. */
#define PROBE_EHLO "EHLO [127.0.0.1]"

/* A probe's whole look at a port without STARTTLS: @greeting, EHLO answered with @ehlo_reply,
 * then QUIT and goodbye. */
#define TS_PROBE_LOOK(greeting, ehlo_reply)                                              \
  TS_SEND (greeting), TS_EXPECT (PROBE_EHLO), TS_SEND (ehlo_reply), TS_EXPECT ("QUIT"), \
    TS_SEND ("221 bye\r\n"), TS_END

/* A probe's whole look at a STARTTLS port: @greeting, EHLO answered with @before, STARTTLS and
 * the handshake, EHLO again answered with @after, then QUIT and goodbye. */
#define TS_PROBE_STARTTLS_LOOK(greeting, before, after)                                \
  TS_SEND (greeting), TS_EXPECT (PROBE_EHLO), TS_SEND (before), TS_EXPECT ("STARTTLS"), \
    TS_SEND ("220 go ahead\r\n"), TS_STARTTLS, TS_EXPECT (PROBE_EHLO), TS_SEND (after),  \
    TS_EXPECT ("QUIT"), TS_SEND ("221 bye\r\n"), TS_END
