"""Deadlines that reach people: one engine every domain feeds, the annual wheel, reminders.

`deadlines.py` is the pure rule (states, thresholds); domains register providers
(`providers.py`); `jobs.py` scans them into notifications and e-mail digests; `app/scheduler.py`
runs the jobs; the calendar feed and `/deadlines` read the same providers.
"""


def register(app=None) -> None:
    """Hook the engine into the shared registries (idempotent); with `app`, the bell too.

    Navigation (deadlines, the annual wheel), the wheel's own provider, its demo duties, and
    the calendar card on the account page. Importing the page and API modules adds routes.
    """
    from flask_babel import lazy_gettext as _l

    from ..auth.account_views import ACCOUNT_SECTIONS
    from ..auth.permissions import Permission
    from ..demo import DEMO_STEPS
    from ..templating import NAVIGATION, NavItem
    from . import api, wheel_views  # noqa: F401  (their routes join the blueprints)
    from .demo import seed_wheel
    from .providers import register_provider
    from .views import account_section, bell
    from .wheel import WHEEL_KIND, wheel_deadlines

    register_provider(wheel_deadlines, {WHEEL_KIND: _l("Annual-wheel duty")})
    for registry, hook in ((DEMO_STEPS, seed_wheel), (ACCOUNT_SECTIONS, account_section)):
        if hook not in registry:
            registry.append(hook)
    for label, endpoint, permission, prefix in (
            (_l("Deadlines"), "notifications.list_deadlines", Permission.VIEW_DEADLINES,
             "/deadlines"),
            (_l("Annual wheel"), "notifications.show_wheel", Permission.VIEW_ANNUAL_WHEEL,
             "/wheel")):
        if not any(item.endpoint == endpoint for item in NAVIGATION):
            NAVIGATION.append(NavItem(label, endpoint, permission, prefix))
    if app is not None:
        bell(app)
