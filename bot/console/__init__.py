"""The terminal backend: the whole product in a terminal, same dialogs, same database."""
