-- The serving health devices report with their feedback (the DDI extension "modelyardHealth"):
-- for each action and model the newest figures the device sent (an upsert replaces the row), so
-- a rollout can judge a phase by how the new version serves on its devices.
CREATE TABLE action_health (
    action_id        bigint           NOT NULL REFERENCES action (id) ON DELETE CASCADE,
    model            text             NOT NULL,
    tenant           text             NOT NULL REFERENCES tenant (id),
    device_id        bigint           NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    version          text             NOT NULL,
    replaced_version text,
    served_seconds   bigint           NOT NULL CHECK (served_seconds >= 0),
    requests         bigint           NOT NULL CHECK (requests >= 0),
    errors           bigint           NOT NULL CHECK (errors >= 0 AND errors <= requests),
    p50_ms           double precision CHECK (p50_ms >= 0),
    p99_ms           double precision CHECK (p99_ms >= 0),
    baseline_p99_ms  double precision CHECK (baseline_p99_ms >= 0),
    p99_ratio        double precision CHECK (p99_ratio >= 0),
    self_test        text             NOT NULL CHECK (self_test IN ('passed', 'failed', 'none')),
    complete         boolean          NOT NULL,
    reported_at      timestamptz      NOT NULL,
    PRIMARY KEY (action_id, model)
);
-- Summaries read the rows of a phase's actions by primary key; a device's latest health by device.
CREATE INDEX action_health_device_idx ON action_health (device_id, reported_at DESC);
