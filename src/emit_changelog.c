/* emit_changelog.c - this release's CHANGELOG section, and putting it into an
 * existing CHANGELOG.md.
 *
 * The section holds the API and backend changes (what users of the service
 * and its maintainers read). Migration entries are operational detail: they
 * are listed in plan.md's "Migration Details" and in the JSON, not here. */
#include "emit_changelog.h"
#include "emit_common.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the section ---- */

static const char *kind_label(enum change_kind k)
{
	switch (k) {
	case CHANGE_ADDED: return "Added";
	case CHANGE_CHANGED: return "Changed";
	case CHANGE_FIXED: return "Fixed";
	case CHANGE_REMOVED: return "Removed";
	case CHANGE_BREAKING: return "**Breaking**";
	case CHANGE_PERFORMANCE: return "Performance";
	case CHANGE_DATABASE: return "Database";
	case CHANGE_SCHEMA: return "Schema";
	case CHANGE_DATA: return "Data";
	case CHANGE_INDEX: return "Index";
	}
	return "?";
}

size_t emit_change_items(struct buf *out, const struct release *r,
                         enum change_area area, bool with_commit)
{
	static const enum change_kind order[] = {
		CHANGE_BREAKING, CHANGE_ADDED, CHANGE_CHANGED, CHANGE_FIXED,
		CHANGE_REMOVED, CHANGE_PERFORMANCE, CHANGE_DATABASE,
		CHANGE_SCHEMA, CHANGE_DATA, CHANGE_INDEX,
	};
	struct buf t;
	size_t n = 0;

	buf_init(&t);
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		for (const struct change *ch = r->changes; ch; ch = ch->next) {
			if (ch->area != area || ch->kind != order[k])
				continue;
			n++;
			t.len = 0;
			emit_value_text(&t, ch->text);
			buf_printf(out, "- %s: ", kind_label(ch->kind));
			emit_md_text(out, t.data ? t.data : "", t.len, false);
			if (with_commit && ch->commit)
				buf_printf(out, " (`%.7s`)", ch->commit);
			buf_putc(out, '\n');
		}
	}
	buf_free(&t);
	return n;
}

/* One area under its heading; nothing at all when it has no entry. */
static void area_section(struct buf *out, const struct release *r,
                         enum change_area area, const char *title)
{
	struct buf items;

	buf_init(&items);
	if (emit_change_items(&items, r, area, false) > 0) {
		buf_printf(out, "\n### %s\n", title);
		buf_add(out, items.data, items.len);
	}
	buf_free(&items);
}

static const char *release_version(const struct release *r)
{
	const struct meta_value *m = &r->meta[META_RELEASE];

	if (!m->set || !m->value)
		return "";
	return m->value->expanded ? m->value->expanded : m->value->raw;
}

void emit_changelog_md(struct buf *out, const struct compile *c)
{
	const struct release *r = c->rel;

	if (!r)
		return;
	buf_printf(out, "## [%s] - %04d-%02d-%02d\n", release_version(r), r->year,
	           r->month, r->day);
	area_section(out, r, AREA_API, "API");
	area_section(out, r, AREA_BACKEND, "Backend");
}

/* ---- semantic versions in headings ---- */

struct ver {
	const char *s; /* major.minor.patch[-pre][+build], not NUL-terminated */
	size_t len;
};

/* Parse an unsigned decimal at *p (advancing it); -1 if none. */
static int64_t parse_num(const char **p, const char *end)
{
	int64_t n = 0;
	const char *q = *p;

	if (q >= end || *q < '0' || *q > '9')
		return -1;
	while (q < end && *q >= '0' && *q <= '9') {
		if (n < INT64_MAX / 10)
			n = n * 10 + (*q - '0');
		q++;
	}
	*p = q;
	return n;
}


/* Only white space (or nothing)? */
static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* Compare dot-separated prerelease identifiers by semver precedence. */
static int cmp_prerelease(const char *a, size_t an, const char *b, size_t bn)
{
	if (an == 0 || bn == 0) /* no prerelease ranks above any prerelease */
		return an == bn ? 0 : an == 0 ? 1 : -1;
	const char *ae = a + an, *be = b + bn;
	while (a < ae && b < be) {
		const char *ad = memchr(a, '.', (size_t)(ae - a));
		const char *bd = memchr(b, '.', (size_t)(be - b));
		size_t al = (size_t)((ad ? ad : ae) - a), bl = (size_t)((bd ? bd : be) - b);
		bool anum = all_digits(a, al), bnum = all_digits(b, bl);
		int d;
		if (anum && bnum)
			d = al != bl ? (al < bl ? -1 : 1) : memcmp(a, b, al);
		else if (anum != bnum)
			d = anum ? -1 : 1;
		else {
			d = memcmp(a, b, al < bl ? al : bl);
			if (d == 0 && al != bl)
				d = al < bl ? -1 : 1;
		}
		if (d)
			return d < 0 ? -1 : 1;
		a += al + (ad ? 1 : 0);
		b += bl + (bd ? 1 : 0);
		if (!ad || !bd)
			return !ad && !bd ? 0 : !ad ? -1 : 1;
	}
	return 0;
}

