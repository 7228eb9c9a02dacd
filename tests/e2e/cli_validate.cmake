# End-to-end test of `lodestone validate episodes`, run by ctest:
#   cmake -DLODESTONE=... -DSOURCE_DIR=... -DWORK_DIR=... -P cli_validate.cmake
# The shipped episodes in every format, and the exit codes of a missing directory and a bad file.

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/e2e_common.cmake)

run(0 ${LODESTONE} validate episodes)
expect_contains("${OUT}" "cn-2025-04-ree-licences")
expect_contains("${OUT}" "Error = model - observed")
run(0 ${LODESTONE} validate episodes --format markdown)
expect_contains("${OUT}" "| episode | figure | period | observed (%) | model (%) | error (pp) | role |")
run(0 ${LODESTONE} validate episodes --format json)
expect_contains("${OUT}" "\"method\": \"lodestone-backtest/1\"")

# A missing directory: not found (4).
run(4 ${LODESTONE} validate episodes --dir "${WORK_DIR}/none")
expect_contains("${ERR}" "episode directory")

# A file that does not follow the format: invalid data (3), with file, line and column.
file(WRITE "${WORK_DIR}/bad/e.json" "{\n  \"format\": \"lodestone-episode/2\"\n}\n")
run(3 ${LODESTONE} validate episodes --dir "${WORK_DIR}/bad")
expect_contains("${ERR}" "e.json:2:13: error: /format: expected \"lodestone-episode/1\"")
