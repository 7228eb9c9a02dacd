// Tests: assess
