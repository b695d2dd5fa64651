"""Chinese text tools with no Django import."""
