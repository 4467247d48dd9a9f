"""Endpoint modules of the fake IRIS, one per area; each registers its routes with `@route`."""
