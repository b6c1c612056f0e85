"""Time travel: the snapshots each product version keeps on record, and reading them back.

``retention`` decides which published snapshots stay (a product's ``retention``, else
``publishing.snapshots_kept``) and prunes the rest under the catalog lock; ``leases`` lets a
reader hold the snapshots it reads so pruning never deletes them under it; ``as_of`` resolves a
moment (a timestamp or a snapshot id) to the snapshot each version served then; ``listing`` is
what ``mesh products history`` prints. The ``history`` schema of every role catalog (views over
the snapshots on record) is built with the rest of the catalog, by
``publishing.consumer_catalog``.
"""
