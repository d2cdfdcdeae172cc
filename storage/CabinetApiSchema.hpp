// The schema of the cabinet API (migration 5; Database.cpp lists it with the others): web
// sessions (token hashes only), one-time SMS codes (keyed hashes only), connected services
// and service requests, imported call records, and the audit channel `web`.
//
// Two rules live in the schema itself, so that no path that changes a subscriber can forget
// them (the API, USSD, a manager, the operator's staff, the CLI, a hand-written UPDATE):
// - every live session of a subscriber ends when its password hash changes or its cabinet
//   access is closed (triggers on subscribers; the time is the row's updated_at);
// - when a session ends, for whatever reason, the service requests it created and that were
//   not confirmed are annulled, and its unused step-up codes are spent (trigger on
//   web_sessions).
#pragma once

namespace ussdgw::storage {

inline constexpr const char* kCabinetApiMigration = R"sql(
CREATE TABLE audit_log_v5 (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  msisdn     INTEGER NOT NULL,
  action     TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id   TEXT NOT NULL,
  channel    TEXT NOT NULL CHECK (channel IN ('ussd', 'http', 'web', 'cli')),
  detail     TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_log_v5 (id, at, msisdn, action, actor_kind, actor_id, channel, detail)
  SELECT id, at, msisdn, action, actor_kind, actor_id, channel, detail FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_v5 RENAME TO audit_log;
CREATE INDEX audit_log_msisdn ON audit_log(msisdn, at);
CREATE INDEX audit_log_msisdn_id ON audit_log(msisdn, id);

CREATE TABLE web_sessions (
  id             INTEGER PRIMARY KEY,
  token_hash     BLOB NOT NULL UNIQUE,
  msisdn         INTEGER NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  method         TEXT NOT NULL CHECK (method IN ('password', 'puk', 'code')),
  source         TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  last_seen_at   INTEGER NOT NULL,
  elevated_until INTEGER NOT NULL DEFAULT 0,
  ended_at       INTEGER,
  end_reason     TEXT
);
CREATE INDEX web_sessions_live ON web_sessions(msisdn) WHERE ended_at IS NULL;
CREATE INDEX web_sessions_seen ON web_sessions(last_seen_at) WHERE ended_at IS NULL;
CREATE INDEX web_sessions_ended ON web_sessions(ended_at) WHERE ended_at IS NOT NULL;

CREATE TABLE one_time_codes (
  id         INTEGER PRIMARY KEY,
  msisdn     INTEGER NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  purpose    TEXT NOT NULL CHECK (purpose IN ('register', 'recover', 'step_up')),
  session_id INTEGER REFERENCES web_sessions(id) ON DELETE CASCADE,
  code_hash  TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  failures   INTEGER NOT NULL DEFAULT 0,
  spent_at   INTEGER,
  outbox_id  INTEGER
);
CREATE INDEX one_time_codes_msisdn ON one_time_codes(msisdn, created_at);

CREATE TABLE subscriber_services (
  msisdn  INTEGER NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  service TEXT NOT NULL,
  since   INTEGER NOT NULL,
  PRIMARY KEY (msisdn, service)
) WITHOUT ROWID;

CREATE TABLE service_requests (
  id           INTEGER PRIMARY KEY,
  msisdn       INTEGER NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  session_id   INTEGER REFERENCES web_sessions(id) ON DELETE SET NULL,
  service      TEXT NOT NULL,
  action       TEXT NOT NULL CHECK (action IN ('connect', 'disconnect')),
  price        INTEGER NOT NULL DEFAULT 0,
  state        TEXT NOT NULL CHECK (state IN ('created', 'pending', 'applied', 'refused',
                                              'annulled')),
  created_at   INTEGER NOT NULL,
  confirmed_at INTEGER,
  effective_by INTEGER,
  finished_at  INTEGER,
  refusal      TEXT
);
CREATE INDEX service_requests_msisdn ON service_requests(msisdn, id);
CREATE INDEX service_requests_due ON service_requests(effective_by) WHERE state = 'pending';
CREATE INDEX service_requests_open ON service_requests(session_id) WHERE state = 'created';

CREATE TABLE call_records (
  id          INTEGER PRIMARY KEY,
  msisdn      INTEGER NOT NULL REFERENCES subscribers(msisdn) ON DELETE CASCADE,
  started_at  INTEGER NOT NULL,
  direction   TEXT NOT NULL CHECK (direction IN ('out', 'in', 'sms_out', 'sms_in', 'data')),
  other_party TEXT NOT NULL,
  duration    INTEGER NOT NULL CHECK (duration >= 0),
  cost        INTEGER NOT NULL,
  UNIQUE (msisdn, started_at, direction, other_party)
);
CREATE INDEX call_records_page ON call_records(msisdn, started_at, id);

CREATE TRIGGER subscribers_password_ends_sessions AFTER UPDATE OF password_hash ON subscribers
WHEN NEW.password_hash IS NOT OLD.password_hash
BEGIN
  UPDATE web_sessions SET ended_at = NEW.updated_at, end_reason = 'password.changed'
   WHERE msisdn = NEW.msisdn AND ended_at IS NULL;
END;

CREATE TRIGGER subscribers_closing_ends_sessions AFTER UPDATE OF access_open ON subscribers
WHEN NEW.access_open = 0 AND OLD.access_open = 1
BEGIN
  UPDATE web_sessions SET ended_at = NEW.updated_at, end_reason = 'access.closed'
   WHERE msisdn = NEW.msisdn AND ended_at IS NULL;
END;

CREATE TRIGGER web_sessions_end_annuls AFTER UPDATE OF ended_at ON web_sessions
WHEN OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL
BEGIN
  UPDATE service_requests SET state = 'annulled', finished_at = NEW.ended_at,
         refusal = 'session.ended'
   WHERE session_id = NEW.id AND state = 'created';
  UPDATE one_time_codes SET spent_at = NEW.ended_at
   WHERE session_id = NEW.id AND spent_at IS NULL;
END;
)sql";

}  // namespace ussdgw::storage
