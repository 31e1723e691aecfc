# hash: FNV-1a, splitmix64 and the partition-independent fingerprints.
kseg_mpi_test(hash test_hash.c RANKS 1 2 3 THREADS 2)
