"""The ``tutorhub`` command: the one edge where errors become messages for people."""
