-- Runway schema v3: indexes for the Publisher's status page (GET /). See docs/status-page.md.

-- Launches by time: the queue-time chart (last hour) and each pool's observed launch rate.
CREATE INDEX jobs_launched ON jobs (launched_at) WHERE launched_at IS NOT NULL;

-- Failures with reasons, newest first: failed and unroutable jobs and retried launches.
-- Few rows carry an error, so this index stays small.
CREATE INDEX jobs_errors ON jobs (updated_at DESC, id DESC) WHERE last_error IS NOT NULL;
