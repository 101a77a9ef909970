/* Unit tests of the effects table (effects.c): each row recognised with its
 * effect and object, the wrappers looked through, directories from cd and
 * git -C, read-only forms, flags that the rules rely on (previous revision,
 * backup captures, possibly empty paths, guards), and the explain listing.
 * Specs are compiled from memory with --no-git. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_effects.h"
#include "compile.h"
#include "effects.h"

/* The effects of bare shell text (no spec). */
static struct cmd_effects read_text(struct arena *a, const char *text)
{
	struct cmd_effects ce;
	effects_of_text(a, NULL, text, strlen(text), &ce);
	return ce;
}

/* The first effect that changes something, or NULL. */
static const struct effect *first(const struct cmd_effects *ce)
{
	for (size_t i = 0; i < ce->neffects; i++)
		if (ce->effects[i].kind != EFF_NONE)
			return &ce->effects[i];
	return NULL;
}

struct row_case {
	const char *text;
	enum effect_kind kind;
	const char *obj;  /* compared object; NULL: not checked */
	const char *arg;  /* second object; NULL: not checked */
};

/* One command per row of the table, with the effect it must give. */
static const struct row_case rows[] = {
	{ "systemctl start app", EFF_SERVICE_STARTED, "app", NULL },
	{ "systemctl stop app.service", EFF_SERVICE_STOPPED, "app", NULL },
	{ "systemctl enable app-worker", EFF_UNIT_ENABLED, "app-worker", NULL },
	{ "systemctl disable app-worker", EFF_UNIT_DISABLED, "app-worker", NULL },
	{ "systemctl restart app", EFF_SERVICE_RESTARTED, "app", NULL },
	{ "systemctl try-restart app", EFF_SERVICE_RESTARTED, "app", NULL },
	{ "systemctl reload nginx", EFF_SERVICE_RESTARTED, "nginx", NULL },
	{ "service nginx stop", EFF_SERVICE_STOPPED, "nginx", NULL },
	{ "pm2 start app.js --name web", EFF_SERVICE_STARTED, "pm2:web", NULL },
	{ "pm2 stop uptime-kuma", EFF_SERVICE_STOPPED, "pm2:uptime-kuma", NULL },
	{ "pm2 reload uptime-kuma", EFF_SERVICE_RESTARTED, "pm2:uptime-kuma", NULL },
	{ "cd /opt/app && git pull", EFF_CODE, "/opt/app", "pull" },
	{ "git -C /opt/app checkout --detach v2", EFF_CODE, "/opt/app", "v2" },
	{ "git -C /opt/app switch main", EFF_CODE, "/opt/app", "main" },
	{ "cd /opt/app/ && git reset --hard abc123", EFF_CODE, "/opt/app", "abc123" },
	{ "cd /opt/app && git merge --ff-only origin/main", EFF_CODE, "/opt/app", "origin/main" },
	{ "cd /opt/app && uv sync --frozen", EFF_DEPS, "/opt/app", "uv" },
	{ "uv sync --project /srv/x", EFF_DEPS, "/srv/x", "uv" },
	{ "cd /opt/app && pip install -r requirements.txt", EFF_DEPS, "/opt/app", "pip" },
	{ "cd /opt/app && python3 -m pip install -e .", EFF_DEPS, "/opt/app", "pip" },
	{ "/srv/env/bin/pip install -U \"Django_App[all]==5.1\"", EFF_DEPS, "", "pip" },
	{ "pip uninstall -y jinja2", EFF_PACKAGE_REMOVED, "pip  jinja2", NULL },
	{ "npm ci --prefix /opt/web", EFF_DEPS, "/opt/web", "npm" },
	{ "cd /opt/app && bundle install", EFF_DEPS, "/opt/app", "bundle" },
	{ "cd /opt/app && poetry install --no-root", EFF_DEPS, "/opt/app", "poetry" },
	{ "sqlite3 /var/lib/app.db \"CREATE TABLE t (x)\"", EFF_DATA, "/var/lib/app.db", NULL },
	{ "sqlite3 /var/lib/app.db \"PRAGMA user_version = 3\"", EFF_DATA, "/var/lib/app.db", NULL },
	{ "psql -d app -c \"ALTER TABLE t ADD COLUMN y int\"", EFF_DATA, "app", NULL },
	{ "psql app -f /opt/app/sql/0003.sql", EFF_DATA, "app", NULL },
	{ "mysql -D app -e \"UPDATE t SET x = 1\"", EFF_DATA, "app", NULL },
	{ "pg_restore -d app /var/backups/app.dump", EFF_DATA, "app", NULL },
	{ "uv run python -m app.migrate_0_3_0", EFF_DATA, "", NULL },
	{ "./manage.py migrate", EFF_DATA, "", NULL },
	{ "alembic upgrade head", EFF_DATA, "", NULL },
	{ "alembic downgrade -1", EFF_DOWN_MIGRATION, NULL, NULL },
	{ "python -m app.migrate down", EFF_DOWN_MIGRATION, NULL, NULL },
	{ "mv /etc/a.conf /etc/b.conf", EFF_MOVE, "/etc/a.conf", "/etc/b.conf" },
	{ "cp -a /opt/app/a.conf /etc/a.conf", EFF_FILE, "/etc/a.conf", "/opt/app/a.conf" },
	{ "install -m 0644 -o root a.conf /etc/a.conf", EFF_FILE, "/etc/a.conf", "a.conf" },
	{ "install -d -m 0755 /var/lib/app", EFF_DIR, "/var/lib/app", NULL },
	{ "echo x | tee -a /etc/x.conf", EFF_FILE, "/etc/x.conf", NULL },
	{ "printf '%s\\n' x > /etc/x.conf", EFF_FILE, "/etc/x.conf", NULL },
	{ "ln -sfn /opt/r/2 /opt/current", EFF_LINK, "/opt/current", "/opt/r/2" },
	{ "mkdir -p /var/lib/app/x", EFF_DIR, "/var/lib/app/x", NULL },
	{ "rm -rf /var/lib/app/x", EFF_REMOVE, "/var/lib/app/x", NULL },
	{ "rmdir /var/lib/app/x", EFF_REMOVE, "/var/lib/app/x", NULL },
	{ "tar -xzf /b/conf.tgz -C /etc/app", EFF_FILE, "/etc/app", NULL },
	{ "unzip -o -q /srv/nextcloud-29.0.9.zip -d /var/www", EFF_FILE, "/var/www", NULL },
	{ "sed -i.bak -E 's/^pool = [0-9]+$/pool = 20/' /etc/app/app.toml", EFF_FILE, "/etc/app/app.toml", NULL },
	{ "perl -0777 -pi.orig -e 's/a/b/' /etc/app/app.toml", EFF_FILE, "/etc/app/app.toml", NULL },
	{ "rsync -a --delete --exclude .git /opt/build/ /var/www/app/", EFF_FILE, "/var/www/app", "/opt/build" },
	{ "curl -fsSLo /usr/local/bin/tool https://example.org/tool", EFF_FILE, "/usr/local/bin/tool", NULL },
	{ "supervisorctl start app-worker", EFF_SERVICE_STARTED, "supervisor:app-worker", NULL },
	{ "supervisorctl -c /etc/supervisor/supervisord.conf stop app-worker", EFF_SERVICE_STOPPED,
	  "supervisor:app-worker", NULL },
	{ "supervisorctl restart app:*", EFF_SERVICE_RESTARTED, "supervisor:app:*", NULL },
	{ "useradd --system -s /usr/sbin/nologin app", EFF_USER_ADDED, "app", NULL },
	{ "userdel app", EFF_USER_DELETED, "app", NULL },
	{ "groupadd -g 901 readers", EFF_GROUP_ADDED, "readers", NULL },
	{ "groupdel readers", EFF_GROUP_DELETED, "readers", NULL },
	{ "apt-get install -y -o Dpkg::Options::=--force-confold redis", EFF_PACKAGE_INSTALLED, "redis", NULL },
	{ "apt install jq=1.6-2", EFF_PACKAGE_INSTALLED, "jq", "1.6-2" },
	{ "apt-get purge -y jq", EFF_PACKAGE_REMOVED, "jq", NULL },
	{ "dpkg -i /var/cache/app/grafana_10.2.3_amd64.deb", EFF_PACKAGE_INSTALLED, "grafana", "10.2.3" },
	{ "apt install -y ./grafana_10.2.3_amd64.deb", EFF_PACKAGE_INSTALLED, "grafana", "10.2.3" },
	{ "dpkg --purge grafana", EFF_PACKAGE_REMOVED, "grafana", NULL },
	{ "crontab -u app /opt/app/crontab", EFF_CRONTAB, "app", NULL },
	{ "crontab -r", EFF_CRONTAB, "", NULL },
	{ "crontab -u www-data -l | grep -v cron.php | crontab -u www-data -", EFF_CRONTAB, "www-data", NULL },
	{ "systemctl daemon-reload", EFF_UNITS_RELOADED, "", NULL },
	{ "sysctl -w net.core.somaxconn=4096", EFF_SYSCTL, "net.core.somaxconn", "4096" },
	{ "iptables -A INPUT -p tcp --dport 80 -j ACCEPT", EFF_FIREWALL_ADDED,
	  "iptables filter INPUT -p tcp --dport 80 -j ACCEPT", NULL },
	{ "iptables -t nat -D PREROUTING -p tcp -j DNAT", EFF_FIREWALL_REMOVED,
	  "iptables nat PREROUTING -p tcp -j DNAT", NULL },
};

