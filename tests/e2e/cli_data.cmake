# End-to-end test of `lodestone data ...` (filled in below).
