/* emit_fleet.c - fleet.yml and fleet-rollback.yml: the release on a whole
 * inventory group, through Ansible (docs/fleet.md).
 *
 * The playbooks only orchestrate: each host runs the generated deploy.sh and
 * rollback.sh, copied to it, so no command of the spec passes through YAML
 * or Jinja. Hosts never fail in Ansible's sense while the release runs (a
 * failed host would leave the later plays); each records its outcome as a
 * fact instead, and the last play judges the rollout from those facts:
 * success is "every host recorded deployed", never "no host recorded a
 * failure", since an unreachable host or a templating error records nothing.
 * Only ansible.builtin modules, no handlers, no any_errors_fatal. */
#include "emit.h"

#include <stdio.h>
#include <string.h>

#include "emit_common.h"

/* A YAML double-quoted scalar holding s byte for byte, tagged !unsafe so
 * that Ansible never templates it ("{{" in a state folder stays as is). */
static void yaml_unsafe(struct buf *out, const char *s)
{
	buf_puts(out, "!unsafe \"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			buf_printf(out, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			buf_printf(out, "\\x%02x", ch);
		else
			buf_putc(out, (char)ch);
	}
	buf_putc(out, '"');
}

/* Milliseconds as whole seconds, rounded up (pause and timeout take seconds). */
static long long ceil_s(int64_t ms)
{
	return (long long)((ms + 999) / 1000);
}

static int64_t blocks_limit(const struct block *b, bool *unlimited)
{
	int64_t sum = 0;
	for (; b; b = b->next) {
		int64_t t = block_timeout_ms(b);
		if (t <= 0)
			*unlimited = true;
		sum += t;
		if (b->undo) {
			int64_t u = block_timeout_ms(b->undo);
			if (u <= 0)
				*unlimited = true;
			sum += u;
		}
	}
	return sum;
}

/* The default limit on one host's deploy.sh, in seconds: the fleet block's
 * timeout, else the sum of every block's limit on the deploy and the rollback
 * path plus a minute for the script itself; 0 (no limit) when a block has
 * none. */
static long long host_limit_s(const struct release *r)
{
	const struct fleet *f = r->fleet;
	if (f->timeout.set)
		return ceil_s(f->timeout.max_ms);
	bool unlimited = false;
	int64_t sum = blocks_limit(r->checks, &unlimited) +
	              blocks_limit(r->backups, &unlimited) +
	              blocks_limit(r->steps, &unlimited) +
	              blocks_limit(r->verifies, &unlimited) +
	              blocks_limit(r->after_rollbacks, &unlimited);
	return unlimited ? 0 : ceil_s(sum) + 60;
}

/* The opening both playbooks share: provenance, what the file does (summary,
 * already formatted), how to run it and the inventory variables it reads. */
static void header(struct buf *out, const struct compile *c, const char *file,
                   const char *summary)
{
	const struct release *r = c->rel;
	buf_puts(out, "---\n");
	emit_provenance(out, c, "# ");
	buf_printf(out, "#\n# %s - %s\n#\n", file, summary);
	buf_printf(out, "#   ansible-playbook -i INVENTORY %s\n#\n", file);
	buf_printf(out,
	           "# Hosts: the inventory group %s. Per host or group, optional:\n"
	           "#   relc_state_dir   the state folder (RELC_STATE_DIR; default: the spec's)\n"
	           "#   relc_set         a mapping: each pair is passed as --set NAME=VALUE\n"
	           "#   relc_env         a mapping of environment variables for the scripts\n"
	           "#   relc_script_dir  where deploy.sh and rollback.sh are copied\n"
	           "#                    (default: the state folder's path plus .fleet)\n"
	           "#   relc_timeout     seconds one host's deploy.sh or rollback.sh may take\n"
	           "#                    (0: no limit; default: %lld)\n",
	           r->fleet->group, host_limit_s(r));
}

