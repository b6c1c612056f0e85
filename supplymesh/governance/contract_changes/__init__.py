"""How a contract change is judged: the semver gate CI runs on every change of a product.

* ``project_tree``: every product definition of a checkout or of any git ref, as data.
* ``spec``: one contract version's declarations as plain data (what the diff and ODCS compare).
* ``diff``: the changes between two specs, each classed breaking or compatible.
* ``gate``: the verdict: a breaking change needs a new major version (``mesh contracts check``).
"""
