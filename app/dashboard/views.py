"""Dashboard: what needs attention, by role."""

from flask import Blueprint, render_template

from ..auth.current import current_actor
from ..auth.permissions import Permission, requires
from ..extensions import db
from . import service

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@requires(Permission.SIGNED_IN)
def index():
    """The overview for the signed-in user."""
    return render_template("dashboard/index.html",
                           overview=service.overview(db.session, current_actor()))