Test(effects, every_row_case)
{
	struct arena *a = arena_new();
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct cmd_effects ce = read_text(a, rows[i].text);
		const struct effect *e = first(&ce);
		cr_assert_not_null(e, "no effect for `%s`", rows[i].text);
		cr_expect_eq(e->kind, rows[i].kind, "`%s`: kind %s, want %s", rows[i].text,
		             effect_kind_name(e->kind), effect_kind_name(rows[i].kind));
		if (rows[i].obj)
			cr_expect_str_eq(e->obj, rows[i].obj, "`%s`: object", rows[i].text);
		if (rows[i].arg) {
			cr_assert_not_null(e->arg, "`%s`: no second object", rows[i].text);
			cr_expect_str_eq(e->arg, rows[i].arg, "`%s`: second object", rows[i].text);
		}
		cr_expect_not_null(e->rule, "`%s`: no row", rows[i].text);
	}
	arena_free(a);
}

/* Cases beyond `rows` where a careless hint would remove too much: a tar
 * into a folder that was there (and one into /opt), a copy into a folder, a
 * folder made with -p, unit files. */
static const char *const hint_cases[] = {
	"tar -xzf /srv/gitea.tgz -C /opt",
	"tar -xzf /srv/gitea.tgz -C /opt/gitea/",
	"cd /opt && tar -xf /srv/a.tar",
	"cp -rp /opt/redmine/deploy/plugins/. /opt/redmine/current/plugins/",
	"mkdir -p /opt/app/releases/2",
	"cp app.service /etc/systemd/system/app.service",
	"rm -f /etc/systemd/system/legacy.service",
	"mv /etc/systemd/system/a.service.new /etc/systemd/system/a.service",
	"ln -sfn /opt/app/unit /etc/systemd/system/app.service",
	"systemctl enable --now app-worker",
	"systemctl disable --now app-legacy",
	"cd /opt/web && yarn install --frozen-lockfile",
	"rsync -a /opt/build/dist /var/www/app",
	"wget -O /usr/local/bin/tool https://example.org/tool",
	"cd /var/www && unzip -o nextcloud.zip",
};

