# End-to-end test of `lodestone outlook` and `lodestone report`, run by ctest:
#   cmake -DLODESTONE=... -DSOURCE_DIR=... -DWORK_DIR=... -P cli_outlook.cmake

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/e2e_common.cmake)
set(FIXTURE ${SOURCE_DIR}/tests/outlook/projects_fixture.csv)

run(0 ${LODESTONE} outlook --help)
expect_contains("${OUT}" "--scenario")
expect_contains("${OUT}" "--chart")

# The table for people, with the gap's first years.
run(0 ${LODESTONE} outlook lithium --scenario sds-2021 --runs 200 --projects ${FIXTURE})
expect_contains("${OUT}" "secure_gap_pct")
expect_contains("${OUT}" "World gap opens:")
expect_contains("${OUT}" "li_aus_build: inside the base case's announced pipeline (expected start 2028 in or before 2035)")
expect_contains("${OUT}" "not counted: li_cancelled: cancelled")

# CSV: the same seed gives the same bytes; another seed does not.
run(0 ${LODESTONE} outlook lithium --scenario sds-2021 --runs 300 --seed 5 --format csv --projects ${FIXTURE})
set(first "${OUT}")
expect_contains("${first}" "year,demand_t,supply_t,gap_t,gap_pct,gap_p5,gap_p50,gap_p95,partner_demand_t,secure_supply_t,secure_gap_t,secure_gap_pct")
string(REGEX MATCHALL "\n20[0-9][0-9]," years "${first}")
list(LENGTH years n)
if(NOT n EQUAL 26)
  message(FATAL_ERROR "expected 26 years (2025-2050), got ${n}")
endif()
run(0 ${LODESTONE} outlook lithium --scenario sds-2021 --runs 300 --seed 5 --format csv --projects ${FIXTURE})
if(NOT first STREQUAL OUT)
  message(FATAL_ERROR "same seed, different output")
endif()
run(0 ${LODESTONE} outlook lithium --scenario sds-2021 --runs 300 --seed 6 --format csv --projects ${FIXTURE})
if(first STREQUAL OUT)
  message(FATAL_ERROR "different seeds gave the same band")
endif()

# JSON and the chart.
run(0 ${LODESTONE} outlook graphite --scenario wb-2020 --runs 100 --format json --projects ${FIXTURE}
    --chart ${WORK_DIR}/graphite.svg)
expect_contains("${OUT}" "\"scenario\": \"wb-2020\"")
expect_contains("${OUT}" "\"first_gap_p50\":")
expect_contains("${OUT}" "\"id\": \"wb_2020_hund\"")
file(READ ${WORK_DIR}/graphite.svg svg)
expect_contains("${svg}" "<svg xmlns=")
expect_contains("${svg}" "data-name=\"World demand (scenario path)\"")
expect_contains("${svg}" "<polygon class=\"band\"")
expect_contains("${svg}" " per year</text>")

# Errors: one clear message, non-zero exit.
run(3 ${LODESTONE} outlook antimony)
expect_contains("${ERR}" "no demand scenario for antimony")
run(2 ${LODESTONE} outlook lithium --scenario aps)
expect_contains("${ERR}" "scenarios for lithium: steps, sds-2021, wb-2020")
run(3 ${LODESTONE} outlook lithium --projects ${SOURCE_DIR}/tests/outlook/bad_projects.csv)
expect_contains("${ERR}" "bad_projects.csv:3:4: error: stage 'smelting'")

# The refining stage: lithium's refining shares applied to world mine production, refining-stage
# projects of the shipped registry counted (Thacker Pass), mining projects not.
run(0 ${LODESTONE} outlook lithium --scenario steps --stage refining --runs 100)
expect_contains("${OUT}" "refining stage; quantities in t Li per year")
expect_contains("${OUT}" "Base-year refining output by producer (t Li): CHN 203,000, XOT 87,000")
expect_contains("${OUT}" "global refining shares of 2024")
expect_contains("${OUT}" "thacker_pass (USA, construction")
expect_contains("${OUT}" "refined content is assumed equal to mine content")
expect_contains("${OUT}" "recycling projects are inside the secondary-supply share")
expect_absent("${OUT}" "not counted: thacker_pass")
expect_absent("${OUT}" "not counted: rhyolite_ridge")
run(0 ${LODESTONE} outlook lithium --scenario steps --runs 100)
expect_contains("${OUT}" "mining stage; quantities in t Li per year")
expect_contains("${OUT}" "not counted: thacker_pass: refining stage (the outlook compares mining supply)")
run(0 ${LODESTONE} outlook lithium --stage refining --runs 50 --format json)
expect_contains("${OUT}" "\"stage\": \"refining\"")
expect_contains("${OUT}" "\"base_output\"")
run(2 ${LODESTONE} outlook lithium --stage smelting)
expect_contains("${ERR}" "stage 'smelting': expected mining or refining")

# A pattern that must not match (e.g. a link that is not an in-page anchor).
function(expect_no_match text pattern)
  string(REGEX MATCH "${pattern}" found "${text}")
  if(found)
    message(FATAL_ERROR "unexpected match of ${pattern}: ${found}")
  endif()
endfunction()

# The lithium dossier shows the refining stage too, with its own chart.
run(0 ${LODESTONE} report lithium --out ${WORK_DIR}/li --runs 50 --sim-runs 1000)
file(READ ${WORK_DIR}/li/lithium.html li_html)
expect_contains("${li_html}" "Refining stage: steps scenario")
expect_contains("${li_html}" "Thacker Pass lithium project (Phase 1) (thacker_pass)")
expect_no_match("${li_html}" "href=\"[^#]")  # in-page glossary anchors only
expect_absent("${li_html}" "src=")
if(NOT EXISTS ${WORK_DIR}/li/lithium_outlook_refining.svg)
  message(FATAL_ERROR "lithium_outlook_refining.svg not written")
endif()

# Dossiers: one mineral, then all with an index; no external resource in any page.
run(0 ${LODESTONE} report cobalt --out ${WORK_DIR}/one --runs 100 --sim-runs 2000 --projects ${FIXTURE})
expect_contains("${OUT}" "cobalt.html")
file(READ ${WORK_DIR}/one/cobalt.html html)
expect_contains("${html}" "<h2>Supply picture by stage</h2>")
expect_contains("${html}" "drc-cobalt-outage")
expect_contains("${html}" "lodestone-register-2025")
expect_contains("${html}" "<svg ")
expect_absent("${html}" "src=")
expect_no_match("${html}" "href=\"[^#]")  # in-page glossary anchors only
expect_absent("${html}" "<script")
expect_absent("${html}" "@import")
if(NOT EXISTS ${WORK_DIR}/one/cobalt.md OR NOT EXISTS ${WORK_DIR}/one/cobalt_outlook.svg)
  message(FATAL_ERROR "cobalt.md or cobalt_outlook.svg not written")
endif()
run(0 ${LODESTONE} report --all --out ${WORK_DIR}/all --runs 50 --sim-runs 1000 --projects ${FIXTURE})
expect_contains("${OUT}" "index.html (17 dossiers)")
file(READ ${WORK_DIR}/all/index.html index)
expect_contains("${index}" "href=\"lithium.html\"")
expect_absent("${index}" "http")
run(2 ${LODESTONE} report)
expect_contains("${ERR}" "give one mineral or all minerals")
