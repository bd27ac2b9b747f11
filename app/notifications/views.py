"""Pages: everything due (`/deadlines`), my notifications, e-mail preferences, calendar feed."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms import SelectChoice

from ..auth.current import current_actor
from ..auth.forms import EmptyForm
from ..auth.models import User
from ..auth.permissions import Permission, Role, can, public, requires
from ..auth.redirects import safe_next
from ..db import utcnow
from ..errors import Invalid
from ..extensions import db
from ..time import zone
from . import calendar, service
from .deadlines import Selection, State
from .display import due_text, threshold_text
from .forms import PreferencesForm
from .mail import mail_enabled
from .providers import KINDS, kind_label

bp = Blueprint("notifications", __name__)
PER_PAGE = 50


def state_labels() -> dict:
    """The states' names in the interface language."""
    return {State.DUE_SOON: _("Due soon"), State.OVERDUE: _("Overdue"),
            State.UPCOMING: _("Upcoming"), State.DONE: _("Done")}


def policy():
    """The reminder thresholds from the configuration."""
    return service.make_policy(current_app.config)


def _int_arg(name: str) -> int | None:
    value = (request.args.get(name) or "").strip()
    return int(value) if value.isdigit() and 0 < len(value) < 10 else None


def _selection(actor) -> tuple[Selection, str]:
    """The filters from the query string; "mine" is the default except for coordinators."""
    args = request.args
    default = "all" if getattr(actor, "role", None) == Role.COORDINATOR.value else "mine"
    owner = (args.get("owner") or default).strip()[:12]
    owner_id = actor.id if owner == "mine" else _int_arg("owner") if owner != "all" else None
    if owner not in ("mine", "all") and owner_id is None:
        owner = default
        owner_id = actor.id if default == "mine" else None
    kind = (args.get("kind") or "").strip()[:40] or None
    state = (args.get("state") or "").strip()[:12] or None
    return Selection(kind, owner_id, state), owner


@bp.get("/deadlines")
@requires(Permission.VIEW_DEADLINES)
def list_deadlines():
    """Everything due, filterable by kind, person and state."""
    actor = current_actor()
    selection, owner = _selection(actor)
    errors, status = {}, 200
    try:
        result = service.deadline_list(db.session, actor, selection, utcnow(), zone(current_app),
                                       policy())
    except Invalid as error:
        errors, status = {error.field: _(getattr(error, "template", error.message),
                                         **getattr(error, "params", {}))}, 422
        result = service.deadline_list(db.session, actor, Selection(owner_id=selection.owner_id),
                                       utcnow(), zone(current_app), policy())
    page = max(1, min(_int_arg("page") or 1, 10_000))
    rows = result.rows[(page - 1) * PER_PAGE:page * PER_PAGE]
    return render_template("notifications/deadlines.html", result=result, rows=rows, page=page,
                           per_page=PER_PAGE, total=len(result.rows), owner=owner,
                           errors=errors, kinds=KINDS, states=state_labels(),
                           language=str(get_locale())), status


@bp.get("/notifications")
@requires(Permission.SIGNED_IN)
def list_notifications():
    """My notifications, newest first, each linking to its object."""
    page = max(1, min(_int_arg("page") or 1, 10_000))
    rows, total = service.list_notifications(db.session, current_actor(), page=page,
                                             unread_only=request.args.get("unread") == "1")
    return render_template("notifications/list.html", rows=rows, total=total, page=page,
                           per_page=service.PER_PAGE, form=EmptyForm(), kind_label=kind_label,
                           threshold_text=threshold_text, language=str(get_locale()),
                           unread=service.unread_count(db.session, current_actor().id))


def _link(notification) -> str:
    try:
        return url_for(notification.endpoint, **notification.values)
    except Exception:  # noqa: BLE001 - the object's page no longer exists
        return url_for("notifications.list_notifications")