/* The variables every play that runs a script on the hosts shares. */
static void host_vars(struct buf *out, const struct release *r)
{
	buf_puts(out, "  vars:\n    relc_default_state_dir: ");
	yaml_unsafe(out, r->state_dir ? r->state_dir : "");
	buf_printf(out,
	           "\n"
	           "    relc_state: \"{{ relc_state_dir | default(relc_default_state_dir) }}\"\n"
	           "    relc_scripts: \"{{ relc_script_dir | default(relc_state ~ '.fleet') }}\"\n"
	           "    relc_limit: \"{{ relc_timeout | default(%lld) | int }}\"\n"
	           "    # timeout(1) stops a script that runs past the limit: exit 124\n"
	           "    relc_timeout_argv: \"{{ ['timeout', relc_limit | string] if relc_limit | int > 0 else [] }}\"\n"
	           "    # each pair of relc_set as two words, --set and NAME=VALUE: no shell\n"
	           "    # reads them, so a value passes as it is\n"
	           "    relc_set_argv: >-\n"
	           "      {{ ['--set'] | product(relc_set | default({}) | dict2items | map(attribute='key')\n"
	           "         | zip(relc_set | default({}) | dict2items | map(attribute='value'))\n"
	           "         | map('join', '=')) | flatten }}\n"
	           "    relc_environment: \"{{ relc_env | default({}) | combine({'RELC_STATE_DIR': relc_state}) }}\"\n",
	           host_limit_s(r));
}

/* Create relc_scripts and copy files (a YAML flow list) into it. With
 * record_unreachable, a host that cannot be reached records the outcome
 * "unreachable" and is not failed (the rollout judges it); otherwise it
 * fails, as it should in fleet-rollback.yml. */
static void copy_tasks(struct buf *out, const char *indent, const char *files,
                       bool record_unreachable)
{
	buf_printf(out,
	           "%s- name: Create the folder for the release's scripts\n"
	           "%s  ansible.builtin.file:\n"
	           "%s    path: \"{{ relc_scripts }}\"\n"
	           "%s    state: directory\n"
	           "%s    mode: \"0700\"\n",
	           indent, indent, indent, indent, indent);
	if (record_unreachable)
		buf_printf(out,
		           "%s  register: relc_dir\n"
		           "%s  ignore_unreachable: true\n"
		           "%s- name: Record an unreachable host\n"
		           "%s  ansible.builtin.set_fact:\n"
		           "%s    relc_outcome: unreachable\n"
		           "%s    relc_detail: \"{{ relc_dir.msg | default('') }}\"\n"
		           "%s  when: relc_dir.unreachable | default(false)\n",
		           indent, indent, indent, indent, indent, indent, indent);
	buf_printf(out,
	           "%s- name: Copy %s\n"
	           "%s  ansible.builtin.copy:\n"
	           "%s    src: \"{{ item }}\"\n"
	           "%s    dest: \"{{ relc_scripts }}/{{ item }}\"\n"
	           "%s    mode: \"0700\"\n"
	           "%s  loop: [%s]\n",
	           indent, strchr(files, ',') ? "deploy.sh and rollback.sh" : "rollback.sh",
	           indent, indent, indent, indent, indent, files);
	if (record_unreachable)
		buf_printf(out, "%s  when: not relc_dir.unreachable | default(false)\n", indent);
}

/* A task that runs one of the copied scripts with --yes and then args (a
 * Jinja list expression, or ""), from relc_scripts, under timeout(1), with
 * the host's environment; its result registered as reg. The caller adds
 * how the result counts (failed_when, changed_when, ...). */
static void script_task(struct buf *out, const char *indent, const char *script,
                        const char *args, const char *reg)
{
	buf_printf(out,
	           "%s- name: Run %s\n"
	           "%s  ansible.builtin.command:\n"
	           "%s    argv: \"{{ relc_timeout_argv + ['sh', relc_scripts ~ '/%s', '--yes']%s%s }}\"\n"
	           "%s    chdir: \"{{ relc_scripts }}\"\n"
	           "%s  environment: \"{{ relc_environment }}\"\n"
	           "%s  register: %s\n",
	           indent, script, indent, indent, script, args[0] ? " + " : "", args,
	           indent, indent, indent, reg);
}

