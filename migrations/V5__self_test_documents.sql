-- The self-test document a published version ships to devices, as exact bytes: its SHA-256 is
-- part of each artifact's signed release metadata, so the bytes must never change.
ALTER TABLE model_version
    ADD COLUMN self_test_document text,
    ADD COLUMN self_test_sha256   char(64) CHECK (self_test_sha256 ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT self_test_frozen CHECK ((self_test_document IS NULL) = (self_test_sha256 IS NULL));
