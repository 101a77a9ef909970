/* check_effects.c - W103, W104, W105, W109, W110, W122: what the commands change.
 *
 * The effects table (effects.c) says what each known command changes. Here
 * those effects are compared across the release: every change a step makes
 * must be reversed on each rollback path that can follow it (W103), rollback
 * commands must survive a second run (W104), checks must not change
 * anything (W105), `undo none` must not hide a change (W109), and a few
 * patterns that destroy data by accident are flagged (W110). */
#include "check_effects.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_parts.h"
#include "compilation.h"
#include "effects.h"
#include "rollback_path.h"

/* ---- one block's effects, read into a scratch arena ---- */

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

struct fx_block {
	const struct block *b;
	struct cmd_effects *ce; /* ce[i].cmd: the i-th command */
	size_t n;
};

/* The link made at A by the newest `ln -s` of the block before effect x
 * (command ci), or NULL. */
static struct effect *link_made_before(struct fx_block *fb, size_t ci,
                                       const struct effect *x, const char *a)
{
	struct effect *found = NULL;
	for (size_t i = 0; i <= ci; i++)
		for (size_t k = 0; k < fb->ce[i].neffects; k++) {
			struct effect *e = &fb->ce[i].effects[k];
			if (e == x)
				return found;
			if (e->kind == EFF_LINK && same(e->obj, a))
				found = e;
			else if (same(e->obj, a) && e->kind != EFF_NONE)
				found = NULL; /* A changed since */
		}
	return found;
}

/* `ln -sfn T A` then `mv -T A B` in one block is the atomic form of
 * `ln -sfn T B` (Capistrano's publish): the move becomes that link, and the
 * link at A, gone with the move, changes nothing. The rules then compare it
 * with any other link of B (its inverse re-points B at another target). */
static void fold_link_moves(struct fx_block *fb)
{
	for (size_t i = 0; i < fb->n; i++)
		for (size_t k = 0; k < fb->ce[i].neffects; k++) {
			struct effect *x = &fb->ce[i].effects[k];
			if (x->kind != EFF_MOVE || !*x->obj || !x->arg || !*x->arg)
				continue;
			struct effect *ln = link_made_before(fb, i, x, x->obj);
			if (!ln)
				continue;
			x->kind = EFF_LINK;
			x->obj = x->arg;
			x->obj_text = x->arg_text;
			x->arg = ln->arg;
			x->arg_text = ln->arg_text;
			x->flags = ln->flags;
			ln->kind = EFF_NONE;
		}
}

/* From the count the parser keeps: walking the list would visit every
 * command, one cache miss each (the pass's setup counts a big release's). */
static size_t count_cmds(const struct block *b)
{
	return b ? (size_t)b->ncmds : 0;
}

static void read_block(struct arena *a, const struct release *rel,
                       const struct block *b, struct fx_block *out)
{
	out->b = b;
	out->n = count_cmds(b);
	out->ce = arena_alloc(a, (out->n + 1) * sizeof *out->ce);
	size_t i = 0;
	for (const struct command *cmd = b ? b->cmds : NULL; cmd; cmd = cmd->next, i++) {
		/* a big model is far bigger than the cache: the next command is
		 * fetched while this one is read */
		if (cmd->next)
			prefetch(cmd->next);
		effects_of_command(a, rel, cmd, &out->ce[i]);
	}
	fold_link_moves(out);
}

static const char *block_label(struct arena *a, const struct block *b)
{
	if (b->kind == BLOCK_UNDO)
		return arena_printf(a, "the undo of step %d", b->parent ? b->parent->index : 0);
	if (b->kind == BLOCK_AFTER_ROLLBACK)
		return arena_printf(a, "after-rollback \"%s\"", b->name ? b->name : "");
	if (b->kind == BLOCK_STEP)
		return arena_printf(a, "step %d \"%s\"", b->index, b->name ? b->name : "");
	return arena_printf(a, "%s \"%s\"", block_kind_name(b->kind), b->name ? b->name : "");
}

static const char *name_of(const struct block *b)
{
	return b->name ? b->name : "";
}

/* ---- W103: the rollback path ---- */

/* What W103 keeps of an effect once its block's arena is freed: the two
 * compared strings (interned, see keep_str), the flags and the kind, and
 * whether it untars a backup (the one thing it read of the rule). Small,
 * as one is kept per step effect and per undo effect of the release. */
struct keff {
	const char *obj, *arg;
	uint16_t flags;
	uint8_t kind;
	bool untar;
	uint32_t at; /* a step effect: its place among the step's effects, for the report */
};

_Static_assert(EF_ONE_MIGRATION < 1u << 16 && EFF__COUNT < 256, "struct keff fields too narrow");

/* Is e a `tar -x` from a backup (it restores what is under its folder)? */
static bool untars_backup_effect(const struct effect *e)
{
	return e->kind == EFF_FILE && (e->flags & EF_FROM_BACKUP) && effect_unpacks(e);
}

/* The compared part of e, its strings where they are (not kept). */
static struct keff keff_of(const struct effect *e)
{
	return (struct keff){ e->obj, e->arg, (uint16_t)e->flags, (uint8_t)e->kind,
	                      untars_backup_effect(e), 0 };
}

/* Copies of a file made before it changed: each copy with the originals it
 * was taken from. */
struct saved_orig {
	const char *orig;
	const struct saved_orig *next;
};

struct saved {
	struct arena *a;
	struct name_map by_copy; /* copy -> struct saved_orig */
};

static void saved_add(struct saved *s, const char *copy, const char *orig)
{
	if (!copy || !orig || !*copy || !*orig)
		return;
	struct saved_orig *o = arena_alloc(s->a, sizeof *o);
	o->orig = orig;
	void **first = name_map_at(&s->by_copy, copy);
	o->next = *first;
	*first = o;
}

/* Is `copy` a saved copy of `orig`? */
static bool saved_has(const struct saved *s, const char *copy, const char *orig)
{
	for (const struct saved_orig *o = name_map_get(&s->by_copy, copy); o; o = o->next)
		if (!strcmp(o->orig, orig))
			return true;
	return false;
}


/* What saved_add files a `crontab -l > F` under: the user's crontab, in a
 * form no path takes. */
static const char *cron_key(char *buf, size_t size, const char *user)
{
	snprintf(buf, size, "\001crontab of %s", user ? user : "");
	return buf;
}

/* Is x a reinstall of user's crontab from a copy saved before the change
 * (a capture, a backup capture, a file `crontab -l` wrote)? `crontab -r`
 * and `crontab -e` put nothing back. */
static bool reinstalls_crontab(const char *user, const struct keff *x,
                               const struct saved *saves)
{
	if (x->kind != EFF_CRONTAB || !same(x->obj, user) ||
	    (x->flags & (EF_CRON_REMOVE | EF_CRON_EDIT)))
		return false;
	if (x->flags & (EF_SAVED_INPUT | EF_FROM_BACKUP))
		return true;
	char key[512];
	return x->arg && saves && saved_has(saves, x->arg, cron_key(key, sizeof key, user));
}

/* Is path `p` inside directory `dir` (or the directory itself)? */
static bool under(const char *p, const char *dir)
{
	size_t n = strlen(dir);
	return n && !strncmp(p, dir, n) && (p[n] == '\0' || p[n] == '/');
}

/* Does x remove obj, itself or a directory above it (rm -rf D)? */
static bool removes(const char *obj, const struct keff *x)
{
	return x->kind == EFF_REMOVE && *x->obj && (same(x->obj, obj) || under(obj, x->obj));
}

/* Does x put data back, whatever the data (a down migration, SQL written in
 * an undo, a restore from a backup)? */
static bool restores_data(const struct keff *x)
{
	return x->kind == EFF_DOWN_MIGRATION ||
	       (x->kind == EFF_DATA && (x->flags & EF_SQL)) ||
	       ((x->kind == EFF_DATA || x->kind == EFF_FILE || x->kind == EFF_MOVE) &&
	        (x->flags & EF_FROM_BACKUP));
}

/* Does candidate x restore or remove file `obj`? */
static bool restores_file(const char *obj, const struct keff *x,
                          const struct saved *saves)
{
	const unsigned from_saved = EW_CAPTURE | EF_FROM_BACKUP;
	switch (x->kind) {
	case EFF_REMOVE:
		return removes(obj, x);
	case EFF_MOVE:
		if (same(x->obj, obj))
			return true; /* moved out of the way */
		return same(x->arg, obj) &&
		       ((x->flags & from_saved) || saved_has(saves, x->obj, obj));
	case EFF_FILE:
		if (same(x->obj, obj))
			return (x->flags & from_saved) || (x->arg && saved_has(saves, x->arg, obj));
		return x->untar && (!*x->obj || under(obj, x->obj));
	case EFF_DATA:
		return same(x->obj, obj) && (x->flags & EF_FROM_BACKUP);
	default:
		return false;
	}
}

enum found { FOUND, MISSING, TOO_EARLY, NO_RELOAD };

struct verdict {
	enum found found;
	const struct block *early; /* TOO_EARLY: the block of the inverse that runs too soon */
};

static bool is_stop_of(const struct keff *e, const struct keff *x)
{
	return x->kind == EFF_SERVICE_STOPPED && same(x->obj, e->obj);
}

static bool is_start_of(const struct keff *e, const struct keff *x)
{
	return (x->kind == EFF_SERVICE_STARTED || x->kind == EFF_SERVICE_RESTARTED) &&
	       same(x->obj, e->obj);
}

static bool is_restart_of(const struct keff *e, const struct keff *x)
{
	return x->kind == EFF_SERVICE_RESTARTED && same(x->obj, e->obj);
}

static bool is_deps_of(const struct keff *e, const struct keff *x)
{
	return x->kind == EFF_DEPS && same(x->obj, e->obj) && same(x->arg, e->arg);
}

/* Is candidate x an inverse of step effect e, order aside? path_has_inverse
 * searches only where these can be: keep the two in step. */
static bool inverse_of(const struct keff *e, const struct keff *x,
                       const struct saved *saves)
{
	switch (e->kind) {
	case EFF_SERVICE_STARTED:
		return is_stop_of(e, x);
	case EFF_SERVICE_STOPPED:
		return is_start_of(e, x);
	case EFF_SERVICE_RESTARTED:
		return is_restart_of(e, x) || (x->kind == EFF_SERVICE_STARTED && same(x->obj, e->obj));
	case EFF_UNIT_ENABLED:
		return x->kind == EFF_UNIT_DISABLED && same(x->obj, e->obj);
	case EFF_UNIT_DISABLED:
		return x->kind == EFF_UNIT_ENABLED && same(x->obj, e->obj);
	case EFF_CODE:
		return x->kind == EFF_CODE && same(x->obj, e->obj) && (x->flags & EW_PREVIOUS);
	case EFF_REMOVE:
		/* a unit file removed (see wants_inverse): put back, not removed again */
		return x->kind != EFF_REMOVE && !(x->kind == EFF_MOVE && same(x->obj, e->obj)) &&
		       restores_file(e->obj, x, saves);
	case EFF_DEPS:
		return is_deps_of(e, x);
	case EFF_DATA:
	case EFF_DOWN_MIGRATION:
		/* SQL written in an undo is an explicit down migration. */
		return restores_data(x);
	case EFF_MOVE:
		return (x->kind == EFF_MOVE && same(x->obj, e->arg) && same(x->arg, e->obj)) ||
		       restores_file(e->arg, x, saves);
	case EFF_FILE:
		if (!*e->obj)
			return (x->flags & EF_FROM_BACKUP) != 0;
		/* The author names the previous content: a copy into the file from
		 * another source than the step's (`install app-${previous} B`), or
		 * an edit in place reversing one (as SQL written in an undo). */
		if (x->kind == EFF_FILE && same(x->obj, e->obj) &&
		    ((e->arg && x->arg && !same(x->arg, e->arg)) ||
		     (e->flags & x->flags & EF_IN_PLACE)))
			return true;
		return restores_file(e->obj, x, saves);
	case EFF_LINK:
		/* Re-pointed at a captured target, or at another one than the
		 * step's (the author names the previous target). */
		return (x->kind == EFF_LINK && same(x->obj, e->obj) &&
		        ((x->flags & (EW_CAPTURE | EW_PREVIOUS)) || !same(x->arg, e->arg))) ||
		       removes(e->obj, x) ||
		       (x->kind == EFF_MOVE && same(x->arg, e->obj) && saved_has(saves, x->obj, e->obj));
	case EFF_DIR:
		return removes(e->obj, x);
	case EFF_USER_ADDED:
		return x->kind == EFF_USER_DELETED && same(x->obj, e->obj);
	case EFF_GROUP_ADDED:
		return x->kind == EFF_GROUP_DELETED && same(x->obj, e->obj);
	case EFF_PACKAGE_INSTALLED:
		return (x->kind == EFF_PACKAGE_REMOVED && same(x->obj, e->obj)) ||
		       (x->kind == EFF_PACKAGE_INSTALLED && same(x->obj, e->obj) &&
		        (x->flags & EF_PINNED) && !same(x->arg, e->arg));
	case EFF_CRONTAB:
		return reinstalls_crontab(e->obj, x, saves);
	case EFF_SYSCTL:
		return x->kind == EFF_SYSCTL && same(x->obj, e->obj) && !same(x->arg, e->arg);
	case EFF_FIREWALL_ADDED:
		return x->kind == EFF_FIREWALL_REMOVED && same(x->obj, e->obj);
	case EFF_FIREWALL_REMOVED:
		return x->kind == EFF_FIREWALL_ADDED && same(x->obj, e->obj);
	default:
		return false;
	}
}

