"""kohub integration service: the KustHub bridge."""
