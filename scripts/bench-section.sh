#!/usr/bin/env bash
# Replaces one section of bench/RESULTS.md with standard input:
#   some-bench | scripts/bench-section.sh http
set -euo pipefail
name="$1"
file="$(dirname "$0")/../bench/RESULTS.md"
body="$(cat)"
python3 - "$file" "$name" "$body" <<'PY'
import re, sys
path, name, body = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
start, end = f"<!-- section:{name} -->", f"<!-- end:{name} -->"
block = f"{start}\n{body.rstrip()}\n{end}"
if start in text:
    text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda m: block, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