/* Every `rm ...` or `rmdir ...` named in backquotes in a hint removes
 * exactly what the step created: a file, link or folder the step made, by
 * the same name. Never a tar's -C folder, never a folder above. */
static void expect_hint_removes_only_own(const struct effect *e, const char *cmd)
{
	struct buf inv;
	buf_init(&inv);
	effect_describe_inverse(&inv, e);
	const char *h = inv.data;
	for (const char *q = strchr(h, '`'); q; q = strchr(q, '`')) {
		const char *end = strchr(q + 1, '`');
		cr_assert_not_null(end, "`%s`: unbalanced hint: %s", cmd, h);
		size_t len = (size_t)(end - q - 1);
		char *code = strndup(q + 1, len);
		if (!strncmp(code, "rm ", 3) || !strncmp(code, "rmdir ", 6)) {
			bool own = e->kind == EFF_LINK || e->kind == EFF_DIR ||
			           (e->kind == EFF_FILE && e->rule && !effect_unpacks(e) &&
			            strncmp(e->rule->form, "sed", 3) && strncmp(e->rule->form, "perl", 4) &&
			            strncmp(e->rule->form, "rsync", 5) &&
			            e->obj_text[0] && e->obj_text[strlen(e->obj_text) - 1] != '/');
			cr_expect(own, "`%s`: the hint removes what the step did not create: %s", cmd, h);
			const char *operand = strrchr(code, ' ') + 1;
			cr_expect_str_eq(operand, e->obj_text, "`%s`: the hint removes another path: %s",
			                 cmd, h);
			cr_expect(strcmp(code, "rm -rf") && !strstr(code, "-r"),
			          "`%s`: a recursive removal in a hint: %s", cmd, h);
		}
		free(code);
		q = end + 1;
	}
	buf_free(&inv);
}

