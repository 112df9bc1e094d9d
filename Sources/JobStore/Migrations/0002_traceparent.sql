-- Runway schema v2: the W3C trace context of the delivery that created a job, so the Publisher's
-- dispatch and the Orchestrator's AWS calls continue the webhook's trace. See docs/schema.md.
ALTER TABLE jobs ADD COLUMN traceparent text CHECK (traceparent IS NULL OR length(traceparent) <= 64);
