// Tests: test_loader
