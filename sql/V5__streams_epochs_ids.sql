-- Delivery guarantees: the store's epoch and run marker, one direct-message stream per user with its own gap-free
-- positions, and one id namespace per sender for room messages and direct messages alike.

-- Named values the server keeps about the store itself: 'epoch' (the sequences' epoch, see docs/protocol.md),
-- 'run.state' and 'run.boot' (whether the last run stopped cleanly, and on which boot of the machine it ran).
CREATE TABLE store_state (
    name   VARCHAR(64)   NOT NULL PRIMARY KEY,
    val    VARCHAR(256)  NOT NULL
);

-- Each user's direct-message stream: every DM the user sent or received, numbered 1, 2, 3 ... for that user.
-- A DM between two users is stored once per stream (one row for the recipient, one for the sender).
CREATE TABLE dm_streams (
    user_id   VARCHAR(128)  NOT NULL PRIMARY KEY,
    last_seq  BIGINT        NOT NULL
);

CREATE TABLE dm_entries (
    owner        VARCHAR(128)     NOT NULL,
    seq          BIGINT           NOT NULL,
    client_id    VARCHAR(128)     NOT NULL,
    sender       VARCHAR(128)     NOT NULL,
    sender_name  VARCHAR(256),
    recipient    VARCHAR(128)     NOT NULL,
    body         VARCHAR(1000000) NOT NULL,
    ts           BIGINT           NOT NULL,
    PRIMARY KEY (owner, seq)
);

-- Every id a sender used, with what it named: a retry of the same message is a duplicate, the same id for other
-- content is a conflict. seq is the position the sender was acked with (room seq, or the sender's DM stream seq).
-- digest is the SHA-256 of the text (base64); NULL for messages stored before this migration.
CREATE TABLE message_ids (
    client_id  VARCHAR(128)  NOT NULL,
    sender     VARCHAR(128)  NOT NULL,
    room       VARCHAR(64),
    recipient  VARCHAR(128),
    seq        BIGINT        NOT NULL,
    ts         BIGINT        NOT NULL,
    digest     VARCHAR(64),
    PRIMARY KEY (client_id, sender)
);

-- Existing DMs move into the streams, each user's numbered in the order of the old server-wide sequence.
INSERT INTO dm_entries (owner, seq, client_id, sender, sender_name, recipient, body, ts)
SELECT owner, ROW_NUMBER() OVER (PARTITION BY owner ORDER BY old_seq), client_id, sender, sender_name, recipient, body, ts
FROM (SELECT recipient AS owner, seq AS old_seq, client_id, sender, sender_name, recipient, body, ts FROM direct_messages
      UNION ALL
      SELECT sender AS owner, seq AS old_seq, client_id, sender, sender_name, recipient, body, ts FROM direct_messages
      WHERE sender <> recipient) d;

INSERT INTO dm_streams (user_id, last_seq) SELECT owner, MAX(seq) FROM dm_entries GROUP BY owner;

INSERT INTO message_ids (client_id, sender, room, recipient, seq, ts, digest)
SELECT client_id, sender, room, NULL, seq, ts, NULL FROM messages WHERE kind = 'user';

-- Before this migration a DM could reuse a room message's id; the room message keeps it.
INSERT INTO message_ids (client_id, sender, room, recipient, seq, ts, digest)
SELECT e.client_id, e.sender, NULL, e.recipient, e.seq, e.ts, NULL FROM dm_entries e
WHERE e.owner = e.sender
  AND NOT EXISTS (SELECT 1 FROM message_ids m WHERE m.client_id = e.client_id AND m.sender = e.sender);

DROP TABLE direct_messages;
-- Dedup now goes through message_ids.
DROP INDEX messages_client_id;
