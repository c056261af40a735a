"""The person's own view of their SIP: who may open it (a one-time link a coordinator makes, or e-legitimation
matched against the protected personal number), the person's sessions, what of a case the person reads, and what
they may do there (withdraw consent through the routine's own message, answer SIP-kollen)."""
