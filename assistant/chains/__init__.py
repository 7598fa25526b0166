"""LangChain (LCEL) chains around the engine: answer, extraction, drafting — with guard and fallbacks."""
