"""Reports have no tables of their own: they read tickets, SLA clocks and ratings."""
