"""Reading a message: activity recognition learned from labelled examples."""
