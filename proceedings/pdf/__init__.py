"""PDF primitives: page geometry, the text layer (read with PDFium), safe page copying and stamping."""
