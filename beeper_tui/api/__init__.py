"""Wire models and the async client for the Beeper Desktop API (no Textual here)."""