/* Effects W103 asks an inverse for. */
static bool needs_inverse(enum effect_kind k)
{
	switch (k) {
	case EFF_NONE:
	case EFF_REMOVE:
	case EFF_USER_DELETED:
	case EFF_GROUP_DELETED:
	case EFF_PACKAGE_REMOVED:
	case EFF_DOWN_MIGRATION:
	case EFF_UNITS_RELOADED:
	case EFF__COUNT:
		return false;
	default:
		return true;
	}
}

/* The path a unit-file check is about: what the effect writes or removes
 * in systemd's unit folders, or NULL. */
static const char *unit_file_of(const struct keff *e)
{
	const char *p = e->kind == EFF_MOVE ? e->arg
	              : (e->kind == EFF_FILE || e->kind == EFF_LINK || e->kind == EFF_REMOVE) ? e->obj
	              : NULL;
	return p && effects_unit_path(p) ? p : NULL;
}

/* Is a path in scratch space (temporary folders, the scripts' state
 * folder)? Files left there change nothing the service reads. */
static bool in_scratch(const struct release *r, const char *path)
{
	static const char *const tmp[] = { "/tmp", "/var/tmp", "/dev/shm", NULL };
	for (const char *const *t = tmp; *t; t++)
		if (under(path, *t))
			return true;
	return r->state_dir && *r->state_dir && under(path, r->state_dir);
}

/* Does W103 ask an inverse for this effect? */
static bool wants_inverse(const struct release *r, const struct effect *e)
{
	if (e->kind == EFF_REMOVE)
		return effects_unit_path(e->obj); /* systemd would lose the unit */
	if (!needs_inverse(e->kind))
		return false;
	if (e->kind == EFF_FILE || e->kind == EFF_DIR || e->kind == EFF_LINK)
		return !in_scratch(r, e->obj);
	return true;
}

/* A set of strings by content: the strings kept for W103, interned while
 * the pass runs (objects and words repeat from step to step: the same
 * unit, the same folder), and the objects the walk asks about.
 * Kept beside util's arena_intern and name_map for the memory goal: 12
 * bytes a slot filled to 3/4, where theirs take 24 filled to 1/2. With
 * them, relc check of 100 000 steps peaked at 182.7 MB against a limit of
 * 180.2 (docs/performance.md); with this, 175.1. It hashes with util's
 * hash_bytes. */
struct strtab {
	const char **s;
	uint32_t *h;
	size_t cap, len;
};

/* Rehash st into ncap slots (a power of two that holds what it has). */
static void strtab_resize(struct strtab *st, size_t ncap)
{
	const char **ns = table_alloc(ncap, sizeof *ns);
	uint32_t *nh = table_alloc(ncap, sizeof *nh);
	for (size_t i = 0; i < st->cap; i++) {
		if (!st->s[i])
			continue;
		size_t j = st->h[i] & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = st->s[i];
		nh[j] = st->h[i];
	}
	table_free(st->s, st->cap, sizeof *st->s);
	table_free(st->h, st->cap, sizeof *st->h);
	st->s = ns;
	st->h = nh;
	st->cap = ncap;
}

static void strtab_grow(struct strtab *st)
{
	strtab_resize(st, st->cap ? st->cap * 2 : 256);
}

/* Room for n more strings at once: one table, not one per doubling. */
static void strtab_reserve(struct strtab *st, size_t n)
{
	if (!n)
		return;
	size_t ncap = st->cap ? st->cap : 256;
	while (4 * (st->len + n + 1) > 3 * ncap)
		ncap *= 2;
	if (ncap != st->cap)
		strtab_resize(st, ncap);
}

static void strtab_free(struct strtab *st)
{
	table_free(st->s, st->cap, sizeof *st->s);
	table_free(st->h, st->cap, sizeof *st->h);
	*st = (struct strtab){ 0 };
}

/* The slot of s in st: where it is, or the empty slot where it goes. */
static size_t strtab_slot(const struct strtab *st, const char *s, uint32_t h)
{
	size_t j = h & (st->cap - 1);
	while (st->s[j] && (st->h[j] != h || strcmp(st->s[j], s)))
		j = (j + 1) & (st->cap - 1);
	return j;
}

/* The slot of s (hash h) for an add: the table grows first when one more
 * string would fill it past three quarters. */
static size_t strtab_slot_to_add(struct strtab *st, const char *s, uint32_t h)
{
	if (4 * (st->len + 1) > 3 * st->cap)
		strtab_grow(st);
	return strtab_slot(st, s, h);
}

/* Put s (hash h, or a copy of it) in empty slot j. */
static void strtab_fill(struct strtab *st, size_t j, const char *s, uint32_t h)
{
	st->s[j] = s;
	st->h[j] = h;
	st->len++;
}

/* Add s, whose hash_bytes is h, unless it is there: true when added. */
static bool strtab_add_h(struct strtab *st, const char *s, uint32_t h)
{
	size_t j = strtab_slot_to_add(st, s, h);
	if (st->s[j])
		return false;
	strtab_fill(st, j, s, h);
	return true;
}

static bool strtab_has_h(const struct strtab *st, const char *s, uint32_t h)
{
	return st->cap && st->s[strtab_slot(st, s, h)];
}

static bool strtab_has(const struct strtab *st, const char *s)
{
	return strtab_has_h(st, s, hash_bytes(s, strlen(s)));
}

/* A string kept for the walk (keep_str) is stored after a header: a byte
 * of marks (kept_mark), then its hash_bytes, so that the walk files and
 * looks up what the pass kept without hashing it again (a fifth of the
 * walk of the commands shape). Only for kept strings and "", which may be
 * a literal with nothing before it. */
#define KEPT_HEAD (1 + sizeof(uint32_t))

static uint32_t kept_hash(const char *s)
{
	uint32_t h;
	if (!*s)
		return hash_bytes(s, 0);
	memcpy(&h, s - sizeof h, sizeof h);
	return h;
}

/* The walk's sets of the files steps write (KEPT_WANTED) and of what they
 * replace (KEPT_REPLACED) are made the size they need at once: each pass
 * thread marks the strings it kept as it files them in a step's record and
 * counts the first mark. A string kept by both threads is counted twice, so
 * a set is at most twice its size. */
enum { KEPT_WANTED = 1, KEPT_REPLACED = 2 };

/* Mark s, a string the calling thread kept; true the first time. */
static bool kept_mark(const char *s, unsigned mark)
{
	unsigned char *m = (unsigned char *)s - KEPT_HEAD; /* the thread's own arena */
	if (*m & mark)
		return false;
	*m |= (unsigned char)mark;
	return true;
}

/* What a step effect puts a new file, folder or link over, or NULL. */
static const char *todo_dest(const struct keff *x)
{
	return x->kind == EFF_MOVE ? x->arg
	     : (x->kind == EFF_FILE || x->kind == EFF_LINK) ? x->obj
	     : NULL;
}

/* Each effect on the path is filed under its kind and object, and under
 * these keys when they apply, so that a search reads only the effects that
 * can match; the words the path's commands read are filed too. */
enum {
	KEY_START_OF = EFF__COUNT, /* a start or restart, by unit */
	KEY_MOVE_TO,               /* a mv, by destination */
	KEY_CODE_REVERT,           /* code put back to the previous revision, by folder;
	                              a link re-pointed, by link */
	KEY_RESTORES_DATA,         /* restores_data, all under "" */
	KEY_FROM_BACKUP,           /* reads a backup capture, all under "" */
	KEY_UNTAR,                 /* untars_backup, by folder */
	KEY_WORD,                  /* a word a command on the path reads, by itself */
	NKEYS
};

#define NO_FILING UINT32_MAX

/* A slot of the path's table: the newest filing under its key and the
 * key's hash, side by side (one cache miss a probe). The filing is kept
 * complemented, so that an empty slot (NO_FILING) is zero and a new table
 * comes from table_alloc, its pages made at once, with no pass to fill it. */
struct path_slot {
	uint32_t not_head, hash;
};

static uint32_t slot_head(const struct path_slot *s)
{
	return ~s->not_head;
}

/* The rollback path from step k. The path from k+1 is undo(k) in front of
 * it (while no irreversible step comes between), so it is kept as a stack in
 * reverse running order: the next undo is pushed on top, and stack index j
 * runs at position n-1-j. Below a stack index means later on the path.
 *
 * The index is one open-addressing table over (key, object) whose slot holds
 * the newest filing under it; each filing links to the one filed before it
 * under the same key, so a chain runs down from the highest stack index. A
 * filing costs 9 bytes and a key 8, where a map and a vector per key cost
 * several heap blocks. */
struct path {
	const struct keff **fx;
	const struct block **blk;
	uint32_t n, cap;
	const struct strtab *wanted; /* the only words a search asks about */
	const char **words;         /* what KEY_WORD filings name */
	uint32_t nwords, capwords;
	uint32_t *f_next;           /* per filing: the one filed before it, or NO_FILING */
	uint32_t *f_at;             /* its stack index (KEY_WORD: its index in words) */
	uint8_t *f_key;
	uint32_t nf, capf;
	struct path_slot *tab;
	uint32_t tabcap, tablen;
	uint32_t last_reload;       /* the lowest stack index of a daemon-reload (the
	                               last to run), NO_FILING when none */
};

static const char *filed_obj(const struct path *p, uint32_t f)
{
	int key = p->f_key[f];
	if (key == KEY_WORD)
		return p->words[p->f_at[f]];
	const struct keff *x = p->fx[p->f_at[f]];
	if (key == KEY_MOVE_TO)
		return x->arg;
	if (key == KEY_RESTORES_DATA || key == KEY_FROM_BACKUP)
		return "";
	return x->obj;
}

/* The table hash of (key, obj) from obj's hash_bytes h: keys differ in
 * the low bits the table is indexed by (the multiplier is odd). */
static uint32_t key_mix(int key, uint32_t h)
{
	return h ^ (uint32_t)key * 0x9e3779b9u;
}

static uint32_t key_hash(int key, const char *obj)
{
	return key_mix(key, hash_bytes(obj, strlen(obj)));
}

/* The table slot of (key, obj): where its chain starts, or the empty slot
 * where it would. */
static uint32_t slot_of(const struct path *p, int key, const char *obj, uint32_t h)
{
	uint32_t mask = p->tabcap - 1;
	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		uint32_t f = slot_head(&p->tab[i]);
		if (f == NO_FILING ||
		    (p->tab[i].hash == h && p->f_key[f] == key && !strcmp(filed_obj(p, f), obj)))
			return i;
	}
}

/* The newest filing under (key, obj), or NO_FILING. */
static uint32_t chain(const struct path *p, int key, const char *obj)
{
	if (!p->tablen)
		return NO_FILING;
	return slot_head(&p->tab[slot_of(p, key, obj, key_hash(key, obj))]);
}

/* Make room for n keys: the table doubles until they fill at most three
 * quarters of it, and is rehashed once. */
static void table_reserve(struct path *p, size_t n)
{
	size_t ncap = p->tabcap ? p->tabcap : 64;
	while (4 * (n + 1) > 3 * ncap)
		ncap *= 2;
	if (ncap == p->tabcap || ncap > UINT32_MAX)
		return;
	struct path_slot *nt = table_alloc(ncap, sizeof *nt);
	for (uint32_t i = 0; i < p->tabcap; i++) {
		if (!p->tab[i].not_head)
			continue;
		uint32_t j = p->tab[i].hash & (ncap - 1);
		while (nt[j].not_head)
			j = (j + 1) & (ncap - 1);
		nt[j] = p->tab[i];
	}
	table_free(p->tab, p->tabcap, sizeof *p->tab);
	p->tab = nt;
	p->tabcap = (uint32_t)ncap;
}

/* File stack (or word) index `at` under (key, obj), obj a kept string (or
 * ""). A word is filed once: only whether the path reads it matters. False
 * when nothing was filed. */
static bool file_under(struct path *p, int key, const char *obj, uint32_t at)
{
	table_reserve(p, p->tablen + 1);
	uint32_t h = key_mix(key, kept_hash(obj));
	uint32_t i = slot_of(p, key, obj, h);
	if (key == KEY_WORD && p->tab[i].not_head)
		return false;
	if (p->nf == p->capf) {
		p->capf = p->capf ? p->capf * 2 : 64;
		p->f_next = xrealloc(p->f_next, p->capf * sizeof *p->f_next);
		p->f_at = xrealloc(p->f_at, p->capf * sizeof *p->f_at);
		p->f_key = xrealloc(p->f_key, p->capf * sizeof *p->f_key);
	}
	uint32_t f = p->nf++;
	p->f_next[f] = slot_head(&p->tab[i]);
	p->f_at[f] = at;
	p->f_key[f] = (uint8_t)key;
	if (!p->tab[i].not_head) {
		p->tablen++;
		p->tab[i].hash = h;
	}
	p->tab[i].not_head = ~f;
	return true;
}

