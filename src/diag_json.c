/* diag_json.c - the machine-readable diagnostics printers.
 *
 * --diagnostics=json writes one JSON object per diagnostic, one per line, so
 * a tool can stream them; --diagnostics=sarif writes one SARIF 2.1.0 log for
 * code-review tools. Both read only the public diag.h API (the sorted
 * diagnostics and the message registry), so their output is deterministic:
 * diagnostics in location order, rules in registry order. diag_print, which
 * picks a printer (the text one is diag.c's), is here for the same reason:
 * diag.c below knows no printer but its own. */
#include "diag_json.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

/* Write s as a JSON string: quotes, backslashes and control characters
 * escaped; bytes that are not UTF-8 become U+FFFD so the document stays
 * valid whatever a message quotes from a broken spec. NULL becomes null. */
static void json_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	size_t len = strlen(s);
	fputc('"', out);
	size_t i = 0;
	while (i < len) {
		size_t good = i + utf8_valid_prefix(s + i, len - i);
		for (; i < good; i++) {
			unsigned char c = (unsigned char)s[i];
			switch (c) {
			case '"': fputs("\\\"", out); break;
			case '\\': fputs("\\\\", out); break;
			case '\n': fputs("\\n", out); break;
			case '\r': fputs("\\r", out); break;
			case '\t': fputs("\\t", out); break;
			default:
				if (c < 0x20 || c == 0x7f)
					fprintf(out, "\\u%04x", c);
				else
					fputc(c, out);
			}
		}
		if (i < len) {
			fputs("\\ufffd", out);
			i++;
		}
	}
	fputc('"', out);
}

/* A positive number, or null for "unknown" (line 0, column 0, no end). */
static void json_int_or_null(FILE *out, int n)
{
	if (n > 0)
		fprintf(out, "%d", n);
	else
		fputs("null", out);
}

static bool has_loc(struct loc l)
{
	return l.file && l.line > 0;
}

static const char *severity_name(enum diag_severity s)
{
	return s == SEV_ERROR ? "error" : "warning";
}

/* ---- --diagnostics=json ---- */

static void json_location_fields(FILE *out, struct loc l)
{
	fputs("\"file\":", out);
	json_string(out, l.file);
	fputs(",\"line\":", out);
	json_int_or_null(out, l.line);
	fputs(",\"column\":", out);
	json_int_or_null(out, l.line > 0 ? l.col : 0);
}

static void json_diagnostic(FILE *out, const struct diagnostic *d)
{
	fputc('{', out);
	json_location_fields(out, d->loc);
	fputs(",\"end\":", out);
	json_int_or_null(out, d->end_col > d->loc.col ? d->end_col : 0);
	fputs(",\"severity\":", out);
	json_string(out, severity_name(d->severity));
	fputs(",\"code\":", out);
	json_string(out, diag_info(d->code)->code);
	fputs(",\"message\":", out);
	json_string(out, d->message);
	fputs(",\"notes\":[", out);
	for (const struct diag_note *n = d->notes; n; n = n->next) {
		if (n != d->notes)
			fputc(',', out);
		fputc('{', out);
		json_location_fields(out, n->loc);
		fputs(",\"message\":", out);
		json_string(out, n->text);
		fputc('}', out);
	}
	fputs("]}\n", out);
}

void diag_print_json(struct diag_set *ds, FILE *out)
{
	size_t n = diag_count(ds);
	for (size_t i = 0; i < n; i++)
		json_diagnostic(out, diag_get(ds, i));
}

/* ---- --diagnostics=sarif ---- */

/* SARIF wants a URI reference. Relative display paths stay relative (review
 * tools resolve them against the repository root); absolute ones become
 * file:// URIs. Anything outside the unreserved set and '/' is
 * percent-encoded, so spaces or '#' in a path cannot change its meaning. */
static void sarif_uri(FILE *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	buf_init(&b);
	if (path[0] == '/')
		buf_puts(&b, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			buf_putc(&b, (char)*p);
		} else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[*p >> 4]);
			buf_putc(&b, hex[*p & 15]);
		}
	}
	json_string(out, b.data);
	buf_free(&b);
}

/* A physicalLocation: the file, and a region when the line is known;
 * end_col 0 leaves endColumn out (one column). Columns count bytes, as in
 * the text output. */
