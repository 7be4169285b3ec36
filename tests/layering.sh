#!/usr/bin/env bash
# tests/layering.sh BUILD_DIR: the build enforces the layering. With the compile flags each
# layer's sources get (from BUILD_DIR/compile_commands.json), including a header of every
# layer it may use compiles, and including one of any other layer (an upper one, or text
# from index) fails; no source reaches another folder with a relative "../" include.
set -euo pipefail
build=${1:?usage: layering.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)/src
python3 - "$build/compile_commands.json" "$src" <<'PY'
import json, os, re, shlex, subprocess, sys

db, src = json.load(open(sys.argv[1])), sys.argv[2]
may_use = {
    "core": {"core"},
    "store": {"core", "store"},
    "text": {"core", "text"},
    "index": {"core", "store", "index"},
    "web": {"core", "store", "text", "index", "web"},
    "cli": {"core", "store", "text", "index", "web", "cli"},
}
failures = 0
for layer, allowed in may_use.items():
    entry = next((e for e in db if e["file"].startswith(os.path.join(src, layer) + "/")
                  and "/tests/" not in e.get("output", "")), None)
    if entry is None:
        print(f"no compile command for a source in src/{layer}")
        failures += 1
        continue
    args = shlex.split(entry["command"]) if "command" in entry else entry["arguments"]
    flags = [a for a in args[1:] if a.startswith(("-I", "-isystem", "-D", "-std"))]
    # -isystem and -I take their directory in the next argument when separated
    for i, a in enumerate(args[1:-1], 1):
        if a in ("-I", "-isystem"):
            flags += [a, args[i + 1]]
    for other in may_use:
        # a public header of the layer (internal *_int.h headers may need more than it gives)
        header = sorted(h for h in os.listdir(os.path.join(src, other))
                        if h.endswith(".h") and not h.endswith("_int.h"))[0]
        code = f'#include "{other}/{header}"\n'
        r = subprocess.run([args[0], *flags, "-fsyntax-only", "-x", "c", "-"], input=code,
                           capture_output=True, text=True, cwd=entry["directory"])
        ok = r.returncode == 0
        if ok != (other in allowed):
            failures += 1
            what = "compiles" if ok else "fails: " + r.stderr.strip().splitlines()[0]
            print(f"src/{layer}: #include \"{other}/{header}\" {what}")
for root, _, files in os.walk(src):
    for f in files:
        for n, line in enumerate(open(os.path.join(root, f), errors="replace"), 1):
            if re.match(r'\s*#\s*include\s*"[^"]*\.\./', line):
                failures += 1
                print(f"{os.path.join(root, f)}:{n}: relative include across folders")
print("layering: " + ("ok" if not failures else f"{failures} violation(s)"))
sys.exit(1 if failures else 0)
PY