/* Does some search of the path read effects by this kind? Starts are read
 * through KEY_START_OF, code through KEY_CODE_REVERT, down migrations
 * through KEY_RESTORES_DATA; no search asks for a folder, an account or a
 * group made, nor for what changes nothing. */
static bool kind_searched(enum effect_kind k)
{
	switch (k) {
	case EFF_NONE:
	case EFF_SERVICE_STARTED:
	case EFF_CODE:
	case EFF_DIR:
	case EFF_USER_ADDED:
	case EFF_GROUP_ADDED:
	case EFF_DOWN_MIGRATION:
	case EFF_UNITS_RELOADED:
		return false;
	default:
		return true;
	}
}

/* Is x filed under a key some search reads (see path_push)? The others are
 * neither kept nor filed. */
static bool path_reads(const struct keff *x)
{
	return kind_searched(x->kind) || x->kind == EFF_SERVICE_STARTED ||
	       x->kind == EFF_UNITS_RELOADED ||
	       (x->kind == EFF_CODE && (x->flags & EW_PREVIOUS)) || restores_data(x) ||
	       (x->flags & EF_FROM_BACKUP) || x->untar;
}

/* How many keys path_push files x under. */
static uint32_t filings_of(const struct keff *x)
{
	return kind_searched(x->kind) +
	       (x->kind == EFF_SERVICE_STARTED || x->kind == EFF_SERVICE_RESTARTED) +
	       (x->kind == EFF_MOVE && x->arg) +
	       ((x->kind == EFF_CODE && (x->flags & EW_PREVIOUS)) || x->kind == EFF_LINK) +
	       restores_data(x) + !!(x->flags & EF_FROM_BACKUP) + x->untar;
}

static void path_push(struct path *p, const struct keff *x, const struct block *blk)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->fx = xrealloc(p->fx, p->cap * sizeof *p->fx);
		p->blk = xrealloc(p->blk, p->cap * sizeof *p->blk);
	}
	uint32_t j = p->n++;
	p->fx[j] = x;
	p->blk[j] = blk;
	if (x->kind == EFF_UNITS_RELOADED && p->last_reload == NO_FILING)
		p->last_reload = j; /* pushed first: runs last */
	if (kind_searched(x->kind))
		file_under(p, x->kind, x->obj, j);
	if (x->kind == EFF_SERVICE_STARTED || x->kind == EFF_SERVICE_RESTARTED)
		file_under(p, KEY_START_OF, x->obj, j);
	if (x->kind == EFF_MOVE && x->arg)
		file_under(p, KEY_MOVE_TO, x->arg, j);
	if ((x->kind == EFF_CODE && (x->flags & EW_PREVIOUS)) || x->kind == EFF_LINK)
		file_under(p, KEY_CODE_REVERT, x->obj, j);
	if (restores_data(x))
		file_under(p, KEY_RESTORES_DATA, "", j);
	if (x->flags & EF_FROM_BACKUP)
		file_under(p, KEY_FROM_BACKUP, "", j);
	if (x->untar)
		file_under(p, KEY_UNTAR, x->obj, j);
}

/* What W103 keeps of a step (the effects it asks an inverse for, in step
 * order, those undone later in the step left out; the folders whose code
 * it changes; its undo's effects that the path reads, in running order; and
 * the words the undo's commands read), or of an after-rollback block
 * (effects and words): one piece of the lasting arena, in that order. */
struct w103_rec {
	void *mem;
	uint32_t ntodo, nfx, ncode, nwords;
};

static const struct keff *rec_todo(const struct w103_rec *r)
{
	return r->mem;
}

/* A block that keeps nothing has no piece (mem NULL, every count 0): no
 * offset may be added to that NULL, so its parts are NULL too. */
static const struct keff *rec_fx(const struct w103_rec *r)
{
	return r->mem ? rec_todo(r) + r->ntodo : NULL;
}

static const char *const *rec_code(const struct w103_rec *r)
{
	return r->mem ? (const char *const *)(rec_fx(r) + r->nfx) : NULL;
}

static const char *const *rec_words(const struct w103_rec *r)
{
	return r->mem ? rec_code(r) + r->ncode : NULL;
}

/* Put block b (kept as rec) in front of the path: it runs before all that
 * is on it. */
static void path_push_block(struct path *p, const struct w103_rec *rec, const struct block *b)
{
	const struct keff *fx = rec_fx(rec);
	for (uint32_t i = rec->nfx; i-- > 0;)
		path_push(p, &fx[i], b);
	const char *const *words = rec_words(rec);
	for (uint32_t w = 0; w < rec->nwords; w++) {
		if (!strtab_has_h(p->wanted, words[w], kept_hash(words[w])))
			continue;
		if (p->nwords == p->capwords) {
			p->capwords = p->capwords ? p->capwords * 2 : 64;
			p->words = xrealloc(p->words, p->capwords * sizeof *p->words);
		}
		p->words[p->nwords] = words[w];
		if (file_under(p, KEY_WORD, words[w], p->nwords))
			p->nwords++;
	}
}

/* Empty the path; the table goes too, so that a path after an irreversible
 * step starts small again. */
static void path_clear(struct path *p)
{
	table_free(p->tab, p->tabcap, sizeof *p->tab);
	p->tab = NULL;
	p->tabcap = p->tablen = 0;
	p->n = p->nwords = p->nf = 0;
	p->last_reload = NO_FILING;
}

static void path_free(struct path *p)
{
	path_clear(p);
	free(p->fx);
	free(p->blk);
	free(p->words);
	free(p->f_next);
	free(p->f_at);
	free(p->f_key);
}

/* A file among the code objects: the restart after it in its step reads it
 * (see read_on_restart); no path starts with this byte. */
#define FILE_TAG "\002"

/* The folders whose code the steps since the last irreversible one change,
 * the links they switch, and the files a restart read (FILE_TAG first). */
struct code_dirs {
	struct strtab set;
	const char **v;
	size_t n, cap;
};

/* Record the folders whose code step `st` changes; true when one is new.
 *
 * The next path puts this step's undo in front of the last path. For a
 * folder already changed by an earlier step, the first revert on the path
 * can only come earlier (in that undo), so the barrier does not move past
 * anything found after it before; a folder seen for the first time may
 * bring a revert anywhere, so then every order-bound verdict is redone. */
static bool new_code_folder(struct code_dirs *dirs, const struct w103_rec *st)
{
	bool fresh = false;
	const char *const *code = rec_code(st);
	for (uint32_t i = 0; i < st->ncode; i++) {
		const char *obj = code[i];
		if (!strtab_add_h(&dirs->set, obj, kept_hash(obj)))
			continue;
		if (dirs->n == dirs->cap) {
			dirs->cap = dirs->cap ? dirs->cap * 2 : 8;
			dirs->v = xrealloc(dirs->v, dirs->cap * sizeof *dirs->v);
		}
		dirs->v[dirs->n++] = obj;
		fresh = true;
	}
	return fresh;
}

/* What one rollback path offers, and what was worked out on it already. */
struct lookup {
	const struct path *p;
	const struct saved *saves;
	const struct code_dirs *dirs;
	struct buf dir;  /* scratch: a folder above a path */
	bool have_all_barrier;
	size_t all_barrier; /* all_code_barrier, once per path */
	const struct strtab *replaced; /* files, folders and links a step writes */
};

/* Where the path has reverted the code of `dir`, changed since lo: the
 * stack index of its first revert (inverses below it run after it), or
 * SIZE_MAX when the path does not revert it. */
static size_t code_barrier(const struct lookup *l, const char *dir)
{
	uint32_t f = chain(l->p, KEY_CODE_REVERT, dir);
	if (f == NO_FILING || !strtab_has(&l->dirs->set, dir))
		return SIZE_MAX;
	return l->p->f_at[f]; /* the newest filing: the highest stack index */
}

static uint32_t path_restores_unit_at(struct lookup *l, const char *obj, const struct keff *e);

/* Where the path first restores a file a restart read (or removes it). */
static size_t file_barrier(struct lookup *l, const char *file)
{
	struct keff e = { file, NULL, 0, EFF_FILE, false, 0 };
	uint32_t at = path_restores_unit_at(l, file, &e);
	return at == NO_FILING ? SIZE_MAX : at;
}

/* The same for the code of every folder changed since lo, the links and the
 * files a restart read: the lowest of their barriers, so that below it
 * every revert has run. */
static size_t all_code_barrier(struct lookup *l)
{
	if (!l->have_all_barrier) {
		l->all_barrier = SIZE_MAX;
		for (size_t i = 0; i < l->dirs->n; i++) {
			const char *obj = l->dirs->v[i];
			size_t b = obj[0] == FILE_TAG[0] ? file_barrier(l, obj + 1) : code_barrier(l, obj);
			if (b != SIZE_MAX && (l->all_barrier == SIZE_MAX || b < l->all_barrier))
				l->all_barrier = b;
		}
		l->have_all_barrier = true;
	}
	return l->all_barrier;
}

typedef bool (*match_fn)(const struct keff *, const struct keff *, const struct saved *);

/* The stack index of the first effect to run among those filed under
 * (key, obj) that pass ok(e, x): the chain meets the highest first.
 * NO_FILING when none does. */
static uint32_t filed_at(const struct lookup *l, int key, const char *obj, match_fn ok,
                         const struct keff *e)
{
	const struct path *p = l->p;
	for (uint32_t f = chain(p, key, obj); f != NO_FILING; f = p->f_next[f])
		if (ok(e, p->fx[p->f_at[f]], l->saves))
			return p->f_at[f];
	return NO_FILING;
}

/* Does some effect filed under (key, obj) pass ok(e, x)? */
static bool filed_match(const struct lookup *l, int key, const char *obj, match_fn ok,
                        const struct keff *e)
{
	return filed_at(l, key, obj, ok, e) != NO_FILING;
}

/* The later-running of two stack positions found (the higher index). */
static uint32_t first_to_run(uint32_t a, uint32_t b)
{
	return a == NO_FILING ? b : b == NO_FILING ? a : a > b ? a : b;
}

/* The same under obj and under each folder above it (each prefix that ends
 * before a '/'): where `rm -rf D` and `tar -x -C D` reach obj from. */
static uint32_t filed_above_at(struct lookup *l, int key, const char *obj, match_fn ok,
                               const struct keff *e)
{
	uint32_t at = NO_FILING;
	buf_clear(&l->dir);
	buf_puts(&l->dir, obj);
	for (size_t i = l->dir.len; i > 0; i--) {
		if (obj[i] != '\0' && obj[i] != '/')
			continue;
		l->dir.data[i] = '\0';
		at = first_to_run(at, filed_at(l, key, l->dir.data, ok, e));
	}
	return at;
}

static bool filed_match_above(struct lookup *l, int key, const char *obj, match_fn ok,
                              const struct keff *e)
{
	return filed_above_at(l, key, obj, ok, e) != NO_FILING;
}

static bool removes_it(const struct keff *e, const struct keff *x,
                       const struct saved *saves)
{
	(void)saves;
	return removes(e->obj, x);
}

/* Where restores_file(obj, x) can hold: x removes obj or a folder above
 * it, moves obj away or into place, writes obj, untars a backup over it,
 * or restores it as data. */
static bool path_restores_file(struct lookup *l, const char *obj, const struct keff *e)
{
	return filed_match_above(l, EFF_REMOVE, obj, inverse_of, e) ||
	       filed_match(l, EFF_MOVE, obj, inverse_of, e) ||
	       filed_match(l, KEY_MOVE_TO, obj, inverse_of, e) ||
	       filed_match(l, EFF_FILE, obj, inverse_of, e) ||
	       filed_match(l, KEY_UNTAR, "", inverse_of, e) ||
	       filed_match_above(l, KEY_UNTAR, obj, inverse_of, e) ||
	       filed_match(l, EFF_DATA, obj, inverse_of, e);
}

/* The same for a file in systemd's unit folders, with where the first
 * inverse runs (the stack index), NO_FILING when none: see unit_verdict. */
static uint32_t path_restores_unit_at(struct lookup *l, const char *obj, const struct keff *e)
{
	uint32_t at = NO_FILING;
	if (e->kind == EFF_MOVE)
		at = filed_at(l, EFF_MOVE, e->arg, inverse_of, e);
	if (e->kind == EFF_LINK)
		at = first_to_run(at, filed_at(l, EFF_LINK, obj, inverse_of, e));
	at = first_to_run(at, filed_above_at(l, EFF_REMOVE, obj, inverse_of, e));
	at = first_to_run(at, filed_at(l, EFF_MOVE, obj, inverse_of, e));
	at = first_to_run(at, filed_at(l, KEY_MOVE_TO, obj, inverse_of, e));
	at = first_to_run(at, filed_at(l, EFF_FILE, obj, inverse_of, e));
	at = first_to_run(at, filed_at(l, KEY_UNTAR, "", inverse_of, e));
	at = first_to_run(at, filed_above_at(l, KEY_UNTAR, obj, inverse_of, e));
	return at;
}
/* What a file copied from a backup puts back: the file it writes (for a
 * `tar -x`, the folder), or NULL when it is not a file operation. */
static const char *restored_path(const struct keff *x)
{
	if (x->kind == EFF_FILE)
		return x->obj;
	if (x->kind == EFF_MOVE)
		return x->arg;
	return NULL;
}

