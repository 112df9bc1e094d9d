#!/usr/bin/env bash
# make fuzz — libFuzzer + AddressSanitizer on the HTTP request parser for FUZZ_SECONDS (default 300).
# Builds into its own scratch path so it never disturbs the normal .build; crashes land in
# fuzz-artifacts/ (git-ignored) and should become regression tests in Tests/HTTPTests.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-300}"
scratch=".build-fuzz"
corpus="$scratch/corpus"
artifacts="fuzz-artifacts"
mkdir -p "$corpus" "$artifacts"

swift build --scratch-path "$scratch" --product HTTPParserFuzz \
    --sanitize=fuzzer --sanitize=address -Xswiftc -Onone
binary="$(swift build --scratch-path "$scratch" --product HTTPParserFuzz --sanitize=fuzzer --sanitize=address --show-bin-path)/HTTPParserFuzz"

# A few valid and hostile requests seed the corpus (the fuzzer mutates from them).
seed() { printf '%b' "$2" > "$corpus/seed-$1"; }
seed get 'GET /v1/jobs?state=pending HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n'
seed post 'POST /webhook HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello'
seed chunked 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\n'
seed pipeline 'GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'
seed smuggle 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
seed expect 'PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi'
seed absolute 'GET http://h/p?q HTTP/1.1\r\nHost: h\r\n\r\n'

echo "fuzzing the HTTP parser for ${seconds}s"
SWIFT_BACKTRACE=enable=no "$binary" "$corpus" \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
    -artifact_prefix="$artifacts/" -print_final_stats=1
