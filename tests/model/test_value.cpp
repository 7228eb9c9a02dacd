// Tests: test_value
