// Tests: test_import_curated
