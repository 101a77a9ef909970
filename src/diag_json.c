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

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The log around the results: `results` is the text of the results array,
 * `notes` that of the toolExecutionNotifications (NULL: none). */
static void sarif_log(FILE *out, const char *results, size_t results_len, bool successful,
                      const char *notes, size_t notes_len)
{
	fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	      "\"version\":\"2.1.0\",\n"
	      "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"relc\",\"version\":\""
	      RELC_VERSION_STRING "\",\n", out);
	sarif_rules(out);
	fputs("}},\n\"results\":[", out);
	fwrite(results, 1, results_len, out);
	fprintf(out, "],\n\"invocations\":[{\"executionSuccessful\":%s",
	        successful ? "true" : "false");
	if (notes_len) {
		fputs(",\"toolExecutionNotifications\":[", out);
		fwrite(notes, 1, notes_len, out);
		fputc(']', out);
	}
	fputs("}]}]}\n", out);
}

static void sarif_results(FILE *out, struct diag_set *ds, unsigned *count)
{
	size_t n = diag_count(ds);
	for (size_t i = 0; i < n; i++) {
		fputs((*count)++ ? ",\n" : "\n", out);
		sarif_result(out, diag_get(ds, i));
	}
}

void diag_print_sarif_sets(struct diag_set *const *sets, size_t nsets, FILE *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		relc_oom();
	unsigned count = 0;
	for (size_t s = 0; s < nsets; s++)
		sarif_results(mem, sets[s], &count);
	if (fclose(mem) != 0)
		relc_oom();
	sarif_log(out, text, len, true, NULL, 0);
	free(text);
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

void diag_emit(struct diag_set *ds)
{
	if (diag_doc_active())
		diag_doc_add(ds);
	else
		diag_print(ds, stderr);
}

/* ---- the document on standard output ----
 *
 * With --diagnostics=json or sarif, everything relc has to say about a run is
 * one document: the findings of every spec, and any failure of relc itself
 * (an unreadable spec, a usage error, running out of memory). It is held
 * until the run ends, so that a failure after the first spec still yields a
 * SARIF log that parses, and printed once. */
static struct {
	enum diag_format format; /* DIAG_TEXT: no document */
	FILE *out;
	FILE *body;              /* the JSON lines, or the SARIF results */
	char *body_text;
	size_t body_len;
	FILE *notes;             /* SARIF toolExecutionNotifications */
	char *notes_text;
	size_t notes_len;
	unsigned nresults, nfailures;
	bool done;
} doc;

/* Out of memory: nothing more can be allocated, so the document is a fixed
 * text saying so, written straight to the descriptor. */
static void doc_oom(void)
{
	static const char json[] =
		"{\"file\":null,\"line\":null,\"column\":null,\"end\":null,"
		"\"severity\":\"error\",\"code\":null,\"message\":\"out of memory\",\"notes\":[]}\n";
	static const char sarif[] =
		"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\n"
		"\"version\":\"2.1.0\",\n"
		"\"runs\":[{\"tool\":{\"driver\":{\"name\":\"relc\",\"version\":\""
		RELC_VERSION_STRING "\"}},\n\"results\":[],\n"
		"\"invocations\":[{\"executionSuccessful\":false,\"toolExecutionNotifications\":"
		"[{\"level\":\"error\",\"message\":{\"text\":\"out of memory\"}}]}]}]}\n";
	static atomic_flag once = ATOMIC_FLAG_INIT;
	if (atomic_flag_test_and_set(&once)) {
		/* another thread is writing the document; its _exit ends us */
		for (;;)
			pause();
	}
	if (doc.format == DIAG_TEXT || doc.done)
		return;
	doc.done = true;
	const char *t = doc.format == DIAG_JSON ? json : sarif;
	size_t n = doc.format == DIAG_JSON ? sizeof json - 1 : sizeof sarif - 1;
	if (write(fileno(doc.out), t, n) < 0) {
		/* nothing more can be done */
	}
}

void diag_doc_open(enum diag_format format)
{
	if (format == DIAG_TEXT || doc.format != DIAG_TEXT)
		return;
	doc.format = format;
	doc.out = stdout;
	doc.body = open_memstream(&doc.body_text, &doc.body_len);
	doc.notes = open_memstream(&doc.notes_text, &doc.notes_len);
	if (!doc.body || !doc.notes)
		relc_oom();
	relc_oom_hook = doc_oom;
	relc_error_hook = diag_doc_failure;
}

void diag_doc_set_output(FILE *out)
{
	doc.out = out;
}

bool diag_doc_active(void)
{
	return doc.format != DIAG_TEXT && !doc.done;
}

void diag_doc_add(struct diag_set *ds)
{
	if (doc.format == DIAG_JSON)
		diag_print_json(ds, doc.body);
	else
		sarif_results(doc.body, ds, &doc.nresults);
}

void diag_doc_failure(const char *message)
{
	if (!diag_doc_active())
		return;
	doc.nfailures++;
	if (doc.format == DIAG_JSON) {
		fputs("{\"file\":null,\"line\":null,\"column\":null,\"end\":null,"
		      "\"severity\":\"error\",\"code\":null,\"message\":", doc.body);
		json_string(doc.body, message);
		fputs(",\"notes\":[]}\n", doc.body);
	} else {
		fputs(doc.nfailures > 1 ? ",{" : "{", doc.notes);
		fputs("\"level\":\"error\",\"message\":{\"text\":", doc.notes);
		json_string(doc.notes, message);
		fputs("}}", doc.notes);
	}
}

int diag_doc_close(int status, bool print)
{
	if (!diag_doc_active())
		return status;
	if (fclose(doc.body) != 0 || fclose(doc.notes) != 0)
		relc_oom();
	doc.done = true;
	if (print) {
		if (doc.format == DIAG_JSON)
			fwrite(doc.body_text, 1, doc.body_len, doc.out);
		else
			sarif_log(doc.out, doc.body_text, doc.body_len,
			          status != 2 && doc.nfailures == 0, doc.notes_text, doc.notes_len);
		if (fflush(doc.out) != 0 || ferror(doc.out)) {
			fprintf(stderr, "relc: error: cannot write the diagnostics: %s\n",
			        strerror(errno));
			status = 2;
		}
	}
	free(doc.body_text);
	free(doc.notes_text);
	return status;
}
