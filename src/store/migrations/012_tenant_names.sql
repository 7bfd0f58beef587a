-- Tessera schema, version 12: a tenant's name, the handle of `tessera
-- tenants` and of the CLI's --tenant (bootstrap-client-NAME.json).  It is
-- given once by `tenants create` and never changes, unlike friendly_name,
-- which tenant settings (and so a Deploy CLI or `tessera config` import)
-- rewrite.  Tenants made before have their id as name, the default tenant
-- "default".
ALTER TABLE tenants ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE tenants SET name = CASE WHEN is_default = 1 THEN 'default' ELSE id END;
CREATE UNIQUE INDEX tenants_name ON tenants (name);
