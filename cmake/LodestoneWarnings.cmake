# One place for the project's warning flags.
function(lodestone_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    # GCC 12 reports a false -Wrestrict inside libstdc++ for string concatenation (GCC PR 105651);
    # clang (the fuzz build) has no such option and would warn about it on every file.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
endfunction()
