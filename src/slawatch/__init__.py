"""slawatch: availability monitoring and SLA credit agent."""
