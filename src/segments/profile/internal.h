/* segments/profile/internal.h - pieces shared by the profile files (not public). */
#ifndef KSEG_PROFILE_INTERNAL_H
#define KSEG_PROFILE_INTERNAL_H

#include "kseg/kseg_profile.h"

/* Fill p->names and p->actions from the numbers (rules in docs/profile.md).
 * Local, deterministic: every rank gets the same strings. */
int kseg_profile_name_segments(kseg_profile *p);

/* The metric `name` of `kind`, or NULL. Local. */
const kseg_profile_metric *kseg_profile_find(const kseg_profile *p, const char *name, kseg_profile_metric_kind kind);

#endif
