"""The demo sign-ins, kept free of Django imports so the launcher can print them before Django starts."""

DEMO_PASSWORD = "care-market-demo"  # noqa: S105 - demo accounts only, printed in the README

DEMO_LOGINS = [
    ("Budget holder, direct payment", "margaret@demo.example"),
    ("Budget holder, council-managed account", "dave@demo.example"),
    ("Budget holder, self-funder", "peter@demo.example"),
    ("Supporter (Margaret's daughter)", "susan@demo.example"),
    ("Coordinator", "carol.coordinator@demo.example"),
    ("Commissioner (needs a second factor)", "cath.commissioner@demo.example"),
    ("Council finance staff (needs a second factor)", "fin@demo.example"),
    ("Platform admin (needs a second factor)", "admin@demo.example"),
    ("Provider, sole trader", "jo@demo.example"),
    ("Provider, co-operative", "coop@demo.example"),
    ("Provider, community group (awaiting approval)", "shed@demo.example"),
    ("Provider whose DBS check has expired (hidden)", "cook@demo.example"),
    ("Community group: Orrell Lunch Club (confirms volunteers' hours)", "lunch@demo.example"),
    ("Community group: Pemberton Stitch and Natter", "stitch@demo.example"),
]


def demo_logins_text() -> str:
    width = max(len(label) for label, _ in DEMO_LOGINS) + 2
    lines = [f"Demo logins (password for each: {DEMO_PASSWORD})"]
    lines += [f"  {label:.<{width}} {email}" for label, email in DEMO_LOGINS]
    lines.append("Second-factor code for a demo commissioner, finance or admin:\n"
                 "  .venv/bin/python manage.py demo_totp EMAIL")
    return "\n".join(lines)
