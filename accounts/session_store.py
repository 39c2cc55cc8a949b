"""Django's database sessions, read with a lookup compiled once per connection instead of on every request.

Every signed-in page reads its session row first; compiling that query was a third of the cost of a page that
does nothing else (issue 10). The rows, the encoding and every other operation are Django's, so switching the
engine keeps the sessions already open.
"""

import logging

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from assessments.precompiled import PrecompiledQuery

# The key alone: the expiry is checked below, so that the only parameter is the key.
_BY_KEY = PrecompiledQuery(lambda session_key: Session.objects.filter(session_key=session_key)[:1])


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        # As Django's: an expired or unknown session is no session, and its key is dropped.
        try:
            session = _BY_KEY.first(self.session_key)
        except SuspiciousOperation as e:
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            session = None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