Test(effects, hints_never_remove_more_than_the_step_created)
{
	size_t n;
	const struct effect_rule *t = effects_table(&n);
	bool *covered = calloc(n, sizeof *covered);
	struct arena *a = arena_new();
	size_t nrows = sizeof rows / sizeof rows[0], nextra = sizeof hint_cases / sizeof hint_cases[0];
	for (size_t i = 0; i < nrows + nextra; i++) {
		const char *cmd = i < nrows ? rows[i].text : hint_cases[i - nrows];
		struct cmd_effects ce = read_text(a, cmd);
		for (size_t k = 0; k < ce.neffects; k++) {
			const struct effect *e = &ce.effects[k];
			if (e->rule)
				covered[e->rule - t] = true;
			expect_hint_removes_only_own(e, cmd);
		}
	}
	/* every row that changes state has a case above */
	for (size_t i = 0; i < n; i++)
		if (t[i].kind != EFF_NONE)
			cr_expect(covered[i], "row `%s` has no hint case", t[i].form);
	arena_free(a);
	free(covered);
}

Test(effects, table_rows_are_complete)
{
	size_t n;
	const struct effect_rule *t = effects_table(&n);
	cr_assert_gt(n, 40);
	for (size_t i = 0; i < n; i++) {
		cr_expect(t[i].form && *t[i].form, "row %zu has no form", i);
		cr_expect(t[i].effect && *t[i].effect, "row %s has no effect text", t[i].form);
		/* A change a step can make must say what reverses it (removals and
		 * down migrations are themselves inverses). */
		bool inverse_needed = t[i].kind != EFF_NONE && t[i].kind != EFF_REMOVE &&
		                      t[i].kind != EFF_USER_DELETED && t[i].kind != EFF_GROUP_DELETED &&
		                      t[i].kind != EFF_PACKAGE_REMOVED && t[i].kind != EFF_DOWN_MIGRATION &&
		                      t[i].kind != EFF_UNITS_RELOADED;
		if (inverse_needed)
			cr_expect(t[i].inverse && *t[i].inverse, "row %s has no inverse", t[i].form);
	}
}

Test(effects, enable_now_is_enabled_and_running)
{
	struct arena *a = arena_new();
	struct cmd_effects ce = read_text(a, "systemctl enable --now app-report.timer");
	cr_assert_eq(ce.neffects, 2);
	cr_expect_eq(ce.effects[0].kind, EFF_UNIT_ENABLED);
	cr_expect_eq(ce.effects[1].kind, EFF_SERVICE_STARTED);
	cr_expect_str_eq(ce.effects[1].obj, "app-report.timer");
	ce = read_text(a, "systemctl disable --now app");
	cr_assert_eq(ce.neffects, 2);
	cr_expect_eq(ce.effects[1].kind, EFF_SERVICE_STOPPED);
	ce = read_text(a, "systemctl restart a b");
	cr_expect_eq(ce.neffects, 2, "one effect per unit");
	arena_free(a);
}

/* `pip install NAME==V`: the package at its version, in the environment of
 * that pip, named as PyPI compares names; a range is not a pin. */
