/* hash_shim.h - TEMPORARY: kseg_hash_mix64 until include/kseg/kseg_hash.h
 * (the shared 64-bit hash module) lands on main; then this file goes and the
 * plan includes kseg/kseg_hash.h. Same function, bit for bit. */
#ifndef KSEG_PLAN_HASH_SHIM_H
#define KSEG_PLAN_HASH_SHIM_H

#include <stdint.h>

static inline uint64_t kseg_hash_mix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

#endif
