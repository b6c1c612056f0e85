"""Event-driven replanning measured: a landed orders batch to its published replan (``event``)."""
