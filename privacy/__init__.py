"""Privacy: versioned policy documents and their acceptance, data exports,
account deletion, retention sweeps, consent, and the access log."""