/* A task that looks for the journal of the release on the host: only a host
 * with one has anything for rollback.sh to undo (a deploy.sh stopped by the
 * timeout before it wrote one changed nothing, and rollback.sh would exit 1
 * there). */
static void journal_task(struct buf *out, const char *indent, bool ignore_unreachable)
{
	buf_printf(out,
	           "%s- name: Look for the journal of the release\n"
	           "%s  ansible.builtin.stat:\n"
	           "%s    path: \"{{ relc_state }}/journal.log\"\n"
	           "%s  register: relc_journal\n",
	           indent, indent, indent, indent);
	if (ignore_unreachable)
		buf_printf(out, "%s  ignore_unreachable: true\n", indent);
}

/* The words the verdict uses for each outcome a host records. */
static void outcome_words(struct buf *out)
{
	buf_puts(out,
	         "    relc_words:\n"
	         "      deployed: deployed and verified\n"
	         "      checked: checked (--check runs no script)\n"
	         "      self-rolled-back: \"failed and rolled itself back (deploy.sh exit 3)\"\n"
	         "      escalated: \"escalated (deploy.sh exit 4): a person decides\"\n"
	         "      failed: failed\n"
	         "      timed-out: timed out\n"
	         "      interrupted: interrupted\n"
	         "      unreachable: unreachable\n"
	         "      started: \"started, no outcome recorded (see the task that failed above)\"\n"
	         "      untouched: untouched\n");
}

static void deploy_play(struct buf *out, const struct compile *c)
{
	const struct release *r = c->rel;
	const struct fleet *f = r->fleet;
	buf_printf(out, "\n- name: Deploy release %s to %s, batch by batch\n",
	           r->meta[META_RELEASE].value->raw, f->group);
	buf_printf(out, "  hosts: %s\n  serial:\n", f->group);
	for (int i = 0; i < f->nbatches; i++) {
		if (f->batches[i].percent)
			buf_printf(out, "    - \"%lld%%\"\n", (long long)f->batches[i].n);
		else
			buf_printf(out, "    - %lld\n", (long long)f->batches[i].n);
	}
	buf_puts(out, "  order: inventory\n  gather_facts: false\n");
	host_vars(out, r);
	buf_puts(out,
	         "    # exit statuses of deploy.sh (docs/scripts.md)\n"
	         "    relc_deploy_outcomes:\n"
	         "      \"0\": deployed\n"
	         "      \"3\": self-rolled-back\n"
	         "      \"4\": escalated\n"
	         "      \"124\": timed-out\n"
	         "      \"130\": interrupted\n"
	         "      \"143\": interrupted\n"
	         "  tasks:\n"
	         "    - name: Stop before this batch, as a host of an earlier batch did not deploy\n"
	         "      ansible.builtin.meta: end_play\n"
	         "      when: >-\n"
	         "        ansible_play_hosts_all | map('extract', hostvars)\n"
	         "        | selectattr('relc_outcome', 'defined')\n"
	         "        | rejectattr('relc_outcome', 'in', ['deployed', 'checked']) | list | length > 0\n"
	         "    - name: Remember which hosts the rollout covers\n"
	         "      ansible.builtin.set_fact:\n"
	         "        relc_scope: \"{{ ansible_play_hosts_all }}\"\n"
	         "      delegate_to: localhost\n"
	         "      delegate_facts: true\n");
	if (f->pause.set)
		buf_printf(out,
		           "    - name: Wait between batches\n"
		           "      ansible.builtin.pause:\n"
		           "        seconds: %lld\n"
		           "      # not under --check: no batch changed anything to wait on there, and\n"
		           "      # pause would still wait\n"
		           "      when: ansible_play_hosts_all.index(ansible_play_batch[0]) > 0 and not ansible_check_mode\n",
		           ceil_s(f->pause.max_ms));
	buf_puts(out,
	         "    - name: Deploy on this host\n"
	         "      block:\n"
	         "        - name: Record the batch of this host\n"
	         "          ansible.builtin.set_fact:\n"
	         "            # the position of the batch's first host: batches sort by it\n"
	         "            relc_batch: \"{{ '%06d' | format(ansible_play_hosts_all.index(ansible_play_batch[0])) }}\"\n"
	         "            relc_outcome: started\n"
	         "            relc_detail: \"\"\n");
	copy_tasks(out, "        ", "deploy.sh, rollback.sh", true);
	script_task(out, "        ", "deploy.sh", "relc_set_argv", "relc_deploy");
	buf_puts(out,
	         "          failed_when: false\n"
	         "          changed_when: relc_deploy.rc | default(0) not in [1, 2, 5]\n"
	         "          ignore_unreachable: true\n"
	         "          when: relc_outcome == 'started'\n"
	         "        - name: Record the outcome of deploy.sh\n"
	         "          ansible.builtin.set_fact:\n"
	         "            relc_outcome: >-\n"
	         "              {{ 'checked' if ansible_check_mode else\n"
	         "                 'unreachable' if relc_deploy.unreachable | default(false) else\n"
	         "                 relc_deploy_outcomes[relc_deploy.rc | string] | default('failed') }}\n"
	         "            relc_detail: \"deploy.sh exit {{ relc_deploy.rc | default('-') }}\"\n"
	         "          when: relc_outcome == 'started'\n"
	         "      rescue:\n"
	         "        - name: Record the failure\n"
	         "          ansible.builtin.set_fact:\n"
	         "            relc_outcome: failed\n"
	         "            relc_detail: \"{{ ansible_failed_task.name }}: {{ ansible_failed_result.msg | default('failed') }}\"\n");
}

