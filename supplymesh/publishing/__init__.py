"""Publishing: validated, immutable product snapshots and the consumer catalog over them."""
