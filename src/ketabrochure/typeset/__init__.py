"""Stage 5: HTML -> laid-out pages and PDF bytes. The only place that imports WeasyPrint."""
