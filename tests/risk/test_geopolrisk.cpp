// Tests: geopolrisk
