"""Report data assembly, PDF rendering, charts, the audit export bundle, OSCAL and verification."""

import logging

# WeasyPrint reports every layout step (and its import) at INFO; the CLI logs at INFO by default.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
