#!/bin/sh
# What the proposal's freshness costs, per bundled scenario, against
# upstream: explored states, and per execution the invalidations KVM ran,
# the gpcs and mappings they marked invalid, re-validations, refreshes and
# lock acquisitions on the access path (most in one execution, and mean).
# docs/proposal.md quotes its output.
#
#   sh bench/price.sh [A B]        default: upstream proposal
KFP=${KFP:-./build/normal/kfp}
exec "$KFP" diff --price "${1:-upstream}" "${2:-proposal}" scenarios
