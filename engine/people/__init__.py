"""People: Swedish personal identity numbers."""
