"""Billing views: thin — parse input, call one service or selector, render."""
