-- reauth module: reg event subscriptions (one row per SUBSCRIBE dialog).
-- Written by the module's notifier process, loaded at start-up.
-- event: the package subscribed to, echoed in its NOTIFYs (RFC 6665):
-- reg, or registration-state (body_format "draft"); added in version 2.
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
    expires INTEGER DEFAULT 0 NOT NULL,
    event VARCHAR(32) DEFAULT 'reg' NOT NULL
);

CREATE INDEX reauth_subscription_aor_idx ON reauth_subscription (aor);

INSERT INTO version (table_name, table_version) values ('reauth_subscription','2');

-- Implicit registration sets: every public identity (impu) of a user
-- (impi, the private identity) with its set. An identity that is not
-- listed is a set of its own. Reload with `kamcmd reauth.reload`.
CREATE TABLE reauth_identity (
    id INTEGER PRIMARY KEY NOT NULL,
    impu VARCHAR(255) NOT NULL,
    impi VARCHAR(255) DEFAULT '' NOT NULL,
    set_id VARCHAR(64) NOT NULL,
    CONSTRAINT reauth_identity_impu_idx UNIQUE (impu)
);

INSERT INTO version (table_name, table_version) values ('reauth_identity','1');

-- Pending re-authentication procedures: a restart resumes them and their
-- deadline still fires. state and reason are the module's enum values.
CREATE TABLE reauth_procedure (
    id INTEGER PRIMARY KEY NOT NULL,
    identity VARCHAR(255) NOT NULL,
    state INTEGER NOT NULL,
    reason INTEGER DEFAULT 0 NOT NULL,
    started INTEGER NOT NULL,
    deadline INTEGER NOT NULL,
    notify_pending INTEGER DEFAULT 0 NOT NULL,
    refer_pending INTEGER DEFAULT 0 NOT NULL,
    contacts INTEGER DEFAULT 0 NOT NULL
);

INSERT INTO version (table_name, table_version) values ('reauth_procedure','1');
