# End-to-end test of the `lodestone` executable's data commands, run by ctest:
#   cmake -DLODESTONE=... -DSOURCE_DIR=... -DWORK_DIR=... -P cli_data.cmake
# Each step runs the real program and checks its exit code and output.

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/e2e_common.cmake)
# The raw published files (USGS, WGI, EU CRM) are read where they are kept: ../shared/data.
if(NOT EXISTS ${PUBLISHED_DIR}/usgs_mcs2026/raw/MCS2026_Commodities_Data.csv)
  message(FATAL_ERROR "the raw published files are read from ${PUBLISHED_DIR} (../shared/data beside the repository): not found")
endif()

# Help everywhere.
run(0 ${LODESTONE} --help)
expect_contains("${OUT}" "supply")
run(0 ${LODESTONE} data import --help)
expect_contains("${OUT}" "usgs-mcs")

# A valid dataset checks; a broken one lists its problems with file, line and column.
run(0 ${LODESTONE} data check ${SOURCE_DIR}/tests/data/mini)
expect_contains("${OUT}" "ok: mini")
file(COPY ${SOURCE_DIR}/tests/data/mini/ DESTINATION ${WORK_DIR}/broken)
file(READ ${WORK_DIR}/broken/production.csv text)
string(REPLACE "lithium,mining,AUS" "lithium,mining,AUX" text "${text}")
string(REPLACE "56000" "-56000" text "${text}")
file(WRITE ${WORK_DIR}/broken/production.csv "${text}")
run(3 ${LODESTONE} data check ${WORK_DIR}/broken)
expect_contains("${ERR}" "broken/production.csv:4:3: error: unknown country code 'AUX'")
expect_contains("${ERR}" "broken/production.csv:5:5: error: '-56000': negative quantity")
expect_contains("${ERR}" "2 error(s)")
run(3 ${LODESTONE} data check ${WORK_DIR}/broken --format json)
expect_contains("${OUT}" "\"valid\": false")

# Import the published USGS file into a new dataset, then describe it.
run(0 ${LODESTONE} data import usgs-mcs ${PUBLISHED_DIR}/usgs_mcs2026/raw/MCS2026_Commodities_Data.csv
    --out ${WORK_DIR}/ds)
run(0 ${LODESTONE} data check ${WORK_DIR}/ds)
run(0 ${LODESTONE} data info ${WORK_DIR}/ds --format json)
expect_contains("${OUT}" "\"usgs_mcs2026\"")

# A failed import changes nothing.
file(SHA256 ${WORK_DIR}/ds/dataset.json before)
file(WRITE ${WORK_DIR}/bad_wgi.csv "codeindyr;code;countryname;year;indicator;estimate;stddev;nsource;pctrank;pctranklower;pctrankupper\nQQQcc2023;QQQ;Nowhere;2023;cc;-1,15;0,17;8;13,7;6,1;20,8\n")
run(3 ${LODESTONE} data import wgi ${WORK_DIR}/bad_wgi.csv --out ${WORK_DIR}/ds)
expect_contains("${ERR}" "bad_wgi.csv:2:")
file(SHA256 ${WORK_DIR}/ds/dataset.json after)
if(NOT before STREQUAL after)
  message(FATAL_ERROR "a failed import changed the dataset")
endif()
file(GLOB leftovers ${WORK_DIR}/.ds.*)
if(leftovers)
  message(FATAL_ERROR "temporary directories left behind: ${leftovers}")
endif()

# Unknown importer and unknown mineral: one clear line, exit 2 (invalid request).
run(2 ${LODESTONE} data import nonsense x.csv --out ${WORK_DIR}/x)
expect_contains("${ERR}" "unknown importer 'nonsense'")
run(2 ${LODESTONE} supply --dataset ${WORK_DIR}/ds --mineral unobtainium)
expect_contains("${ERR}" "unknown mineral 'unobtainium'")

