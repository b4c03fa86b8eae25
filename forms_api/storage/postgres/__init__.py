"""The PostgreSQL store (:mod:`.store`) and its schema migrations (:mod:`.migrations`)."""
