"""kohub gateway: the API's front door and the dashboard."""