/* A data restore on the path. A copy from a backup onto a file a step
 * replaced (the old binary put back over the new one) restores that file,
 * not the data a migration changed: a restore reads the backup that holds
 * the data. */
static bool path_restores_data(const struct lookup *l, const struct keff *e)
{
	const struct path *p = l->p;
	for (uint32_t f = chain(p, KEY_RESTORES_DATA, ""); f != NO_FILING; f = p->f_next[f]) {
		const struct keff *x = p->fx[p->f_at[f]];
		const char *dest = restored_path(x);
		if (inverse_of(e, x, l->saves) && !(dest && *dest && strtab_has(l->replaced, dest)))
			return true;
	}
	return false;
}

/* Is some effect on the path an inverse of e, order aside? It looks only
 * where inverse_of can hold, case by case. */
static bool path_has_inverse(struct lookup *l, const struct keff *e)
{
	switch (e->kind) {
	case EFF_SERVICE_STARTED:
		return filed_match(l, EFF_SERVICE_STOPPED, e->obj, inverse_of, e);
	case EFF_UNIT_ENABLED:
		return filed_match(l, EFF_UNIT_DISABLED, e->obj, inverse_of, e);
	case EFF_UNIT_DISABLED:
		return filed_match(l, EFF_UNIT_ENABLED, e->obj, inverse_of, e);
	case EFF_CODE:
		return filed_match(l, KEY_CODE_REVERT, e->obj, inverse_of, e);
	case EFF_DATA:
	case EFF_DOWN_MIGRATION:
		return path_restores_data(l, e);
	case EFF_MOVE:
		return filed_match(l, EFF_MOVE, e->arg, inverse_of, e) ||
		       path_restores_file(l, e->arg, e);
	case EFF_FILE:
		if (!*e->obj)
			return filed_match(l, KEY_FROM_BACKUP, "", inverse_of, e);
		return path_restores_file(l, e->obj, e);
	case EFF_LINK:
		return filed_match(l, EFF_LINK, e->obj, inverse_of, e) ||
		       filed_match_above(l, EFF_REMOVE, e->obj, inverse_of, e) ||
		       filed_match(l, KEY_MOVE_TO, e->obj, inverse_of, e);
	case EFF_DIR:
		return filed_match_above(l, EFF_REMOVE, e->obj, inverse_of, e);
	case EFF_USER_ADDED:
		return filed_match(l, EFF_USER_DELETED, e->obj, inverse_of, e);
	case EFF_GROUP_ADDED:
		return filed_match(l, EFF_GROUP_DELETED, e->obj, inverse_of, e);
	case EFF_PACKAGE_INSTALLED:
		return filed_match(l, EFF_PACKAGE_REMOVED, e->obj, inverse_of, e) ||
		       filed_match(l, EFF_PACKAGE_INSTALLED, e->obj, inverse_of, e);
	case EFF_CRONTAB:
		return filed_match(l, EFF_CRONTAB, e->obj, inverse_of, e);
	case EFF_SYSCTL:
		return filed_match(l, EFF_SYSCTL, e->obj, inverse_of, e);
	case EFF_FIREWALL_ADDED:
		return filed_match(l, EFF_FIREWALL_REMOVED, e->obj, inverse_of, e);
	case EFF_FIREWALL_REMOVED:
		return filed_match(l, EFF_FIREWALL_ADDED, e->obj, inverse_of, e);
	default:
		return false;
	}
}

/* Inverses that rebuild from code count only after the barrier. Among the
 * effects filed under (key, obj) that ok accepts and that run after the
 * ones above stack index `lim`: found when one is below the barrier `bar`
 * (SIZE_MAX: no barrier), else too early, naming the first that runs (the
 * highest on the stack: the chain meets it first). */
static struct verdict ordered(const struct path *p, int key, const char *obj,
                              size_t lim, size_t bar,
                              bool (*ok)(const struct keff *, const struct keff *),
                              const struct keff *e)
{
	const struct block *early = NULL;
	for (uint32_t f = chain(p, key, obj); f != NO_FILING; f = p->f_next[f]) {
		size_t j = p->f_at[f];
		if (j >= lim || !ok(e, p->fx[j]))
			continue;
		if (j < bar)
			return (struct verdict){ FOUND, NULL };
		if (!early)
			early = p->blk[j];
	}
	return early ? (struct verdict){ TOO_EARLY, early } : (struct verdict){ MISSING, NULL };
}

/* restart/reload U: a restart after the barrier, or a stop followed by a
 * start after the barrier. */
static struct verdict find_restart(const struct path *p, const struct keff *e,
                                   size_t bar)
{
	struct verdict v = ordered(p, EFF_SERVICE_RESTARTED, e->obj, p->n, bar, is_restart_of, e);
	if (v.found == FOUND)
		return v;
	/* The first stop to run is the highest on the stack: the newest filing. */
	uint32_t stop = chain(p, EFF_SERVICE_STOPPED, e->obj);
	if (stop != NO_FILING) {
		struct verdict w = ordered(p, KEY_START_OF, e->obj, p->f_at[stop], bar,
		                           is_start_of, e);
		if (w.found == FOUND)
			return w;
		if (v.found == MISSING && w.found == TOO_EARLY)
			v = w;
	}
	return v;
}

/* Does find_inverse look at the inverse's place on the path (code barriers)? */
static bool order_matters(const struct keff *e)
{
	return e->kind == EFF_SERVICE_RESTARTED || e->kind == EFF_SERVICE_STOPPED ||
	       e->kind == EFF_DEPS;
}

/* A unit file is back only once systemd reads it again: the file put
 * back (or removed), then a daemon-reload after it on the path. */
static struct verdict unit_verdict(struct lookup *l, const char *unit, const struct keff *e)
{
	uint32_t at = path_restores_unit_at(l, unit, e);
	if (at == NO_FILING)
		return (struct verdict){ MISSING, NULL };
	if (l->p->last_reload == NO_FILING || l->p->last_reload >= at)
		return (struct verdict){ NO_RELOAD, NULL };
	return (struct verdict){ FOUND, NULL };
}

static struct verdict find_inverse(struct lookup *l, const struct keff *e)
{
	const char *unit = unit_file_of(e);
	if (unit)
		return unit_verdict(l, unit, e);
	switch (e->kind) {
	case EFF_SERVICE_RESTARTED:
		return find_restart(l->p, e, all_code_barrier(l));
	case EFF_SERVICE_STOPPED:
		return ordered(l->p, KEY_START_OF, e->obj, l->p->n, all_code_barrier(l),
		               is_start_of, e);
	case EFF_DEPS:
		if (*e->obj && filed_match_above(l, EFF_REMOVE, e->obj, removes_it, e))
			return (struct verdict){ FOUND, NULL }; /* the tree is gone */
		return ordered(l->p, EFF_DEPS, e->obj, l->p->n, code_barrier(l, e->obj),
		               is_deps_of, e);
	case EFF_FILE:
		if (*e->obj && chain(l->p, KEY_WORD, e->obj) != NO_FILING)
			return (struct verdict){ FOUND, NULL }; /* a copy the rollback uses */
		break;
	default:
		break;
	}
	return (struct verdict){ path_has_inverse(l, e) ? FOUND : MISSING, NULL };
}

/* Is effect ei of command ci undone later in the same step (a file written
 * then moved or removed, a service stopped then started)? The kinds that
 * ask inverse_of here never read saved copies, hence no saves. */
static bool cancelled_in_step(const struct fx_block *st, size_t ci, size_t ei)
{
	const struct effect *e = &st->ce[ci].effects[ei];
	struct keff ke = keff_of(e);
	for (size_t i = ci; i < st->n; i++)
		for (size_t k = (i == ci ? ei + 1 : 0); k < st->ce[i].neffects; k++) {
			const struct effect *x = &st->ce[i].effects[k];
			if (e->kind == EFF_FILE || e->kind == EFF_DIR || e->kind == EFF_LINK) {
				if ((x->kind == EFF_REMOVE || x->kind == EFF_MOVE) && same(x->obj, e->obj))
					return true;
			} else if (e->kind == EFF_SERVICE_STOPPED || e->kind == EFF_SERVICE_STARTED ||
			           e->kind == EFF_UNIT_ENABLED || e->kind == EFF_UNIT_DISABLED) {
				struct keff kx = keff_of(x);
				if (inverse_of(&ke, &kx, NULL))
					return true;
			}
		}
	return false;
}

/* The reports (W103, W109) read the step's effects again, for the texts as
 * written: the records keep only what is compared. Effect `at` of the step,
 * counted as keep_rec counts them, and its command in *cmd. */
static const struct effect *step_effect_at(struct arena *a, const struct release *rel,
                                           const struct block *step, size_t at,
                                           const struct command **cmd)
{
	struct fx_block fb;
	read_block(a, rel, step, &fb);
	for (size_t i = 0; i < fb.n; i++) {
		if (at < fb.ce[i].neffects) {
			*cmd = fb.ce[i].cmd;
			return &fb.ce[i].effects[at];
		}
		at -= fb.ce[i].neffects;
	}
	return NULL; /* not reached: td->at counts the same effects */
}

static void report_w103(const struct release *rel, struct diag_set *ds, struct arena *labels,
                        const struct block *step, const struct keff *td, int k,
                        struct verdict v)
{
	struct arena *a = arena_new();
	const struct command *cmd = NULL;
	const struct effect *e = step_effect_at(a, rel, step, td->at, &cmd);
	if (!e) {
		arena_free(a);
		return;
	}
	struct buf what, inv;
	buf_init(&what);
	buf_init(&inv);
	effect_describe(&what, e);
	effect_describe_inverse(&inv, e);
	struct diagnostic *d;
	if (v.found == TOO_EARLY) {
		const struct block *ib = v.early;
		d = diag_report(ds, DIAG_W103, cmd->loc,
			"step \"%s\": %s; its inverse in %s runs before what it reads (code, links, files) is put back on the rollback path from step %d",
			name_of(step), what.data, block_label(labels, ib), k);
		if (e->kind == EFF_DEPS) {
			diag_note(d, (struct loc){ 0 },
			          "the rollback path from step %d reverts the code later, so this reinstalls the new dependencies; run `%s` after the revert (in the same undo, after the checkout, or in after-rollback)",
			          k, e->arg_text ? e->arg_text : "the install");
		} else {
			const char *tool = effect_service_tool(e);
			diag_note(d, (struct loc){ 0 },
			          "a restart there starts the new code; put `%s stop %s` in %s and `%s start %s` (or a restart) in after-rollback",
			          tool, e->obj_text, block_label(labels, ib), tool, e->obj_text);
		}
	} else if (v.found == NO_RELOAD) {
		d = diag_report(ds, DIAG_W103, cmd->loc,
			"step \"%s\": %s; the rollback path from step %d reverses the file but runs no `systemctl daemon-reload` after it",
			name_of(step), what.data, k);
		diag_note(d, (struct loc){ 0 },
		          "systemd keeps the unit it loaded until a daemon-reload; run `systemctl daemon-reload` after the file operation (in the same undo, or in after-rollback)");
	} else {
		d = diag_report(ds, DIAG_W103, cmd->loc,
			"step \"%s\": %s; the rollback path from step %d does not reverse it",
			name_of(step), what.data, k);
		diag_note(d, (struct loc){ 0 }, "looked for %s on the rollback path", inv.data);
		if (e->kind == EFF_SERVICE_RESTARTED || e->kind == EFF_SERVICE_STOPPED) {
			const char *tool = effect_service_tool(e);
			diag_note(d, (struct loc){ 0 },
			          "for example `%s stop %s` in the undo and `%s start %s` in after-rollback",
			          tool, e->obj_text, tool, e->obj_text);
		}
	}
	buf_free(&what);
	buf_free(&inv);
	arena_free(a);
}

static void report_w109(struct diag_set *ds, const struct block *s, const struct command *cmd,
                        const struct effect *e, const char *path_note);

/* W109 from the walk: the effect of an `undo none` step is not reversed on
 * the rollback path from step k. Once per step. */
static void report_w109_path(const struct release *rel, struct diag_set *ds,
                             const struct block *step, const struct keff *td, int k,
                             uint8_t *said)
{
	int s = step->index - 1;
	if (said[s / 8] & (1u << (s % 8)))
		return;
	said[s / 8] |= (uint8_t)(1u << (s % 8));
	struct arena *a = arena_new();
	const struct command *cmd = NULL;
	const struct effect *e = step_effect_at(a, rel, step, td->at, &cmd);
	if (!e) {
		arena_free(a);
		return;
	}
	struct buf note;
	buf_init(&note);
	buf_printf(&note, "the rollback path from step %d does not reverse it; looked for ", k);
	effect_describe_inverse(&note, e);
	report_w109(ds, step, cmd, e, note.data);
	buf_free(&note);
	arena_free(a);
}

/* A step effect waiting for its verdict, with its step. */
struct pending {
	const struct keff *t;
	const struct block *step;
};

struct pendings {
	struct pending *v;
	size_t n, cap;
};

static void pending_add(struct pendings *ps, struct pending p)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 64;
		ps->v = xrealloc(ps->v, ps->cap * sizeof *ps->v);
	}
	ps->v[ps->n++] = p;
}

/* Everything W103 keeps from the pass: one record per step and one per
 * after-rollback block, in release order (the blocks themselves are read
 * from the release's lists). */
