"""Dashboard: what needs attention, by role."""

from flask import Blueprint, render_template

from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..extensions import db
from ..ledger.describe import describe
from . import service

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@requires(Permission.SIGNED_IN)
def index():
    """The overview for the signed-in user; recent activity in words (ledger/describe.py)."""
    actor = current_actor()
    overview = service.overview(db.session, actor)
    return render_template("dashboard/index.html", overview=overview,
                           activity=describe(db.session, overview.recent_activity, actor))
