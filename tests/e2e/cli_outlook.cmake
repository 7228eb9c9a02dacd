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
expect_contains("${OUT}" "li_aus_build (AUS, construction, p=0.85, from 2028)")
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
run(1 ${LODESTONE} outlook antimony)
expect_contains("${ERR}" "no demand scenario for antimony")
run(1 ${LODESTONE} outlook lithium --scenario aps)
expect_contains("${ERR}" "scenarios for lithium: steps, sds-2021, wb-2020")
run(1 ${LODESTONE} outlook lithium --projects ${SOURCE_DIR}/tests/outlook/bad_projects.csv)
expect_contains("${ERR}" "bad_projects.csv:3:4: error: stage 'smelting'")

# Dossiers: one mineral, then all with an index; no external resource in any page.
run(0 ${LODESTONE} report cobalt --out ${WORK_DIR}/one --runs 100 --sim-runs 2000 --projects ${FIXTURE})
expect_contains("${OUT}" "cobalt.html")
file(READ ${WORK_DIR}/one/cobalt.html html)
expect_contains("${html}" "<h2>Supply picture by stage</h2>")
expect_contains("${html}" "drc-cobalt-outage")
expect_contains("${html}" "lodestone-register-2025")
expect_contains("${html}" "<svg ")
expect_absent("${html}" "src=")
expect_absent("${html}" "href=")
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
run(1 ${LODESTONE} report)
expect_contains("${ERR}" "give one MINERAL or --all")