struct w103 {
	struct w103_rec *steps;
	int n;
	struct w103_rec *after;
	size_t nafter;
	bool w103, w109; /* which rules speak: the effects of steps with an undo
	                    block are W103's, those of `undo none` W109's */
	size_t nwanted, nreplaced; /* at most the sizes of the walk's sets (kept_mark) */
};

/* The rollback paths, walked over the records once the pass is done. */
static void w103_run(const struct release *rel, struct diag_set *ds, const struct w103 *w,
                     struct saved *saves, struct arena *labels)
{
	int n = w->n;
	/* find_inverse asks whether the path reads a word only for the object
	 * of a file a step writes: the path files no other word. */
	struct strtab wanted = { 0 }, replaced = { 0 };
	strtab_reserve(&wanted, w->nwanted);
	strtab_reserve(&replaced, w->nreplaced);
	for (int s = 0; s < n; s++) {
		const struct keff *td = rec_todo(&w->steps[s]);
		for (uint32_t i = 0; i < w->steps[s].ntodo; i++) {
			if (td[i].kind == EFF_FILE && *td[i].obj)
				strtab_add_h(&wanted, td[i].obj, kept_hash(td[i].obj));
			const char *dest = todo_dest(&td[i]);
			if (dest && *dest)
				strtab_add_h(&replaced, dest, kept_hash(dest));
		}
	}
	/* The path from step 1 is its undo, then after-rollback. The stack
	 * holds at most every kept effect and its filings: sized once, with no
	 * slack. */
	struct path p = { .wanted = &wanted, .last_reload = NO_FILING };
	size_t total = 0, filings = wanted.len; /* a word is filed once */
	for (size_t r = 0; r < (size_t)n + w->nafter; r++) {
		const struct w103_rec *rec = r < (size_t)n ? &w->steps[r] : &w->after[r - (size_t)n];
		const struct keff *fx = rec_fx(rec);
		total += rec->nfx;
		for (uint32_t i = 0; i < rec->nfx; i++)
			filings += filings_of(&fx[i]);
	}
	if (filings < UINT32_MAX) {
		p.cap = (uint32_t)total + 1;
		p.fx = xmalloc(p.cap * sizeof *p.fx);
		p.blk = xmalloc(p.cap * sizeof *p.blk);
		p.capf = (uint32_t)filings + 1;
		p.f_next = xmalloc(p.capf * sizeof *p.f_next);
		p.f_at = xmalloc(p.capf * sizeof *p.f_at);
		p.f_key = xmalloc(p.capf * sizeof *p.f_key);
		p.capwords = (uint32_t)wanted.len + 1;
		p.words = xmalloc(p.capwords * sizeof *p.words);
	}
	const struct block **after = xcalloc(w->nafter + 1, sizeof *after);
	size_t na = 0;
	for (const struct block *b = rel->after_rollbacks; b && na < w->nafter; b = b->next)
		after[na++] = b;
	struct code_dirs dirs = { 0 };
	struct lookup l = { &p, saves, &dirs, { 0 }, false, 0, &replaced };
	buf_init(&l.dir);
	/* One report per effect: the first rollback path that misses it. An
	 * effect is looked at once its step is reached. Found regardless of
	 * order, it stays found, as later paths hold this one's blocks; found
	 * where order matters, it stays found (settled) until a step changes the
	 * code of a new folder (see new_code_folder), and is looked at again
	 * then. Both lists keep step order, the order the reports come in.
	 *
	 * The stack follows the rollback walk (rollback_path.h): while the path
	 * extends the one of the step before, the new undo goes in front; a
	 * restarted path (an irreversible step) is built afresh, and the steps
	 * before the cut are out of reach of the paths after it. */
	struct pendings todo = { 0 }, settled = { 0 };
	/* W109 speaks once per step: a bit per step */
	uint8_t *said109 = xcalloc((size_t)n / 8 + 1, 1);
	struct rollback_walk rw;
	rollback_walk_start(&rw, rel);
	while (rw.k < n && rollback_walk_next(&rw)) {
		int k = rw.k;
		const struct block *sb = rw.step;
		const struct w103_rec *st = &w->steps[k - 1];
		if (rw.restarted) {
			path_clear(&p);
			strtab_free(&dirs.set);
			dirs.n = 0;
			settled.n = 0;
			/* The first path is sized for every filing at once, not by
			 * a dozen doublings; one after an irreversible step grows
			 * as it needs, so restarts never add up. */
			if (k == 1)
				table_reserve(&p, filings);
			if (!rw.path.blocked)
				for (size_t a = na; a-- > 0;)
					path_push_block(&p, &w->after[a], after[a]);
		}
		if (rw.new_undo)
			path_push_block(&p, st, rw.new_undo->undo);
		if (sb->undo_kind == UNDO_IRREVERSIBLE)
			continue; /* its own path is empty: nothing to check */
		todo.n = 0;
		if (new_code_folder(&dirs, st)) { /* settled ones first: earlier steps */
			struct pendings t = todo;
			todo = settled;
			settled = t;
		}
		l.have_all_barrier = false;
		const struct keff *td = rec_todo(st);
		for (uint32_t i = 0; i < st->ntodo; i++)
			pending_add(&todo, (struct pending){ &td[i], sb });
		for (size_t t = 0; t < todo.n; t++) {
			const struct pending *pd = &todo.v[t];
			struct verdict v = find_inverse(&l, pd->t);
			if (v.found == FOUND) {
				if (order_matters(pd->t))
					pending_add(&settled, *pd);
				continue;
			}
			if (pd->step->undo_kind == UNDO_NONE)
				report_w109_path(rel, ds, pd->step, pd->t, k, said109);
			else
				report_w103(rel, ds, labels, pd->step, pd->t, k, v);
		}
	}
	free(after);
	free(said109);
	free(todo.v);
	free(settled.v);
	path_free(&p);
	strtab_free(&wanted);
	strtab_free(&replaced);
	buf_free(&l.dir);
	strtab_free(&dirs.set);
	free(dirs.v);
}

void check_effects_rollback(struct compile *c)
{
	bool on[DIAG__COUNT] = { [DIAG_W103] = true };
	check_effects_pass(c, on);
}

/* ---- W104: rollback commands that may run twice ---- */

static bool word_is(const struct effect_use *u, const char *w)
{
	for (size_t i = 1; i < u->argc; i++)
		if (!strcmp(u->argv[i].text, w))
			return true;
	return false;
}

/* A short option letter (in any -xyz cluster) or a long option. */
static bool use_flag(const struct effect_use *u, char c, const char *lng)
{
	for (size_t i = 1; i < u->argc; i++) {
		const char *t = u->argv[i].text;
		if (!strcmp(t, "--"))
			break;
		if (lng && !strcmp(t, lng))
			return true;
		if (c && t[0] == '-' && t[1] != '-' && strchr(t + 1, c))
			return true;
	}
	return false;
}

static const char *prog_of(const struct effect_use *u)
{
	if (!u->argc)
		return "";
	const char *p = u->argv[0].val;
	const char *slash = strrchr(p, '/');
	return slash ? slash + 1 : p;
}

/* Why this use is not safe to run twice, or NULL. */
static const char *not_idempotent(const struct effect_use *u)
{
	const char *p = prog_of(u);
	if (!strcmp(p, "git")) {
		for (size_t i = 1; i + 1 < u->argc; i++)
			if (!strcmp(u->argv[i].text, "stash") && !strcmp(u->argv[i + 1].text, "pop"))
				return "`git stash pop` applies the stash once and then drops it: a second run applies another stash or fails";
		return NULL;
	}
	if (u->guarded)
		return NULL;
	if (!strcmp(p, "mkdir") && !use_flag(u, 'p', "--parents"))
		return "`mkdir` without `-p` fails when the directory already exists";
	if (!strcmp(p, "rm") && !use_flag(u, 'f', "--force"))
		return "`rm` without `-f` fails when the file is already gone";
	if (!strcmp(p, "ln") && use_flag(u, 's', "--symbolic") && !use_flag(u, 'f', "--force"))
		return "`ln -s` without `-f` fails when the link already exists";
	if (!strcmp(p, "useradd") || !strcmp(p, "groupadd") || !strcmp(p, "adduser") ||
	    !strcmp(p, "addgroup"))
		return "adding an account fails when it already exists: guard it (`id -u U >/dev/null 2>&1 || useradd U`)";
	return NULL;
}

/* Does a command of the block before use `before` (command ci) create or
 * write path p: a copy, a move or a link into it, a folder made there? */
static bool made_earlier(const struct fx_block *fb, size_t ci, const struct effect_use *before,
                         const char *p)
{
	for (size_t i = 0; i <= ci; i++)
		for (size_t k = 0; k < fb->ce[i].neffects; k++) {
			const struct effect *e = &fb->ce[i].effects[k];
			if (i == ci && e->use >= before)
				return false;
			if (((e->kind == EFF_FILE || e->kind == EFF_LINK || e->kind == EFF_DIR) &&
			     same(e->obj, p)) ||
			    (e->kind == EFF_FILE && untars_backup_effect(e) && under(p, e->obj)) ||
			    (e->kind == EFF_DATA && same(e->obj, p)) || /* a database file written */
			    (e->kind == EFF_MOVE && same(e->arg, p)))
				return true;
		}
	return false;
}

/* `mv A B` moves A away: a second run finds no A, with or without -f,
 * unless the block made A again before it. The source, or NULL. */
static const struct effect *mv_source_gone(const struct fx_block *fb, size_t ci,
                                           const struct effect_use *u)
{
	if (strcmp(prog_of(u), "mv") != 0 || u->guarded)
		return NULL;
	for (size_t k = 0; k < u->neffects; k++) {
		const struct effect *e = &u->effects[k];
		if (e->kind == EFF_MOVE && *e->obj && !made_earlier(fb, ci, u, e->obj))
			return e;
	}
	return NULL;
}

static void idempotent_block(struct diag_set *ds, struct arena *keep,
                             const struct fx_block *fb)
{
	for (size_t i = 0; i < fb->n; i++) {
		const struct cmd_effects *ce = &fb->ce[i];
		for (size_t k = 0; k < ce->nuses; k++) {
			const struct effect *mv = mv_source_gone(fb, i, &ce->uses[k]);
			if (mv) {
				struct diagnostic *d = diag_report(ds, DIAG_W104, ce->cmd->loc,
					"mv in %s is not safe to run twice", block_label(keep, fb->b));
				diag_note(d, (struct loc){ 0 },
				          "`mv` takes %s away: a rollback that is interrupted and run again finds no %s, `-f` or not",
				          mv->obj_text, mv->obj_text);
				diag_note(d, (struct loc){ 0 },
				          "copy it instead (`cp -pf %s %s`), which leaves the source for a second run, or make %s earlier in the same block",
				          mv->obj_text, mv->arg_text ? mv->arg_text : "...", mv->obj_text);
				continue;
			}
			const char *why = not_idempotent(&ce->uses[k]);
			if (!why)
				continue;
			struct diagnostic *d = diag_report(ds, DIAG_W104, ce->cmd->loc,
				"%s in %s is not safe to run twice", prog_of(&ce->uses[k]),
				block_label(keep, fb->b));
			diag_note(d, (struct loc){ 0 }, "%s; a rollback that is interrupted and run again repeats it", why);
		}
	}
}

void check_effects_idempotent(struct compile *c)
{
	bool on[DIAG__COUNT] = { [DIAG_W104] = true };
	check_effects_pass(c, on);
}

/* ---- W105, W109 ---- */

/* W109 at the step's `undo none`, with a note on the command; path_from:
 * the step whose rollback path misses the inverse, or 0 (none can have it). */
static void report_w109(struct diag_set *ds, const struct block *s, const struct command *cmd,
                        const struct effect *e, const char *path_note)
{
	struct buf what;
	buf_init(&what);
	effect_describe(&what, e);
	struct diagnostic *d = diag_report(ds, DIAG_W109, s->undo_loc,
		"step \"%s\" says `undo none`, but it changes %s", name_of(s), what.data);
	diag_note(d, cmd->loc, "this command changes it (recognised as `%s`)",
	          e->rule ? e->rule->form : "?");
	if (path_note)
		diag_note(d, (struct loc){ 0 }, "%s", path_note);
	diag_note(d, (struct loc){ 0 }, "write an `undo { ... }` that reverses it");
	buf_free(&what);
}

/* The first state-changing effect of a command, or NULL. */
static const struct effect *first_change(const struct cmd_effects *ce)
{
	for (size_t i = 0; i < ce->neffects; i++)
		if (ce->effects[i].kind != EFF_NONE)
			return &ce->effects[i];
	return NULL;
}

static void read_only_block(struct diag_set *ds, const struct fx_block *fb)
{
	for (size_t i = 0; i < fb->n; i++) {
		const struct effect *e = first_change(&fb->ce[i]);
		if (!e)
			continue;
		struct buf what;
		buf_init(&what);
		effect_describe(&what, e);
		struct diagnostic *d = diag_report(ds, DIAG_W105, fb->ce[i].cmd->loc,
			"check \"%s\" runs a command that changes state (%s)", name_of(fb->b), what.data);
		diag_note(d, (struct loc){ 0 },
		          "recognised as `%s`; checks run before anything is backed up and must only read",
		          e->rule ? e->rule->form : "?");
		buf_free(&what);
	}
}

