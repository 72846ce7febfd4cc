"""The knowledge base has no background work yet: vectors are generated columns."""
