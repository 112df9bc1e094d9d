-- wrk script: each thread replays a disjoint slice of pre-signed deliveries (DELIVERIES file),
-- so every request is a new delivery the Producer must commit before answering.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(os.getenv("WRK_THREADS") or "2")
  reqs = {}
  local i = 0
  for line in io.lines(os.getenv("DELIVERIES")) do
    if i % n == (tid - 1) then
      local id, sig, body = line:match("([^\t]+)\t([^\t]+)\t(.*)")
      reqs[#reqs + 1] = wrk.format("POST", "/webhook", {
        ["Content-Type"] = "application/json", ["X-GitHub-Event"] = "workflow_job",
        ["X-GitHub-Delivery"] = id, ["X-Hub-Signature-256"] = sig,
      }, body)
    end
    i = i + 1
  end
  idx = 0
end

function request()
  idx = idx + 1
  if idx > #reqs then idx = 1 end
  return reqs[idx]
end

function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
