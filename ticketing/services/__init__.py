"""Writes of the ticketing core, one module per area. Each public function is a unit of
work: one transaction, the rows it changes locked, a ``TicketEvent`` per change, side
effects after commit."""
