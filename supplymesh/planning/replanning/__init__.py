"""Event-driven replanning: a landed batch replans only the SKU x DC pairs it touched.

Public API:

* ``scope``: ``ReplanScope`` and ``replan_scope`` (which pairs a batch replans, and why);
* ``splice``: ``splice`` (a product's served rows with the replanned pairs' rows swapped in)
  and ``splice_forecast`` (the same for the forecast, with its error sigma measured as a full
  run would);
* ``supply``: ``ServedPlan`` and ``replan_supply`` (the settled supply plan of the pairs in
  scope, spliced into the served one).

Like every planner here, these take published data from their callers and never read the mesh.
"""