void check_effects_read_only(struct compile *c)
{
	bool on[DIAG__COUNT] = { [DIAG_W105] = true };
	check_effects_pass(c, on);
}

/* ---- W122 ---- */

/* What a backup may do besides reading: write its copy. Files written,
 * moved, linked or removed and folders made are how a dump or an archive
 * lands (a temporary file renamed into place, a `latest` link, an old copy
 * rotated out), and a started unit named for backups or dumps is the job
 * that writes it; anything else changes the service itself. A declared
 * effect, a file one included, is a change the spec says the command makes
 * to the system, never the copy. */
static bool writes_the_copy(const struct effect *e)
{
	if (effect_declared(e))
		return false;
	switch (e->kind) {
	case EFF_NONE:
	case EFF_FILE:
	case EFF_MOVE:
	case EFF_LINK:
	case EFF_DIR:
	case EFF_REMOVE:
		return true;
	case EFF_SERVICE_STARTED:
		return e->obj && (strstr(e->obj, "backup") || strstr(e->obj, "dump"));
	default:
		return false;
	}
}

/* W122: a backup runs a command that changes state beyond its copy (a
 * service stopped, maintenance mode, a migration). It belongs in a step
 * written before the backup, where it is undone on a rollback. */
static void backup_changes_state(struct diag_set *ds, const struct fx_block *fb)
{
	for (size_t i = 0; i < fb->n; i++) {
		const struct cmd_effects *ce = &fb->ce[i];
		const struct effect *e = NULL;
		for (size_t k = 0; k < ce->neffects && !e; k++)
			if (!writes_the_copy(&ce->effects[k]))
				e = &ce->effects[k];
		if (!e)
			continue;
		struct buf what;
		buf_init(&what);
		effect_describe(&what, e);
		struct diagnostic *d = diag_report(ds, DIAG_W122, ce->cmd->loc,
			"backup \"%s\" runs a command that changes state (%s)", name_of(fb->b), what.data);
		diag_note(d, (struct loc){ 0 },
		          "recognised as `%s`; a backup should only write its copy, and nothing undoes what it changes",
		          e->rule ? e->rule->form : "?");
		diag_note(d, (struct loc){ 0 },
		          "move the command into a step with an undo, written before the backup: backups and steps run in the order written");
		buf_free(&what);
	}
}

void check_effects_backup_state(struct compile *c)
{
	bool on[DIAG__COUNT] = { [DIAG_W122] = true };
	check_effects_pass(c, on);
}

/* W109 for one step with `undo none`. A change W103 would ask an inverse
 * for is judged on the rollback paths (w103_run), like W103: nothing is
 * said when every path through the step reverses it. A change no path can
 * reverse (a removal, an account deleted) is reported here. True when it
 * reported. */
static bool undo_none_block(struct diag_set *ds, const struct release *rel,
                            const struct fx_block *fb)
{
	const struct block *s = fb->b;
	for (size_t i = 0; i < fb->n; i++) {
		const struct cmd_effects *ce = &fb->ce[i];
		for (size_t k = 0; k < ce->neffects; k++) {
			const struct effect *e = &ce->effects[k];
			if (e->kind == EFF_NONE || e->kind == EFF_UNITS_RELOADED ||
			    wants_inverse(rel, e) || (needs_inverse(e->kind) && e->kind != EFF_REMOVE))
				continue;
			report_w109(ds, s, ce->cmd, e, NULL);
			return true;
		}
	}
	return false;
}

void check_effects_undo_none(struct compile *c)
{
	bool on[DIAG__COUNT] = { [DIAG_W109] = true };
	check_effects_pass(c, on);
}

/* ---- W110: dangerous patterns ---- */

