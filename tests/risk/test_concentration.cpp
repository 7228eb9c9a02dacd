// Tests: concentration
