-- One row identifying this installation (shown by the info endpoint; stable across restarts).
CREATE TABLE installation (
    id          VARCHAR(64) NOT NULL PRIMARY KEY,
    created_at  BIGINT      NOT NULL
);
