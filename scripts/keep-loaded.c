/* keep-loaded.c - a dlclose that keeps the library mapped. scripts/sanitize.sh
 * preloads it (LD_PRELOAD) so that the plugins Open MPI and PMIx unload at
 * MPI_Finalize are still mapped when LeakSanitizer reports at exit: their
 * allocations then name their library and scripts/lsan.supp can match them
 * (an unloaded plugin is an "unknown module"). Nothing else changes. */
int dlclose(void *handle)
{
  (void)handle;
  return 0;
}
