"""Landing: the sensor that publishes a product when a new extract lands."""
