"""The demand model's life cycle as assets: the champion/challenger round and its checks."""
