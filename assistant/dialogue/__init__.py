"""Conversations: dialogue state rebuilt from the earlier turns, follow-ups read in their context."""