/* Split a version into numbers and prerelease; false if it is not one. */
static bool split_version(struct ver v, int64_t num[3], const char **pre,
                          size_t *prelen)
{
	const char *p = v.s, *end = v.s + v.len;

	for (int i = 0; i < 3; i++) {
		if (i > 0) {
			if (p >= end || *p != '.')
				return false;
			p++;
		}
		num[i] = parse_num(&p, end);
		if (num[i] < 0)
			return false;
	}
	*pre = p;
	*prelen = 0;
	if (p < end && *p == '-') {
		*pre = ++p;
		while (p < end && *p != '+')
			p++;
		*prelen = (size_t)(p - *pre);
	}
	return p == end || *p == '+';
}

/* -1, 0, 1 by semver precedence (build metadata ignored); 2 if either side
 * is not a version. */
static int cmp_version(struct ver a, struct ver b)
{
	int64_t na[3], nb[3];
	const char *pa, *pb;
	size_t la, lb;

	if (!split_version(a, na, &pa, &la) || !split_version(b, nb, &pb, &lb))
		return 2;
	for (int i = 0; i < 3; i++)
		if (na[i] != nb[i])
			return na[i] < nb[i] ? -1 : 1;
	return cmp_prerelease(pa, la, pb, lb);
}

/* ---- reading the existing file ---- */

enum heading { H_NONE, H_TITLE, H_SECTION };

struct line {
	size_t off, len; /* without the newline */
};

/* The version named by a "## [x.y.z] ..." or "## x.y.z ..." heading. */
static bool heading_version(const char *s, size_t len, struct ver *v)
{
	size_t i = 3; /* after "## " */

	while (i < len && s[i] == ' ')
		i++;
	bool bracket = i < len && s[i] == '[';
	if (bracket)
		i++;
	if (i < len && (s[i] == 'v' || s[i] == 'V'))
		i++;
	size_t start = i;
	while (i < len && s[i] != ']' && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
		i++;
	if (bracket && (i >= len || s[i] != ']'))
		return false;
	v->s = s + start;
	v->len = i - start;
	return v->len > 0;
}

static bool heading_unreleased(const char *s, size_t len)
{
	static const char word[] = "unreleased";
	size_t i = 3;

	while (i < len && (s[i] == ' ' || s[i] == '['))
		i++;
	if (len - i < sizeof word - 1)
		return false;
	for (size_t k = 0; k < sizeof word - 1; k++)
		if ((s[i + k] | 0x20) != word[k])
			return false;
	return true;
}

/* A fence line (``` or ~~~, up to three spaces in): its character and
 * length, 0 if the line is not one. */
static size_t fence_len(const char *s, size_t len, char *ch)
{
	size_t i = 0, n = 0;

	while (i < len && i < 3 && s[i] == ' ')
		i++;
	if (i >= len || (s[i] != '`' && s[i] != '~'))
		return 0;
	*ch = s[i];
	while (i + n < len && s[i + n] == *ch)
		n++;
	return n >= 3 ? n : 0;
}

/* Does this line close a fence of `open` characters `ch`: a run at least as
 * long, then only white space (a closing fence has no info string)? */
static bool fence_closes(const char *s, size_t len, char ch, size_t open)
{
	char c;
	size_t f = fence_len(s, len, &c);
	size_t i = 0;

	if (f < open || c != ch)
		return false;
	while (i < len && s[i] == ' ')
		i++;
	for (i += f; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Classify the lines of `text`, ignoring headings inside fenced code. A fence
 * that is never closed does not count: otherwise it would hide every later
 * heading, and the section this file gets, from the next update. */
static enum heading *classify(const char *text, const struct line *lines,
                              size_t n)
{
	enum heading *h = xcalloc(n ? n : 1, sizeof *h);

	for (size_t i = 0; i < n; i++) {
		const char *s = text + lines[i].off;
		size_t len = lines[i].len;
		char ch;
		size_t f = fence_len(s, len, &ch);

		if (f) {
			size_t k = i + 1;
			while (k < n && !fence_closes(text + lines[k].off, lines[k].len, ch, f))
				k++;
			if (k < n)
				i = k; /* skip the fenced block */
		} else if (len >= 2 && s[0] == '#' && (s[1] == ' ' || s[1] == '\t')) {
			h[i] = H_TITLE;
		} else if (len >= 3 && s[0] == '#' && s[1] == '#' &&
		           (s[2] == ' ' || s[2] == '\t')) {
			h[i] = H_SECTION;
		}
	}
	return h;
}

static struct line *split_lines(const char *text, size_t len, size_t *n)
{
	size_t cap = 16, count = 0, off = 0;
	struct line *lines = xmalloc(cap * sizeof *lines);

	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (text + off)) : len - off;
		if (count == cap) {
			cap *= 2;
			lines = xrealloc(lines, cap * sizeof *lines);
		}
		lines[count].off = off;
		lines[count].len = l;
		count++;
		off += l + (nl ? 1 : 0);
	}
	*n = count;
	return lines;
}

/* Is this line a link reference definition, "[label]: destination"? */
static bool link_definition(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && i < 3 && s[i] == ' ')
		i++;
	if (i >= len || s[i] != '[')
		return false;
	const char *close = memchr(s + i, ']', len - i);
	return close && (size_t)(close - s) + 1 < len && close[1] == ':' &&
	       close > s + i + 1;
}

