#!/usr/bin/env bash
# `make bench-aws`: SigV4 signatures per CPU second for a typical EC2 RunInstances request, on
# one core (taskset -c 0), Runway's signer vs botocore's SigV4Auth on the same request, alternating
# rounds in the same run; the median of each goes to bench/RESULTS.md (section "aws"). CPU time
# (not wall time) is measured on both sides because the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-5}"
SECONDS_PER_ROUND="${SECONDS_PER_ROUND:-2}"

python3 -c 'import botocore' 2>/dev/null || python3 -m pip install -q botocore 2>/dev/null || python3 -m pip install -q --break-system-packages botocore
(cd bench/sigv4 && swift build -c release --product sigv4-bench >/dev/null)
BIN="bench/sigv4/.build/release/sigv4-bench"
PIN=()
if command -v taskset >/dev/null 2>&1; then PIN=(taskset -c 0); fi

load="$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
swift_runs=(); boto_runs=()
for _ in $(seq 1 "$ROUNDS"); do
  swift_runs+=("$("${PIN[@]}" "$BIN" "$SECONDS_PER_ROUND" | awk '{print $1}')")
  boto_runs+=("$("${PIN[@]}" python3 bench/sigv4/botocore_sigv4.py "$SECONDS_PER_ROUND")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
swift_med="$(median "${swift_runs[@]}")"
boto_med="$(median "${boto_runs[@]}")"
ratio="$(python3 -c "print(f'{$swift_med / $boto_med:.1f}')")"
botocore_version="$(python3 -c 'import botocore; print(botocore.__version__)')"

report="$(cat <<MD
## SigV4 (\`make bench-aws\`)
$(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(uname -m)), single core pinned, ${ROUNDS} alternating rounds of ${SECONDS_PER_ROUND} CPU-seconds each, medians; load average at start: ${load}.
Request: EC2 RunInstances (spot, tags, user data; 806-byte form body), header signing with a cached derived key.

| signer | signatures per CPU second | rounds |
| --- | ---: | --- |
| Runway \`SigV4Signer.sign\` (Swift, release) | ${swift_med} | ${swift_runs[*]} |
| botocore ${botocore_version} \`SigV4Auth.add_auth\` | ${boto_med} | ${boto_runs[*]} |

Ratio: **${ratio}x** botocore (target >= 20x).
MD
)"
echo "$report"
echo "$report" | scripts/bench-section.sh aws
