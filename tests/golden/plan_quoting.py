#!/usr/bin/env python3
"""plan_quoting.py RELC [COUNT] - the plan's quoting, tried on random values.

For COUNT values (fixed seeds, so a failure is reproducible) built from the
characters that break shell quoting (quotes, $, backquote, backslash,
newline, tab, globs, ;, #, braces, <>, ~, a UTF-8 letter), it compiles a spec
whose step prints `${v}` unquoted, in "...", in $(...), in an unquoted
here-document, in backquotes and glued to other text; runs the step's bash
block from `relc emit md` under each available shell (dash, bash --posix,
mksh, yash, posh, busybox sh) in a scratch folder; and checks that each file
holds exactly the value (with what the shell construct itself does: $(...)
and backquotes drop trailing newlines, a here-document adds one).

--dry-run shows the same commands in the same style, but decides the
quoting in the script, at run time, where --set may change a value
(relc_plain and relc_pu in src/runtime/common.sh, the shell twins of
sh_quote_word): a deploy.sh built once with a harmless value is run with
--dry-run --set v=VALUE (under each shell in turn), and its command lines, without
the "    $ " in front, must be the plan's fence byte for byte.
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ALPHABET = list("ab '\"$`\\ \n\t*?;#{}()|&<>~-=\u00e90")
SHELLS = ["dash", "bash --posix", "mksh", "yash", "posh", "busybox sh"]

STEP = """project q
release 0.0.1
date 2026-01-01
previous 1111111111111111111111111111111111111111
target 2222222222222222222222222222222222222222
let v = "%s"
step "S" {
    run printf '%%s' ${v} > o1
    run printf '%%s' "${v}" > o2
    run printf '%%s' "$(printf '%%s' ${v})" > o3
    run cat > o4 <<EOF
${v}
EOF
    run printf '%%s' "`printf '%%s' ${v}`" > o5
    run printf '%%s' x${v}y > o6
    run printf '%%s' "x${v}y" > o7
    undo none "it only writes scratch files"
}
"""


def spec_string(value):
    """The value as the body of a .rel string."""
    esc = {"\\": "\\\\", '"': '\\"', "$": "\\$", "\n": "\\n", "\t": "\\t"}
    return "".join(esc.get(c, c) for c in value)


def main():
    relc = os.path.abspath(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    shells = [s for s in SHELLS if shutil.which(s.split()[0])]
    failures = 0
    work = tempfile.mkdtemp(prefix="relc-quoting.")
    try:
        with open(os.path.join(work, "q.rel"), "w", encoding="utf-8") as f:
            f.write(STEP % "x")
        deploy = os.path.join(work, "deploy.sh")
        with open(deploy, "wb") as f:
            r = subprocess.run([relc, "emit", "sh", "--no-git", "q.rel"], cwd=work,
                               stdout=f, stderr=subprocess.PIPE)
        if r.returncode != 0:
            print("FAIL: relc emit sh failed: %s" % r.stderr[-400:])
            return 1
        env = dict(os.environ, RELC_STATE_DIR=os.path.join(work, "state"),
                   LC_ALL="C.UTF-8")
        for seed in range(count):
            rnd = random.Random(seed)
            value = "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 12)))
            if value[:1] in ("~", "-"):
                value = "a" + value  # a word starting so is an option or ~user
            with open(os.path.join(work, "q.rel"), "w", encoding="utf-8") as f:
                f.write(STEP % spec_string(value))
            r = subprocess.run([relc, "emit", "md", "--no-git", "q.rel"], cwd=work,
                               capture_output=True, text=True)
            m = re.search(r"### 1\. S\n\n(`{3,})bash\n(.*?)\n\1\n", r.stdout, re.S)
            if r.returncode != 0 or not m:
                print("FAIL seed %d: relc emit md failed: %s" % (seed, r.stderr[-400:]))
                failures += 1
                continue
            block = m.group(2)
            # one shell per value, in turn: each shell gets a sixth of them
            for shell in shells[seed % len(shells):][:1]:
                run = subprocess.run(shell.split() + [deploy, "--dry-run", "--set", "v=" + value],
                                     cwd=work, env=env, capture_output=True)
                out = run.stdout.decode("utf-8", "replace")
                d = re.search(r'\n    on failure: rollback\n    \$ (.*?)\n    undo: none', out, re.S)
                shown = d.group(1).replace("\n    $ ", "\n") if d else None
                if shown != block:
                    failures += 1
                    print("FAIL seed %d, %s --dry-run: value %r\nplan:\n%s\ndry run:\n%s\n%s"
                          % (seed, shell, value, block, out,
                             run.stderr.decode("utf-8", "replace")[-300:]))
            want = {"o1": value, "o2": value, "o3": value.rstrip("\n"),
                    "o4": value + "\n", "o5": value.rstrip("\n"),
                    "o6": "x" + value + "y", "o7": "x" + value + "y"}
            for shell in shells:
                for name in want:
                    path = os.path.join(work, name)
                    if os.path.exists(path):
                        os.remove(path)
                run = subprocess.run(shell.split() + ["-c", block], cwd=work,
                                     capture_output=True)
                for name, expected in want.items():
                    try:
                        with open(os.path.join(work, name), encoding="utf-8") as f:
                            got = f.read()
                    except OSError:
                        got = None
                    if got != expected:
                        failures += 1
                        print("FAIL seed %d, %s, %s: value %r, file holds %r\n%s\n%s"
                              % (seed, shell, name, value, got, block,
                                 run.stderr.decode("utf-8", "replace")[-300:]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d values x %d shells: %d failures" % (count, len(shells), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
