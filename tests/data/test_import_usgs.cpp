// Tests: test_import_usgs