Test(effects, pip_pinned_versions)
{
	struct arena *a = arena_new();
	struct cmd_effects ce = read_text(a, "/srv/env/bin/pip install -U \"Django_App[all]==5.1\" -r req.txt");
	cr_assert_eq(ce.neffects, 2);
	cr_expect_eq(ce.effects[1].kind, EFF_PACKAGE_INSTALLED);
	cr_expect_str_eq(ce.effects[1].obj, "pip /srv/env/bin/pip django-app");
	cr_expect_str_eq(ce.effects[1].obj_text, "Django_App");
	cr_expect_str_eq(ce.effects[1].arg, "5.1");
	cr_expect(ce.effects[1].flags & EF_PINNED);
	ce = read_text(a, "/srv/env/bin/pip uninstall -y django.app");
	cr_assert_eq(ce.neffects, 1);
	cr_expect_str_eq(ce.effects[0].obj, "pip /srv/env/bin/pip django-app");
	ce = read_text(a, "pip install 'x>=1,<2' y==1.0,!=1.0.1");
	cr_expect_eq(ce.neffects, 1, "ranges are not pins: only the dependencies");
	arena_free(a);
}

/* pm2's processes are not systemd's units: the same name compares apart,
 * the queries change nothing, and the hint names pm2. */
Test(effects, pm2_processes)
{
	struct arena *a = arena_new();
	struct cmd_effects ce = read_text(a, "pm2 restart app");
	cr_assert_eq(ce.neffects, 1);
	cr_expect_str_neq(ce.effects[0].obj, read_text(a, "systemctl restart app").effects[0].obj);
	struct buf inv;
	buf_init(&inv);
	effect_describe_inverse(&inv, &ce.effects[0]);
	cr_expect(strstr(inv.data, "`pm2 restart app`") != NULL, "hint: %s", inv.data);
	buf_free(&inv);
	ce = read_text(a, "pm2 delete app");
	cr_assert_eq(ce.neffects, 1);
	cr_expect_eq(ce.effects[0].kind, EFF_SERVICE_STOPPED);
	static const char *const reads[] = { "pm2 pid app", "pm2 list", "pm2 describe app", "pm2 jlist" };
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		ce = read_text(a, reads[i]);
		cr_expect(!effects_change_state(&ce), "`%s` changes nothing", reads[i]);
		cr_expect(ce.nuses == 1 && ce.uses[0].rule, "`%s` is recognised", reads[i]);
	}
	arena_free(a);
}

/* Each wrapper is looked through, and named in the use's prefixes. */
Test(effects, prefixes_are_looked_through)
{
	static const struct {
		const char *text, *prefix;
	} cases[] = {
		{ "sudo -u bmtc systemctl start app", "sudo" },
		{ "sudo -n -E -H -g adm systemctl start app", "sudo" },
		{ "su app -c 'systemctl start app'", "su -c" },
		{ "su - app -s /bin/sh -c \"systemctl start app\"", "su -c" },
		{ "env LANG=C PATH=/usr/bin systemctl start app", "env" },
		{ "LANG=C HOME=/root systemctl start app", "X=Y" },
		{ "timeout 30 systemctl start app", "timeout" },
		{ "timeout -k 5 -s TERM 30s systemctl start app", "timeout" },
		{ "command systemctl start app", "command" },
		{ "nice -n 10 systemctl start app", "nice" },
		{ "sudo sh -c 'systemctl start app'", "sh -c" },
		{ "true | sudo systemctl start app", "sudo" },
		{ "cd /tmp; sudo systemctl start app || exit 1", "sudo" },
	};
	struct arena *a = arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct cmd_effects ce = read_text(a, cases[i].text);
		const struct effect *e = first(&ce);
		cr_assert_not_null(e, "`%s` not recognised", cases[i].text);
		cr_expect_eq(e->kind, EFF_SERVICE_STARTED, "`%s`", cases[i].text);
		cr_expect_str_eq(e->obj, "app", "`%s`", cases[i].text);
		cr_expect(strstr(e->use->prefixes, cases[i].prefix) != NULL,
		          "`%s`: prefixes \"%s\" lack %s", cases[i].text, e->use->prefixes,
		          cases[i].prefix);
	}
	arena_free(a);
}

Test(effects, directory_from_cd_and_git_c)
{
	struct arena *a = arena_new();
	struct cmd_effects ce = read_text(a, "cd /a; cd /b && sudo -u x git pull");
	cr_expect_str_eq(first(&ce)->obj, "/b");
	ce = read_text(a, "cd /a && git -C /c checkout v1");
	cr_expect_str_eq(first(&ce)->obj, "/c", "git -C wins over cd");
	ce = read_text(a, "su app -c 'cd /srv/app && npm ci'");
	cr_expect_str_eq(first(&ce)->obj, "/srv/app", "cd inside su -c");
	ce = read_text(a, "git pull");
	cr_expect_str_eq(first(&ce)->obj, "", "no directory known");
	arena_free(a);
}

