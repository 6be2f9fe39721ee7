-- Chat: rooms with their sequence counters, room messages, memberships and direct messages.
-- Times are epoch milliseconds. Portable between H2 and PostgreSQL.

CREATE TABLE rooms (
    name           VARCHAR(64)  NOT NULL PRIMARY KEY,
    last_seq       BIGINT       NOT NULL DEFAULT 0,
    created_at     BIGINT       NOT NULL,
    last_activity  BIGINT       NOT NULL,
    closed         BOOLEAN      NOT NULL DEFAULT FALSE
);

CREATE TABLE messages (
    room         VARCHAR(64)   NOT NULL,
    seq          BIGINT        NOT NULL,
    client_id    VARCHAR(128)  NOT NULL,
    sender       VARCHAR(128)  NOT NULL,
    sender_name  VARCHAR(256),
    body         VARCHAR(1000000) NOT NULL,
    ts           BIGINT        NOT NULL,
    PRIMARY KEY (room, seq)
);
-- Dedup of client retries: one message per (sender, client id). Leading on client_id keeps IN-list lookups indexed.
CREATE UNIQUE INDEX messages_client_id ON messages (client_id, sender);

CREATE TABLE memberships (
    room       VARCHAR(64)   NOT NULL,
    user_id    VARCHAR(128)  NOT NULL,
    joined_at  BIGINT        NOT NULL,
    PRIMARY KEY (room, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE direct_messages (
    seq           BIGINT        NOT NULL PRIMARY KEY,
    client_id     VARCHAR(128)  NOT NULL,
    sender        VARCHAR(128)  NOT NULL,
    sender_name   VARCHAR(256),
    recipient     VARCHAR(128)  NOT NULL,
    body          VARCHAR(1000000) NOT NULL,
    ts            BIGINT        NOT NULL,
    delivered_at  BIGINT
);
CREATE UNIQUE INDEX direct_messages_client_id ON direct_messages (client_id, sender);
CREATE INDEX direct_messages_pending ON direct_messages (recipient, delivered_at, seq);
