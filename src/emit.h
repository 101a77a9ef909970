/* emit.h - the back ends. Each appends one artefact of a compiled release
 * (no errors) to a buffer; the caller decides where the bytes go. Output is
 * deterministic: the same compile gives the same bytes. The changelog's
 * back end is in emit_changelog.h (plan.md lists its changes too), and what
 * they all share in emit_common.h. Users: main.c, tests. */
#ifndef RELC_EMIT_H
#define RELC_EMIT_H

#include "compilation.h"
#include "util.h"

void emit_deploy_sh(struct buf *out, const struct compile *c);   /* emit_sh.c */
void emit_rollback_sh(struct buf *out, const struct compile *c); /* emit_sh.c */
void emit_plan_md(struct buf *out, const struct compile *c);     /* emit_md.c */
void emit_json(struct buf *out, const struct compile *c);        /* emit_json.c */
/* The Ansible playbooks of a release with a fleet block (nothing without). */
void emit_fleet_yml(struct buf *out, const struct compile *c);   /* emit_fleet.c */
void emit_fleet_rollback_yml(struct buf *out, const struct compile *c); /* emit_fleet.c */
/* plan.md's "Fleet rollout" section (nothing without a fleet block). */
void emit_fleet_plan(struct buf *out, const struct compile *c);  /* emit_fleet.c */

#endif
