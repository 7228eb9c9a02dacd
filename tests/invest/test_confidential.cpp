// Confidential terms of a partner: their fields (validation, audit), who sees them (Redact,
// RedactHistory) and an import of the shipped CSV, which carries none, keeping them.
#include <gtest/gtest.h>

#include "invest/test_registry_fixtures.hpp"
#include "lodestone/invest/registry.hpp"
#include "lodestone/store/sqlite_project_store.hpp"

using namespace lodestone;
using namespace lodestone::invest;
using namespace lodestone::invest::testing;

namespace {

// A project with US-confidential terms whose values appear nowhere else.
Project WithUsTerms(const std::string& id) {
  auto p = MakeProject(id);
  auto& c = p.confidential;
  c.owner = "USA";
  c.committed_musd = model::Value::Of(987.654321);
  c.instrument = "guarantee";
  c.rate_pct = model::Value::Of(3.14159);
  c.tenor_years = model::Value::Of(23.5);
  c.offtake = "USA:0.37;JPN:0.21";
  c.notes = "side letter Zephyr-7Q";
  return p;
}

}  // namespace

TEST(Confidential, FieldsAreValidatedLikeEveryOther) {
  Project p;
  EXPECT_FALSE(SetField(p, "confidential_owner", "USA", Codes()));
  EXPECT_TRUE(SetField(p, "confidential_owner", "usa", Codes()));
  EXPECT_TRUE(SetField(p, "confidential_owner", "U", Codes()));
  EXPECT_FALSE(SetField(p, "confidential_owner", "", Codes()));
  EXPECT_FALSE(SetField(p, "financing_committed_musd", "120.5", Codes()));
  EXPECT_EQ(p.confidential.committed_musd.number, 120.5);
  EXPECT_TRUE(SetField(p, "financing_committed_musd", "-1", Codes()));
  EXPECT_TRUE(SetField(p, "financing_rate_pct", "101", Codes()));
  EXPECT_FALSE(SetField(p, "financing_rate_pct", "4.5", Codes()));
  EXPECT_TRUE(SetField(p, "financing_instrument", "bond", Codes()));
  EXPECT_FALSE(SetField(p, "financing_instrument", "loan", Codes()));
  EXPECT_FALSE(SetField(p, "offtake", "JPN:0.6;USA:0.2", Codes()));
  EXPECT_TRUE(SetField(p, "offtake", "JPN:0.6;USA:0.5", Codes()));  // more than all of the output
  EXPECT_TRUE(SetField(p, "offtake", "JPN:0.6;JPN:0.2", Codes()));  // a buyer twice
  EXPECT_TRUE(SetField(p, "offtake", "JPN=0.6", Codes()));
  EXPECT_TRUE(SetField(p, "offtake", "JPN:0", Codes()));
  EXPECT_TRUE(SetField(p, "partner_notes", "two\nlines", Codes()));
  EXPECT_EQ(p.confidential.offtake, "JPN:0.6;USA:0.2");  // a refused value changes nothing
  // Every confidential field reads back what it was set to.
  for (const auto& f : ConfidentialFields()) {
    Project q;
    const auto text = *GetField(WithUsTerms("x"), f);
    EXPECT_FALSE(SetField(q, f, text, Codes())) << f;
    EXPECT_EQ(*GetField(q, f), text) << f;
  }
}

TEST(Confidential, TermsNeedAnOwnerAndCheckProblemsNeverQuoteThem) {
  auto p = WithUsTerms("x");
  EXPECT_TRUE(CheckProject(p, Codes()).empty());
  p.confidential.owner.clear();
  const auto problems = CheckProject(p, Codes());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("need an owner"), std::string::npos);
  p = WithUsTerms("x");
  p.confidential.notes = "bad\tnote Zephyr";
  for (const auto& m : CheckProject(p, Codes())) EXPECT_EQ(m.find("Zephyr"), std::string::npos) << m;
}

