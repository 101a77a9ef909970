/* emit_common.c - what every back end writes the same way: the provenance
 * header that ties a generated file to its spec and its commits, the
 * derived rollback paths, a value as text and spec text as Markdown. */
#include "emit_common.h"

#include <stdio.h>
#include <stdlib.h>

#include "shell.h"

/* Write text that came from the spec or the repository into a comment line.
 * Control characters would end a shell comment early, and `<`/`>` could
 * close an HTML comment ("-->"), so those bytes are shown as \xNN. */
static void put_comment_text(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f || ch == '<' || ch == '>' || ch == '\\')
			buf_printf(out, "\\x%02x", ch);
		else
			buf_putc(out, (char)ch);
	}
}

static void put_pin(struct buf *out, const char *prefix, const char *what,
                    const char *ref, const char *id)
{
	buf_printf(out, "%s%s: ", prefix, what);
	put_comment_text(out, ref ? ref : "");
	buf_printf(out, " = %s\n", id && id[0] ? id : "(not pinned)");
}

void emit_provenance(struct buf *out, const struct compile *c, const char *prefix)
{
	const struct release *rel = c->rel;
	const char *spec = c->spec_relpath ? c->spec_relpath
	                   : rel && rel->root_path ? rel->root_path : "";
	buf_printf(out, "%s" EMIT_PROVENANCE_MARK "%s from ", prefix, RELC_VERSION_STRING);
	put_comment_text(out, spec);
	buf_printf(out, " (blob %s) \xe2\x80\x94 " EMIT_PROVENANCE_TAIL "\n",
	           c->spec_blob[0] ? c->spec_blob : "unknown");
	if (!rel)
		return;
	if (rel->no_repository) {
		buf_printf(out, "%sprevious: ", prefix);
		put_comment_text(out, rel->previous_ref ? rel->previous_ref : "");
		buf_printf(out, ", target: ");
		put_comment_text(out, rel->target_ref ? rel->target_ref : "");
		buf_puts(out, " (version labels: repository none, no commit pinned)\n");
		return;
	}
	put_pin(out, prefix, "previous", rel->previous_ref, rel->previous_id);
	put_pin(out, prefix, "target", rel->target_ref ? rel->target_ref : "HEAD",
	        rel->target_id);
}

/* ---- values and Markdown text ---- */

void emit_value_text(struct buf *out, const struct value *v)
{
	if (!v)
		return;
	if (v->expanded) {
		buf_puts(out, v->expanded);
		return;
	}
	for (size_t i = 0; i < v->nsegs; i++) {
		const struct seg *sg = &v->segs[i];
		const struct symbol *sym = sg->sym;

		if (sg->kind == SEG_TEXT)
			buf_add(out, sg->text, sg->len);
		else if (sym && sym->kind == SYM_LET && sym->value &&
		         sym->value->expanded)
			buf_puts(out, sym->value->expanded);
		else if (sym && sym->kind == SYM_BUILTIN && sym->builtin)
			buf_puts(out, sym->builtin);
		else
			buf_printf(out, "${%.*s}", (int)sg->len, sg->text);
	}
}

/* A byte that counts as part of a word for Markdown's intraword rules
 * (UTF-8 continuation and lead bytes are letters in practice). */
static bool md_word_byte(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= 'a' && ch <= 'z') || ch >= 0x80;
}

/* Does s[0..i) consist of digits only (and is it non-empty)? An ordered-list
 * marker like "1." at the start of a line would otherwise start a list. */
static bool md_digits_before(const char *s, size_t i)
{
	if (i == 0)
		return false;
	for (size_t k = 0; k < i; k++)
		if (s[k] < '0' || s[k] > '9')
			return false;
	return true;
}

/* Is s[i..len) a run of '#' only (a heading's closing sequence)? */
static bool hashes_to_end(const char *s, size_t i, size_t len)
{
	while (i < len && s[i] == '#')
		i++;
	return i == len;
}

/* Text from the spec (names, change notes). Escapes only what would change
 * the rendering, so ordinary text stays readable in the raw file; control
 * characters (a "\n" in a string) become spaces so a heading or a list item
 * stays on one line. `line_start`: the text opens a block (a list item's
 * content), where "-", "+", ">", "#" or "1." would start a nested block. */
void emit_md_text(struct buf *out, const char *s, size_t len, bool line_start)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool esc = false;

		if (ch < 0x20 || ch == 0x7f) {
			buf_putc(out, ' ');
			continue;
		}
		switch (ch) {
		case '\\': case '`': case '*': case '[': case ']': case '<':
		case '~':
			esc = true;
			break;
		case '_': /* intraword underscores never emphasise */
			esc = !(i > 0 && md_word_byte((unsigned char)s[i - 1]) &&
			        i + 1 < len && md_word_byte((unsigned char)s[i + 1]));
			break;
		case '&': /* could start an entity such as &amp; */
			esc = i + 1 < len && (md_word_byte((unsigned char)s[i + 1]) ||
			                      s[i + 1] == '#');
			break;
		case '#': /* a closing run at the end would be cut from a heading */
			esc = (i == 0 && line_start) || hashes_to_end(s, i, len);
			break;
		case '>': case '-': case '+': case '=':
			esc = i == 0 && line_start;
			break;
		case '.': case ')':
			esc = line_start && md_digits_before(s, i);
			break;
		default:
			break;
		}
		if (esc)
			buf_putc(out, '\\');
		buf_putc(out, (char)ch);
	}
}

static bool ident_byte(char ch)
{
	return ch == '_' || (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= 'a' && ch <= 'z');
}

void emit_ref_variable(struct buf *out, const char *name, enum ref_ctx ctx, char next)
{
	if (ctx == REF_UNQUOTED)
		buf_printf(out, "\"$%s\"", name);
	else if (ident_byte(next))
		buf_printf(out, "${%s}", name);
	else
		buf_printf(out, "$%s", name);
}

bool *emit_refs_in_backquotes(const struct command *cmd)
{
	bool *in = xcalloc(cmd->nrefs ? cmd->nrefs : 1, sizeof *in);
	struct sh_ref *found = NULL;
	size_t n = sh_find_refs(cmd->text, cmd->len, &found);

	for (size_t i = 0; i < cmd->nrefs; i++)
		for (size_t k = 0; k < n; k++)
			if (found[k].off == cmd->refs[i].off)
				in[i] = found[k].in_backquotes;
	free(found);
	return in;
}