static void sarif_physical(FILE *out, struct loc l, int end_col)
{
	fputs("\"physicalLocation\":{\"artifactLocation\":{\"uri\":", out);
	sarif_uri(out, l.file);
	fputc('}', out);
	if (l.line > 0) {
		fprintf(out, ",\"region\":{\"startLine\":%d", l.line);
		if (l.col > 0) {
			fprintf(out, ",\"startColumn\":%d", l.col);
			if (end_col > l.col)
				fprintf(out, ",\"endColumn\":%d", end_col);
		}
		fputc('}', out);
	}
	fputc('}', out);
}

static void sarif_rules(FILE *out)
{
	fputs("\"rules\":[", out);
	for (int c = 0; c < DIAG__COUNT; c++) {
		const struct diag_info *r = diag_info((enum diag_code)c);
		fputs(c ? ",\n{" : "\n{", out);
		fputs("\"id\":", out);
		json_string(out, r->code);
		fputs(",\"name\":", out);
		json_string(out, r->name);
		fputs(",\"shortDescription\":{\"text\":", out);
		json_string(out, r->summary);
		fputs("},\"fullDescription\":{\"text\":", out);
		json_string(out, r->explain);
		fputs("},\"help\":{\"text\":", out);
		json_string(out, r->explain);
		fputs("},\"defaultConfiguration\":{\"level\":", out);
		json_string(out, severity_name(r->severity));
		fputs("}}", out);
	}
	fputs("]", out);
}

/* The message, with any note that has no location of its own appended as a
 * line: SARIF can only attach notes that point somewhere. */
static void sarif_message(FILE *out, const struct diagnostic *d)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, d->message);
	for (const struct diag_note *n = d->notes; n; n = n->next)
		if (!has_loc(n->loc))
			buf_printf(&b, "\nnote: %s", n->text);
	fputs("\"message\":{\"text\":", out);
	json_string(out, b.data);
	fputc('}', out);
	buf_free(&b);
}

static void sarif_result(FILE *out, const struct diagnostic *d)
{
	fputs("{\"ruleId\":", out);
	json_string(out, diag_info(d->code)->code);
	fprintf(out, ",\"ruleIndex\":%d,\"level\":", (int)d->code);
	json_string(out, severity_name(d->severity));
	fputc(',', out);
	sarif_message(out, d);
	if (d->loc.file) {
		fputs(",\"locations\":[{", out);
		sarif_physical(out, d->loc, d->end_col);
		fputs("}]", out);
	}
	int id = 0;
	for (const struct diag_note *n = d->notes; n; n = n->next) {
		if (!has_loc(n->loc))
			continue;
		fputs(id ? ",{" : ",\"relatedLocations\":[{", out);
		fprintf(out, "\"id\":%d,", id++);
		sarif_physical(out, n->loc, 0);
		fputs(",\"message\":{\"text\":", out);
		json_string(out, n->text);
		fputs("}}", out);
	}
	if (id)
		fputc(']', out);
	fputc('}', out);
}

void diag_print_sarif_sets(struct diag_set *const *sets, size_t nsets, FILE *out)
{
	fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	      "\"version\":\"2.1.0\",\n"
	      "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"relc\",\"version\":\""
	      RELC_VERSION_STRING "\",\n", out);
	sarif_rules(out);
	fputs("}},\n\"results\":[", out);
	bool first = true;
	for (size_t s = 0; s < nsets; s++) {
		size_t n = diag_count(sets[s]);
		for (size_t i = 0; i < n; i++) {
			fputs(first ? "\n" : ",\n", out);
			first = false;
			sarif_result(out, diag_get(sets[s], i));
		}
	}
	fputs("]}]}\n", out);
}

void diag_print_sarif(struct diag_set *ds, FILE *out)
{
	diag_print_sarif_sets(&ds, 1, out);
}

void diag_print(struct diag_set *ds, FILE *out)
{
	switch (diag_get_options(ds)->format) {
	case DIAG_TEXT:
		diag_print_text(ds, out);
		break;
	case DIAG_JSON:
		diag_print_json(ds, out);
		break;
	case DIAG_SARIF:
		diag_print_sarif(ds, out);
		break;
	}
	fflush(out);
}
