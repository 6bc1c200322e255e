-- Two more built-in roles: operator (runs the fleet) and system-admin (an admin who also manages the
-- tenants). The bootstrap token, the one credential that exists before any tenant has an admin,
-- becomes system-admin; every other token keeps its role and with it exactly what it could do.
ALTER TABLE api_token DROP CONSTRAINT api_token_role_check;
ALTER TABLE api_token ADD CONSTRAINT api_token_role_check
    CHECK (role IN ('VIEWER', 'PUBLISHER', 'OPERATOR', 'ADMIN', 'SYSTEM_ADMIN'));
UPDATE api_token SET role = 'SYSTEM_ADMIN' WHERE bootstrap AND role = 'ADMIN';