@bp.post("/notifications/<int:notification_id>/open")
@requires(Permission.SIGNED_IN)
def open_notification(notification_id: int):
    """Mark a notification read and go to its object."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    notification = service.mark_read(db.session, current_actor(), notification_id)
    return redirect(_link(notification))


@bp.post("/notifications/<int:notification_id>/read")
@requires(Permission.SIGNED_IN)
def mark_read(notification_id: int):
    """Mark one notification read and stay on the list."""
    if EmptyForm().validate_on_submit():
        service.mark_read(db.session, current_actor(), notification_id)
        flash(_("Marked as read."), "success")
    return redirect(safe_next(request.form.get("next"),
                              url_for("notifications.list_notifications")))


@bp.post("/notifications/read-all")
@requires(Permission.SIGNED_IN)
def mark_all_read():
    """Mark every notification read."""
    if EmptyForm().validate_on_submit():
        count = service.mark_all_read(db.session, current_actor())
        flash(_("%(num)d notifications marked as read.", num=count), "success")
    return redirect(url_for("notifications.list_notifications"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
def preferences():
    """Which kinds of deadline reach me by e-mail, and how often."""
    actor = current_actor()
    stored = service.preferences(db.session, actor.id)
    form = PreferencesForm(data={"email_kinds": list(stored.email_kinds),
                                 "digest": stored.digest})
    form.email_kinds.choices = [SelectChoice(kind, str(label)) for kind, label in KINDS.items()]
    if form.validate_on_submit():
        try:
            service.save_preferences(db.session, actor, form.email_kinds.data or [],
                                     form.digest.data)
        except Invalid as error:
            getattr(form, error.field or "digest").errors = [
                _(error.template, **error.params) if getattr(error, "template", None)
                else error.message]
        else:
            flash(_("Your e-mail preferences are saved."), "success")
            return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form,
                           mail=mail_enabled(current_app)), 422 if form.errors else 200


# -- calendar feed ----------------------------------------------------------------------------

def calendar_url(user: User) -> str | None:
    """The user's secret calendar address (absolute), or None if they have none."""
    feed = service.calendar_feed(db.session, user.id)
    if feed is None:
        return None
    token = service.calendar_token(feed, current_app.config["SECRET_KEY"])
    return url_for("notifications.calendar_feed", token=token, _external=True)


def account_section(session, actor) -> dict:
    """The account page's calendar card: the address, or a button to make one."""
    return {"template": "notifications/_account_calendar.html", "calendar_url": calendar_url(
        actor), "form": EmptyForm()}


@bp.post("/account/calendar")
@requires(Permission.SIGNED_IN)
def create_calendar():
    """Make (or replace) my secret calendar address."""
    if EmptyForm().validate_on_submit():
        service.create_calendar_feed(db.session, current_actor(),
                                     current_app.config["SECRET_KEY"])
        flash(_("Your calendar address is ready; any earlier one no longer works."), "success")
    return redirect(url_for("auth.account") + "#calendar")


@bp.post("/account/calendar/revoke")
@requires(Permission.SIGNED_IN)
def revoke_calendar():
    """Stop my calendar address working."""
    if EmptyForm().validate_on_submit() and service.revoke_calendar_feed(db.session,
                                                                         current_actor()):
        flash(_("Your calendar address no longer works."), "success")
    return redirect(url_for("auth.account") + "#calendar")


@bp.get("/calendar/<token>.ics")
@public
def calendar_feed(token: str):
    """The deadlines of the address's owner as iCalendar; the token is the only key."""
    user = service.user_for_calendar_token(db.session, token)
    if user is None:
        return Response("Not found\n", status=404, mimetype="text/plain")
    now = utcnow()
    language = user.language if user.language in current_app.config["LANGUAGES"] else "en"
    from flask_babel import force_locale

    with force_locale(language):
        body = calendar.build_calendar(
            service.deadlines_of(db.session, user, now, zone(current_app)), now=now,
            name=f"Kontrol – {user.name}", language=language,
            link=lambda d: url_for(d.endpoint, _external=True, **d.values),
            label=lambda kind: str(kind_label(kind)))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="kontrol-deadlines.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def bell(app) -> None:
    """Give every page the bell's unread count (one query, only when shown) and `|due`."""
    app.jinja_env.filters["due"] = due_text

    @app.context_processor
    def unread_notifications() -> dict:
        def count() -> int:
            actor = current_actor()
            if actor is None or not can(actor, Permission.SIGNED_IN) or not getattr(
                    actor, "id", None):
                return 0
            return service.unread_count(db.session, actor.id)

        return {"unread_notifications": count}
