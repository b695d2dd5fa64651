"""Expert review: pool, conflicts, assignment, blind rubric scoring, calibration."""
