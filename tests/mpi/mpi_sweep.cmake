# MPI sweeps against the one-process run, run by ctest (label mpi):
#   cmake -DLODESTONE=... -DLODESTONE_MPI=... -DMPIEXEC=... -DSOURCE_DIR=... -DWORK_DIR=... -DPART=...
#         -P mpi_sweep.cmake
# PART (register, workloads or errors) runs one group, so that ctest can run the groups side by side.
# `mpirun -n 1|2|3 lodestone-mpi` must print the bytes of `lodestone simulate` (register) and of
# `lodestone sweep` (projects, grid) for the same seed: uneven splits (5 blocks over 2 and 3
# ranks), a rank given no item (2 blocks over 3 ranks: rank 0 has none), and bad input stopping
# every rank with the error's exit code and one message.

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
include(${SOURCE_DIR}/tests/e2e/e2e_common.cmake)
if(NOT PART MATCHES "^(register|workloads|errors)$")
  message(FATAL_ERROR "PART '${PART}': expected register, workloads or errors")
endif()

# --oversubscribe: this machine may have fewer cores than ranks. One thread per rank.
function(mpi ranks expect_code)
  run(${expect_code} ${MPIEXEC} -n ${ranks} --oversubscribe ${LODESTONE_MPI} ${ARGN} --threads 1)
  set(OUT "${OUT}" PARENT_SCOPE)
  set(ERR "${ERR}" PARENT_SCOPE)
endfunction()

function(expect_same what reference actual)
  if(NOT "${reference}" STREQUAL "${actual}")
    file(WRITE "${WORK_DIR}/${what}.expected" "${reference}")
    file(WRITE "${WORK_DIR}/${what}.actual" "${actual}")
    message(FATAL_ERROR "${what}: the MPI run's bytes differ from the one-process run (see ${WORK_DIR}/${what}.*)")
  endif()
endfunction()

set(REG ${SOURCE_DIR}/scenarios/register.json)

if(PART STREQUAL "register")
# --- Register Monte Carlo: 5000 scenarios = 5 blocks (the last one short).
run(0 ${LODESTONE} simulate --register ${REG} --runs 5000 --seed 7 --format json)
set(ref "${OUT}")
expect_contains("${ref}" "\"runs\": 5000")
foreach(n 1 2 3)
  mpi(${n} 0 register --register ${REG} --runs 5000 --seed 7)
  expect_same(register_n${n} "${ref}" "${OUT}")
endforeach()
expect_contains("${ERR}" "over 3 ranks")
# CSV too, and another seed gives other bytes (the comparison can fail).
run(0 ${LODESTONE} simulate --register ${REG} --runs 5000 --seed 7 --format csv)
set(ref_csv "${OUT}")
mpi(3 0 register --register ${REG} --runs 5000 --seed 7 --format csv)
expect_same(register_csv "${ref_csv}" "${OUT}")
mpi(2 0 register --register ${REG} --runs 5000 --seed 8 --format csv)
if("${OUT}" STREQUAL "${ref_csv}")
  message(FATAL_ERROR "seed 8 printed the bytes of seed 7")
endif()

# A rank given no block: 1500 scenarios = 2 blocks over 3 ranks (rank 0 runs none).
run(0 ${LODESTONE} simulate --register ${REG} --runs 1500 --seed 3 --format json)
set(ref "${OUT}")
mpi(3 0 register --register ${REG} --runs 1500 --seed 3)
expect_same(register_idle_rank "${ref}" "${OUT}")
expect_contains("${ERR}" "rank 0 runs [0, 0)")

endif()

if(PART STREQUAL "workloads")
# --- Projects x the register's sample: the shipped sample, 300 scenarios.
run(0 ${LODESTONE} sweep projects --runs 300 --seed 11 --threads 1)
set(ref "${OUT}")
expect_contains("${ref}" "\"lodestone.sweep.projects\"")
foreach(n 1 3)
  mpi(${n} 0 projects --runs 300 --seed 11)
  expect_same(projects_n${n} "${ref}" "${OUT}")
endforeach()

# --- Grid: refinery headroom x two scenarios (6 items: uneven over 4 ranks), and over the register.
file(WRITE "${WORK_DIR}/grid.json" "{\"parameters\": {\"refinery_headroom\": [0, 0.1, 0.5]},
  \"scenarios\": [\"cn-2025-10-ree-controls.json\", \"malacca-closure.json\"]}\n")
run(0 ${LODESTONE} sweep grid --grid ${WORK_DIR}/grid.json --format csv)
set(ref "${OUT}")
expect_contains("${ref}" "combination,refinery_headroom,scenario,")
foreach(n 2 4)
  mpi(${n} 0 grid --grid ${WORK_DIR}/grid.json --format csv)
  expect_same(grid_n${n} "${ref}" "${OUT}")
endforeach()
file(WRITE "${WORK_DIR}/grid_register.json"
     "{\"parameters\": {\"refinery_headroom\": [0.05, 0.2]}, \"register\": {\"runs\": 2100, \"seed\": 5}}\n")
run(0 ${LODESTONE} sweep grid --grid ${WORK_DIR}/grid_register.json --register ${REG})
set(ref "${OUT}")
expect_contains("${ref}" "\"lodestone.sim.montecarlo\"")
mpi(3 0 grid --grid ${WORK_DIR}/grid_register.json --register ${REG})
expect_same(grid_register "${ref}" "${OUT}")

endif()

if(PART STREQUAL "errors")
# --- Bad input: every rank exits with the error's code; the message is printed once.
file(WRITE "${WORK_DIR}/bad_grid.json" "{\"parameters\": {\"no_such_knob\": [1, 2]}, \"scenarios\": [\"malacca-closure.json\"]}\n")
mpi(3 3 grid --grid ${WORK_DIR}/bad_grid.json)
expect_contains("${ERR}" "bad_grid.json: error: parameters.no_such_knob: not a parameter of the simulator's table")
string(REGEX MATCHALL "no_such_knob" hits "${ERR}")
list(LENGTH hits nhits)
if(NOT nhits EQUAL 1)
  message(FATAL_ERROR "expected the message once, got it ${nhits} times:\n${ERR}")
endif()
run(3 ${LODESTONE} sweep grid --grid ${WORK_DIR}/bad_grid.json)
mpi(2 4 grid --grid ${WORK_DIR}/missing.json)
expect_contains("${ERR}" "missing.json not found")
mpi(2 2 sweeps-of-nothing)
expect_contains("${ERR}" "workload 'sweeps-of-nothing': expected register, projects or grid")
mpi(2 2 projects --partners XXX --runs 10)
expect_contains("${ERR}" "XXX")
endif()
