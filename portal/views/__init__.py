"""Dashboard views (the builder) and public views (the landing pages)."""
