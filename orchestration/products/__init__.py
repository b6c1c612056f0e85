"""Source-aligned products: one asset per product, published from its landing folder."""