/* The plays that judge the rollout run on the group, once (run_once), not
 * on localhost: --limit leaves out every host it does not name, localhost
 * included, and a limited rollout must still roll back and end in a
 * verdict. They read the hosts the rollout covered from localhost's facts
 * (relc_scope), where the deploy play records them. Their strategy is set:
 * under a configured "free" one, run_once would not mean once. */
static const char judge_strategy[] = "  strategy: linear  # run_once means once only under linear\n";
static const char run_once_line[] = "      run_once: true  # noqa: run-once[task]\n";
static const char judge_hosts_var[] =
	"    relc_hosts: \"{{ hostvars['localhost'].relc_scope | default([]) | map('extract', hostvars) | list }}\"\n";

/* Between the deploy and the rollback: which hosts to roll back, grouped by
 * batch, newest first. Nothing when every host deployed, or when one
 * escalated (a person decides then). */
static void decide_play(struct buf *out, const struct release *r)
{
	buf_printf(out,
	           "\n- name: Decide what to roll back\n"
	           "  hosts: %s\n%s"
	           "  gather_facts: false\n"
	           "  vars:\n%s"
	           "    relc_recorded: \"{{ relc_hosts | selectattr('relc_outcome', 'defined') | list }}\"\n"
	           "    relc_escalated: \"{{ relc_recorded | selectattr('relc_outcome', 'eq', 'escalated') | list | length > 0 }}\"\n"
	           "    relc_all_deployed: >-\n"
	           "      {{ relc_recorded | selectattr('relc_outcome', 'in', ['deployed', 'checked']) | list | length\n"
	           "         == relc_hosts | length }}\n"
	           "    # completed the release, or stopped part-way through it\n"
	           "    relc_to_undo: >-\n"
	           "      {{ [] if relc_escalated or relc_all_deployed else\n"
	           "         relc_recorded | selectattr('relc_outcome', 'in', ['deployed', 'timed-out', 'interrupted'])\n"
	           "         | groupby('relc_batch') | reverse | list }}\n"
	           "    relc_undo_hosts: \"{{ relc_to_undo | map(attribute='1') | flatten | map(attribute='inventory_hostname') | list }}\"\n"
	           "  tasks:\n"
	           "    - name: Record the hosts to roll back, newest batch first\n"
	           "      ansible.builtin.set_fact:\n"
	           "        relc_rollback_hosts: \"{{ relc_undo_hosts }}\"\n"
	           "        relc_rollback_serial: \"{{ relc_to_undo | map(attribute='1') | map('length') | list }}\"\n"
	           "%s"
	           "      delegate_to: localhost\n"
	           "      delegate_facts: true\n"
	           "    - name: Say what happens next\n"
	           "      ansible.builtin.debug:\n"
	           "        msg: >-\n"
	           "          {{ 'Check mode: no script ran, nothing to roll back.' if ansible_check_mode else\n"
	           "             'Every host deployed release %s: nothing to roll back.' if relc_all_deployed else\n"
	           "             'A host escalated: the rollout stops and rolls back nothing more.' if relc_escalated else\n"
	           "             'Rolling back, newest batch first: ' ~ (relc_undo_hosts | join(', ') or 'no host completed the release') }}\n"
	           "%s",
	           r->fleet->group, judge_strategy, judge_hosts_var, run_once_line,
	           r->meta[META_RELEASE].value->raw, run_once_line);
}

