// Tests: test_shipped_dataset
