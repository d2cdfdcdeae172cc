#!/usr/bin/env python3
"""End to end: `ussdgw check-config` on the real binary. The shipped configuration passes and
prints "<file>: ok"; a bad value, an unknown key and a missing file each exit 2 with one line
on stderr that names the file, the line and the key, and nothing on stdout. The menu files
the configuration names are checked too: a missing menu folder is named, and a broken menu
file gets every error (file:line: key). check-config writes no database.

usage: check_config_test.py PATH/TO/ussdgw
"""
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from ussdgw_harness import ROOT, check, set_keys, shipped_config, summary, tempdir  # noqa: E402


def check_config(ussdgw, path):
    p = subprocess.run([ussdgw, "--config", path, "check-config"], capture_output=True,
                       text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def line_of(text, needle):
    """The 1-based line of the first line of `text` that starts with `needle`."""
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith(needle):
            return n
    raise AssertionError("not in the config: " + needle)


def refused(ussdgw, tmp, name, text, file_line_key):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    code, out, err = check_config(ussdgw, path)
    check(code == 2, "%s: exit 2 (got %d)" % (name, code))
    check(out == "", "%s: nothing on stdout" % name)
    want = "ussdgw: configuration error: %s:%d: key '%s'" % ((path,) + file_line_key)
    check(err.startswith(want), "%s: stderr names file, line and key: %r" % (name, err))
    check(err.count("\n") == 1, "%s: one line on stderr" % name)


def main():
    tmp = tempdir("check-config-")
    try:
        return checks(sys.argv[1], tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def checks(ussdgw, tmp):
    good = shipped_config(tmp, 2775)
    conf = open(good, encoding="utf-8").read()

    code, out, err = check_config(ussdgw, good)
    check(code == 0 and out == "%s: ok\n" % good, "the shipped config passes: %r %r" % (out, err))
    check(not os.path.exists(os.path.join(tmp, "ussdgw.db")), "check-config writes no database")

    bad = set_keys(conf, "storage", {"group_commit_max_delay": '"5 parsecs"'})
    refused(ussdgw, tmp, "bad-duration.toml", bad,
            (line_of(bad, "group_commit_max_delay ="), "storage.group_commit_max_delay"))

    unknown = conf.replace("\n[storage]\n", "\n[storage]\nbogus_key = 1\n", 1)
    refused(ussdgw, tmp, "unknown-key.toml", unknown,
            (line_of(unknown, "bogus_key ="), "storage.bogus_key"))

    no_dir = os.path.join(tmp, "no-such-dir")
    no_menus = os.path.join(tmp, "no-menus.toml")
    with open(no_menus, "w", encoding="utf-8") as f:
        f.write(set_keys(conf, "menus", {"directory": '"%s"' % no_dir}))
    code, out, err = check_config(ussdgw, no_menus)
    check(code == 2 and out == "" and err.startswith(no_dir + ":0: cannot read the directory"),
          "a missing menu folder is named: %d %r" % (code, err))

    menus = os.path.join(tmp, "menus")
    shutil.copytree(os.path.join(ROOT, "menus", "cabinet"), menus)
    access = os.path.join(menus, "access.toml")
    text = open(access, encoding="utf-8").read()
    text = text.replace('type = "action"', 'type = "acton"', 1)
    text = text.replace('next = "close_confirm"', 'next = "nowhere"', 1)
    with open(access, "w", encoding="utf-8") as f:
        f.write(text)
    broken = os.path.join(tmp, "broken-menus.toml")
    with open(broken, "w", encoding="utf-8") as f:
        f.write(set_keys(conf, "menus", {"directory": '"%s"' % menus}))
    code, out, err = check_config(ussdgw, broken)
    lines = err.splitlines()
    check(code == 2 and out == "", "a broken menu file: exit 2, nothing on stdout (%d)" % code)
    check(len(lines) == 2 and all(line.startswith(access + ":") for line in lines)
          and "acton" in err and "nowhere" in err,
          "every menu error is reported with its file and line: %r" % err)

    missing = os.path.join(tmp, "missing.toml")
    code, out, err = check_config(ussdgw, missing)
    check(code == 2 and out == "" and missing in err and "cannot open" in err,
          "a missing file is named: %r" % err)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