static void rollback_play(struct buf *out, const struct release *r)
{
	buf_printf(out,
	           "\n- name: Roll back release %s on the hosts that took it\n"
	           "  hosts: \"{{ hostvars['localhost'].relc_rollback_hosts | default([]) }}\"\n"
	           "  serial: \"{{ hostvars['localhost'].relc_rollback_serial | default([]) }}\"\n"
	           "  gather_facts: false\n",
	           r->meta[META_RELEASE].value->raw);
	host_vars(out, r);
	buf_puts(out,
	         "  tasks:\n"
	         "    - name: Stop before this batch, as a rollback of a newer batch failed\n"
	         "      ansible.builtin.meta: end_play\n"
	         "      when: >-\n"
	         "        ansible_play_hosts_all | map('extract', hostvars)\n"
	         "        | selectattr('relc_rollback_outcome', 'defined')\n"
	         "        | rejectattr('relc_rollback_outcome', 'eq', 'rolled-back') | list | length > 0\n");
	journal_task(out, "    ", true);
	script_task(out, "    ", "rollback.sh", "", "relc_rollback");
	buf_puts(out,
	         "      failed_when: false\n"
	         "      changed_when: true\n"
	         "      ignore_unreachable: true\n"
	         "      # without a journal there is nothing to undo\n"
	         "      when: relc_journal.stat.exists | default(false)\n"
	         "    - name: Record the outcome of rollback.sh\n"
	         "      ansible.builtin.set_fact:\n"
	         "        relc_rollback_outcome: >-\n"
	         "          {{ 'unreachable' if relc_journal.unreachable | default(false) or\n"
	         "                               relc_rollback.unreachable | default(false) else\n"
	         "             'rolled-back' if relc_rollback.rc | default(0) == 0 else\n"
	         "             'failed (rollback.sh exit ' ~ relc_rollback.rc ~ ')' }}\n");
}

