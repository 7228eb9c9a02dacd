# End-to-end test of `lodestone projects`, run by ctest:
#   cmake -DLODESTONE=... -DSOURCE_DIR=... -DWORK_DIR=... -P cli_projects.cmake
# Drives the real program on a fresh database: import, list, show, edit, history, a failed import.

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/e2e_common.cmake)
set(DB "${WORK_DIR}/registry.db")
set(ENV{LODESTONE_ACTOR} "e2e")

run(0 ${LODESTONE} projects --help)
expect_contains("${OUT}" "history")

# A new database says how to import the shipped sample.
run(0 ${LODESTONE} projects list --db ${DB})
expect_contains("${OUT}" "lodestone projects import data/projects/projects.csv --stack data/projects/capital_stack.csv")

run(0 ${LODESTONE} projects import ${SOURCE_DIR}/data/projects/projects.csv
    --stack ${SOURCE_DIR}/data/projects/capital_stack.csv --db ${DB})
expect_contains("${OUT}" "81 new, 0 updated, 0 unchanged")

run(0 ${LODESTONE} projects list --mineral gallium --db ${DB})
expect_contains("${OUT}" "alcoa_wagerup_gallium")
expect_contains("${OUT}" "4 project(s)")
run(0 ${LODESTONE} projects list --country JPN --db ${DB})
expect_contains("${OUT}" "No project matches")

run(0 ${LODESTONE} projects show syrah_balama --db ${DB})
expect_contains("${OUT}" "us_public")
expect_contains("${OUT}" "150.0")
run(0 ${LODESTONE} projects show thacker_pass --format json --db ${DB})
expect_contains("${OUT}" "\"capacity_t\": 7512")

run(0 ${LODESTONE} projects edit thacker_pass --set status=paused --set esg_score=0.6 --reason "e2e check" --db ${DB})
expect_contains("${OUT}" "2 field change(s) logged")
run(0 ${LODESTONE} projects history thacker_pass --format csv --db ${DB})
expect_contains("${OUT}" "e2e,update,status,active,paused,e2e check")
expect_contains("${OUT}" "e2e,update,esg_score,NA,0.6,e2e check")

run(3 ${LODESTONE} projects edit thacker_pass --set country=XXX --db ${DB})
expect_contains("${ERR}" "country 'XXX': unknown country code")
run(4 ${LODESTONE} projects show no_such_project --db ${DB})
expect_contains("${ERR}" "no project 'no_such_project'")
run(4 ${LODESTONE} projects edit no_such_project --set status=paused --db ${DB})
expect_contains("${ERR}" "no project 'no_such_project'")
run(4 ${LODESTONE} projects history no_such_project --db ${DB})
run(2 ${LODESTONE} projects edit thacker_pass --set status --db ${DB})
expect_contains("${ERR}" "expected field=value")
run(0 ${LODESTONE} projects edit thacker_pass --set status=paused --db ${DB})
expect_contains("${OUT}" "0 field change(s) logged")
# The capital stack is not a field to edit; the library says why without naming a command.
run(3 ${LODESTONE} projects edit thacker_pass --set capital_stack=x --db ${DB})
expect_contains("${ERR}" "changes by importing a capital stack file")
# Confidential terms: edited and audited like any field; the local user sees them all.
run(0 ${LODESTONE} projects edit thacker_pass --set confidential_owner=USA --set offtake=USA:0.4
    --set partner_notes=e2e-secret-note --db ${DB})
expect_contains("${OUT}" "3 field change(s) logged")
run(0 ${LODESTONE} projects show thacker_pass --db ${DB})
expect_contains("${OUT}" "e2e-secret-note")
run(0 ${LODESTONE} projects show thacker_pass --format json --db ${DB})
expect_contains("${OUT}" "\"offtake\": \"USA:0.4\"")
run(0 ${LODESTONE} projects history thacker_pass --format csv --db ${DB})
expect_contains("${OUT}" "e2e,update,partner_notes,,e2e-secret-note")
run(3 ${LODESTONE} projects edit thacker_pass --set confidential_owner= --db ${DB})
expect_contains("${ERR}" "confidential terms need an owner")
# Adding an id that exists is a conflict.
run(5 ${LODESTONE} projects add --id thacker_pass --name X --mineral lithium --stage mining --country USA
    --development-stage announced --db ${DB})
expect_contains("${ERR}" "already exists")

# Without --db the CLI takes $LODESTONE_DB (the library reads no environment variable).
set(ENV{LODESTONE_DB} "${DB}")
run(0 ${LODESTONE} projects list --country USA)
expect_contains("${OUT}" "project(s) in ${DB}")
unset(ENV{LODESTONE_DB})

# A failed import (one bad row) exits 1 with file:line:column and changes nothing.
run(0 ${LODESTONE} projects list --format csv --db ${DB})
set(before "${OUT}")
file(READ ${SOURCE_DIR}/data/projects/projects.csv text)
string(REPLACE ",lithium,mining,USA," ",lithium,minnig,USA," text "${text}")
file(WRITE ${WORK_DIR}/bad.csv "${text}")
run(3 ${LODESTONE} projects import ${WORK_DIR}/bad.csv --db ${DB})
expect_contains("${ERR}" "bad.csv:")
expect_contains("${ERR}" ":4: error: stage 'minnig'")
run(0 ${LODESTONE} projects list --format csv --db ${DB})
if(NOT before STREQUAL OUT)
  message(FATAL_ERROR "a failed import changed the registry")
endif()

# The CSV export imports back without a change.
file(WRITE ${WORK_DIR}/export.csv "${OUT}")
run(0 ${LODESTONE} projects import ${WORK_DIR}/export.csv --stack ${SOURCE_DIR}/data/projects/capital_stack.csv --db ${DB})
expect_contains("${OUT}" "0 new, 0 updated, 81 unchanged")
