"""Zero-trust maturity (CISA ZTMM v2): systems in scope, assessments, targets, summaries."""
