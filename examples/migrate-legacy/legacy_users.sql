-- The legacy CRM's users table, with a few rows that show what a migration meets: a soft-deleted
-- user (left out by the query), a malformed email and phone (rejected with their row), and the
-- same person twice in different case (the second is DUPLICATE_IN_SOURCE).
CREATE TABLE legacy_users (
  id            serial PRIMARY KEY,
  email_address text NOT NULL,
  first_name    text,
  last_name     text,
  display_name  text,
  is_verified   boolean NOT NULL DEFAULT false,
  phone         text,
  plan          text NOT NULL DEFAULT 'free',
  prefs         jsonb NOT NULL DEFAULT '{}',
  signed_up_at  timestamptz NOT NULL DEFAULT now(),
  deleted       boolean NOT NULL DEFAULT false
);

INSERT INTO legacy_users (email_address, first_name, last_name, display_name, is_verified, phone, plan, prefs, signed_up_at, deleted) VALUES
  ('Ada.Lovelace@Example.com', 'Ada', 'Lovelace', 'Countess Ada', true, '+442071234567', 'pro', '{"newsletter": true}', '2019-03-01T10:00:00Z', false),
  ('grace@example.com', 'Grace', 'Hopper', NULL, true, NULL, 'team', '{}', '2019-05-12T08:30:00Z', false),
  ('alan.turing.example.com', 'Alan', 'Turing', NULL, false, NULL, 'free', '{}', '2020-01-20T12:00:00Z', false),
  ('katherine@example.com', 'Katherine', 'Johnson', NULL, true, '555-0100', 'free', '{"newsletter": false}', '2020-07-04T09:15:00Z', false),
  ('  edsger@example.com ', 'Edsger', 'Dijkstra', NULL, false, '+31205551234', 'pro', '{"newsletter": true}', '2021-02-02T16:45:00Z', false),
  ('GRACE@example.com', 'Grace', 'Hopper', 'Amazing Grace', true, NULL, 'team', '{}', '2021-06-30T11:00:00Z', false),
  ('barbara@example.com', 'Barbara', 'Liskov', NULL, true, NULL, 'free', '{}', '2022-09-09T09:09:09Z', true),
  ('margaret@example.com', 'Margaret', 'Hamilton', NULL, true, '+16175550199', 'enterprise', '{"newsletter": true}', '2023-11-11T11:11:11Z', false);
