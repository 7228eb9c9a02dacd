# End-to-end test of `lodestone risk` on the shipped dataset: one verdict line per mineral by
# default, the long table behind --details, and the ESG screen in both.
#   cmake -DLODESTONE=... -DSOURCE_DIR=... -DWORK_DIR=... -P cli_risk.cmake

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(E2E_CWD ${WORK_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/e2e_common.cmake)
set(DS ${SOURCE_DIR}/data/starter)

# Default: verdict lines in words, no long table.
run(0 ${LODESTONE} risk --dataset ${DS} --mineral cobalt,nickel)
expect_contains("${OUT}" "- cobalt: ")
expect_contains("${OUT}" "is the bottleneck")
expect_contains("${OUT}" "the EU's 65% single-country benchmark")
expect_contains("${OUT}" "ESG screen")
expect_contains("${OUT}" "lodestone risk --details")
if(OUT MATCHES "hhi_wgi_t_global")
  message(FATAL_ERROR "the default view should not print the long table:\n${OUT}")
endif()

# --details: the verdicts, then every method's row.
run(0 ${LODESTONE} risk --dataset ${DS} --mineral cobalt --details)
expect_contains("${OUT}" "- cobalt: ")
expect_contains("${OUT}" "hhi_wgi_t_global")
expect_contains("${OUT}" "esg_screen")

# JSON carries the verdicts with their parts.
run(0 ${LODESTONE} risk --dataset ${DS} --mineral cobalt --format json)
string(JSON stage GET "${OUT}" verdicts 0 bottleneck_stage)
string(JSON line GET "${OUT}" verdicts 0 line)
string(JSON geo GET "${OUT}" verdicts 0 geopolrisk)
expect_contains("${line}" "cobalt: ${stage} is the bottleneck")
if(geo STREQUAL "")
  message(FATAL_ERROR "the verdict should say what GeoPolRisk is or why it is missing: ${OUT}")
endif()