TEST(Confidential, RedactShowsTheOwnerAndTheLocalUserEverythingOthersNothing) {
  const auto p = WithUsTerms("x");
  EXPECT_EQ(Redact(p, Viewer::Local()), p);
  EXPECT_EQ(Redact(p, Viewer::Partner("USA")), p);
  for (const auto& v : {Viewer::Partner("JPN"), Viewer::Partner("")}) {
    const auto r = Redact(p, v);
    EXPECT_EQ(r.confidential.owner, "USA");
    EXPECT_TRUE(r.confidential.withheld);
    EXPECT_EQ(r.confidential.committed_musd.status, model::ValueStatus::Withheld);
    EXPECT_FALSE(r.confidential.committed_musd.HasNumber());
    EXPECT_FALSE(r.confidential.rate_pct.HasNumber());
    EXPECT_FALSE(r.confidential.tenor_years.HasNumber());
    EXPECT_TRUE(r.confidential.instrument.empty());
    EXPECT_TRUE(r.confidential.offtake.empty());
    EXPECT_TRUE(r.confidential.notes.empty());
    // The rest of the project is untouched.
    auto rest = r;
    rest.confidential = p.confidential;
    EXPECT_EQ(rest, p);
  }
  // No terms: nothing withheld for anyone.
  const auto plain = MakeProject("y");
  EXPECT_EQ(Redact(plain, Viewer::Partner("JPN")), plain);
}

TEST(Confidential, HistoryOfConfidentialFieldsReadsConfidentialForOthers) {
  auto s = store::SqliteProjectStore::Open(TempDb("confidential_history"));
  Registry reg(*s, Codes());
  reg.Add(WithUsTerms("secret"), "us-analyst");
  EXPECT_EQ(reg.Edit("secret", {{"partner_notes", "Zephyr revised"}, {"capacity_t", "1500"}}, "us-analyst"), 2u);
  const auto all = reg.History("secret");
  // Every confidential field is audited like any other.
  std::size_t confidential_rows = 0;
  for (const auto& e : all) confidential_rows += e.field && IsConfidentialValue(*e.field);
  EXPECT_EQ(confidential_rows, 6u + 1u);  // six values at insert, one edit
  EXPECT_EQ(RedactHistory(all, "USA", Viewer::Partner("USA")).size(), all.size());
  const auto seen = RedactHistory(all, "USA", Viewer::Partner("JPN"));
  ASSERT_EQ(seen.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(seen[i].actor, all[i].actor);
    EXPECT_EQ(seen[i].field, all[i].field);
    if (all[i].field && IsConfidentialValue(*all[i].field)) {
      EXPECT_EQ(seen[i].new_value, std::optional<std::string>(std::string(kConfidentialText)));
      EXPECT_EQ(seen[i].old_value.has_value(), all[i].old_value.has_value());
      if (seen[i].old_value) EXPECT_EQ(*seen[i].old_value, kConfidentialText);
    } else {
      EXPECT_EQ(seen[i].new_value, all[i].new_value);
      EXPECT_EQ(seen[i].old_value, all[i].old_value);
    }
    for (const auto& v : {seen[i].old_value, seen[i].new_value}) {
      if (v) EXPECT_EQ(v->find("Zephyr"), std::string::npos);
    }
  }
  // The owner itself is not secret.
  bool owner_row = false;
  for (const auto& e : seen) owner_row = owner_row || (e.field == "confidential_owner" && e.new_value == "USA");
  EXPECT_TRUE(owner_row);
}

TEST(Confidential, EditRefusesTermsWithoutAnOwnerAndImportKeepsStoredTerms) {
  auto s = store::SqliteProjectStore::Open(TempDb("confidential_import"));
  Registry reg(*s, Codes());
  reg.Add(WithUsTerms("secret"), "us-analyst");
  EXPECT_EQ(KindOf([&] { reg.Edit("secret", "confidential_owner", "", "us-analyst"); }), ErrorKind::InvalidData);
  EXPECT_EQ(KindOf([&] { reg.Edit(MakeProject("plain").id, "offtake", "JPN:0.5", "x"); }), ErrorKind::NotFound);
  reg.Add(MakeProject("plain"), "x");
  EXPECT_EQ(KindOf([&] { reg.Edit("plain", "offtake", "JPN:0.5", "x"); }), ErrorKind::InvalidData);
  EXPECT_EQ(reg.Edit("plain", {{"confidential_owner", "JPN"}, {"offtake", "JPN:0.5"}}, "x"), 2u);
  // A re-import of the published row (no confidential terms) changes nothing else.
  auto published = MakeProject("secret");
  auto summary = reg.Import({published}, "importer");
  EXPECT_EQ(summary.unchanged, 1u);
  EXPECT_EQ(reg.Get("secret")->confidential, WithUsTerms("secret").confidential);
  published.capacity_t = model::Value::Of(2000);
  summary = reg.Import({published}, "importer");
  EXPECT_EQ(summary.updated, 1u);
  EXPECT_EQ(summary.fields_changed, 1u);
  EXPECT_EQ(reg.Get("secret")->confidential, WithUsTerms("secret").confidential);
}
