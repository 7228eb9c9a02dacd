# End-to-end test of `lodestone portfolio optimise` and `lodestone projects evaluate`, run by ctest:
#   cmake -DLODESTONE=... -DSOURCE_DIR=... -DWORK_DIR=... -P cli_portfolio.cmake
# Drives the real program on the shipped project CSVs with a small scenario sample: JSON that
# parses, identical bytes for the same seed, an impossible request, budgets of zero, a database.

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(E2E_CWD ${WORK_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/e2e_common.cmake)
unset(ENV{LODESTONE_DB})
set(P ${SOURCE_DIR}/data/projects/projects.csv)
set(S ${SOURCE_DIR}/data/projects/capital_stack.csv)

run(0 ${LODESTONE} portfolio optimise --help)
expect_contains("${OUT}" "--budget-us")
expect_contains("${OUT}" "--later-budget-jp")
run(0 ${LODESTONE} projects evaluate --help)
expect_contains("${OUT}" "--runs")

# Optimise on the shipped CSVs; the JSON parses and has the chosen projects and the minerals.
set(OPT ${LODESTONE} portfolio optimise --budget-us 1000 --budget-jp 500 --runs 300 --seed 7 --projects ${P} --stack ${S})
run(0 ${OPT} --format json)
set(JSON1 "${OUT}")
expect_contains("${ERR}" "projects: 47 from")
string(JSON nchosen LENGTH "${JSON1}" chosen)
if(nchosen LESS 1)
  message(FATAL_ERROR "no project chosen with budgets 1000 + 500:\n${JSON1}")
endif()
string(JSON first_id GET "${JSON1}" chosen 0 id)
string(JSON nminerals LENGTH "${JSON1}" minerals)
if(nminerals LESS 1)
  message(FATAL_ERROR "no minerals in the answer:\n${JSON1}")
endif()
string(JSON before GET "${JSON1}" objective before)
string(JSON simulated GET "${JSON1}" objective after_simulated)
if(NOT simulated LESS before)
  message(FATAL_ERROR "the re-check does not reduce the shortfall: ${simulated} >= ${before}")
endif()
string(JSON method GET "${JSON1}" method)
message(STATUS "chosen ${nchosen} (first ${first_id}) by ${method}; weighted shortfall ${before} -> ${simulated}")

# Same seed -> same bytes.
run(0 ${OPT} --format json)
if(NOT OUT STREQUAL JSON1)
  message(FATAL_ERROR "two runs with the same seed differ")
endif()

# Table and CSV.
run(0 ${OPT})
expect_contains("${OUT}" "Chosen projects")
expect_contains("${OUT}" "after (simulator)")
expect_contains("${OUT}" "Assumptions:")
run(0 ${OPT} --format csv)
expect_contains("${OUT}" "id,mineral,country,tranche,closing_date,capex_musd,us_public_musd")

# An impossible request exits non-zero with a clear message.
run_fails(${OPT} --min-private 1.5)
expect_contains("${ERR}" "--min-private: Value 1.5 not in range")
run(3 ${OPT} --partners USA,XXX)
expect_contains("${ERR}" "partner 'XXX' is not a consumer of the network")
run(3 ${OPT} --method simplex)
expect_contains("${ERR}" "--method 'simplex'")

# Budgets of zero: an empty portfolio and why.
run(0 ${LODESTONE} portfolio optimise --budget-us 0 --budget-jp 0 --runs 200 --projects ${P} --stack ${S} --format json)
string(JSON nchosen LENGTH "${OUT}" chosen)
if(NOT nchosen EQUAL 0)
  message(FATAL_ERROR "budgets of zero chose ${nchosen} projects")
endif()
string(JSON why GET "${OUT}" explanations 0)
expect_contains("${why}" "budget")

# One project's evaluation, from a database.
set(DB ${WORK_DIR}/registry.db)
run(0 ${LODESTONE} projects import ${P} --stack ${S} --db ${DB} --actor e2e)
run(0 ${LODESTONE} projects evaluate lynas_kalgoorlie --runs 300 --db ${DB})
expect_contains("${ERR}" "from the database")
expect_contains("${OUT}" "expected partner shortfall")
expect_contains("${OUT}" "CRMA 65% single-country benchmark")
run(0 ${LODESTONE} projects evaluate lynas_kalgoorlie --runs 300 --db ${DB} --format json)
string(JSON relief GET "${OUT}" partner_shortfall expected_relief_t)
string(JSON top GET "${OUT}" concentration top_before)
if(NOT top STREQUAL "CHN")
  message(FATAL_ERROR "expected China as the top refiner of rare earths, got ${top}")
endif()
run(0 ${LODESTONE} projects evaluate usar_round_top --runs 50 --db ${DB})
expect_contains("${OUT}" "not evaluable: capacity")
run(3 ${LODESTONE} projects evaluate no_such_project --runs 50 --db ${DB})
expect_contains("${ERR}" "no project 'no_such_project'")
