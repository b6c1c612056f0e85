"""Planning products as assets: the forecast, its accuracy and the settled supply plan."""