# The build recipe reproduces the shipped dataset byte for byte, reading the raw published files
# where they are kept, not from copies in the project.
run(4 ${LODESTONE} data build ${SOURCE_DIR}/sources/build.json --published ${WORK_DIR}/no_such_dir --out ${WORK_DIR}/built)
expect_contains("${ERR}" "published file usgs_mcs2026/raw/MCS2026_Commodities_Data.csv not found under")
expect_absent("${ERR}" "error: error:")
run(0 ${LODESTONE} data build ${SOURCE_DIR}/sources/build.json --published ${PUBLISHED_DIR} --out ${WORK_DIR}/built)
file(GLOB shipped RELATIVE ${SOURCE_DIR}/data/starter ${SOURCE_DIR}/data/starter/*)
file(GLOB built RELATIVE ${WORK_DIR}/built ${WORK_DIR}/built/*)
if(NOT "${shipped}" STREQUAL "${built}")
  message(FATAL_ERROR "built files differ from data/starter: ${built} vs ${shipped}")
endif()
foreach(f IN LISTS shipped)
  file(SHA256 ${SOURCE_DIR}/data/starter/${f} a)
  file(SHA256 ${WORK_DIR}/built/${f} b)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "data/starter/${f} differs from a fresh build: run `lodestone data build sources/build.json --out data/starter`")
  endif()
endforeach()

# The supply picture on the shipped data names figures and sources.
run(0 ${LODESTONE} supply --dataset ${SOURCE_DIR}/data/starter --mineral cobalt --format csv)
expect_contains("${OUT}" "cobalt,mining,2025,COD")
run(0 ${LODESTONE} supply --dataset ${SOURCE_DIR}/data/starter --mineral germanium)
expect_contains("${OUT}" "withheld")

# Risk: the per-mineral table on the shipped data and the validation entry points.
run(0 ${LODESTONE} risk --dataset ${SOURCE_DIR}/data/starter --mineral cobalt,gallium --format json)
expect_contains("${OUT}" "\"consumer\": \"USA+JPN\"")
expect_contains("${OUT}" "\"metric\": \"crma_single_country_benchmark\"")
expect_contains("${OUT}" "CN-2023-GA-GE")
run(2 ${LODESTONE} risk --dataset ${SOURCE_DIR}/data/starter --method bogus)
expect_contains("${ERR}" "--method 'bogus'")
run(0 ${LODESTONE} risk eu-sr --table ${SOURCE_DIR}/tests/validation/eu_crm/eu_crm_2017_sr.csv --format csv)
expect_contains("${OUT}" "material,stage,sr")
expect_contains("${OUT}" "Antimony,Processing,")
set(gpr ${SOURCE_DIR}/tests/validation/geopolrisk)
run(0 ${LODESTONE} risk geopolrisk --production ${gpr}/production_2018_2022.csv --trade ${gpr}/trade_data_USA_2022.csv
    --wgi-pv ${gpr}/wgi_pv_normalized.csv --importer USA --year 2022 --format csv)
expect_contains("${OUT}" "material,hhi,wta,score,price,midpoint,cf")
expect_contains("${OUT}" "Nickel,0.26749007657640966,")

# GeoPolRisk from a dataset that holds bilateral trade (tests/data/gpr_mini, hand computation in
# tests/risk/test_assess.cpp): HHI 0.315 x WTA 2960/26000.
run(0 ${LODESTONE} risk --dataset ${SOURCE_DIR}/tests/data/gpr_mini --mineral lithium --consumer USA
    --method geopolrisk --format csv)
expect_contains("${OUT}" "lithium,refining,geopolrisk,score,0.035861538461538")
expect_contains("${OUT}" "lithium,refining,geopolrisk,cf,")
run(2 ${LODESTONE} risk --dataset ${SOURCE_DIR}/tests/data/gpr_mini --mineral lithium --consumer XXX)
expect_contains("${ERR}" "unknown consumer country 'XXX'")
