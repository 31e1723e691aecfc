#!/bin/bash
# kseg prep --autoencoder: bad flags are usage errors (exit 1, a message
# naming the flag) on every rank count, and leave no output behind.
source "$(dirname "$0")/lib.sh"
kseg_np 1 generate --rows 200 --out "$T/g.h5" >/dev/null 2>&1
expect_status 1 2 prep --in "$T/g.h5" --out "$T/f.h5" --autoencoder 0,4
expect_message "--autoencoder"
expect_status 1 1 prep --in "$T/g.h5" --out "$T/f.h5" --autoencoder abc
expect_message "--autoencoder expects"
expect_status 1 3 prep --in "$T/g.h5" --out "$T/f.h5" --autoencoder 8,,2
expect_message "--autoencoder"
expect_status 1 2 prep --in "$T/g.h5" --out "$T/f.h5" --autoencoder 8,2 --epochs 0
expect_message "--epochs must be >= 1"
expect_status 1 1 prep --in "$T/g.h5" --out "$T/f.h5" --autoencoder 8,2 --batch 0
expect_message "--batch"
expect_status 1 1 prep --in "$T/g.h5" --out "$T/f.h5" --autoencoder 8,2 --lr -1
expect_message "--lr"
expect_status 1 2 prep --in "$T/g.h5" --out "$T/f.h5" --autoencoder 8,2 --val-fraction 1
expect_message "--val-fraction"
expect_status 1 1 prep --in "$T/g.h5" --out "$T/f.h5" --autoencoder 8,2 --patience 0
expect_message "--patience"
expect_status 1 1 prep --in "$T/g.h5" --out "$T/f.h5" --autoencoder 8,2 --pca 3
expect_message "--pca"
expect_status 1 2 prep --in "$T/g.h5" --out "$T/f.h5" --epochs 5
expect_message "--epochs needs --autoencoder"
expect_status 1 2 prep --in "$T/g.h5" --out "$T/f.h5" --autoencoder 8,2 --lr 1e7 --batch 8 --epochs 3
expect_message "diverged"
[ ! -e "$T/f.h5" ] || fail "a failed prep left $T/f.h5"
# a failure on one rank during training stops every rank (no hang) and
# leaves the previous output as it was
kseg_np 1 prep --in "$T/g.h5" --out "$T/keep.h5" >/dev/null 2>&1
cp "$T/keep.h5" "$T/before.h5"
if have_fault_injection "failure injected during training"; then
  KSEG_FAIL_RANK=1 KSEG_FAIL_AT=autoencoder:epoch expect_status 2 3 prep --in "$T/g.h5" --out "$T/keep.h5" \
    --autoencoder 8,2 --epochs 3
  expect_message "injected failure at autoencoder:epoch on rank 1"
  same_file "$T/keep.h5" "$T/before.h5"
  ls "$T" | grep -q tmp && fail "a temporary file was left behind"
fi
echo "autoencoder_errors: ok"