/* Forms that read only: recognised, no effect. */
Test(effects, read_only_forms)
{
	static const char *const reads[] = {
		"sqlite3 /db \"SELECT count(*) FROM t WHERE state = 'deleted'\"",
		"sqlite3 /db \"PRAGMA integrity_check\"",
		"sqlite3 -readonly /db \"DELETE FROM t\"",
		"echo 'SELECT 1;' | sqlite3 /db",
		"psql -d app -c 'SELECT 1'",
		"mysql -e 'SHOW TABLES' app",
		"systemctl is-active app",
		"systemctl status app --no-pager",
		"git fetch --quiet origin",
		"git rev-parse HEAD",
		"git reset HEAD~1",
		"uv run python -m app.migrate status",
		"./manage.py migrate --check",
		"gzip -t /b/x.gz",
		"gunzip -c /b/x.gz",
		"df -Pk /var | awk 'NR == 2 { print $4 }'",
		"curl -fsS http://127.0.0.1/health",
		"crontab -l",
		"sysctl -n net.core.somaxconn",
		"iptables -L -n",
		"apt-get update",
		"find /var/backups -mmin -60",
		"ls /x > /dev/null 2>&1",
		"sed -n '/^pool/p' /etc/app/app.toml",
		"sed -e 's/a/b/' -e 's/i/j/' /etc/app/app.toml",
		"sed -es/x/i/ /etc/app/app.toml",
		"supervisorctl status",
		"dpkg -l grafana",
		"unzip -l /srv/nextcloud-29.0.9.zip",
		"unzip -p /srv/nextcloud-29.0.9.zip nextcloud/version.php",
		"curl -fsS http://127.0.0.1/health",
	};
	struct arena *a = arena_new();
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		struct cmd_effects ce = read_text(a, reads[i]);
		cr_expect(!effects_change_state(&ce), "`%s` changes state", reads[i]);
		cr_expect(ce.nuses > 0 && ce.uses[ce.nuses - 1].rule != NULL, "`%s` not recognised",
		          reads[i]);
	}
	arena_free(a);
}

/* sed -i: each file operand, never the script; the script is an operand only
 * when no -e or -f gives it, and -e/-f/-l take the next word or the rest of
 * their cluster. */
Test(effects, sed_in_place_files)
{
	static const struct {
		const char *text;
		const char *files[3];
	} cases[] = {
		{ "sed -i 's/a/b/' /etc/a.conf", { "/etc/a.conf" } },
		{ "sed -i.bak 's/a/b/' /etc/a.conf /etc/b.conf", { "/etc/a.conf", "/etc/b.conf" } },
		{ "sed -Ei -e 's/a/b/' /etc/a.conf", { "/etc/a.conf" } },
		{ "sed -ne 's/a/b/p' -i /etc/a.conf", { "/etc/a.conf" } },
		{ "sed --in-place=.orig --expression='s/a/b/' /etc/a.conf", { "/etc/a.conf" } },
		{ "sed --expression 's/a/b/' --in-place /etc/a.conf", { "/etc/a.conf" } },
		{ "sed -f /opt/app/fix.sed -i -l 80 /etc/a.conf", { "/etc/a.conf" } },
		{ "sed -i -- 's/a/b/' -x.conf", { "-x.conf" } },
		{ "sudo sed -i \"s/example[.]com/x/g\" /etc/nginx/sites-available/app", { "/etc/nginx/sites-available/app" } },
	};
	struct arena *a = arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct cmd_effects ce = read_text(a, cases[i].text);
		size_t want = 0;
		while (want < 3 && cases[i].files[want])
			want++;
		cr_assert_eq(ce.neffects, want, "`%s`: %zu effects, want %zu", cases[i].text,
		             ce.neffects, want);
		for (size_t k = 0; k < want; k++) {
			cr_expect_eq(ce.effects[k].kind, EFF_FILE, "`%s`", cases[i].text);
			cr_expect_str_eq(ce.effects[k].obj, cases[i].files[k], "`%s`", cases[i].text);
		}
	}
	/* a remote destination changes another machine; standard output is no file */
	static const char *const elsewhere[] = {
		"rsync -az -e ssh /opt/build/ deploy@web1:/var/www/app/",
		"curl -fsS -o /dev/null https://example.org/",
		"wget -qO - https://example.org/",
		"perl -ne 'print if /pool/' /etc/app/app.toml",
	};
	for (size_t i = 0; i < sizeof elsewhere / sizeof elsewhere[0]; i++) {
		struct cmd_effects ce = read_text(a, elsewhere[i]);
		cr_expect_eq(ce.neffects, 0, "`%s` has an effect here", elsewhere[i]);
	}
	/* -i with no file reads standard input: nothing recognised to reverse */
	struct cmd_effects ce = read_text(a, "sed -i 's/a/b/'");
	cr_expect_eq(ce.neffects, 0);
	arena_free(a);
}

