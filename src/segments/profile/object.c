/* object.c - the kseg_profile object itself: lookups, names, and freeing it.
 * Shared by the computation (profile.c), the naming rules (names.c) and the
 * writers (write.c). Local. */
#include "kseg/kseg_profile.h"

#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"
#include "segments/profile/internal.h"

char *kseg_profile_strdup(const char *s)
{
  size_t n = strlen(s) + 1;
  char *p = kseg_malloc(n, "string");
  if (p) memcpy(p, s, n);
  return p;
}

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
    for (int i = 0; i < l->n_levels; i++) free(l->levels[i]);
    free(l->levels);
    free(l->share);
  }
  free(p->categorical);
  for (int s = 0; p->names && s <= p->n_segments; s++) free(p->names[s]);
  for (int s = 0; p->actions && s <= p->n_segments; s++) free(p->actions[s]);
  free(p->names);
  free(p->actions);
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
