// Tests: test_import_eu
