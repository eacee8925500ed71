"""Group session capture that works offline (issue 13 item 5): the server's key pair for sealed
entries, the envelope a device sends, and what a device may keep (the roster and crisis lines)."""
