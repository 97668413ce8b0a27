"""Plan milestones and their dependency graph: cycles, critical path, slip propagation."""
