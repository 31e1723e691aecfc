/* object.c - the kseg_profile object itself: lookups, names, and freeing it.
 * Shared by the computation (profile.c), the naming rules (names.c) and the
 * writers (write.c). Local. */
#include "kseg/kseg_profile.h"

#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"
#include "kseg/kseg_strings.h"
#include "segments/profile/internal.h"

const kseg_profile_metric *kseg_profile_find(const kseg_profile *p, const char *name, kseg_profile_metric_kind kind)
{
  for (int j = 0; j < p->n_metrics; j++)
    if (p->metrics[j].kind == kind && strcmp(p->metrics[j].name, name) == 0) return &p->metrics[j];
  return NULL;
}

void kseg_profile_free(kseg_profile **pp)
{
  if (!pp || !*pp) return;
  kseg_profile *p = *pp;
  free(p->size);
  free(p->share);
  free(p->spend_column);
  free(p->currency);
  free(p->spend_share);
  free(p->target);
  free(p->target_rate);
  free(p->lift);
  for (int j = 0; j < p->n_metrics; j++) {
    kseg_profile_metric *m = &p->metrics[j];
    free(m->name);
    free(m->mean);
    free(m->median);
    free(m->index);
    free(m->count);
  }
  free(p->metrics);
  for (int c = 0; c < p->n_categorical; c++) {
    kseg_profile_levels *l = &p->categorical[c];
    free(l->name);
    kseg_strings_free(&l->levels, l->n_levels);
    free(l->share);
  }
  free(p->categorical);
  kseg_strings_free(&p->names, p->n_segments + 1);
  kseg_strings_free(&p->actions, p->n_segments + 1);
  kseg_plan_free(&p->plan);
  free(p);
  *pp = NULL;
}

const char *kseg_profile_segment_name(const kseg_profile *p, int s)
{
  return p && s >= 0 && s <= p->n_segments && p->names ? p->names[s] : NULL;
}

const char *kseg_profile_segment_action(const kseg_profile *p, int s)
{
  return p && s >= 0 && s <= p->n_segments && p->actions ? p->actions[s] : NULL;
}
