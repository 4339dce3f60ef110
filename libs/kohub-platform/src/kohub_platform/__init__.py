"""What every kohub service runs on. Used by services, never by the contracts library."""
