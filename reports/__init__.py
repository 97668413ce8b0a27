"""Report data assembly, PDF rendering, charts, the audit export bundle, OSCAL and verification."""
