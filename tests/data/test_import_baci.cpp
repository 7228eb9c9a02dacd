// Tests: test_import_baci
