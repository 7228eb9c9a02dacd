// The schema of the Lodestone database, as an ordered list of migrations. Each runs in its own
// transaction (see Database::Open); a shipped migration is never changed, only followed.
#include <fmt/format.h>

#include "lodestone/store/database.hpp"
#include "lodestone/store/postgres_project_store.hpp"

namespace lodestone::store {

namespace {

// Figures that may be missing are a pair of columns: the number (NULL when there is none) and
// its status (known, at_least, at_most, withheld, not_available, unknown). Missing is not zero.
constexpr const char* kProjectsV1 = R"sql(
CREATE TABLE projects (
  id                   TEXT PRIMARY KEY CHECK (length(id) > 0 AND id NOT GLOB '*[^a-z0-9_]*'),
  name                 TEXT NOT NULL CHECK (length(name) > 0),
  mineral              TEXT NOT NULL,
  stage                TEXT NOT NULL CHECK (stage IN ('mining','refining','separation','magnets','cathode','anode','recycling')),
  country              TEXT NOT NULL CHECK (length(country) = 3),
  capacity_t           REAL CHECK (capacity_t IS NULL OR capacity_t >= 0),
  capacity_t_status    TEXT NOT NULL,
  capacity_basis       TEXT NOT NULL,
  capex_musd           REAL CHECK (capex_musd IS NULL OR capex_musd >= 0),
  capex_musd_status    TEXT NOT NULL,
  opex_musd_per_year   REAL CHECK (opex_musd_per_year IS NULL OR opex_musd_per_year >= 0),
  opex_musd_per_year_status TEXT NOT NULL,
  first_output         TEXT,
  development_stage    TEXT NOT NULL CHECK (development_stage IN ('announced','feasibility','financing','construction','commissioning','operating')),
  status               TEXT NOT NULL CHECK (status IN ('active','paused','cancelled')),
  sponsors             TEXT NOT NULL,
  esg_score            REAL CHECK (esg_score IS NULL OR (esg_score >= 0 AND esg_score <= 1)),
  esg_score_status     TEXT NOT NULL,
  esg_notes            TEXT NOT NULL,
  source               TEXT NOT NULL,
  url                  TEXT NOT NULL,
  assumptions          TEXT NOT NULL,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL
);

CREATE TABLE capital_stack (
  project       TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  position      INTEGER NOT NULL CHECK (position >= 0),
  instrument    TEXT NOT NULL CHECK (instrument IN ('grant','loan','guarantee','equity','offtake')),
  funder        TEXT NOT NULL CHECK (funder IN ('us_public','japan_public','other_public','private')),
  amount_musd   REAL CHECK (amount_musd IS NULL OR amount_musd >= 0),
  amount_status TEXT NOT NULL,
  closing_date  TEXT NOT NULL,
  source        TEXT NOT NULL,
  note          TEXT NOT NULL,
  PRIMARY KEY (project, position)
);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL CHECK (length(actor) > 0),
  action      TEXT NOT NULL CHECK (action IN ('insert','update','delete','import')),
  project_id  TEXT NOT NULL,
  field       TEXT,
  old_value   TEXT,
  new_value   TEXT,
  reason      TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be updated');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END;
)sql";

// The same schema in PostgreSQL's dialect. Numbers are DOUBLE PRECISION (PostgreSQL's REAL is
// single precision), the audit ids an identity column, and the append-only rule of the audit log
// is a trigger that refuses UPDATE, DELETE and TRUNCATE whoever runs them.
constexpr const char* kPgProjectsV1 = R"sql(
CREATE TABLE projects (
  id                   TEXT PRIMARY KEY CHECK (length(id) > 0 AND id ~ '^[a-z0-9_]+$'),
  name                 TEXT NOT NULL CHECK (length(name) > 0),
  mineral              TEXT NOT NULL,
  stage                TEXT NOT NULL CHECK (stage IN ('mining','refining','separation','magnets','cathode','anode','recycling')),
  country              TEXT NOT NULL CHECK (length(country) = 3),
  capacity_t           DOUBLE PRECISION CHECK (capacity_t IS NULL OR capacity_t >= 0),
  capacity_t_status    TEXT NOT NULL,
  capacity_basis       TEXT NOT NULL,
  capex_musd           DOUBLE PRECISION CHECK (capex_musd IS NULL OR capex_musd >= 0),
  capex_musd_status    TEXT NOT NULL,
  opex_musd_per_year   DOUBLE PRECISION CHECK (opex_musd_per_year IS NULL OR opex_musd_per_year >= 0),
  opex_musd_per_year_status TEXT NOT NULL,
  first_output         TEXT,
  development_stage    TEXT NOT NULL CHECK (development_stage IN ('announced','feasibility','financing','construction','commissioning','operating')),
  status               TEXT NOT NULL CHECK (status IN ('active','paused','cancelled')),
  sponsors             TEXT NOT NULL,
  esg_score            DOUBLE PRECISION CHECK (esg_score IS NULL OR (esg_score >= 0 AND esg_score <= 1)),
  esg_score_status     TEXT NOT NULL,
  esg_notes            TEXT NOT NULL,
  source               TEXT NOT NULL,
  url                  TEXT NOT NULL,
  assumptions          TEXT NOT NULL,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL
);

CREATE TABLE capital_stack (
  project       TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  position      INTEGER NOT NULL CHECK (position >= 0),
  instrument    TEXT NOT NULL CHECK (instrument IN ('grant','loan','guarantee','equity','offtake')),
  funder        TEXT NOT NULL CHECK (funder IN ('us_public','japan_public','other_public','private')),
  amount_musd   DOUBLE PRECISION CHECK (amount_musd IS NULL OR amount_musd >= 0),
  amount_status TEXT NOT NULL,
  closing_date  TEXT NOT NULL,
  source        TEXT NOT NULL,
  note          TEXT NOT NULL,
  PRIMARY KEY (project, position)
);

CREATE TABLE audit_log (
  id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL CHECK (length(actor) > 0),
  action      TEXT NOT NULL CHECK (action IN ('insert','update','delete','import')),
  project_id  TEXT NOT NULL,
  field       TEXT,
  old_value   TEXT,
  new_value   TEXT,
  reason      TEXT NOT NULL DEFAULT ''
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: rows cannot be %',
    CASE TG_OP WHEN 'UPDATE' THEN 'updated' WHEN 'DELETE' THEN 'deleted' ELSE 'truncated' END
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
)sql";

constexpr const char* kIndexesV2 = R"sql(
CREATE INDEX projects_by_mineral ON projects(mineral, stage);
CREATE INDEX projects_by_country ON projects(country);
CREATE INDEX audit_log_by_project ON audit_log(project_id, id);
)sql";

