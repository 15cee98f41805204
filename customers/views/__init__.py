"""Dashboard views for customers: thin, they parse input, call a service or selector, render."""