Test(effects, writes_hidden_in_input)
{
	struct arena *a = arena_new();
	struct cmd_effects ce = read_text(a, "echo 'DELETE FROM t;' | sqlite3 /db");
	cr_expect(effects_change_data(&ce));
	ce = read_text(a, "gunzip -c /b/dump.sql.gz | sqlite3 /db.restore");
	cr_expect(effects_change_data(&ce), "a dump on stdin writes");
	ce = read_text(a, "sqlite3 /db < /b/dump.sql");
	cr_expect(effects_change_data(&ce));
	ce = read_text(a, "sqlite3 /db <<'SQL'\nINSERT INTO t VALUES (1);\nSQL");
	cr_expect(effects_change_data(&ce), "here-document body");
	ce = read_text(a, "sqlite3 /db <<'SQL'\nSELECT 1;\nSQL");
	cr_expect(!effects_change_data(&ce));
	ce = read_text(a, "curl -fsS -X POST http://x/migrate");
	cr_expect(effects_change_data(&ce), "a command containing migrate");
	arena_free(a);
}

Test(effects, unknown_commands_have_no_effect)
{
	struct arena *a = arena_new();
	struct cmd_effects ce = read_text(a, "/usr/local/bin/frobnicate --all");
	cr_assert_eq(ce.nuses, 1);
	cr_expect_null(ce.uses[0].rule);
	cr_expect_eq(ce.neffects, 0);
	ce = read_text(a, "frobnicate > /var/lib/app/out.txt");
	cr_expect_null(ce.uses[0].rule, "the program stays unknown");
	cr_assert_eq(ce.neffects, 1, "its redirection is still a file effect");
	cr_expect_str_eq(ce.effects[0].obj, "/var/lib/app/out.txt");
	arena_free(a);
}

Test(effects, word_flags)
{
	struct arena *a = arena_new();
	struct cmd_effects ce = read_text(a, "git -C /o checkout ${previous}");
	cr_expect(first(&ce)->flags & EW_PREVIOUS);
	ce = read_text(a, "git -C /o checkout ${target}");
	cr_expect(!(first(&ce)->flags & EW_PREVIOUS));
	ce = read_text(a, "rm -rf \"$dir\"/cache");
	cr_expect(ce.uses[0].argv[2].flags & EW_MAYBE_EMPTY);
	ce = read_text(a, "rm -rf \"${dir:?}\"/cache");
	cr_expect(!(ce.uses[0].argv[2].flags & EW_MAYBE_EMPTY), "${x:?} stops the shell");
	ce = read_text(a, "rm -rf /tmp/$dir");
	cr_expect(!(ce.uses[0].argv[2].flags & EW_MAYBE_EMPTY), "a fixed prefix");
	ce = read_text(a, "id -u app >/dev/null 2>&1 || useradd app");
	cr_expect(ce.uses[1].guarded);
	ce = read_text(a, "useradd app");
	cr_expect(!ce.uses[0].guarded);
	ce = read_text(a, "if ! id -u app >/dev/null 2>&1; then useradd app; fi");
	cr_assert_eq(ce.nuses, 2);
	cr_expect(ce.uses[1].guarded, "the condition of an if guards its body");
	arena_free(a);
}

#define HEAD "release 1.0.0\nproject \"Effects\"\ndate 2026-11-26\n" \
	"previous 1111111111111111111111111111111111111111\n" \
	"target 2222222222222222222222222222222222222222\ndowntime 0s\n"

