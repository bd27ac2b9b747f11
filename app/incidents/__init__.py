"""Security incidents and personal-data breaches: the register and the notification clocks.

Pure deadline arithmetic is in `clocks.py`; `queries.open_deadlines(session, now)` lists every
running breach clock for a reminder engine.
"""


def register() -> None:
    """Hook incidents into the shared registries (idempotent): navigation, dashboard, demo.

    Importing the page-action and API modules adds their routes to the blueprints.
    """
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import Permission
    from ..dashboard.service import CONTRIBUTORS
    from ..demo import DEMO_STEPS
    from ..templating import NAVIGATION, NavItem
    from . import action_views, api  # noqa: F401  (their routes join the blueprints)
    from .demo import seed_incidents
    from .views import dashboard_section

    for registry, hook in ((CONTRIBUTORS, dashboard_section), (DEMO_STEPS, seed_incidents)):
        if hook not in registry:
            registry.append(hook)
    if not any(item.endpoint == "incidents.list_incidents" for item in NAVIGATION):
        NAVIGATION.append(NavItem(_l("Incidents"), "incidents.list_incidents",
                                  Permission.VIEW_INCIDENTS, "/incidents"))