static void verdict_play(struct buf *out, const struct release *r)
{
	buf_printf(out,
	           "\n- name: Verdict of the rollout of release %s to %s\n"
	           "  hosts: %s\n%s"
	           "  gather_facts: false\n"
	           "  vars:\n",
	           r->meta[META_RELEASE].value->raw, r->fleet->group, r->fleet->group,
	           judge_strategy);
	outcome_words(out);
	buf_printf(out,
	           "%s"
	           "    relc_ok: \"{{ 'checked' if ansible_check_mode else 'deployed' }}\"\n"
	           "  tasks:\n"
	           "    - name: Outcome of each host\n"
	           "      ansible.builtin.debug:\n"
	           "        msg: >-\n"
	           "          {%% for h in relc_hosts %%}{{ h.inventory_hostname }}: {{\n"
	           "          relc_words[h.relc_outcome | default('untouched')] }}{{\n"
	           "          ' (' ~ h.relc_detail ~ ')' if h.relc_outcome | default('') in ['failed', 'unreachable'] else '' }}{{\n"
	           "          '' if h.relc_rollback_outcome is not defined else\n"
	           "          ', then rolled back' if h.relc_rollback_outcome == 'rolled-back' else\n"
	           "          ', then the rollback ' ~ h.relc_rollback_outcome ~ ': a person decides' }}{{\n"
	           "          '; ' if not loop.last else '' }}{%% endfor %%}\n"
	           "%s"
	           "    - name: Every host of %s deployed and verified\n"
	           "      ansible.builtin.assert:\n"
	           "        that:\n"
	           "          - relc_hosts | length > 0\n"
	           "          - relc_hosts | selectattr('relc_outcome', 'defined') | selectattr('relc_outcome', 'eq', relc_ok) | list | length == relc_hosts | length\n"
	           "          - relc_hosts | selectattr('relc_rollback_outcome', 'defined') | list | length == 0\n"
	           "        success_msg: >-\n"
	           "          release %s: every one of {{ relc_hosts | length }} hosts\n"
	           "          {{ 'reached (check mode)' if ansible_check_mode else 'deployed and verified' }}\n"
	           "        fail_msg: >-\n"
	           "          release %s is not on every host:\n"
	           "          {{ relc_hosts | selectattr('relc_outcome', 'defined') | selectattr('relc_outcome', 'eq', relc_ok)\n"
	           "             | rejectattr('relc_rollback_outcome', 'defined') | list | length }} of {{ relc_hosts | length }} hosts run it\n"
	           "      # a failed assert under run_once fails every host of the play:\n"
	           "      # ansible-playbook exits 2\n"
	           "%s",
	           judge_hosts_var, run_once_line, r->fleet->group, r->meta[META_RELEASE].value->raw,
	           r->meta[META_RELEASE].value->raw, run_once_line);
}

/* fleet-rollback.yml's one play: rollback.sh on every host with a journal,
 * newest host first. */
static void restore_play(struct buf *out, const struct release *r)
{
	buf_printf(out,
	           "\n- name: Roll back release %s on every host of %s that took it\n"
	           "  hosts: %s\n"
	           "  order: reverse_inventory\n"
	           "  gather_facts: false\n",
	           r->meta[META_RELEASE].value->raw, r->fleet->group, r->fleet->group);
	host_vars(out, r);
	buf_puts(out, "  tasks:\n");
	journal_task(out, "    ", false);
	buf_puts(out,
	         "    - name: Roll back this host\n"
	         "      when: relc_journal.stat.exists\n"
	         "      block:\n");
	copy_tasks(out, "        ", "rollback.sh", false);
	script_task(out, "        ", "rollback.sh", "", "relc_rollback");
	buf_puts(out,
	         "          # a run that found every undo already done changed nothing\n"
	         "          changed_when: relc_rollback.stdout is search('… ok')\n");
}

/* Both playbooks: the header, then fleet.yml's four plays or
 * fleet-rollback.yml's one. Nothing for a spec without a fleet block. */
static void emit_playbook(struct buf *out, const struct compile *c, bool restore)
{
	const struct release *r = c->rel;
	if (!r || !r->fleet)
		return;
	const char *release = r->meta[META_RELEASE].value->raw, *group = r->fleet->group;
	/* a buffer, not a fixed array: names of any length, never cut */
	struct buf summary;
	buf_init(&summary);
	if (restore)
		buf_printf(&summary,
		           "put release %s back on every host of %s that has its\n"
		           "# state (a journal). Safe to run again: rollback.sh skips what is done.",
		           release, group);
	else
		buf_printf(&summary,
		           "release %s to the hosts of %s, a batch at a time, the first\n"
		           "# batch being the canary; after a failure, the hosts that took it roll back.",
		           release, group);
	header(out, c, restore ? "fleet-rollback.yml" : "fleet.yml", summary.data);
	buf_free(&summary);
	if (restore) {
		restore_play(out, r);
		return;
	}
	deploy_play(out, c);
	decide_play(out, r);
	rollback_play(out, r);
	verdict_play(out, r);
}

