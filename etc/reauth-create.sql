-- reauth module: reg event subscriptions (one row per SUBSCRIBE dialog).
-- Written by the module's notifier process, loaded at start-up.
CREATE TABLE reauth_subscription (
    id INTEGER PRIMARY KEY NOT NULL,
    aor VARCHAR(255) NOT NULL,
    identity VARCHAR(255) NOT NULL,
    watcher VARCHAR(255) NOT NULL,
    callid VARCHAR(255) NOT NULL,
    rem_tag VARCHAR(128) NOT NULL,
    loc_tag VARCHAR(128) NOT NULL,
    rem_target VARCHAR(255) NOT NULL,
    route_set TEXT DEFAULT '' NOT NULL,
    loc_contact VARCHAR(255) NOT NULL,
    socket VARCHAR(128) DEFAULT '' NOT NULL,
    kind INTEGER DEFAULT 1 NOT NULL,
    loc_cseq INTEGER DEFAULT 1 NOT NULL,
    rem_cseq INTEGER DEFAULT 1 NOT NULL,
    version INTEGER DEFAULT 0 NOT NULL,
    expires INTEGER DEFAULT 0 NOT NULL
);

CREATE INDEX reauth_subscription_aor_idx ON reauth_subscription (aor);

INSERT INTO version (table_name, table_version) values ('reauth_subscription','1');
