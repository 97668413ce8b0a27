"""KPIs the plan promises: targets per year and measurements over time."""
