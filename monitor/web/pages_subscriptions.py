"""The console's subscription pages: the list with an "add" form, one subscription with its
edit form, pause/resume, send now, its delivery history and a preview of the next digest.

Does I/O (the database; "send now" delivers). Every form that changes something
passes ``session.check_change`` (session, CSRF token, same origin) and calls the
functions the CLI and the API call (``monitor.delivery.subscriptions``), so a bad
address or schedule is refused with the same message and hint, shown next to the
form with what was typed kept. No script: plain HTML forms.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from monitor.delivery.subscriptions import create_subscription, edit_subscription, send_now
from monitor.digests.payloads import FORMATS
from monitor.digests.subscriptions import (
    NEW_SECRET,
    SubscriptionEdit,
    SubscriptionSpec,
    Wording,
)
from monitor.errors import ConfigError, NewswatchError
from monitor.web.api_subscriptions import preview_of, require
from monitor.web.deps import Id
from monitor.web.errors import ApiError, classify
from monitor.web.pages import render
from monitor.web.session import Viewer, check_change, viewer
from monitor.web.views import subscription_view
from storage.digests import list_digests
from storage.records import SubscriptionRecord
from storage.subscriptions import list_subscriptions, set_paused
from storage.watchlist_store import list_watchlists

router = APIRouter(include_in_schema=False)

# How the console names a subscription's fields in the rules' messages and hints.
CONSOLE = Wording(
    email="email addresses",
    webhook="a webhook URL",
    watchlist="watchlist",
    feed_alerts="feed alerts",
    format="format",
    secret="secret",
    email_example="desk@example.org in “Email addresses”",
    use_email="change the email addresses instead",
    use_webhook="change the webhook URL instead",
    remove="`newswatch subscription remove {id}` (or DELETE /api/v1/subscriptions/{id})",
    resume="press “Resume” first",
    edit_help="change at least one field, then save",
    subscription_list="the Subscriptions page lists them",
    digest_list="the subscription's page lists its digests",
)

Text = Annotated[str, Form(max_length=2_000)]
Short = Annotated[str, Form(max_length=100)]
Names = Annotated[list[str] | None, Form(max_length=100)]


def _addresses(text: str) -> list[str]:
    """Addresses as typed: one a line, or separated by commas."""
    return [a.strip() for a in re.split(r"[,\n]", text) if a.strip()]


def _score(text: str) -> float:
    try:
        return float(text.strip() or "0")
    except ValueError as exc:
        raise ConfigError(
            f"a minimum score of '{text}' is not a number",
            hint="a number between 0 and 1, e.g. 0.6",
        ) from exc


_CHECKBOXES = frozenset({"send_empty", "feed_alerts", "new_secret"})


def _typed(watchlist: list[str] | None, **fields: str) -> dict[str, Any]:
    """The form as typed, to check and to show again: ticked boxes as booleans."""
    typed: dict[str, Any] = {k: v == "on" if k in _CHECKBOXES else v for k, v in fields.items()}
    typed["watchlists"] = watchlist or []
    return typed


def typed_from(sub: SubscriptionRecord) -> dict[str, Any]:
    """A stored subscription as its edit form shows it."""
    return {
        "email": "\n".join(sub.target.split(",")) if sub.channel == "email" else "",
        "webhook": sub.target if sub.channel == "webhook" else "",
        "watchlists": list(sub.watchlists),
        "every": sub.schedule,
        "timezone": sub.timezone,
        "format": sub.format if sub.channel == "webhook" else "",
        "quiet_hours": sub.quiet_hours or "",
        "min_score": f"{sub.min_score:g}",
        "send_empty": sub.send_empty,
        "feed_alerts": sub.feed_alerts,
        "new_secret": False,
    }


def _choices(seen: Viewer) -> dict[str, Any]:
    return {
        "watchlist_names": [w.name for w in list_watchlists(seen.ctx.engine)],
        "formats": FORMATS,
    }


def _list_page(request: Request, seen: Viewer, status: int = 200, **values: Any) -> HTMLResponse:
    rows = [subscription_view(s) for s in list_subscriptions(seen.ctx.engine)]
    values.setdefault("form", {"every": "daily@08:00", "timezone": "UTC", "min_score": "0"})
    return render(
        request,
        "subscriptions.html.j2",
        seen,
        status=status,
        subscriptions=rows,
        **_choices(seen),
        **values,
    )


def _detail(
    request: Request, seen: Viewer, sub: SubscriptionRecord, status: int = 200, **values: Any
) -> HTMLResponse:
    values.setdefault("form", typed_from(sub))
    return render(
        request,
        "subscription.html.j2",
        seen,
        status=status,
        sub=subscription_view(sub),
        digests=list_digests(seen.ctx.engine, 50, None, sub.id),
        preview=preview_of(seen.ctx, sub),
        **_choices(seen),
        **values,
    )


def _problem(exc: NewswatchError) -> tuple[int, dict[str, str]]:
    return classify(exc)[0], {"message": exc.message, "hint": exc.hint or ""}


@router.get("/subscriptions", response_class=HTMLResponse)
def subscriptions_page(request: Request) -> HTMLResponse:
    return _list_page(request, viewer(request))


@router.post("/subscriptions", response_class=HTMLResponse)
def add_subscription_form(
    request: Request,
    csrf: Short = "",
    email: Text = "",
    webhook: Text = "",
    watchlist: Names = None,
    every: Short = "daily@08:00",
    timezone: Short = "UTC",
    format: Short = "",
    quiet_hours: Short = "",
    min_score: Short = "0",
    send_empty: Short = "",
    feed_alerts: Short = "",
) -> Response:
    """Add a subscription; a refused value shows its message and hint above the form."""
    seen = check_change(request, csrf)
    typed = _typed(
        watchlist,
        email=email,
        webhook=webhook,
        every=every,
        timezone=timezone,
        format=format,
        quiet_hours=quiet_hours,
        min_score=min_score,
        send_empty=send_empty,
        feed_alerts=feed_alerts,
    )
    try:
        spec = SubscriptionSpec(
            email=_addresses(email),
            webhook=webhook.strip() or None,
            watchlists=watchlist or [],
            every=every.strip(),
            timezone=timezone.strip(),
            format=format or None,
            min_score=_score(min_score),
            quiet_hours=quiet_hours.strip() or None,
            send_empty=send_empty == "on",
            feed_alerts=feed_alerts == "on",
        )
        saved = create_subscription(seen.ctx.engine, spec, seen.ctx.clock(), CONSOLE)
    except (ConfigError, LookupError) as exc:
        assert isinstance(exc, NewswatchError)
        status, problem = _problem(exc)
        return _list_page(request, seen, status, form=typed, problem=problem)
    return _detail(
        request,
        seen,
        saved.record,
        status=201,
        message=f"subscription {saved.record.id} added",
        secret=saved.new_secret,
    )


def _edit(current: SubscriptionRecord, typed: dict[str, Any]) -> SubscriptionEdit:
    """What the edit form changes: only the fields that differ from what is stored."""
    was = typed_from(current)
    if was["watchlists"] and not typed["watchlists"]:  # an edit cannot empty them
        raise ConfigError(
            "every watchlist is unticked: a subscription keeps at least one",
            hint="tick one, or press “Pause” to stop its digests",
        )
    changed = {k for k in typed if typed[k] != was.get(k)}
    if "email" in changed and _addresses(typed["email"]) == _addresses(was["email"]):
        changed.discard("email")
    if "watchlists" in changed and set(typed["watchlists"]) == set(was["watchlists"]):
        changed.discard("watchlists")
    if "min_score" in changed and _score(typed["min_score"]) == current.min_score:
        changed.discard("min_score")
    return SubscriptionEdit(
        watchlists=typed["watchlists"] if "watchlists" in changed else None,
        email=_addresses(typed["email"]) if "email" in changed else None,
        webhook=typed["webhook"].strip() if "webhook" in changed else None,
        every=typed["every"].strip() if "every" in changed else None,
        timezone=typed["timezone"].strip() if "timezone" in changed else None,
        format=typed["format"] if "format" in changed else None,
        secret=NEW_SECRET if typed["new_secret"] else None,
        min_score=_score(typed["min_score"]) if "min_score" in changed else None,
        quiet_hours=(typed["quiet_hours"].strip() or "none") if "quiet_hours" in changed else None,
        send_empty=typed["send_empty"] if "send_empty" in changed else None,
        feed_alerts=typed["feed_alerts"] if "feed_alerts" in changed else None,
    )


@router.post("/subscriptions/{subscription_id}/edit", response_class=HTMLResponse)
def edit_subscription_form(
    request: Request,
    subscription_id: Id,
    csrf: Short = "",
    email: Text = "",
    webhook: Text = "",
    watchlist: Names = None,
    every: Short = "",
    timezone: Short = "",
    format: Short = "",
    quiet_hours: Short = "",
    min_score: Short = "0",
    send_empty: Short = "",
    feed_alerts: Short = "",
    new_secret: Short = "",
) -> Response:
    """Change a subscription; what the form leaves as it was stays as it is."""
    seen = check_change(request, csrf)
    current = require(seen.ctx, subscription_id)
    typed = _typed(
        watchlist,
        email=email,
        webhook=webhook,
        every=every,
        timezone=timezone,
        format=format,
        quiet_hours=quiet_hours,
        min_score=min_score,
        send_empty=send_empty,
        feed_alerts=feed_alerts,
        new_secret=new_secret,
    )
    try:
        saved = edit_subscription(seen.ctx.engine, current, _edit(current, typed), CONSOLE)
    except (ConfigError, LookupError) as exc:
        assert isinstance(exc, NewswatchError)
        status, problem = _problem(exc)
        return _detail(request, seen, current, status, form=typed, problem=problem)
    return _detail(
        request,
        seen,
        saved.record,
        message=f"saved: {', '.join(saved.changed) or 'a new secret'}",
        secret=saved.new_secret,
    )


@router.get("/subscriptions/{subscription_id}", response_class=HTMLResponse)
def subscription_page(request: Request, subscription_id: Id) -> HTMLResponse:
    seen = viewer(request)
    return _detail(request, seen, require(seen.ctx, subscription_id))


@router.get("/subscriptions/{subscription_id}/preview.html", response_class=HTMLResponse)
def preview_frame(request: Request, subscription_id: Id) -> HTMLResponse:
    """The next digest's email HTML, alone, for the preview frame (its inline styles allowed)."""
    seen = viewer(request)
    shown = preview_of(seen.ctx, require(seen.ctx, subscription_id))
    html = shown["html"] if shown else "<p>nothing new for this subscription</p>"
    return HTMLResponse(
        Markup(html),
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "frame-ancestors 'self'; sandbox"
        },
    )


@router.post("/subscriptions/{subscription_id}/{verb}", response_class=HTMLResponse)
def subscription_action(
    request: Request, subscription_id: Id, verb: str, csrf: Short = ""
) -> Response:
    """Pause, resume, or send now (a paused subscription's refusal is shown on its page)."""
    seen = check_change(request, csrf)
    if verb not in ("pause", "resume", "send"):
        raise ApiError(404, "not_found", f"no action '{verb}'", "pause, resume or send")
    sub = require(seen.ctx, subscription_id)
    if verb != "send":
        set_paused(seen.ctx.engine, subscription_id, verb == "pause")
        return RedirectResponse(f"/subscriptions/{subscription_id}", status_code=303)
    try:
        sent = send_now(seen.ctx.engine, seen.ctx.settings, sub, seen.ctx.clock(), CONSOLE)
    except ConfigError as exc:
        status, problem = _problem(exc)
        return _detail(request, seen, sub, status, send_problem=problem)
    report = sent.report
    said = f"{len(sent.composed)} digest(s) composed, {len(report.sent)} sent"
    if report.failed:
        said += ", failed: " + "; ".join(f"{k}: {v}" for k, v in report.failed.items())
    return _detail(request, seen, require(seen.ctx, subscription_id), message=said)
