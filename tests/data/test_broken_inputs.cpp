// Tests: test_broken_inputs
