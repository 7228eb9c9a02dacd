#!/usr/bin/env bash
# Writes the seed corpus of every harness into fuzz/corpus/<harness>/ from the project's own
# files: small excerpts (a few lines) of the shipped sources/ and data/ tables, the test fixtures
# and the shipped scenarios. Harnesses that drive several files (dataset, projects, outlook,
# sim_inputs) read a selector byte first: the seed is that byte followed by the file (see the
# harness sources). Safe to run again: it rewrites the seeds it owns.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus

seed() {  # seed HARNESS NAME < content
  mkdir -p "$out/$1"
  cat >"$out/$1/$2"
}
selector() {  # selector N: the byte N
  printf "\\x$(printf %02x "$1")"
}
excerpt() {  # excerpt FILE FIRST LAST: the header and lines FIRST..LAST
  head -n 1 "$1"
  sed -n "$2,$3p" "$1"
}

# The CSV layer: the fixtures' tables as they are.
for f in tests/data/mini/production.csv tests/data/mini/shares.csv tests/data/eu_crm/fixture_global_supply.csv; do
  seed fuzz_csv "$(basename "$f")" <"$f"
done

# Importers: excerpts of the published files kept in ../shared/data (rows the reference maps).
published="${LODESTONE_PUBLISHED:-../shared/data}"  # the raw published files, read where they are kept
usgs="$published/usgs_mcs2026/raw/MCS2026_Commodities_Data.csv"
excerpt "$usgs" 2 4 | seed fuzz_import_usgs_mcs head.csv
lith=$(grep -a -m 1 -n '^LITHIUM,World Mine Production' "$usgs" | cut -d: -f1)
excerpt "$usgs" "$lith" $((lith + 12)) | seed fuzz_import_usgs_mcs lithium.csv
cob=$(grep -a -m 1 -n '^COBALT,World Mine Production' "$usgs" | cut -d: -f1)
excerpt "$usgs" "$cob" $((cob + 12)) | seed fuzz_import_usgs_mcs cobalt.csv

excerpt "$published/wgi/raw/wgi_2023_official_format_semicolon.csv" 2 13 | seed fuzz_import_wgi official.csv
excerpt "$published/wgi/raw/wgi_databank_export_2009_2023_CC_GE_PV_RQ_VA.csv" 2 11 | seed fuzz_import_wgi databank.csv

glob="$published/eu_crm_2023/eu_crm_2023_annex7_global_supply_shares_t.csv"
grep -a -m 16 -e '^Material' -e '^Lithium,' -e '^Cobalt,' "$glob" | seed fuzz_import_eu_annex7 global.csv
seed fuzz_import_eu_annex7 fixture_global.csv <tests/data/eu_crm/fixture_global_supply.csv

seed fuzz_import_baci sample.csv <tests/data/baci/BACI_HS22_Y2022_V202401b_sample.csv

excerpt sources/curated/msp_membership.csv 2 9 | seed fuzz_import_msp msp.csv
seed fuzz_import_us_agreements agreements.csv <sources/curated/us_critical_mineral_agreements.csv
excerpt sources/curated/processing_shares.csv 2 9 | seed fuzz_import_processing_headlines shares.csv
excerpt sources/curated/export_restrictions.csv 2 7 | seed fuzz_import_export_restrictions restrictions.csv
excerpt sources/curated/japan_import_sources.csv 2 9 | seed fuzz_import_japan_import_sources jpn.csv
excerpt sources/curated/japan_import_reliance.csv 2 9 | seed fuzz_import_japan_import_reliance jpn.csv
excerpt sources/curated/refining_shares.csv 2 9 | seed fuzz_import_refining_shares shares.csv

# The dataset loader: every file of tests/data/mini, behind its selector (files in name order).
i=0
for f in $(ls tests/data/mini | LC_ALL=C sort); do
  { selector $i; cat "tests/data/mini/$f"; } | seed fuzz_dataset "$f"
  i=$((i + 1))
done

# Scenario and register JSON: the shipped files.
for f in scenarios/*.json; do
  case "$(basename "$f")" in
    register.json) seed fuzz_register register.json <"$f" ;;
    *) seed fuzz_scenario "$(basename "$f")" <"$f" ;;
  esac
done

# Projects: excerpts of the shipped sample (selector 0: projects.csv, 1: capital_stack.csv).
{ selector 0; excerpt data/projects/projects.csv 2 6; } | seed fuzz_projects projects.csv
{ selector 1; excerpt data/projects/capital_stack.csv 2 8; } | seed fuzz_projects capital_stack.csv
{ selector 0; cat tests/outlook/projects_fixture.csv; } | seed fuzz_projects outlook_fixture.csv

# The outlook's and the simulator's tables, behind their selectors (CSV files in name order).
for dir in outlook sim; do
  harness=fuzz_outlook
  [ "$dir" = sim ] && harness=fuzz_sim_inputs
  i=0
  for f in $(cd "data/$dir" && ls -- *.csv | LC_ALL=C sort); do
    { selector $i; head -n 40 "data/$dir/$f"; } | seed "$harness" "$f"
    i=$((i + 1))
  done
done
echo "make_corpus: $(find "$out" -type f | wc -l) seeds in $out"

# The server's request bodies (fuzz_http_body): selector 0 adds a project, 1 edits one, 2 posts a
# scenario, 3 asks for an evaluation.
{ selector 0; printf '%s' '{"project": {"id": "seed_mine", "name": "Seed mine", "mineral": "lithium", "stage": "mining", "country": "AUS", "capacity_t": "1000", "source": "usgs_mcs2026"}, "reason": "seed"}'; } | seed fuzz_http_body add_project.json
{ selector 1; printf '%s' '{"changes": {"capacity_t": "120", "status": "paused"}, "reason": "seed"}'; } | seed fuzz_http_body edit_project.json
{ selector 2; cat scenarios/drc-cobalt-outage.json; } | seed fuzz_http_body scenario.json
{ selector 3; printf '%s' '{"runs": 10, "seed": 3, "partners": "USA,JPN", "as_of": "2025-10-28"}'; } | seed fuzz_http_body evaluate.json
