-- Target-aware choice (#18): the CPU features an artifact needs, and whether an optimizing
-- conversion made it.
--
-- cpu_features is the descriptor's sorted, comma-joined list ('' when the file runs on any CPU of
-- its architecture): one plain value, so it can join the target's unique index as is and old rows
-- keep meaning "no features".
ALTER TABLE artifact ADD COLUMN IF NOT EXISTS cpu_features text NOT NULL DEFAULT '';
ALTER TABLE artifact ADD COLUMN IF NOT EXISTS optimized boolean NOT NULL DEFAULT false;

-- One artifact per target within a version: a file for AVX-512 and one for any x86_64 CPU are two
-- targets, so the features are part of it. So is optimized: a version holds its uploaded source
-- and one optimized conversion of the same target (ONNX Runtime's portable level keeps format,
-- precision and target), and devices get the optimized one. Existing rows are all unoptimized
-- (the column's default), so they satisfy the index exactly as they satisfied the old one.
DROP INDEX IF EXISTS artifact_target_uq;
CREATE UNIQUE INDEX artifact_target_uq ON artifact (version_id, format, runtime, coalesce(runtime_version, ''),
    arch, accelerator, precision, coalesce(os, ''), cpu_features, optimized);
