"""The five-year plan: program, workstreams, budget lines, spend and earned value."""
