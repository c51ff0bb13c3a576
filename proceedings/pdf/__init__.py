"""PDF primitives: safe page copying and stamping."""
