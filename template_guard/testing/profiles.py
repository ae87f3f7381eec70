"""Hypothesis settings profiles for the property tests: `ci` (the default), `dev` and `thorough`.

Select one with pytest's `--hypothesis-profile=<name>`. When none is selected (hypothesis' own
`default` profile is active), the generated property tests run under `ci`, so the default suite is
deterministic and bounded; the profile of your other hypothesis tests is left alone.
"""

from __future__ import annotations

from typing import Any, Literal

from hypothesis import HealthCheck, settings

CI = "ci"
DEV = "dev"
THOROUGH = "thorough"

# Every example re-parses and re-extracts a page, so hypothesis' "too slow" alarm is expected noise;
# the pages are read-only values, so function-scoped fixtures are safe to share between examples.
_SUPPRESSED = (HealthCheck.too_slow, HealthCheck.function_scoped_fixture)

PROFILES: dict[str, dict[str, Any]] = {
    # Same examples on every run and machine, nothing stored: a CI failure reproduces with a plain `pytest`.
    CI: {
        "max_examples": 40,
        "stateful_step_count": 10,
        "derandomize": True,
        "database": None,
        "deadline": None,
        "print_blob": True,
    },
    # Fresh random examples each run; failures are stored in .hypothesis/ and replayed first.
    DEV: {"max_examples": 100, "stateful_step_count": 15, "deadline": None},
    # Opt-in search for rare failures (minutes, not seconds).
    THOROUGH: {"max_examples": 1000, "stateful_step_count": 20, "deadline": None},
}

# What a page that is not its layout version's representative gets (see `template_guard.testing.budget`):
# enough examples to catch what is specific to its content (a block the selectors miss, a box placed
# differently), not another full search of the selectors its version's representative is searched with.
SMALL_EXAMPLES_SHARE = 20  # a twentieth of the profile's examples ...
SMALL_MIN_EXAMPLES = 5  # ... but at least this many
SMALL_STEPS = 3  # days per stateful run


def register_profiles() -> None:
    """Register `ci`, `dev` and `thorough` (replacing hypothesis' built-in `ci`); registering again is harmless."""
    base = settings.get_profile("default")
    for name, values in PROFILES.items():
        suppressed = {*base.suppress_health_check, *_SUPPRESSED}
        settings.register_profile(name, parent=base, suppress_health_check=list(suppressed), **values)


def property_settings() -> settings:
    """The settings the property tests run under: the active profile, or `ci` when none was chosen.

    Whatever the profile, there is no deadline: the time an example takes depends on the page.
    """
    register_profiles()  # for use without the pytest plugin, which registers them at import
    active = settings.get_current_profile_name()
    base = settings.get_profile(CI) if active == "default" else settings()
    return settings(base, deadline=None, suppress_health_check=list({*base.suppress_health_check, *_SUPPRESSED}))


def budget_settings(tier: Literal["full", "small"]) -> settings:
    """`property_settings()` for a page with the full budget; a small share of it for the others."""
    base = property_settings()
    if tier == "full":
        return base
    examples = min(base.max_examples, max(SMALL_MIN_EXAMPLES, base.max_examples // SMALL_EXAMPLES_SHARE))
    return settings(base, max_examples=examples, stateful_step_count=min(base.stateful_step_count, SMALL_STEPS))
