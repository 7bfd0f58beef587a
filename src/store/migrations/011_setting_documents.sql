-- Tessera schema, version 11: Auth0 settings the Management API keeps as
-- documents (core/setting_doc.h) so the Deploy CLI's exports import back:
-- branding, prompts and their custom text, the email provider (without its
-- credentials' secrets), email templates and breached password detection.
-- name is the document's key ("branding", "email-templates/verify_email",
-- "prompts/login/custom-text/en", ...) and body a JSON object.

CREATE TABLE setting_documents (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- The Management API gains the scopes of those resources; the clients
-- granted the tenant settings scopes are granted them too.
UPDATE resource_servers
SET scopes = substr(scopes, 1, length(scopes) - 1) ||
    ',{"value":"read:branding","description":"Read Branding Settings"}' ||
    ',{"value":"update:branding","description":"Update Branding Settings"}' ||
    ',{"value":"read:prompts","description":"Read Prompts"}' ||
    ',{"value":"update:prompts","description":"Update Prompts"}' ||
    ',{"value":"read:email_provider","description":"Read Email Provider"}' ||
    ',{"value":"create:email_provider","description":"Create Email Provider"}' ||
    ',{"value":"update:email_provider","description":"Update Email Provider"}' ||
    ',{"value":"read:email_templates","description":"Read Email Templates"}' ||
    ',{"value":"create:email_templates","description":"Create Email Templates"}' ||
    ',{"value":"update:email_templates","description":"Update Email Templates"}' ||
    ',{"value":"read:actions","description":"Read Actions"}]'
WHERE is_system = 1 AND scopes LIKE '[{%]' AND scopes NOT LIKE '%"read:branding"%';

UPDATE client_grants
SET scope = substr(scope, 1, length(scope) - 1) ||
    ',"read:branding","update:branding","read:prompts","update:prompts"' ||
    ',"read:email_provider","create:email_provider","update:email_provider"' ||
    ',"read:email_templates","create:email_templates","update:email_templates","read:actions"]'
WHERE scope LIKE '%"update:tenant_settings"%]' AND scope NOT LIKE '%"read:branding"%'
    AND audience IN (SELECT r.identifier FROM resource_servers r
                     WHERE r.tenant_id = client_grants.tenant_id AND r.is_system = 1);

-- The system API takes Auth0's name, which the Deploy CLI recognises and
-- leaves out of exports.
UPDATE resource_servers SET name = 'Auth0 Management API'
WHERE is_system = 1 AND name = 'Management API';