void emit_fleet_yml(struct buf *out, const struct compile *c)
{
	emit_playbook(out, c, false);
}

void emit_fleet_rollback_yml(struct buf *out, const struct compile *c)
{
	emit_playbook(out, c, true);
}

/* plan.md's "Fleet rollout" section: the group, the batches, the gate, and
 * what the playbook does on each kind of failure. */
void emit_fleet_plan(struct buf *out, const struct compile *c)
{
	const struct release *r = c->rel;
	const struct fleet *f = r ? r->fleet : NULL;
	if (!f)
		return;
	buf_printf(out, "## Fleet rollout\n\n"
	           "`fleet.yml` sends the release to every host of the Ansible "
	           "inventory group `%s` (`ansible-playbook -i INVENTORY fleet.yml`): "
	           "it copies `deploy.sh` and `rollback.sh` to each host and runs "
	           "`deploy.sh --yes` there.\n\n", f->group);
	buf_puts(out, "- Batches, in inventory order: ");
	const struct batch_size *last = &f->batches[f->nbatches - 1];
	bool rest = f->nbatches > 1 && last->percent && last->n == 100;
	for (int i = 0; i < f->nbatches; i++) {
		const struct batch_size *b = &f->batches[i];
		if (i > 0)
			buf_puts(out, i + 1 == f->nbatches ? ", then " : ", ");
		if (rest && b == last)
			buf_puts(out, "every remaining host.\n");
		else if (b->percent)
			buf_printf(out, "%lld%% of the group", (long long)b->n);
		else
			buf_printf(out, "%lld host%s", (long long)b->n, b->n == 1 ? "" : "s");
		if (i == 0 && !(rest && b == last))
			buf_puts(out, " (the canary)");
	}
	if (!rest)
		buf_puts(out, f->nbatches > 1 ? ", the last size again until every host is done.\n"
		                              : ", again until every host is done.\n");
	buf_puts(out, "- Gate: a batch passes when `deploy.sh` exits 0 on each of "
	              "its hosts, its verify blocks included. No later batch starts "
	              "before.\n");
	if (f->pause.set) {
		buf_puts(out, "- Pause: ");
		format_duration(out, f->pause.max_ms);
		buf_puts(out, " before each batch after the first.\n");
	}
	long long limit = host_limit_s(r);
	if (limit > 0)
		buf_printf(out, "- Limit: a host's `deploy.sh` or `rollback.sh` is stopped "
		           "after %lld s (`relc_timeout` in the inventory changes it).\n", limit);
	else
		buf_puts(out, "- Limit: none, as a block has no limit (`relc_timeout` "
		              "in the inventory sets one).\n");
	buf_puts(out, "\n| on a host of a batch | the rollout |\n|---|---|\n"
	              "| `deploy.sh` exits 3: it failed and rolled itself back | no "
	              "later batch starts; every host that completed the release, in "
	              "this batch and earlier ones, runs `rollback.sh`, newest batch "
	              "first; later hosts are never touched |\n"
	              "| `deploy.sh` exits 1, 2 or 5 (nothing changed), a copy "
	              "fails, or the host is unreachable | the same |\n"
	              "| `deploy.sh` runs past the limit or is interrupted | the same, "
	              "and that host runs `rollback.sh` too |\n"
	              "| `deploy.sh` exits 4: escalate | no later batch starts and "
	              "nothing more is rolled back: a person decides |\n"
	              "| `rollback.sh` fails | the rollback stops before the older "
	              "batches: a person decides |\n\n");
	buf_puts(out, "`ansible-playbook` exits 0 only when every host deployed and "
	              "verified; its last lines give each host's outcome. After an "
	              "interrupted run, `ansible-playbook -i INVENTORY "
	              "fleet-rollback.yml` runs `rollback.sh` on every host that has "
	              "the release's journal; running it again changes nothing.\n\n");
}
