// Tests: test_units
