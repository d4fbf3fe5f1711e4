"""Zalo channels: the Zalo Bot Platform (a bot any Zalo user can chat with) over a small own
client, numbered menus in place of buttons."""
