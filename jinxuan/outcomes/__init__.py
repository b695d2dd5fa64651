"""After expert review and the vote: composite, roadshow, inspection, publicity, awards."""
