"""HTML pages: the print shelf (out/index.html) and the web edition (out/web/), both Jinja
templates with autoescape in `templates/`, rendered by `pages`; `webcheck` checks the web pages
without a browser (the rules over web-only text, internal links, text alternatives)."""
