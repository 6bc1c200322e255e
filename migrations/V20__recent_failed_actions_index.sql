-- The dashboard's recent failures (GET /api/v1/overview): a tenant's newest failed actions, read
-- from the top of this index instead of a scan of every action.
CREATE INDEX action_failed_recent_idx ON action (tenant, updated_at DESC, id DESC) WHERE status = 'ERROR';
