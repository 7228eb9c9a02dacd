// Tests: test_roundtrip_property
