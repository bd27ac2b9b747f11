"""Security incidents and personal-data breaches: the register and the notification clocks.

Pure deadline arithmetic is in `clocks.py`; `queries.open_deadlines(session, now)` lists every
running breach clock for a reminder engine.
"""


def register() -> None:
    """Hook incidents into the shared registries (idempotent).

    Navigation, dashboard, control page and demo. Importing the page-action and API modules
    adds their routes to the blueprints.
    """
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import Permission
    from ..catalogue.views import CONTROL_SECTIONS
    from ..dashboard.service import CONTRIBUTORS
    from ..demo import DEMO_STEPS
    from ..templating import NAVIGATION, NavItem
    from . import action_views, api  # noqa: F401  (their routes join the blueprints)
    from .demo import seed_incidents
    from .views import control_section, dashboard_section

    for registry, hook in ((CONTRIBUTORS, dashboard_section), (DEMO_STEPS, seed_incidents),
                           (CONTROL_SECTIONS, control_section)):
        if hook not in registry:
            registry.append(hook)
    from ..notifications.providers import register_provider
    from . import deadline_provider

    register_provider(deadline_provider.breach_deadlines, deadline_provider.kinds())
    if not any(item.endpoint == "incidents.list_incidents" for item in NAVIGATION):
        NAVIGATION.append(NavItem(_l("Incidents"), "incidents.list_incidents",
                                  Permission.VIEW_INCIDENTS, "/incidents"))
