-- pgbench: the statement JobStore.record sends for one delivery (delivery insert + forward-only
-- job upsert + runner link), one durable commit per transaction. Used by bench-store and bench-producer.
\set id random(1, 900000000000)
WITH delivery AS (
    INSERT INTO deliveries (id, event, action, job_id, received_at, outcome)
    VALUES ('pgb-' || :client_id || '-' || :id, 'workflow_job', 'queued', :id, now(), 'recorded')
    ON CONFLICT (id) DO NOTHING RETURNING id
), job AS (
    INSERT INTO jobs AS j (id, run_id, run_attempt, repository, owner, installation_id, labels, pool, status,
        conclusion, runner_name, dispatch_state, next_attempt_at, last_error, created_at, received_at, started_at,
        completed_at, updated_at)
    SELECT :id, :id, 1, 'octo/repo', 'octo', 1, ARRAY['self-hosted', 'linux', 'x64'], 'bench-pgbench', 'queued',
        NULL, NULL, 'pending', now(), NULL, NULL, now(), NULL, NULL, now()
    WHERE EXISTS (SELECT 1 FROM delivery)
    ON CONFLICT (id) DO UPDATE SET
        status = CASE WHEN runway_status_rank(EXCLUDED.status) > runway_status_rank(j.status) THEN EXCLUDED.status ELSE j.status END,
        conclusion = COALESCE(j.conclusion, EXCLUDED.conclusion),
        runner_name = COALESCE(j.runner_name, EXCLUDED.runner_name),
        dispatch_state = CASE WHEN EXCLUDED.status <> 'completed' THEN j.dispatch_state
            WHEN j.dispatch_state IN ('pending', 'dispatching') THEN 'cancelled'
            WHEN j.dispatch_state = 'launched' THEN 'done' ELSE j.dispatch_state END,
        updated_at = EXCLUDED.updated_at
    RETURNING j.*
), runner AS (
    INSERT INTO runners (name, pool, launched_for_job, ran_job, state, busy_at, updated_at)
    SELECT 'none', 'none', NULL, :id, 'busy', now(), now() WHERE false
)
SELECT * FROM job;
