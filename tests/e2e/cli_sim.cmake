# End-to-end test of `lodestone simulate`, run by ctest:
#   cmake -DLODESTONE=... -DSOURCE_DIR=... -DWORK_DIR=... -P cli_sim.cmake
# Runs the real program: the default run, JSON mass balance, Monte Carlo bytes with 1 and 2
# threads, and clear errors for bad input.

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/e2e_common.cmake)

run(0 ${LODESTONE} simulate --help)
expect_contains("${OUT}" "--register")

# Default: the October 2025 controls, as announced and widened, for the US and Japan.
run(0 ${LODESTONE} simulate)
expect_contains("${OUT}" "Scenario cn-2025-10-ree-controls")
expect_contains("${OUT}" "Scenario cn-2025-10-widened-ga-ge-graphite")
expect_contains("${OUT}" "rare_earths  USA")
expect_contains("${OUT}" "gallium      JPN")
expect_contains("${OUT}" "How the baseline was built")

# JSON: every row balances (delivered + stock drawn + shortfall = demand) and the shocked
# consumers are short.
run(0 ${LODESTONE} simulate --scenario ${SOURCE_DIR}/scenarios/drc-cobalt-outage.json --format json)
string(JSON n LENGTH "${OUT}" rows)
if(n LESS 20)
  message(FATAL_ERROR "expected rows for every consumer and sector, got ${n}")
endif()
math(EXPR last "${n} - 1")
set(short_total 0)
foreach(i RANGE ${last})
  string(JSON d GET "${OUT}" rows ${i} demand_t)
  string(JSON x GET "${OUT}" rows ${i} delivered_t)
  string(JSON s GET "${OUT}" rows ${i} stock_drawn_t)
  string(JSON f GET "${OUT}" rows ${i} shortfall_t)
  string(JSON sector GET "${OUT}" rows ${i} sector)
  # CMake has no floating point: compare to the tonne after scaling by 1000 in integers.
  foreach(v d x s f)
    string(REGEX REPLACE "e.*" "" ${v} "${${v}}")
    string(REGEX MATCH "^[0-9]+" ${v}_int "${${v}}")
  endforeach()
  math(EXPR gap "${d_int} - ${x_int} - ${s_int} - ${f_int}")
  if(gap GREATER 2 OR gap LESS -2)
    message(FATAL_ERROR "row ${i} does not balance: demand ${d}, delivered ${x}, stock ${s}, shortfall ${f}")
  endif()
  if(sector STREQUAL "total")
    math(EXPR short_total "${short_total} + ${f_int}")
  endif()
endforeach()
if(short_total LESS 1000)
  message(FATAL_ERROR "a DR Congo cobalt outage left no shortfall")
endif()

# Monte Carlo: the same bytes with 1 and 2 threads for a seed; another seed differs.
run(0 ${LODESTONE} simulate --register ${SOURCE_DIR}/scenarios/register.json --runs 20000 --seed 5 --threads 1 --format csv)
set(one "${OUT}")
run(0 ${LODESTONE} simulate --register ${SOURCE_DIR}/scenarios/register.json --runs 20000 --seed 5 --threads 2 --format csv)
if(NOT one STREQUAL OUT)
  message(FATAL_ERROR "Monte Carlo output differs between 1 and 2 threads")
endif()
expect_contains("${one}" "shortfall_p95_t")
run(0 ${LODESTONE} simulate --register ${SOURCE_DIR}/scenarios/register.json --runs 20000 --seed 6 --threads 2 --format csv)
if(one STREQUAL OUT)
  message(FATAL_ERROR "another seed gave the same output")
endif()
run(0 ${LODESTONE} simulate --register ${SOURCE_DIR}/scenarios/register.json --runs 2000 --format json)
expect_contains("${OUT}" "\"cvar95\"")

# Bad input: one clear message with file, line and column, exit 1.
file(WRITE ${WORK_DIR}/bad.json "{\"format\": \"lodestone-scenario/1\", \"id\": \"b\", \"title\": \"t\", \"year\": 2025,\n \"shocks\": [{\"kind\": \"outage\", \"country\": \"COD\", \"stage\": \"smelting\", \"minerals\": [\"cobalt\"], \"fraction\": 0.5, \"months\": 3, \"source\": \"s\"}]}\n")
run(3 ${LODESTONE} simulate --scenario ${WORK_DIR}/bad.json)
expect_contains("${ERR}" "bad.json:2:")
expect_contains("${ERR}" "unknown stage 'smelting'")
run(3 ${LODESTONE} simulate --scenario ${WORK_DIR}/missing.json)
run(3 ${LODESTONE} simulate --scenario ${SOURCE_DIR}/scenarios/malacca-closure.json --register ${SOURCE_DIR}/scenarios/register.json)
expect_contains("${ERR}" "either --scenario or --register")
run(3 ${LODESTONE} simulate --sector-rule alphabetical)
expect_contains("${ERR}" "pro-rata or defence-first")
