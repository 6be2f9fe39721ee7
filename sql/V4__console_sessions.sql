-- Web console sign-ins, so that open consoles survive a server restart. Only a SHA-256 of the session id is kept.
CREATE TABLE console_sessions (
    id_hash     VARCHAR(64)   NOT NULL PRIMARY KEY,
    admin       VARCHAR(128)  NOT NULL,
    csrf        VARCHAR(64)   NOT NULL,
    created_at  BIGINT        NOT NULL,
    expires_at  BIGINT        NOT NULL
);