/* SQL "DROP TABLE" / "DROP DATABASE" / "DROP SCHEMA", any case and spacing. */
static bool has_drop(const char *s, size_t len, const char **what)
{
	static const char *const objs[] = { "TABLE", "DATABASE", "SCHEMA", NULL };
	for (size_t i = find_ci(s, len, "DROP", 0); i < len; i = find_ci(s, len, "DROP", i + 1)) {
		if (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_'))
			continue;
		size_t j = i + 4;
		if (j >= len || !isspace((unsigned char)s[j]))
			continue;
		while (j < len && isspace((unsigned char)s[j]))
			j++;
		for (const char *const *o = objs; *o; o++) {
			size_t ol = strlen(*o);
			if (j + ol <= len && !strncasecmp(s + j, *o, ol) &&
			    (j + ol == len || !(isalnum((unsigned char)s[j + ol]) || s[j + ol] == '_'))) {
				*what = *o;
				return true;
			}
		}
	}
	return false;
}

static bool is_decompressor(const struct effect_use *u)
{
	static const char *const progs[] = { "gunzip", "zcat", "xzcat", "bzcat", "zstdcat",
		"gzip", "xz", "bzip2", "zstd", "unxz", "lz4cat", NULL };
	const char *p = u->pipe_from;
	for (const char *const *q = progs; *q; q++)
		if (!strcmp(p, *q))
			return true;
	return false;
}

static bool looks_like_dump(const char *text, unsigned flags)
{
	if (flags & EW_CAPTURE)
		return true;
	static const char *const hints[] = { "backup", "dump", ".bak", ".sql.gz", ".gz", NULL };
	for (const char *const *h = hints; *h; h++)
		if (strstr(text, *h))
			return true;
	return false;
}

/* sqlite3 fed a dump: from a decompressor, a dump file on stdin, a `cat` of
 * one, or a .restore/.read meta command. Returns the database word. */
static const struct eword *sqlite_restore_target(const struct effect_use *u)
{
	if (strcmp(prog_of(u), "sqlite3") != 0 || u->argc < 2)
		return NULL;
	const struct eword *db = NULL;
	bool dump = false;
	for (size_t i = 1; i < u->argc; i++) {
		const char *t = u->argv[i].text;
		if (t[0] == '-') {
			if (!strcmp(t, "-cmd") || !strcmp(t, "-init") || !strcmp(t, "-separator") ||
			    !strcmp(t, "-nullvalue") || !strcmp(t, "-newline"))
				i++;
			continue;
		}
		if (!db) {
			db = &u->argv[i];
			continue;
		}
		if (!strncmp(t, ".restore", 8) || !strncmp(t, ".read", 5))
			dump = true;
	}
	if (!db)
		return NULL;
	if (u->pipe_from && is_decompressor(u))
		dump = true;
	if (u->pipe_from && !strcmp(u->pipe_from, "cat")) {
		for (size_t i = 1; i < u->pipe_from_argc; i++)
			if (looks_like_dump(u->pipe_from_argv[i].text, u->pipe_from_argv[i].flags))
				dump = true;
	}
	if (u->stdin_file && looks_like_dump(u->stdin_text, u->stdin_flags))
		dump = true;
	return dump ? db : NULL;
}

/* Is `db` moved into place by a later command of the block (a staging copy)? */
static bool staged(const struct fx_block *fb, size_t from, const char *db)
{
	for (size_t i = from; i < fb->n; i++)
		for (size_t k = 0; k < fb->ce[i].neffects; k++) {
			const struct effect *e = &fb->ce[i].effects[k];
			if (e->kind == EFF_MOVE && !strcmp(e->obj, db))
				return true;
		}
	return false;
}

static void dangerous_block(struct diag_set *ds, const struct fx_block *fb)
{
	const struct block *b = fb->b;
	for (size_t i = 0; i < fb->n; i++) {
		const struct command *cmd = fb->ce[i].cmd;
		const struct cmd_effects *ce = &fb->ce[i];
		for (size_t k = 0; k < ce->nuses; k++) {
			const struct effect_use *u = &ce->uses[k];
			const char *p = prog_of(u);
			const struct eword *db = sqlite_restore_target(u);
			if (db && !staged(fb, i + 1, db->val)) {
				struct diagnostic *d = diag_report(ds, DIAG_W110, cmd->loc,
					"a dump is restored into %s in place", db->text);
				diag_note(d, (struct loc){ 0 },
				          "a failure half-way leaves the live database half-restored; restore into a new file (`%s.restore`), check it, then `mv -f` it into place",
				          db->text);
			}
			if (!strcmp(p, "rm") && (use_flag(u, 'r', "--recursive") || use_flag(u, 'R', NULL))) {
				for (size_t w = 1; w < u->argc; w++) {
					if (!(u->argv[w].flags & EW_MAYBE_EMPTY))
						continue;
					struct diagnostic *d = diag_report(ds, DIAG_W110, cmd->loc,
						"`rm -r %s`: the path may expand to nothing", u->argv[w].text);
					diag_note(d, (struct loc){ 0 },
					          "when the variable is empty the command removes the wrong tree (`rm -rf /...`); use a fixed path, a `let`, or `${x:?}`");
					break;
				}
			}
			if (!strcmp(p, "git") && word_is(u, "push") &&
			    (use_flag(u, 'f', "--force") || word_is(u, "--force"))) {
				struct diagnostic *d = diag_report(ds, DIAG_W110, cmd->loc,
					"`git push --force` rewrites the remote's history");
				diag_note(d, (struct loc){ 0 }, "commits others pushed are lost; a release should only move forward");
			}
		}
		const char *what = NULL;
		if (b->kind != BLOCK_UNDO && has_drop(cmd->text, cmd->len, &what)) {
			struct diagnostic *d = diag_report(ds, DIAG_W110, cmd->loc,
				"`DROP %s` outside an undo", what);
			diag_note(d, (struct loc){ 0 },
			          "dropping throws the data away for good; rename it, or drop it in a later release once this one is proven");
		}
	}
}

void check_effects_dangerous(struct compile *c)
{
	bool on[DIAG__COUNT] = { [DIAG_W110] = true };
	check_effects_pass(c, on);
}

/* ---- W114: a backup no rollback command reads ---- */

/* Does command cmd read what backup b saved: a reference to one of its
 * captures, or the path of a file it wrote, as the backup writes it? */
static bool reads_backup_of(const struct command *cmd, const struct block *b,
                            const char *const *files, size_t nfiles)
{
	for (uint32_t i = 0; i < cmd->nrefs; i++) {
		const struct symbol *sym = cmd->refs[i].sym;
		if (sym && sym->kind == SYM_CAPTURE && sym->capture && sym->capture->block == b)
			return true;
	}
	for (size_t f = 0; f < nfiles; f++) {
		size_t fl = strlen(files[f]);
		for (size_t at = 0; at + fl <= cmd->len; at++)
			if (!memcmp(cmd->text + at, files[f], fl))
				return true;
	}
	return false;
}

static bool block_reads_backup(const struct block *rb, const struct block *b,
                               const char *const *files, size_t nfiles)
{
	for (const struct command *cmd = rb ? rb->cmds : NULL; cmd; cmd = cmd->next)
		if (reads_backup_of(cmd, b, files, nfiles))
			return true;
	return false;
}

/* Does an undo reverse a data change without a backup: a down migration
 * that reverts the whole release (not a bare db:rollback),
 * or SQL that writes (the author's own reverse migration)? */
static bool undoes_data_itself(const struct fx_block *ub)
{
	for (size_t i = 0; i < ub->n; i++)
		for (size_t k = 0; k < ub->ce[i].neffects; k++) {
			const struct effect *e = &ub->ce[i].effects[k];
			if ((e->kind == EFF_DOWN_MIGRATION && !(e->flags & EF_ONE_MIGRATION)) ||
			    (e->kind == EFF_DATA && (e->flags & EF_SQL) && !(e->flags & EF_FROM_BACKUP)))
				return true;
		}
	return false;
}

/* W114: a step changes data and its undo does not reverse that itself
 * (data_cmd is the first such step command), and a backup is read by no
 * undo and no after-rollback block: the rollback cannot put back what it
 * saved. */
static void backups_unread(struct compile *c, const struct command *data_cmd)
{
	const struct release *r = c->rel;
	for (const struct block *b = r->backups; b; b = b->next) {
		struct arena *a = arena_new(); /* the backup's effects, freed below */
		struct fx_block fb;
		read_block(a, r, b, &fb);
		/* the files it writes, as written (a rollback names them so too) */
		size_t nfiles = 0;
		const char **files = arena_alloc(a, 64 * sizeof *files);
		for (size_t i = 0; i < fb.n; i++)
			for (size_t k = 0; k < fb.ce[i].neffects && nfiles < 64; k++) {
				const struct effect *e = &fb.ce[i].effects[k];
				const char *f = e->kind == EFF_FILE && !untars_backup_effect(e) ? e->obj_text
				              : e->kind == EFF_MOVE ? e->arg_text : NULL;
				if (f && *f)
					files[nfiles++] = f;
			}
		bool read = false;
		for (const struct block *s = r->steps; s && !read; s = s->next)
			if (s->undo_kind == UNDO_BLOCK)
				read = block_reads_backup(s->undo, b, files, nfiles);
		for (const struct block *ar = r->after_rollbacks; ar && !read; ar = ar->next)
			read = block_reads_backup(ar, b, files, nfiles);
		if (!read) {
			struct diagnostic *d = diag_report(c->diags, DIAG_W114, b->loc,
				"backup \"%s\": no undo or after-rollback reads what it saves", name_of(b));
			diag_note(d, data_cmd->loc,
			          "this step command changes data: the rollback cannot put it back from this backup");
			diag_note(d, (struct loc){ 0 },
			          "restore from it in the undo of the step that changes the data (for example `gunzip -c ${CAPTURE} | ...` with a capture of the backup), or say in the step's undo how the data goes back");
		}
		arena_free(a);
	}
}

void check_effects_backup_unread(struct compile *c)
{
	bool on[DIAG__COUNT] = { [DIAG_W114] = true };
	check_effects_pass(c, on);
}

/* ---- the pass: every effects rule, one block at a time ---- */

enum unit_kind { U_CHECK, U_BACKUP, U_STEP, U_VERIFY, U_AFTER };

/* A top-level block (a step with its undo), in release order. */
struct fx_unit {
	const struct block *b;
	enum unit_kind kind;
	size_t idx; /* U_STEP: step index; U_AFTER: after-rollback index */
};

/* A saved copy seen in a backup or a step (see saved_add). */
struct saved_pair {
	const char *copy, *orig;
};

/* A run of units that one thread reads: its reports, kept apart so they join
 * the others' in release order, and its first command that changes data. */
struct fx_slice {
	size_t from, to;
	struct diag_set *ds;
	const struct command *data_cmd;
};

struct fx_pass {
	const struct release *rel;
	const bool *on;
	bool e012;               /* E012 is on (each step asks for a backup before it) */
	struct diag_set *ds;     /* the slice being read's */
	struct arena *keep;      /* W103's records and labels, until the pass ends */
	struct w103 *w;          /* NULL when W103 is off */
	bool w109_said;          /* W109 spoke for the current step already */
	const struct command *data_cmd; /* the first step command of the slice that changes data (W114) */
	struct strtab strs;
	struct saved_pair *pairs;
	size_t npairs, cappairs;
	size_t nwanted, nreplaced; /* strings this thread marked (kept_mark) */
	uint32_t *tmp;           /* a step's todo effects (ci, ei, at) before they are kept */
	size_t ntmp, captmp;
	const struct fx_unit *units;
	struct fx_slice *slices;
	size_t nslices;
	atomic_size_t *next;     /* the next slice not yet taken by either thread */
};

static const char *keep_str(struct fx_pass *t, const char *s)
{
	if (!s)
		return NULL;
	struct strtab *st = &t->strs;
	size_t n = strlen(s);
	uint32_t h = hash_bytes(s, n);
	size_t j = strtab_slot_to_add(st, s, h);
	if (!st->s[j]) {
		char *k = arena_bytes(t->keep, KEPT_HEAD + n + 1); /* see kept_hash */
		k[0] = 0; /* no mark */
		memcpy(k + 1, &h, sizeof h);
		memcpy(k + KEPT_HEAD, s, n + 1);
		strtab_fill(st, j, k + KEPT_HEAD, h);
	}
	return st->s[j];
}

static struct keff keep_keff(struct fx_pass *t, const struct effect *e)
{
	struct keff k = keff_of(e);
	k.obj = keep_str(t, e->obj);
	k.arg = keep_str(t, e->arg);
	return k;
}

static void keep_pair(struct fx_pass *t, const char *copy, const char *orig)
{
	if (t->npairs == t->cappairs) {
		t->cappairs = t->cappairs ? t->cappairs * 2 : 64;
		t->pairs = xrealloc(t->pairs, t->cappairs * sizeof *t->pairs);
	}
	t->pairs[t->npairs++] = (struct saved_pair){ keep_str(t, copy), keep_str(t, orig) };
}

/* `crontab [-u U] -l > F`: F holds U's crontab as it was. */
static void keep_cron_saves(struct fx_pass *t, const struct cmd_effects *ce)
{
	for (size_t u = 0; u < ce->nuses; u++) {
		const struct effect_use *use = &ce->uses[u];
		if (!use->rule || strcmp(use->rule->form, "crontab -l") != 0)
			continue;
		const char *user = "";
		for (size_t w = 1; w + 1 < use->argc; w++)
			if (!strcmp(use->argv[w].text, "-u"))
				user = use->argv[w + 1].val;
		char key[512];
		cron_key(key, sizeof key, user);
		for (size_t k = 0; k < use->neffects; k++)
			if (use->effects[k].kind == EFF_FILE && *use->effects[k].obj)
				keep_pair(t, use->effects[k].obj, key);
	}
}

static void keep_saves(struct fx_pass *t, const struct fx_block *fb)
{
	for (size_t i = 0; i < fb->n; i++)
		keep_cron_saves(t, &fb->ce[i]);
	for (size_t i = 0; i < fb->n; i++)
		for (size_t k = 0; k < fb->ce[i].neffects; k++) {
			const struct effect *e = &fb->ce[i].effects[k];
			const char *copy, *orig;
			if (e->kind == EFF_FILE && e->rule && e->arg &&
			    strncmp(e->rule->form, "install", 7) != 0) {
				copy = e->obj;    /* cp B X */
				orig = e->arg;
			} else if (e->kind == EFF_MOVE) {
				copy = e->arg;    /* mv B X */
				orig = e->obj;
			} else {
				continue;
			}
			if (!copy || !orig || !*copy || !*orig)
				continue;
			keep_pair(t, copy, orig);
		}
}

/* Does word w of u name something the command may read as a file? The
 * folder a command works in (`tar -C D`, `git -C D`, `--directory=D`) is
 * not a copy it reads back, nor is what it writes (`cp X B` reads X: the
 * same copy made again in an undo is no saved copy of B). */
static bool reads_word(const struct effect_use *u, size_t w)
{
	const char *v = u->argv[w].val;
	if (!v)
		return false;
	const char *prev = w > 1 ? u->argv[w - 1].text : "";
	if (!strcmp(prev, "-C") || !strcmp(prev, "--directory") ||
	    !strncmp(u->argv[w].text, "--directory=", 12))
		return false;
	for (size_t k = 0; k < u->neffects; k++) {
		struct keff x = keff_of(&u->effects[k]);
		const char *dest = x.kind == EFF_DIR ? x.obj : todo_dest(&x); /* a folder made too */
		if (dest && *dest && !strcmp(dest, v))
			return false;
	}
	return true;
}

/* A restart reads what is on disk: the code git checked out, where the
 * release links point, and a file the same step wrote before it (a site
 * file installed, then nginx reloaded). Its inverse must run after these
 * are back. For effect k of command i of step st: "" when it is such a
 * change, FILE_TAG when it is a file (its restore is looked for as a
 * file's), NULL otherwise. */
static const char *read_on_restart(const struct release *rel, const struct fx_block *st,
                                   size_t i, size_t k)
{
	const struct effect *e = &st->ce[i].effects[k];
	if (e->kind == EFF_CODE)
		return "";
	if (e->kind == EFF_LINK && wants_inverse(rel, e))
		return "";
	if (e->kind != EFF_FILE || !*e->obj || !wants_inverse(rel, e))
		return NULL;
	for (size_t ci = i; ci < st->n; ci++)
		for (size_t ei = ci == i ? k + 1 : 0; ei < st->ce[ci].neffects; ei++)
			if (st->ce[ci].effects[ei].kind == EFF_SERVICE_RESTARTED)
				return FILE_TAG;
	return NULL;
}

/* Keep the record of a step (st, with ub its undo block or NULL) or of an
 * after-rollback block (st NULL, ub the block). Undo effects no search of
 * the path reads are left out; stack order among the rest holds. */
static void keep_rec(struct fx_pass *t, const struct fx_block *st, const struct fx_block *ub,
                     struct w103_rec *out)
{
	*out = (struct w103_rec){ 0 };
	t->ntmp = 0;
	size_t at = 0;
	bool keep_todo = st && ((st->b->undo_kind == UNDO_BLOCK && t->w->w103) ||
	                   (st->b->undo_kind == UNDO_NONE && t->w->w109 && !t->w109_said));
	if (keep_todo)
		for (size_t ci = 0; ci < st->n; ci++)
			for (size_t ei = 0; ei < st->ce[ci].neffects; ei++, at++) {
				const struct effect *e = &st->ce[ci].effects[ei];
				if (!wants_inverse(t->rel, e) || cancelled_in_step(st, ci, ei))
					continue;
				if (t->ntmp + 3 > t->captmp) {
					t->captmp = t->captmp ? t->captmp * 2 : 96;
					t->tmp = xrealloc(t->tmp, t->captmp * sizeof *t->tmp);
				}
				t->tmp[t->ntmp++] = (uint32_t)ci;
				t->tmp[t->ntmp++] = (uint32_t)ei;
				t->tmp[t->ntmp++] = (uint32_t)at;
			}
	size_t ntodo = t->ntmp / 3, ncode = 0, nfx = 0, nwords = 0;
	for (size_t i = 0; st && i < st->n; i++)
		for (size_t k = 0; k < st->ce[i].neffects; k++)
			ncode += read_on_restart(t->rel, st, i, k) != NULL;
	for (size_t i = 0; ub && i < ub->n; i++) {
		const struct cmd_effects *ce = &ub->ce[i];
		for (size_t k = 0; k < ce->neffects; k++) {
			struct keff x = keff_of(&ce->effects[k]);
			nfx += path_reads(&x);
		}
		for (size_t u = 0; u < ce->nuses; u++)
			for (size_t w = 1; w < ce->uses[u].argc; w++)
				nwords += reads_word(&ce->uses[u], w);
	}
	size_t size = ntodo * sizeof(struct keff) + nfx * sizeof(struct keff) +
	              (ncode + nwords) * sizeof(const char *);
	if (!size)
		return; /* most blocks of a kind keep nothing: no piece for them */
	out->mem = arena_alloc(t->keep, size);
	out->ntodo = (uint32_t)ntodo;
	out->nfx = (uint32_t)nfx;
	out->ncode = (uint32_t)ncode;
	out->nwords = (uint32_t)nwords;
	struct keff *todo = out->mem;
	for (size_t i = 0; i < ntodo; i++) {
		const uint32_t *x = &t->tmp[3 * i];
		todo[i] = keep_keff(t, &st->ce[x[0]].effects[x[1]]);
		todo[i].at = x[2];
		if (todo[i].kind == EFF_FILE && *todo[i].obj)
			t->nwanted += kept_mark(todo[i].obj, KEPT_WANTED);
		const char *dest = todo_dest(&todo[i]);
		if (dest && *dest)
			t->nreplaced += kept_mark(dest, KEPT_REPLACED);
	}
	struct keff *fx = (struct keff *)rec_fx(out);
	size_t j = 0;
	for (size_t i = 0; ub && i < ub->n; i++)
		for (size_t k = 0; k < ub->ce[i].neffects; k++) {
			struct keff x = keff_of(&ub->ce[i].effects[k]);
			if (path_reads(&x))
				fx[j++] = keep_keff(t, &ub->ce[i].effects[k]);
		}
	const char **code = (const char **)rec_code(out);
	j = 0;
	for (size_t i = 0; st && i < st->n; i++)
		for (size_t k = 0; k < st->ce[i].neffects; k++) {
			const char *tag = read_on_restart(t->rel, st, i, k);
			if (!tag)
				continue;
			const char *obj = st->ce[i].effects[k].obj;
			code[j++] = *tag ? keep_str(t, arena_printf(t->keep, "%s%s", tag, obj)) : keep_str(t, obj);
		}
	const char **words = (const char **)rec_words(out);
	j = 0;
	for (size_t i = 0; ub && i < ub->n; i++) {
		const struct cmd_effects *ce = &ub->ce[i];
		for (size_t u = 0; u < ce->nuses; u++)
			for (size_t w = 1; w < ce->uses[u].argc; w++)
				if (reads_word(&ce->uses[u], w))
					words[j++] = keep_str(t, ce->uses[u].argv[w].val);
	}
}

static void pass_unit(struct fx_pass *t, const struct fx_unit *u)
{
	const bool *on = t->on;
	const struct block *b = u->b;
	struct arena *a = arena_new(); /* this block's effects, freed below */
	struct fx_block fb;
	switch (u->kind) {
	case U_CHECK:
		if (!on[DIAG_W105] && !on[DIAG_W110])
			break;
		read_block(a, t->rel, b, &fb);
		if (on[DIAG_W105])
			read_only_block(t->ds, &fb);
		if (on[DIAG_W110])
			dangerous_block(t->ds, &fb);
		break;
	case U_BACKUP:
		if (!on[DIAG_W110] && !on[DIAG_W113] && !on[DIAG_W122] && !t->w)
			break;
		read_block(a, t->rel, b, &fb);
		if (on[DIAG_W110])
			dangerous_block(t->ds, &fb);
		if (on[DIAG_W122])
			backup_changes_state(t->ds, &fb);
		if (on[DIAG_W113])
			check_backup_block_unverified(t->ds, b, fb.ce, fb.n);
		if (t->w)
			keep_saves(t, &fb);
		break;
	case U_STEP: {
		bool w103 = t->w && u->idx < (size_t)t->w->n;
		bool w109 = on[DIAG_W109] && b->undo_kind == UNDO_NONE;
		t->w109_said = false;
		bool w114 = on[DIAG_W114] && !t->data_cmd && b->undo_kind != UNDO_IRREVERSIBLE;
		const struct command *data_cmd = NULL;
		bool e012 = t->e012 && !release_backup_before(t->rel, b->index);
		if (e012 || w109 || on[DIAG_W110] || w103 || w114) {
			read_block(a, t->rel, b, &fb);
			for (size_t i = 0; w114 && !data_cmd && i < fb.n; i++)
				if (effects_change_data(&fb.ce[i]))
					data_cmd = fb.ce[i].cmd;
			if (e012)
				check_step_data_without_backup(t->ds, t->rel, b, fb.ce, fb.n);
			if (w109)
				t->w109_said = undo_none_block(t->ds, t->rel, &fb);
			if (on[DIAG_W110])
				dangerous_block(t->ds, &fb);
		}
		struct fx_block ub;
		bool have_ub = false;
		if (b->undo_kind == UNDO_BLOCK && b->undo &&
		    (on[DIAG_W104] || on[DIAG_W110] || w103 || data_cmd)) {
			read_block(a, t->rel, b->undo, &ub);
			have_ub = true;
			if (on[DIAG_W104])
				idempotent_block(t->ds, t->keep, &ub);
			if (on[DIAG_W110])
				dangerous_block(t->ds, &ub);
		}
		if (data_cmd && !(have_ub && undoes_data_itself(&ub)))
			t->data_cmd = data_cmd; /* only a restore can put it back */
		if (w103) {
			keep_saves(t, &fb);
			/* the walk back stops at an irreversible step: nothing of it is read */
			if (b->undo_kind != UNDO_IRREVERSIBLE)
				keep_rec(t, &fb, have_ub ? &ub : NULL, &t->w->steps[u->idx]);
		}
		break;
	}
	case U_VERIFY:
		if (!on[DIAG_W110])
			break;
		read_block(a, t->rel, b, &fb);
		dangerous_block(t->ds, &fb);
		break;
	case U_AFTER:
		if (!on[DIAG_W104] && !on[DIAG_W110] && !t->w)
			break;
		read_block(a, t->rel, b, &fb);
		if (on[DIAG_W104])
			idempotent_block(t->ds, t->keep, &fb);
		if (on[DIAG_W110])
			dangerous_block(t->ds, &fb);
		if (t->w)
			keep_rec(t, NULL, &fb, &t->w->after[u->idx]);
		break;
	}
	arena_free(a);
}

/* Slices are taken in turn by whichever thread is free: commands differ in
 * cost, and the host may slow one processor, so halves fixed up front could
 * leave one thread waiting for the other. */
static void *pass_job(void *arg)
{
	struct fx_pass *t = arg;
	for (;;) {
		size_t k = atomic_fetch_add_explicit(t->next, 1, memory_order_relaxed);
		if (k >= t->nslices)
			break;
		struct fx_slice *sl = &t->slices[k];
		t->ds = sl->ds;
		t->data_cmd = NULL;
		for (size_t i = sl->from; i < sl->to; i++)
			pass_unit(t, &t->units[i]);
		sl->data_cmd = t->data_cmd;
	}
	return NULL;
}

/* Below this many commands a second thread costs more than it saves. */
#define FX_THREAD_MIN 4096
/* Slices of a release read on two threads: enough that the last one taken
 * is short, few enough that each is worth a report set. */
#define FX_SLICES 32

/* The rollback walk, and what runs beside it (check_effects_pass_with). */
struct fx_walk {
	const struct release *rel;
	bool on;                  /* W103 or W109 is on and there are steps */
	struct w103 *w;
	struct saved *saves;
	struct arena *labels;
	struct diag_set *ds;      /* its reports, appended once it is done */
};

static void *walk_job(void *arg)
{
	struct fx_walk *x = arg;
	if (x->on)
		w103_run(x->rel, x->ds, x->w, x->saves, x->labels);
	return NULL;
}

struct fx_others {
	void (*run)(struct compile *, const void *);
	struct compile *c;
	const void *arg;
};

static void *others_job(void *arg)
{
	struct fx_others *o = arg;
	if (o->run)
		o->run(o->c, o->arg);
	return NULL;
}

void check_effects_pass_with(struct compile *c, const bool on[DIAG__COUNT],
                             void (*others)(struct compile *, const void *),
                             const void *arg)
{
	const struct release *r = c->rel;
	if (!r) {
		others_job(&(struct fx_others){ others, c, arg });
		return;
	}
	const struct block *lists[] = { r->checks, r->backups, r->steps, r->verifies,
	                                r->after_rollbacks };
	const enum unit_kind kinds[] = { U_CHECK, U_BACKUP, U_STEP, U_VERIFY, U_AFTER };
	size_t nunits = 0, nsteps = 0, nafter = 0;
	for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++)
		for (const struct block *b = lists[l]; b; b = b->next)
			nunits++;
	/* as tables (table_alloc): a big release's are mapped and made at once */
	struct fx_unit *units = table_alloc(nunits + 1, sizeof *units);
	size_t *weight = table_alloc(nunits + 1, sizeof *weight);
	size_t nu = 0, total = 0;
	for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++)
		for (const struct block *b = lists[l]; b; b = b->next, nu++) {
			units[nu].b = b;
			units[nu].kind = kinds[l];
			units[nu].idx = kinds[l] == U_STEP ? nsteps++ : kinds[l] == U_AFTER ? nafter++ : 0;
			weight[nu] = count_cmds(b) +
			             (b->kind == BLOCK_STEP && b->undo_kind == UNDO_BLOCK ? count_cmds(b->undo) : 0);
			total += weight[nu];
		}

	/* W103 walks the rollback paths of the first nsteps steps (as many
	 * as the release counted) once every step's records are kept. */
	struct w103 w = { .w103 = on[DIAG_W103], .w109 = on[DIAG_W109] };
	bool w103 = (on[DIAG_W103] || on[DIAG_W109]) && nsteps > 0;
	if (w103) {
		w.n = r->nsteps > 0 && (size_t)r->nsteps < nsteps ? r->nsteps : (int)nsteps;
		w.steps = xcalloc((size_t)w.n + 1, sizeof *w.steps);
		w.nafter = nafter;
		w.after = xcalloc(nafter + 1, sizeof *w.after);
	}
	/* A big release is cut into slices of about equal commands. The first
	 * reports into c->diags, each other into its own set, appended in
	 * order below, so each rule's reports keep release order. */
	bool threaded = total >= FX_THREAD_MIN;
	struct fx_slice slices[FX_SLICES] = { { 0, nunits, c->diags, NULL } };
	size_t nslices = 1;
	if (threaded) {
		size_t acc = 0, cut = 0;
		for (nslices = 0; nslices < FX_SLICES && cut < nunits; nslices++) {
			size_t from = cut;
			size_t goal = nslices == FX_SLICES - 1 ? SIZE_MAX : total / FX_SLICES * (nslices + 1);
			while (cut < nunits && acc < goal)
				acc += weight[cut++];
			slices[nslices] = (struct fx_slice){ from, cut, c->diags, NULL };
			if (nslices > 0) {
				slices[nslices].ds = diag_set_new();
				diag_set_options(slices[nslices].ds, &c->opt.diag);
			}
		}
	}
	/* The pass adds what it keeps on top of the model: the model's last huge
	 * page goes back but for what it holds (the threads do not allocate
	 * from it). */
	arena_trim(c->arena);
	atomic_size_t next = 0;
	struct fx_pass half[2];
	for (int h = 0; h < 2; h++)
		half[h] = (struct fx_pass){
			.rel = r, .on = on,
			/* a backup cut short by a syntax error may have stood anywhere */
			.e012 = on[DIAG_E012] && !(r->lost & LOST_BLOCK(BLOCK_BACKUP)),
			.keep = nslices > 1 ? arena_new_big() : arena_new(),
			.w = w103 ? &w : NULL, .units = units,
			.slices = slices, .nslices = nslices, .next = &next,
		};
	run_both(pass_job, &half[0], pass_job, &half[1], nslices > 1);
	const struct command *data_cmd = NULL;
	for (size_t k = 0; k < nslices; k++) {
		if (!data_cmd)
			data_cmd = slices[k].data_cmd;
		if (k > 0) {
			diag_set_append(c->diags, slices[k].ds);
			diag_set_free(slices[k].ds);
		}
	}

	/* What the threads needed and the walk does not goes before it: the
	 * intern tables, the split, the scratch lists. */
	table_free(units, nunits + 1, sizeof *units);
	table_free(weight, nunits + 1, sizeof *weight);
	struct saved saves = { half[0].keep, { 0 } };
	w.nwanted = half[0].nwanted + half[1].nwanted;
	w.nreplaced = half[0].nreplaced + half[1].nreplaced;
	name_map_reserve(&saves.by_copy, half[0].npairs + half[1].npairs);
	for (int h = 0; h < 2; h++) {
		strtab_free(&half[h].strs);
		free(half[h].tmp);
		for (size_t i = 0; i < half[h].npairs; i++)
			saved_add(&saves, half[h].pairs[i].copy, half[h].pairs[i].orig);
		free(half[h].pairs);
	}
	/* The walk's tables come on top of what is kept, at the check's peak:
	 * the last huge page of each kept arena goes back but for what it holds
	 * (up to 2 MiB each, varying with how the slices fell to the threads). */
	for (int h = 0; h < 2; h++)
		arena_trim(half[h].keep);
	/* The walk is serial: for a big release it runs on a thread of its own
	 * while the caller's other rules run here, reporting into a set of its
	 * own appended once both are done. */
	struct fx_walk walk = { r, w103, &w, &saves, half[0].keep, diag_set_new() };
	diag_set_options(walk.ds, &c->opt.diag);
	struct fx_others rest = { others, c, arg };
	run_both(others_job, &rest, walk_job, &walk, w103 && threaded);
	diag_set_append(c->diags, walk.ds);
	diag_set_free(walk.ds);
	if (on[DIAG_W114] && data_cmd)
		backups_unread(c, data_cmd);
	name_map_free(&saves.by_copy);
	for (int h = 0; h < 2; h++)
		arena_free(half[h].keep);
	free(w.steps);
	free(w.after);
}

