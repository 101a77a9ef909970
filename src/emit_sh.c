/* emit_sh.c - PLACEHOLDER written by the lead so the tree links; the owner of
 * this back end replaces this file entirely. */
#include "emit.h"

void emit_deploy_sh(struct buf *out, const struct compile *c)
{
	(void)c;
	buf_puts(out, "#!/bin/sh\nprintf '%s\\n' 'relc: deploy.sh back end not built yet' >&2\nexit 1\n");
}

void emit_rollback_sh(struct buf *out, const struct compile *c)
{
	emit_deploy_sh(out, c);
}
