"""The permission matrix: the fixture world, the route walker and the expected row of every route."""
