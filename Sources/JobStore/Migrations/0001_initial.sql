-- Runway schema v1: jobs, runners, deliveries, checkpoints. See docs/schema.md.

-- GitHub's forward-only status order; IMMUTABLE so it can be used freely in upserts.
CREATE FUNCTION runway_status_rank(status text) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE status WHEN 'waiting' THEN 0 WHEN 'queued' THEN 1
                             WHEN 'in_progress' THEN 2 WHEN 'completed' THEN 3 END::smallint $$;

CREATE FUNCTION runway_runner_rank(state text) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE state WHEN 'launched' THEN 0 WHEN 'busy' THEN 1
                            WHEN 'finished' THEN 2 WHEN 'gone' THEN 3 END::smallint $$;

CREATE TABLE jobs (
    id               bigint      PRIMARY KEY CHECK (id > 0),
    run_id           bigint      NOT NULL CHECK (run_id > 0),
    run_attempt      integer     NOT NULL CHECK (run_attempt > 0),
    repository       text        NOT NULL,
    owner            text        NOT NULL,
    installation_id  bigint,
    labels           text[]      NOT NULL,
    pool             text,
    status           text        NOT NULL CHECK (status IN ('waiting', 'queued', 'in_progress', 'completed')),
    conclusion       text,
    runner_name      text,
    dispatch_state   text        NOT NULL CHECK (dispatch_state IN
                         ('pending', 'dispatching', 'launched', 'done', 'unroutable', 'failed', 'cancelled')),
    attempts         integer     NOT NULL DEFAULT 0,
    lease_owner      text,
    lease_token      bigint,
    lease_expires_at timestamptz,
    next_attempt_at  timestamptz NOT NULL,
    last_error       text,
    launched_runner  text,
    created_at       timestamptz,
    received_at      timestamptz NOT NULL,
    launched_at      timestamptz,
    started_at       timestamptz,
    completed_at     timestamptz,
    updated_at       timestamptz NOT NULL,
    CHECK (pool IS NOT NULL OR dispatch_state = 'unroutable'),
    CHECK ((dispatch_state = 'dispatching') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
);

-- The FIFO claim reads only this index; finished rows are never in it, so millions of them
-- cost nothing. next_attempt_at is filtered at scan time (backoff rows are few).
CREATE INDEX jobs_claimable ON jobs (pool, received_at, id)
    WHERE dispatch_state = 'pending' AND status = 'queued';

-- The lease rescuer.
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE dispatch_state = 'dispatching';

-- Retention: finished rows by age.
CREATE INDEX jobs_finished ON jobs (updated_at)
    WHERE dispatch_state IN ('done', 'failed', 'cancelled', 'unroutable');

-- Admin listing, newest first, optionally by state.
CREATE INDEX jobs_listing ON jobs (dispatch_state, received_at DESC, id DESC);

CREATE SEQUENCE jobs_lease_token;

CREATE TABLE runners (
    name             text        PRIMARY KEY,
    pool             text        NOT NULL,
    launched_for_job bigint,
    ran_job          bigint,
    provider_id      text,
    state            text        NOT NULL CHECK (state IN ('launched', 'busy', 'finished', 'gone')),
    launched_at      timestamptz,
    busy_at          timestamptz,
    finished_at      timestamptz,
    gone_at          timestamptz,
    updated_at       timestamptz NOT NULL
);

CREATE INDEX runners_live ON runners (pool, state) WHERE state <> 'gone';
CREATE INDEX runners_gone ON runners (updated_at) WHERE state = 'gone';

CREATE TABLE deliveries (
    id          text        PRIMARY KEY,
    event       text        NOT NULL,
    action      text,
    job_id      bigint,
    received_at timestamptz NOT NULL,
    outcome     text        NOT NULL
);

CREATE INDEX deliveries_received ON deliveries (received_at);

CREATE TABLE checkpoints (
    name       text        PRIMARY KEY,
    value      text        NOT NULL,
    updated_at timestamptz NOT NULL
);
