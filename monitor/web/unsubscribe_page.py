"""One-click unsubscribe (RFC 8058): the link every digest email carries when the console
is served at ``NEWSWATCH_UNSUBSCRIBE_URL``.

Does I/O (the database, the token key in the data folder). The token in the address is
the authority: no session, no admin token. A GET only shows a button (mail scanners
follow links); the POST, from that button or from the mail client's one-click, pauses
the subscription.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import escape

from monitor.delivery.unsubscribe import load_key, unsubscribe
from monitor.digests.unsubscribe import token
from monitor.web.deps import Id, context

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="stylesheet" href="/static/console.css"></head>
<body><main><h1>{title}</h1><p>{text}</p>{form}</main></body></html>
"""


def _page(title: str, text: str, form: str = "", status: int = 200) -> HTMLResponse:
    body = PAGE.format(title=escape(title), text=escape(text), form=form)
    return HTMLResponse(body, status_code=status)


def _known(request: Request, subscription_id: int, given: str) -> bool:
    key = load_key(context(request).settings.data_dir)
    return hmac.compare_digest(token(key, subscription_id), given.strip().lower())


@router.get("/unsubscribe/{subscription_id}/{secret}")
def confirm(request: Request, subscription_id: Id, secret: str) -> HTMLResponse:
    """A page with one button; following the link alone changes nothing."""
    if not _known(request, subscription_id, secret):
        return _page("Link not valid", "This unsubscribe link is not known here.", status=404)
    form = (
        f'<form method="post" action="/unsubscribe/{subscription_id}/{escape(secret)}">'
        '<button type="submit">Unsubscribe</button></form>'
    )
    return _page("Unsubscribe", "Stop receiving these digests?", form)


@router.post("/unsubscribe/{subscription_id}/{secret}")
def one_click(request: Request, subscription_id: Id, secret: str) -> HTMLResponse:
    """Pause the subscription (RFC 8058 one-click, or the button above)."""
    web = context(request)
    key = load_key(web.settings.data_dir)
    if not unsubscribe(web.engine, key, subscription_id, secret, web.clock()):
        return _page("Link not valid", "This unsubscribe link is not known here.", status=404)
    return _page("Unsubscribed", "You will receive no more of these digests.")
