"""The kit's documents: the start page and the facilitator guide."""
