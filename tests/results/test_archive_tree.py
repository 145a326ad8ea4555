"""The archive's level-by-level Merkle tree gives the same root and inclusion proofs as the
audit log's RFC 9162 definition (app.core.audit.chain), for every size and leaf."""

from __future__ import annotations

import hashlib

from app.archive.contents import _Tree
from app.core.audit.chain import inclusion_proof, leaf_hash, merkle_root


def test_the_archive_tree_matches_rfc_9162_for_every_size_and_leaf() -> None:
    for size in range(1, 70):
        leaves = [leaf_hash(hashlib.sha256(str(i).encode()).hexdigest()) for i in range(size)]
        tree = _Tree(iter(leaves))
        assert tree.root == merkle_root(leaves), size
        for index in range(size):
            assert tree.proof(index) == inclusion_proof(index, leaves), (size, index)
