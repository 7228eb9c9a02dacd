// Tests: test_import_wgi
