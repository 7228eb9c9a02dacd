# End-to-end test of `lodestone projects` and `lodestone db` on PostgreSQL, run by ctest with the
# fixture pg_cluster_start (a private server; PG_URL_FILE holds the URL of an empty database):
#   cmake -DLODESTONE=... -DSOURCE_DIR=... -DWORK_DIR=... -DPG_URL_FILE=... -P cli_projects_postgres.cmake
# The registry is created by `db migrate`, filled by an import, edited, copied to a SQLite file
# and back, and every view of it is the same bytes on both backends.

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/e2e_common.cmake)
if(NOT EXISTS "${PG_URL_FILE}")
  message(FATAL_ERROR "no PostgreSQL URL in ${PG_URL_FILE}: the fixture pg_cluster_start did not run or failed")
endif()
file(STRINGS "${PG_URL_FILE}" PG LIMIT_COUNT 1)
set(LITE "${WORK_DIR}/copy.db")
set(ENV{LODESTONE_ACTOR} "e2e")

run(0 ${LODESTONE} db migrate --db ${PG})
expect_contains("${OUT}" "(postgresql) is at schema version 3; 0 project(s)")
run(0 ${LODESTONE} db migrate --db ${PG} --format json)
expect_contains("${OUT}" "\"schema_version\": 3")

run(0 ${LODESTONE} projects import ${SOURCE_DIR}/data/projects/projects.csv
    --stack ${SOURCE_DIR}/data/projects/capital_stack.csv --db ${PG})
expect_contains("${OUT}" "81 new, 0 updated, 0 unchanged")
run(0 ${LODESTONE} projects list --mineral gallium --db ${PG})
expect_contains("${OUT}" "alcoa_wagerup_gallium")
expect_contains("${OUT}" "4 project(s)")
run(0 ${LODESTONE} projects edit thacker_pass --set status=paused --set esg_score=0.6 --reason "e2e check" --db ${PG})
expect_contains("${OUT}" "2 field change(s) logged")
run(0 ${LODESTONE} projects history thacker_pass --format csv --db ${PG})
expect_contains("${OUT}" "e2e,update,status,active,paused,e2e check")
set(PG_HISTORY "${OUT}")
run(0 ${LODESTONE} projects list --format csv --db ${PG})
set(PG_LIST "${OUT}")
run(0 ${LODESTONE} projects show thacker_pass --format json --db ${PG})
set(PG_SHOW "${OUT}")
run(5 ${LODESTONE} projects add --id thacker_pass --name X --mineral lithium --stage mining --country USA
    --development-stage announced --db ${PG})
expect_contains("${ERR}" "already exists")

# To a SQLite file: the same projects and history, byte for byte.
run(0 ${LODESTONE} db copy --from ${PG} --to sqlite:${LITE})
expect_contains("${OUT}" "copied 81 project(s)")
run(0 ${LODESTONE} projects history thacker_pass --format csv --db sqlite:${LITE})
if(NOT OUT STREQUAL PG_HISTORY)
  message(FATAL_ERROR "history differs after the copy:\n${OUT}\nvs\n${PG_HISTORY}")
endif()
run(0 ${LODESTONE} projects list --format csv --db ${LITE})
if(NOT OUT STREQUAL PG_LIST)
  message(FATAL_ERROR "projects differ after the copy")
endif()
run(0 ${LODESTONE} projects show thacker_pass --format json --db ${LITE})
if(NOT OUT STREQUAL PG_SHOW)
  message(FATAL_ERROR "project differs after the copy:\n${OUT}\nvs\n${PG_SHOW}")
endif()

# A non-empty target is refused unless --force; a missing source is not created.
run(5 ${LODESTONE} db copy --from sqlite:${LITE} --to ${PG})
expect_contains("${ERR}" "is not empty (81 projects")
run(0 ${LODESTONE} db copy --from sqlite:${LITE} --to ${PG} --force)
run(4 ${LODESTONE} db copy --from ${WORK_DIR}/absent.db --to ${PG})
if(EXISTS "${WORK_DIR}/absent.db")
  message(FATAL_ERROR "db copy created its missing source")
endif()

# $LODESTONE_DB may be a URL too.
set(ENV{LODESTONE_DB} "${PG}")
run(0 ${LODESTONE} projects list --country AUS)
expect_contains("${OUT}" "project(s) in postgresql://")
unset(ENV{LODESTONE_DB})

# Bad URLs: a clear message and the exit code of their kind.
run(6 ${LODESTONE} projects list --db "postgresql://ana:s3cret@/x?host=/nonexistent_dir&port=1")
expect_contains("${ERR}" "cannot connect to PostgreSQL")
expect_absent("${ERR}" "s3cret")
run(2 ${LODESTONE} projects list --db mysql://host/db)
expect_contains("${ERR}" "unknown database scheme 'mysql'")
