/* SPDX-License-Identifier: GPL-3.0-or-later */
/* postaci-application.h — the Postacı desktop application: options, actions, windows. */
#pragma once

#include <adwaita.h>

#include "postaci-profile-store.h"

G_BEGIN_DECLS

#define POSTACI_TYPE_APPLICATION (postaci_application_get_type ())
G_DECLARE_FINAL_TYPE (PostaciApplication, postaci_application, POSTACI, APPLICATION, AdwApplication)

/* flags are added to G_APPLICATION_HANDLES_COMMAND_LINE (tests pass G_APPLICATION_NON_UNIQUE). */
PostaciApplication *postaci_application_new          (GApplicationFlags   flags);
/* Where the form is remembered; NULL when the schema is installed nowhere we can find. */
GSettings          *postaci_application_get_settings (PostaciApplication *self);
/* The saved servers ($XDG_CONFIG_HOME/postaci/profiles.ini), read on first use. */
PostaciProfileStore *postaci_application_get_profiles (PostaciApplication *self);

G_END_DECLS