// Confidential terms of a partner (invest::ConfidentialTerms). Existing rows get no owner and no
// terms; figures are a number and a status as in version 1. The same statements in both
// dialects but for the type of a double (PostgreSQL's REAL is single precision).
constexpr const char* kConfidentialV3 = R"sql(
ALTER TABLE projects ADD COLUMN confidential_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN financing_committed_musd {real}
  CHECK (financing_committed_musd IS NULL OR financing_committed_musd >= 0);
ALTER TABLE projects ADD COLUMN financing_committed_musd_status TEXT NOT NULL DEFAULT 'not_available';
ALTER TABLE projects ADD COLUMN financing_instrument TEXT NOT NULL DEFAULT ''
  CHECK (financing_instrument IN ('','grant','loan','guarantee','equity','offtake'));
ALTER TABLE projects ADD COLUMN financing_rate_pct {real}
  CHECK (financing_rate_pct IS NULL OR (financing_rate_pct >= 0 AND financing_rate_pct <= 100));
ALTER TABLE projects ADD COLUMN financing_rate_pct_status TEXT NOT NULL DEFAULT 'not_available';
ALTER TABLE projects ADD COLUMN financing_tenor_years {real}
  CHECK (financing_tenor_years IS NULL OR (financing_tenor_years >= 0 AND financing_tenor_years <= 100));
ALTER TABLE projects ADD COLUMN financing_tenor_years_status TEXT NOT NULL DEFAULT 'not_available';
ALTER TABLE projects ADD COLUMN offtake TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN partner_notes TEXT NOT NULL DEFAULT '';
)sql";

std::string ConfidentialV3(std::string_view real_type) {
  return fmt::format(fmt::runtime(kConfidentialV3), fmt::arg("real", real_type));
}

constexpr const char* kConfidentialDescription = "confidential terms of a partner: owner, financing, offtake, notes";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "projects, capital_stack and the append-only audit_log", kProjectsV1},
      {2, "indexes for list filters and project history", kIndexesV2},
      {3, kConfidentialDescription, ConfidentialV3("REAL")},
  };
  return kMigrations;
}

const std::vector<Migration>& PostgresMigrations() {
  // Same versions and descriptions as Migrations() (a test holds them equal); version 2's
  // indexes are written the same in both dialects.
  static const std::vector<Migration> kMigrations = {
      {1, "projects, capital_stack and the append-only audit_log", kPgProjectsV1},
      {2, "indexes for list filters and project history", kIndexesV2},
      {3, kConfidentialDescription, ConfidentialV3("DOUBLE PRECISION")},
  };
  return kMigrations;
}

}  // namespace lodestone::store