static struct compile *compile(const char *text)
{
	struct compile_options o = { 0 };
	o.no_git = true;
	struct compile *c = compile_new(&o);
	compile_spec_text(c, "1.0.0.rel", text, strlen(text));
	return c;
}

/* Spec references: lets compare by value, captures of backups are marked. */
Test(effects, spec_references)
{
	struct compile *c = compile(HEAD
		"let app = /opt/app\n"
		"let db = \"${app}/app.db\"\n"
		"backup \"B\" {\n    capture DUMP = ls -t /b | head -n 1\n    checksum DUMP\n}\n"
		"step \"S\" {\n"
		"    run cd ${app} && git checkout ${target}\n"
		"    run gunzip -c ${DUMP} | sqlite3 \"${db}\".restore\n"
		"    undo {\n        run git -C /opt/app checkout ${previous}\n    }\n}\n");
	cr_assert_not_null(c->rel);
	const struct block *s = c->rel->steps;
	cr_assert_not_null(s);
	struct cmd_effects ce;
	effects_of_command(c->arena, c->rel, s->cmds, &ce);
	cr_expect_str_eq(first(&ce)->obj, "/opt/app", "${app} compared by value");
	cr_expect_str_eq(first(&ce)->obj_text, "${app}", "shown as written");
	effects_of_command(c->arena, c->rel, s->cmds->next, &ce);
	const struct effect *e = first(&ce);
	cr_assert_not_null(e);
	cr_expect_eq(e->kind, EFF_DATA);
	cr_expect_str_eq(e->obj, "/opt/app/app.db.restore");
	cr_expect(e->flags & EF_FROM_BACKUP, "reads a backup capture");
	effects_of_command(c->arena, c->rel, s->undo->cmds, &ce);
	cr_expect(first(&ce)->flags & EW_PREVIOUS);
	cr_expect_str_eq(first(&ce)->obj, "/opt/app");
	compile_free(c);
}

Test(effects, explain_lists_recognised_and_unknown)
{
	struct compile *c = compile(HEAD
		"check \"C\" {\n    run systemctl is-active app\n}\n"
		"step \"S\" {\n"
		"    run sudo -u app git -C /opt/app checkout ${target}\n"
		"    run /usr/local/bin/notify \"deploying\"\n"
		"    undo {\n        run sudo systemctl stop app\n    }\n}\n"
		"after-rollback \"A\" {\n    run sudo systemctl start app\n}\n");
	cr_assert_not_null(c->rel);
	struct buf out;
	buf_init(&out);
	effects_explain(&out, c);
	cr_assert_not_null(out.data);
	cr_expect(strstr(out.data, "check \"C\"") != NULL, "%s", out.data);
	cr_expect(strstr(out.data, "step 1 \"S\"") != NULL);
	cr_expect(strstr(out.data, "the undo of step 1") != NULL);
	cr_expect(strstr(out.data, "after-rollback \"A\"") != NULL);
	cr_expect(strstr(out.data, "git checkout R") != NULL);
	cr_expect(strstr(out.data, "code in /opt/app") != NULL);
	cr_expect(strstr(out.data, "through sudo") != NULL);
	cr_expect(strstr(out.data, "notify: not recognised") != NULL, "%s", out.data);
	cr_expect(strstr(out.data, "service app stopped") != NULL);
	cr_expect(strstr(out.data, "inverse looked for: `git checkout ${previous}`") != NULL,
	          "a step's effect names its inverse: %s", out.data);
	buf_free(&out);
	compile_free(c);
}

Test(effects, describe_every_kind)
{
	for (int k = EFF_SERVICE_STARTED; k < EFF__COUNT; k++) {
		struct effect e = { .kind = (enum effect_kind)k, .obj = "o", .obj_text = "o",
		                    .arg = "a", .arg_text = "a" };
		struct buf d, inv;
		buf_init(&d);
		buf_init(&inv);
		effect_describe(&d, &e);
		effect_describe_inverse(&inv, &e);
		cr_expect(d.len > 0 && strcmp(d.data, "?") != 0, "kind %d", k);
		cr_expect(inv.len > 0, "kind %d", k);
		cr_expect(strcmp(effect_kind_name(e.kind), "?") != 0, "kind %d", k);
		buf_free(&d);
		buf_free(&inv);
	}
}