/* Keep-a-changelog files end with link definitions for the version
 * headings: the first line of that trailing run (blank lines allowed in
 * it), or n when the file does not end with one. New sections go before
 * it, and replacing the last section keeps it. */
static size_t link_tail(const char *text, const struct line *lines,
                        const enum heading *h, size_t n)
{
	size_t tail = n;

	for (size_t i = n; i > 0; i--) {
		const char *s = text + lines[i - 1].off;
		size_t len = lines[i - 1].len;
		if (h[i - 1] != H_NONE)
			break;
		if (link_definition(s, len))
			tail = i - 1;
		else if (!blank(s, len))
			break;
	}
	return tail;
}

/* Copy text[0..end) so that it ends with a blank line (unless empty). */
static void put_prefix(struct buf *out, const char *text, size_t end)
{
	buf_add(out, text, end);
	if (end == 0)
		return;
	if (text[end - 1] != '\n')
		buf_putc(out, '\n');
	if (out->len < 2 || out->data[out->len - 2] != '\n')
		buf_putc(out, '\n');
}

/* The existing file, split into lines and classified. */
struct changelog {
	const char *text;
	size_t len, n;
	struct line *lines;
	enum heading *h;
};

/* The section of version `mine`, wherever it is (it is replaced in
 * place); n if there is none. */
static size_t find_same(const struct changelog *f, struct ver mine)
{
	for (size_t i = 0; i < f->n; i++) {
		struct ver v;
		if (f->h[i] == H_SECTION &&
		    heading_version(f->text + f->lines[i].off, f->lines[i].len, &v) &&
		    (cmp_version(v, mine) == 0 ||
		     (v.len == mine.len && memcmp(v.s, mine.s, v.len) == 0)))
			return i;
	}
	return f->n;
}

/* Where a new section goes: after the title and [Unreleased], past the
 * sections of newer versions, before the first older or non-version
 * section or another title; else before the trailing link definitions. */
static size_t find_insert(const struct changelog *f, struct ver mine, size_t tail)
{
	size_t title = f->n;

	for (size_t i = 0; i < f->n && title == f->n; i++)
		if (f->h[i] == H_TITLE)
			title = i;
	for (size_t i = title == f->n ? 0 : title + 1; i < f->n; i++) {
		const char *s = f->text + f->lines[i].off;
		struct ver v;
		if (f->h[i] == H_TITLE)
			return i;
		if (f->h[i] != H_SECTION || heading_unreleased(s, f->lines[i].len))
			continue;
		if (heading_version(s, f->lines[i].len, &v) && cmp_version(v, mine) == 1)
			continue;
		return i;
	}
	return tail;
}

/* Write the file with `sec` put in place. */
static void splice(struct buf *out, const struct changelog *f, const struct buf *sec,
                   struct ver mine)
{
	size_t n = f->n, tail = link_tail(f->text, f->lines, f->h, n);
	size_t same = find_same(f, mine);

	if (same < n) {
		size_t end = same + 1;
		while (end < n && end < tail && f->h[end] == H_NONE)
			end++;
		buf_add(out, f->text, f->lines[same].off);
		buf_add(out, sec->data, sec->len);
		if (end < n) {
			buf_putc(out, '\n');
			buf_add(out, f->text + f->lines[end].off, f->len - f->lines[end].off);
		}
		return;
	}
	size_t insert = find_insert(f, mine, tail);
	if (insert < n) {
		put_prefix(out, f->text, f->lines[insert].off);
		buf_add(out, sec->data, sec->len);
		buf_putc(out, '\n');
		buf_add(out, f->text + f->lines[insert].off, f->len - f->lines[insert].off);
	} else {
		put_prefix(out, f->text, f->len);
		buf_add(out, sec->data, sec->len);
	}
}

void changelog_update(struct buf *out, const struct compile *c, const char *old,
                      size_t old_len)
{
	struct buf sec;

	if (!c->rel) { /* nothing compiled: leave the file as it is */
		if (old)
			buf_add(out, old, old_len);
		return;
	}
	buf_init(&sec);
	emit_changelog_md(&sec, c);
	if (!old || blank(old, old_len)) {
		buf_puts(out, "# Changelog\n\n");
		buf_add(out, sec.data, sec.len);
		buf_free(&sec);
		return;
	}
	const char *version = release_version(c->rel);
	struct ver mine = { version, strlen(version) };
	struct changelog f = { old, old_len, 0, NULL, NULL };

	f.lines = split_lines(old, old_len, &f.n);
	f.h = classify(old, f.lines, f.n);
	splice(out, &f, &sec, mine);
	free(f.h);
	free(f.lines);
	buf_free(&sec);
}
