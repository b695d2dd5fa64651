"""Jinxuan: digital-finance innovation case competitions, from the call to the case library."""
