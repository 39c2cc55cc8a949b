"""The interactive API docs (Swagger UI, served from our own static files) under the strict CSP.

The split view serves its start-up script from the same URL (`?script`) instead of inline, and our
template links a stylesheet instead of an inline <style>, so `script-src 'self'; style-src 'self'` holds.
"""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/docs.html"
    title = "Hazlog API"