void check_effects_pass(struct compile *c, const bool on[DIAG__COUNT])
{
	check_effects_pass_with(c, on, NULL, NULL);
}
/* ---- --explain-effects ---- */

static void explain_block(struct buf *out, const struct compile *c,
                          const struct block *b)
{
	if (!b)
		return;
	struct arena *a = arena_new(); /* this block's effects, freed below */
	buf_printf(out, "%s (%s:%d)\n", block_label(a, b), b->loc.file ? b->loc.file : "",
	           b->loc.line);
	for (const struct command *cmd = b->cmds; cmd; cmd = cmd->next) {
		struct cmd_effects ce;
		effects_of_command(a, c->rel, cmd, &ce);
		size_t first = 0;
		while (first < cmd->len && cmd->text[first] != '\n')
			first++;
		buf_printf(out, "  %d:%d: %.*s%s\n", cmd->loc.line, cmd->loc.col, (int)first,
		           cmd->text, first < cmd->len ? " ..." : "");
		if (ce.nuses == 0)
			buf_puts(out, "      (no simple command)\n");
		for (size_t i = 0; i < ce.nuses; i++) {
			const struct effect_use *u = &ce.uses[i];
			const char *prog = prog_of(u);
			buf_printf(out, "      %s: ", *prog ? prog : "(redirection)");
			if (!u->rule)
				buf_puts(out, "not recognised");
			else if (u->rule->kind == EFF_NONE)
				buf_printf(out, "recognised, %s", u->rule->effect);
			else
				buf_printf(out, "recognised as `%s`", u->rule->form);
			if (u->prefixes && *u->prefixes)
				buf_printf(out, " (through %s)", u->prefixes);
			for (size_t k = 0; k < u->neffects; k++) {
				buf_puts(out, k ? "; " : ": ");
				effect_describe(out, &u->effects[k]);
				if (u->effects[k].flags & EF_FROM_BACKUP)
					buf_puts(out, " (from a backup capture)");
			}
			buf_putc(out, '\n');
			/* In a step, say what the rollback path must hold (W103). */
			for (size_t k = 0; b->kind == BLOCK_STEP && k < u->neffects; k++) {
				if (!needs_inverse(u->effects[k].kind))
					continue;
				buf_puts(out, "        inverse looked for: ");
				effect_describe_inverse(out, &u->effects[k]);
				buf_putc(out, '\n');
			}
		}
	}
	arena_free(a);
}

void effects_explain(struct buf *out, const struct compile *c)
{
	const struct release *r = c->rel;
	if (!r)
		return;
	buf_puts(out, "Effects of each command (relc check --explain-effects)\n");
	for (const struct block *b = r->checks; b; b = b->next)
		explain_block(out, c, b);
	for (const struct block *b = r->backups; b; b = b->next)
		explain_block(out, c, b);
	for (const struct block *s = r->steps; s; s = s->next) {
		explain_block(out, c, s);
		if (s->undo_kind == UNDO_BLOCK)
			explain_block(out, c, s->undo);
		else if (s->undo_kind == UNDO_NONE)
			buf_printf(out, "  undo none: %s\n", s->undo_reason ? s->undo_reason : "");
		else if (s->undo_kind == UNDO_IRREVERSIBLE)
			buf_printf(out, "  irreversible: %s\n", s->undo_reason ? s->undo_reason : "");
	}
	for (const struct block *b = r->verifies; b; b = b->next)
		explain_block(out, c, b);
	for (const struct block *b = r->after_rollbacks; b; b = b->next)
		explain_block(out, c, b);
}
