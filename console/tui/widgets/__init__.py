"""One module per widget. Widgets never reach the database: their screens do, from workers."""
