// Tests: test_csv
