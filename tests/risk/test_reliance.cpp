// Tests: reliance
