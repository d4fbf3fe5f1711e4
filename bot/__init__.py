"""Tiếp Dân: citizen-reception registration bot."""
