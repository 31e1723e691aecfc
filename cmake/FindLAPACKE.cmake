# FindLAPACKE - the C interface to LAPACK (lapacke.h, liblapacke).
# Defines LAPACKE_FOUND and the imported target LAPACKE::LAPACKE (headers and
# library; link LAPACK::LAPACK beside it). Installed with kseg's CMake package,
# which finds it again for a static libkseg. Hints: LAPACKE_ROOT.
find_path(LAPACKE_INCLUDE_DIR NAMES lapacke.h PATH_SUFFIXES lapacke)
find_library(LAPACKE_LIBRARY NAMES lapacke)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LAPACKE REQUIRED_VARS LAPACKE_LIBRARY LAPACKE_INCLUDE_DIR)
mark_as_advanced(LAPACKE_INCLUDE_DIR LAPACKE_LIBRARY)
if(LAPACKE_FOUND AND NOT TARGET LAPACKE::LAPACKE)
  add_library(LAPACKE::LAPACKE UNKNOWN IMPORTED)
  set_target_properties(LAPACKE::LAPACKE PROPERTIES
    IMPORTED_LOCATION "${LAPACKE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LAPACKE_INCLUDE_DIR}")
endif()
